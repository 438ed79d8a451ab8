"""``orasx.api.locate`` and :class:`~orasx.api.Location`: the typed "where" results carry and the
display prints (no string re-parsing in the CLI)."""

from __future__ import annotations

import pytest

from orasx.api import Location, locate
from orasx.digest import parse_digest
from orasx.errors import InvalidReferenceError
from orasx.reference import parse_reference

DIGEST = parse_digest("sha256:" + "a" * 64)


@pytest.mark.parametrize(("reference", "oci_layout", "name", "tag", "digest"), [
    ("localhost:5000/hello:v1", False, "localhost:5000/hello", "v1", None),
    ("localhost:5000/a/b", False, "localhost:5000/a/b", None, None),
    (f"reg.example/a:v1@{DIGEST}", False, "reg.example/a", "v1", DIGEST),
    ("dir:v1", True, "dir", "v1", None),
    (f"dir@{DIGEST}", True, "dir", None, DIGEST),
    ("some/dir", True, "some/dir", None, None),
    ("a:b/dir:v1", True, "a:b/dir", "v1", None),
])
def test_locate(reference, oci_layout, name, tag, digest):
    location = locate(reference, oci_layout=oci_layout)
    assert (location.name, location.tag, location.digest) == (name, tag, digest)
    assert location.oci_layout is oci_layout
    assert str(location) == reference
    if oci_layout:
        assert location.registry_reference is None
    else:
        assert location.registry_reference == parse_reference(reference)


def test_a_digest_wins_over_a_tag():
    assert locate(f"reg.example/a:v1@{DIGEST}").ref == str(DIGEST)
    assert locate("reg.example/a:v1").ref == "v1"
    assert locate("reg.example/a").ref == ""


def test_with_digest_and_with_tag_keep_the_registry_reference_in_step():
    location = locate("reg.example/a:v1")
    at = location.with_digest(DIGEST)
    assert str(at) == f"reg.example/a@{DIGEST}"
    assert at.registry_reference == parse_reference(f"reg.example/a@{DIGEST}")
    tagged = at.with_tag("v2")
    assert str(tagged) == "reg.example/a:v2" and tagged.digest is None
    assert tagged.registry_reference == parse_reference("reg.example/a:v2")
    layout = Location("dir", oci_layout=True).with_tag("v1")
    assert str(layout) == "dir:v1" and layout.registry_reference is None


def test_locate_refuses_what_is_not_a_reference():
    with pytest.raises(InvalidReferenceError):
        locate("no-registry")
