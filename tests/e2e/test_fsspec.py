"""``oras://`` through fsspec against a real registry: ls, ranged reads, pandas, the cache."""

from __future__ import annotations

import os

import pytest

import orasx
from tests.e2e.helpers import PLAIN

fsspec = pytest.importorskip("fsspec")
BIG = 8 * 1024 * 1024


@pytest.fixture
def artifact(proxy, repo_name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_text("name,n\nalpha,1\nbeta,2\n")
    (tmp_path / "big.bin").write_bytes(os.urandom(BIG))
    ref = f"localhost:{proxy.host.rpartition(':')[2]}/{repo_name}:v1"
    orasx.push(ref, ["data.csv", "big.bin"], remote=PLAIN)
    proxy.requests.clear()
    return ref


def test_ls_lists_titles_with_sizes(artifact):
    fs = fsspec.filesystem("oras")
    entries = {e["name"].rpartition("/")[2]: e for e in fs.ls(f"oras://{artifact}")}
    assert entries["data.csv"]["size"] == 22 and entries["big.bin"]["size"] == BIG
    assert entries["big.bin"]["type"] == "file"


def test_a_ranged_read_fetches_about_what_it_reads(artifact, proxy, tmp_path):
    expected = (tmp_path / "big.bin").read_bytes()[BIG // 2: BIG // 2 + 1024 * 1024]
    # whole_fetch_limit=0: ranged reads even of a file this small (64 MiB and under are
    # otherwise fetched whole, to be verified)
    with fsspec.open(f"oras://{artifact}/big.bin", whole_fetch_limit=0) as f:
        f.seek(BIG // 2)
        got = f.read(1024 * 1024)
    assert got == expected
    ranges = [r.headers.get("Range") or r.headers.get("range") for r in proxy.requests
              if r.method == "GET" and "/blobs/" in r.path]
    assert ranges and all(ranges)  # every blob read was a ranged one
    fetched = sum(int(b) - int(a) + 1 for a, b in
                  (r.removeprefix("bytes=").split("-") for r in ranges))
    assert fetched <= 1.5 * 1024 * 1024, ranges  # about the 1 MiB read, not the 8 MiB blob


def test_pandas_reads_an_oras_url(artifact):
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(f"oras://{artifact}/data.csv")
    assert list(frame["name"]) == ["alpha", "beta"] and list(frame["n"]) == [1, 2]


def test_reads_go_through_the_cache_when_one_is_set(artifact, proxy, tmp_path):
    cache = str(tmp_path / "cache")
    fs = fsspec.filesystem("oras", cache_dir=cache, skip_instance_cache=True)
    with fs.open(f"oras://{artifact}/data.csv") as f:
        assert f.read() == b"name,n\nalpha,1\nbeta,2\n"
    proxy.requests.clear()
    fs2 = fsspec.filesystem("oras", cache_dir=cache, skip_instance_cache=True)
    assert fs2.ls(f"oras://{artifact}")[0]["digest"].startswith("sha256:")  # listings carry digests
    with fs2.open(f"oras://{artifact}/data.csv") as f:
        assert f.read() == b"name,n\nalpha,1\nbeta,2\n"
    assert [r for r in proxy.requests if "/blobs/" in r.path] == []


def test_a_missing_file_is_file_not_found(artifact):
    with pytest.raises(FileNotFoundError):
        fsspec.open(f"oras://{artifact}/nope.txt").open()
