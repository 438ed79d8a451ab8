"""``oras://`` URL splitting: the reference ends at its tag or digest; the rest is the title."""

from __future__ import annotations

import pytest

pytest.importorskip("fsspec")

from orasx.api._fsspec import split_url
from orasx.errors import InvalidInputError

D = "sha256:" + "a" * 64


@pytest.mark.parametrize(("url", "ref", "path"), [
    ("oras://localhost:5000/repo:v1/data.csv", "localhost:5000/repo:v1", "data.csv"),
    ("oras://localhost:5000/a/b/c:v1/dir/x.csv", "localhost:5000/a/b/c:v1", "dir/x.csv"),
    (f"oras://reg.example/repo@{D}/m.bin", f"reg.example/repo@{D}", "m.bin"),
    ("localhost:5000/repo:v1", "localhost:5000/repo:v1", ""),
])
def test_split_url(url, ref, path):
    assert split_url(url) == (ref, path)


@pytest.mark.parametrize("url", ["oras://localhost:5000", "oras://localhost:5000/repo/file"])
def test_a_url_without_tag_or_digest_is_refused(url):
    with pytest.raises(InvalidInputError):
        split_url(url)
