from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orasx.errors import InvalidInputError
from orasx.fileref import (
    parse_annotation_file,
    parse_annotations,
    parse_file_reference,
    title_for,
)


@pytest.mark.parametrize(
    ("ref", "path", "media_type"),
    [
        ("hi.txt", "hi.txt", "dflt"),
        ("hi.txt:application/vnd.me.hi", "hi.txt", "application/vnd.me.hi"),
        ("hi:txt:", "hi:txt", "dflt"),
        ("a:b:application/x", "a:b", "application/x"),
        ("C:\\x\\y.txt", "C:\\x\\y.txt", "dflt"),
        ("C:\\x\\y.txt:application/x", "C:\\x\\y.txt", "application/x"),
        ("/dev/null:application/vnd.acme.rocket.config.v1+json", "/dev/null",
         "application/vnd.acme.rocket.config.v1+json"),
    ],
)
def test_parse_file_reference_splits_on_the_last_colon(ref, path, media_type):
    parsed = parse_file_reference(ref, "dflt")
    assert (parsed.path, parsed.media_type) == (path, media_type)


def test_parse_file_reference_rejects_empty_path():
    with pytest.raises(InvalidInputError, match="empty file path"):
        parse_file_reference(":application/x")


@pytest.mark.parametrize(
    ("path", "title"),
    [("./artifact.txt", "artifact.txt"), ("a//b/../c", "a/c"), ("dir/", "dir"),
     ("a\\b", "a/b"), ("../up", "../up")],
)
def test_title_is_the_cleaned_path_with_forward_slashes(path, title):
    assert title_for(path) == title


def test_annotations_parse_and_reject_duplicates():
    assert parse_annotations(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(InvalidInputError, match="duplicate"):
        parse_annotations(["a=1", "a=2"])
    with pytest.raises(InvalidInputError, match="key=value"):
        parse_annotations(["novalue"])


def test_annotation_file_schema():
    doc = parse_annotation_file(b'{"$manifest": {"k": "v"}, "hi.txt": {"f": "1"}}')
    assert doc == {"$manifest": {"k": "v"}, "hi.txt": {"f": "1"}}
    with pytest.raises(InvalidInputError):
        parse_annotation_file(b'{"$manifest": {"k": 1}}')
    with pytest.raises(InvalidInputError):
        parse_annotation_file(b"[1]")


@given(st.binary(max_size=200))
def test_annotation_file_parser_never_crashes(data):
    with contextlib.suppress(InvalidInputError):
        parse_annotation_file(data)


@given(st.text(max_size=40))
def test_file_reference_parser_never_crashes(text):
    try:
        path = parse_file_reference(text).path
    except InvalidInputError:
        return
    assert path
