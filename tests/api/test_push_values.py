"""The library as a Python user meets it: push and attach take values (file references, an
annotation mapping, a decided image spec), single files, paths, a layout reference; pull reads
through ``$ORAS_CACHE`` and says what came from the cache. Unit tests use OCI layouts; the last
few run against the real registry."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest

import orasx
from orasx._copy import reporting
from orasx.api import FileReference, LayoutReference, Remote, attach, pull, push
from orasx.content import DestinationFacts
from orasx.content.oci import OCILayoutStore
from orasx.digest import Digest, FileBacked
from orasx.errors import InvalidInputError
from orasx.fileref import file_reference, file_references, parse_file_reference

TITLE = "org.opencontainers.image.title"


def manifest_of(layout: str, tag: str) -> dict[str, object]:
    store = OCILayoutStore(layout, create=False)
    desc = store.resolve(tag)
    stream = store.fetch(desc)
    try:
        doc: dict[str, object] = json.loads(stream.read())
    finally:
        stream.close()
    return doc


def titles(doc: dict[str, object]) -> list[str]:
    return [layer["annotations"][TITLE] for layer in doc["layers"]]  # type: ignore[index,union-attr]


# -- file references ------------------------------------------------------------------------------


def test_a_single_string_is_one_file_not_its_characters(work: Path):
    push("lay:v1", "iris.csv", oci_layout=True)
    assert titles(manifest_of("lay", "v1")) == ["iris.csv"]


def test_a_path_object_is_a_file_and_its_colons_are_part_of_the_name(work: Path):
    (work / "a:b").write_text("x\n")
    push("lay:v1", [Path("iris.csv"), Path("a:b")], oci_layout=True)
    assert titles(manifest_of("lay", "v1")) == ["iris.csv", "a:b"]
    push("lay:v2", Path("notes.txt"), oci_layout=True)
    assert titles(manifest_of("lay", "v2")) == ["notes.txt"]


def test_a_file_reference_carries_its_media_type_and_title(work: Path):
    push("lay:v1", [FileReference("iris.csv", "text/csv", "data/iris.csv")], oci_layout=True)
    (layer,) = manifest_of("lay", "v1")["layers"]  # type: ignore[misc]
    assert layer["mediaType"] == "text/csv" and layer["annotations"][TITLE] == "data/iris.csv"


def test_text_is_parsed_once_into_a_reference():
    assert parse_file_reference("hi.txt:text/plain") == FileReference("hi.txt", "text/plain")
    assert file_reference(Path("x:y")) == FileReference("x:y")
    assert file_references("a.txt") == [FileReference("a.txt")]
    assert FileReference("./dir/").title == "dir"
    with pytest.raises(InvalidInputError):
        file_reference(b"bytes.txt")  # type: ignore[arg-type]


def test_absolute_paths_are_refused_without_naming_a_flag(work: Path):
    absolute = str(work / "iris.csv")
    with pytest.raises(InvalidInputError) as e:
        push("lay:v1", absolute, oci_layout=True)
    assert "absolute file path" in str(e.value) and "--" not in str(e.value)
    push("lay:v1", absolute, oci_layout=True, disable_path_validation=True)
    assert titles(manifest_of("lay", "v1")) == [absolute.replace(os.sep, "/")]
    # a reference built by the caller is taken as it is: its title is its own
    push("lay:v2", FileReference(absolute, title="iris.csv"), oci_layout=True)
    assert titles(manifest_of("lay", "v2")) == ["iris.csv"]


# -- annotations, spec, config --------------------------------------------------------------------


def test_annotations_by_name_reach_the_manifest_the_config_and_the_file(work: Path):
    push("lay:v1", "iris.csv", oci_layout=True, annotations={"k": "flag"},
         named_annotations={"$manifest": {"k": "file", "m": "1"}, "$config": {"c": "2"},
                            "iris.csv": {"f": "3"}})
    doc = manifest_of("lay", "v1")
    assert {k: v for k, v in doc["annotations"].items()  # type: ignore[union-attr]
            if k != "org.opencontainers.image.created"} == {"k": "flag", "m": "1"}
    assert doc["config"]["annotations"] == {"c": "2"}  # type: ignore[index]
    assert doc["layers"][0]["annotations"]["f"] == "3"  # type: ignore[index]


def test_an_annotation_for_a_file_not_pushed_is_refused(work: Path):
    with pytest.raises(InvalidInputError, match="not among the files pushed"):
        push("lay:v1", "iris.csv", oci_layout=True, named_annotations={"other.txt": {"a": "b"}})


def test_the_image_spec_is_the_callers_decision(work: Path):
    (work / "config.json").write_text("{}")
    push("lay:v1", "iris.csv", oci_layout=True, config="config.json:application/x.cfg")
    doc = manifest_of("lay", "v1")
    # v1.1 stays v1.1 with a config and no artifact type: the config's type names it
    assert "artifactType" not in doc and doc["config"]["mediaType"] == "application/x.cfg"  # type: ignore[index]
    push("lay:v0", "iris.csv", oci_layout=True, config=Path("config.json"), image_spec="v1.0")
    doc = manifest_of("lay", "v0")
    assert doc["config"]["mediaType"] == "application/vnd.unknown.config.v1+json"  # type: ignore[index]


def test_library_messages_name_no_flag(work: Path):
    messages = []
    for call in (
        lambda: push("lay:v1", "iris.csv", oci_layout=True, concurrency=0),
        lambda: attach("lay:v1", "iris.csv", artifact_type="", oci_layout=True),
        lambda: orasx.pack_manifest([], artifact_type="a/b", image_spec="v1.0",
                                    config=orasx.Descriptor.from_bytes("a/c", b"{}")),
        lambda: orasx.registry._http.parse_resolve("nonsense"),  # type: ignore[attr-defined]
    ):
        with pytest.raises(InvalidInputError) as e:
            call()
        messages.append(str(e.value))
    assert [m for m in messages if re.search(r"--[a-z]", m)] == []


def test_attach_takes_values_too(work: Path):
    pushed = push("lay:v1", "iris.csv", oci_layout=True)
    result = attach("lay:v1", Path("notes.txt"), artifact_type="application/x.note",
                    oci_layout=True, named_annotations={"notes.txt": {"n": "1"}})
    assert result.subject.digest == pushed.descriptor.digest
    doc = json.loads(result.manifest)
    assert doc["layers"][0]["annotations"] == {TITLE: "notes.txt", "n": "1"}


# -- a layout reference is its own type -----------------------------------------------------------


def test_a_layout_reference_is_a_value_not_a_string(work: Path):
    ref = LayoutReference("v1,v2", str(work / "d:ir"))  # the path is never split at its colon
    assert not isinstance(ref, str) and str(ref) == "v1,v2"
    result = push(ref, "iris.csv")
    assert result.tags == ("v1", "v2") and result.location.name == ref.path
    assert orasx.api.resolve(LayoutReference("v2", ref.path)).digest == result.descriptor.digest


# -- pull and the cache ---------------------------------------------------------------------------


def test_pull_reads_through_oras_cache_and_says_what_came_from_it(
        work: Path, monkeypatch: pytest.MonkeyPatch):
    pushed = push("lay:v1", "iris.csv", oci_layout=True)
    layer = json.loads(pushed.manifest)["layers"][0]
    monkeypatch.setenv("ORAS_CACHE", str(work / "cache"))
    first = pull("lay:v1", "out1", oci_layout=True)
    assert first.from_cache == ()  # everything downloaded, into the cache
    assert (work / "cache").is_dir()
    second = pull("lay:v1", "out2", oci_layout=True)
    cached = {str(d.digest) for d in second.from_cache}
    assert layer["digest"] in cached
    off = pull("lay:v1", "out3", oci_layout=True, cache_dir=False)
    assert off.from_cache == () and (work / "out3" / "iris.csv").read_text() == "a,b\n1,2\n"
    assert pull("lay:v1", "out4", oci_layout=True, cache_dir="").from_cache == ()


def test_without_oras_cache_pull_uses_no_cache(work: Path):
    push("lay:v1", "iris.csv", oci_layout=True)
    assert pull("lay:v1", "out", oci_layout=True).from_cache == ()
    cached = pull("lay:v1", "out2", oci_layout=True, cache_dir=work / "c")
    assert cached.from_cache == ()
    assert pull("lay:v1", "out3", oci_layout=True, cache_dir=work / "c").from_cache != ()


# -- declared interfaces --------------------------------------------------------------------------


def test_a_counted_stream_passes_on_what_it_wraps_and_declares_it(work: Path):
    hooks = orasx.Hooks(on_progress=lambda d, n: None)
    desc = orasx.Descriptor.from_bytes("a/b", b"x")
    with open("iris.csv", "rb") as f:
        counted = reporting(f, desc, hooks)
        assert isinstance(counted, FileBacked) and counted.fileno() == f.fileno()
        assert counted.tell() == 0
    memory = reporting(io.BytesIO(b"x"), desc, hooks)
    with pytest.raises(OSError):
        memory.fileno()  # type: ignore[attr-defined]


def test_destination_facts_answer_or_defer():
    a, b, c = (Digest.from_bytes(x) for x in (b"a", b"b", b"c"))
    facts = DestinationFacts(present=frozenset({a}), sent=frozenset({b}), missing=frozenset({c}))
    assert (facts.holds(a), facts.holds(b), facts.holds(c)) == (True, True, False)
    assert facts.holds(Digest.from_bytes(b"d")) is None
    assert DestinationFacts(empty=True).holds(a) is False


def test_plain_http_is_one_keyword():
    remote = Remote(plain_http=True)
    assert remote.client("registry.example:5000").options.plain_http is True
    assert Remote().client("registry.example").options.plain_http is None


# -- against the registry -------------------------------------------------------------------------




