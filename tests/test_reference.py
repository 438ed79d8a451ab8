from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orasx.errors import InvalidReferenceError
from orasx.reference import (
    Reference,
    parse_layout_reference,
    parse_reference,
    reference_problem,
    split_tags,
)

D = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("localhost:5000/hello:v1", "localhost:5000", "hello", "v1", None),
        ("localhost:5000/a/b/c", "localhost:5000", "a/b/c", None, None),
        (f"ghcr.io/o/r@{D}", "ghcr.io", "o/r", None, D),
        (f"ghcr.io/o/r:v1@{D}", "ghcr.io", "o/r", "v1", D),
        ("[::1]:5000/x:latest", "[::1]:5000", "x", "latest", None),
        ("127.0.0.1:5000/a_b.c-d__e:V1.0_x", "127.0.0.1:5000", "a_b.c-d__e", "V1.0_x", None),
    ],
)
def test_parse_reference_accepts_valid_forms(text, registry, repository, tag, digest):
    ref = parse_reference(text)
    assert (ref.registry, ref.repository, ref.tag) == (registry, repository, tag)
    assert (str(ref.digest) if ref.digest else None) == digest
    assert str(ref) == text


@pytest.mark.parametrize(
    "text",
    ["", "hello", "localhost:5000/", "localhost:5000/Upper:v1", "localhost:5000/a:b:c",
     "localhost:5000/a@sha256:abc", "localhost:5000/a:" + "t" * 129, "localhost:5000/a//b",
     "local host/a", "localhost:5000/a:-bad", "localhost:5000/../x"],
)
def test_parse_reference_rejects_invalid_forms_with_a_clear_error(text):
    with pytest.raises(InvalidReferenceError, match="invalid"):
        parse_reference(text)


def test_digest_wins_over_tag():
    ref = parse_reference(f"r.io/x:v1@{D}")
    assert ref.reference == D


def test_split_tags():
    assert split_tags("localhost:5000/r:v1,v2,v3") == ("localhost:5000/r:v1", ["v1", "v2", "v3"])
    assert split_tags("localhost:5000/r:v1") == ("localhost:5000/r:v1", [])
    assert split_tags("localhost:5000/r") == ("localhost:5000/r", [])
    with pytest.raises(InvalidReferenceError):
        split_tags("localhost:5000/r:v1,,v2")


@pytest.mark.parametrize(
    ("text", "path", "ref"),
    [
        ("layout", "layout", ""),
        ("layout:v1", "layout", "v1"),
        ("./a/b:v1", "./a/b", "v1"),
        (f"dir@{D}", "dir", D),
        ("/abs/dir", "/abs/dir", ""),
        # as the Go CLI: split at the last ':', any tag, "DIR:" names none
        ("layout:sp ace", "layout", "sp ace"),
        ("layout:.bad", "layout", ".bad"),
        ("layout:" + "x" * 129, "layout", "x" * 129),
        ("layout:", "layout", ""),
        ("a:b/c:v1", "a:b/c", "v1"),
        ("dir@v1", "dir", "v1"),
    ],
)
def test_parse_layout_reference(text, path, ref):
    assert parse_layout_reference(text) == (path, ref)


def test_parse_layout_reference_refuses_an_empty_path():
    with pytest.raises(InvalidReferenceError, match='found empty file path in ":v1"'):
        parse_layout_reference(":v1")


@pytest.mark.parametrize(("text", "problem"), [
    ("/r:v1", 'invalid registry ""'),
    ("localhost:5000/", 'invalid repository ""'),
    ("r", "missing registry or repository"),
    ("localhost:5000/r:v1", ""),
])
def test_reference_problem(text, problem):
    assert reference_problem(text) == problem


_component = st.from_regex(r"[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8}){0,2}", fullmatch=True)


@given(
    host=st.sampled_from(["localhost:5000", "registry.example.com", "127.0.0.1:1234", "r.io"]),
    parts=st.lists(_component, min_size=1, max_size=4),
    tag=st.none() | st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True),
)
def test_reference_round_trips(host, parts, tag):
    text = f"{host}/{'/'.join(parts)}" + (f":{tag}" if tag else "")
    ref = parse_reference(text)
    assert str(ref) == text
    assert parse_reference(str(ref)) == ref


@given(st.text(max_size=60))
def test_parse_reference_never_crashes_on_arbitrary_text(text):
    try:
        ref = parse_reference(text)
    except InvalidReferenceError:
        return
    assert isinstance(ref, Reference)
