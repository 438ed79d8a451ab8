"""The output handlers: text, json and go-template output for fake results, no registry."""

from __future__ import annotations

import json

import pytest

from orasx.api import (
    AttachResult,
    CopyResult,
    PulledFile,
    PullResult,
    PushResult,
    ReferrerNode,
    locate,
)
from orasx.cli._options import FormatOptions, TargetOptions
from orasx.cli.display import blob, graph, manifest, pull, push, repo
from orasx.cli.display._base import JSONDocument, TemplateDocument, document
from orasx.descriptor import TITLE, Descriptor

TEXT = FormatOptions()
JSON = FormatOptions("json")


def tpl(template: str) -> FormatOptions:
    return FormatOptions("go-template", template)


def blob_of(data: bytes, title: str = "") -> Descriptor:
    desc = Descriptor.from_bytes("text/plain", data)
    return desc.with_annotations({TITLE: title}) if title else desc


MANIFEST = Descriptor.from_bytes("application/vnd.oci.image.manifest.v1+json", b"{}",
                                 artifact_type="application/vnd.example")
REFERRER = Descriptor.from_bytes("application/vnd.oci.image.manifest.v1+json", b"{ }",
                                 artifact_type="application/vnd.sbom")
CONFIG = Descriptor.from_bytes("application/vnd.oci.image.config.v1+json", b"{}")
A = blob_of(b"a", "a.txt")


def out(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out


def test_document_writers(capsys):
    assert document(TEXT) is None and document(FormatOptions("tree")) is None
    assert isinstance(document(JSON), JSONDocument)
    assert isinstance(document(tpl("{{.a}}")), TemplateDocument)
    JSONDocument().write({"a": [1]})
    assert out(capsys) == '{\n  "a": [\n    1\n  ]\n}\n'
    TemplateDocument("{{.a}}").write({"a": "x"})
    assert out(capsys) == "x"  # nothing added


# -- push ---------------------------------------------------------------------------------------


def pushed(reference: str, tags: tuple[str, ...], oci_layout: bool = False) -> PushResult:
    return PushResult(MANIFEST, b"{}", reference, tags, locate(reference, oci_layout=oci_layout))


def test_push_text(capsys):
    push.handler(TEXT).on_pushed(pushed("localhost:5000/hello:v1", ("v1", "latest")))
    assert out(capsys) == (  # Go: one "Tagged" line per extra tag
        "Pushed [registry] localhost:5000/hello:v1\n"
        "Tagged latest\n"
        "ArtifactType: application/vnd.example\n"
        f"Digest: {MANIFEST.digest}\n"
    )


def test_push_text_to_a_layout(capsys):
    push.handler(TEXT).on_pushed(pushed("dir:v1", ("v1",), oci_layout=True))
    assert out(capsys).startswith("Pushed [oci-layout] dir:v1\n")


def test_push_json(capsys):
    push.handler(JSON).on_pushed(pushed("localhost:5000/hello:v1", ("v1", "latest")))
    doc = json.loads(out(capsys))
    assert doc == {"reference": f"localhost:5000/hello@{MANIFEST.digest}", **MANIFEST.to_dict(),
                   "referenceAsTags": ["localhost:5000/hello:latest", "localhost:5000/hello:v1"]}


def test_push_json_without_tags(capsys):
    """As Go: ``name:`` for a reference without a tag, null for one by digest."""
    ref = f"dir@{MANIFEST.digest}"
    push.handler(JSON, "dir").on_pushed(pushed(ref, (), oci_layout=True))
    doc = json.loads(out(capsys))
    assert doc["reference"] == ref and doc["referenceAsTags"] == ["dir:"]
    push.handler(JSON, ref).on_pushed(pushed(ref, (), oci_layout=True))
    assert json.loads(out(capsys))["referenceAsTags"] is None


def test_push_template(capsys):
    push.handler(tpl("{{.digest}} {{toJson .referenceAsTags}}")).on_pushed(
        pushed("dir:v1", ("v1", "v2"), oci_layout=True))
    assert out(capsys) == f'{MANIFEST.digest} ["dir:v1","dir:v2"]'


# -- pull ---------------------------------------------------------------------------------------


def pulled(files: tuple[PulledFile, ...], skipped: tuple[Descriptor, ...] = ()) -> PullResult:
    return PullResult(MANIFEST, "reg.example/a:v1", files, skipped, locate("reg.example/a:v1"))


def test_pull_text(capsys):
    pull.handler(TEXT, "reg.example/a:v1").on_pulled(pulled((PulledFile("out/a.txt", A),)))
    assert out(capsys) == f"Pulled [registry] reg.example/a:v1\nDigest: {MANIFEST.digest}\n"


def test_pull_text_of_skipped_layers_and_an_empty_artifact(capsys):
    pull.handler(TEXT, "reg.example/a:v1").on_pulled(pulled((), (blob_of(b"x"),)))
    assert out(capsys).splitlines() == [  # Go: the hint replaces the Pulled/Digest lines
        'Skipped pulling layers without file name in "org.opencontainers.image.title"',
        "Use 'oras copy reg.example/a:v1 --to-oci-layout <layout-dir>' to pull all layers.",
    ]
    pull.handler(TEXT, "reg.example/a:v1").on_pulled(pulled(()))
    assert out(capsys).splitlines() == [  # nothing pulled, nothing skipped: no special line
        "Pulled [registry] reg.example/a:v1",
        f"Digest: {MANIFEST.digest}",
    ]


def test_pull_json_and_template(capsys):
    result = pulled((PulledFile("out/a.txt", A),))
    pull.handler(JSON, "reg.example/a:v1").on_pulled(result)
    doc = json.loads(out(capsys))
    assert doc == {"reference": f"reg.example/a@{MANIFEST.digest}", "files": [
        {"path": "out/a.txt", "reference": f"reg.example/a@{A.digest}", **A.to_dict()}]}
    pull.handler(tpl("{{range .files}}{{.path}}{{end}}"), "x").on_pulled(result)
    assert out(capsys) == "out/a.txt"


# -- attach, discover, copy, tag, resolve -------------------------------------------------------


def test_attach(capsys):
    result = AttachResult(REFERRER, MANIFEST, b"{ }", locate("reg.example/a:v1"))
    graph.attach_handler(TEXT).on_attached(result)
    assert out(capsys) == (f"Attached to [registry] reg.example/a@{MANIFEST.digest}\n"
                           f"Digest: {REFERRER.digest}\n")
    graph.attach_handler(JSON).on_attached(result)
    assert json.loads(out(capsys)) == {"reference": f"reg.example/a@{REFERRER.digest}",
                                       **REFERRER.to_dict()}


def tree() -> ReferrerNode:
    return ReferrerNode(MANIFEST, [ReferrerNode(REFERRER, [ReferrerNode(CONFIG)])])


def test_discover_tree(capsys):
    graph.discover_handler(FormatOptions("tree")).on_discovered(tree(), "reg.example/a")
    assert out(capsys).splitlines() == [
        f"reg.example/a@{MANIFEST.digest}",
        "└── application/vnd.sbom",
        f"    └── {REFERRER.digest}",
        "        └── <unknown>",
        f"            └── {CONFIG.digest}",
    ]


def test_discover_table(capsys):
    graph.discover_handler(FormatOptions("table"), "reg.example/a:v1").on_discovered(
        tree(), "reg.example/a")
    assert out(capsys) == (  # the Go CLI's: direct referrers only, each with its descriptor
        "Discovered 1 artifact referencing reg.example/a:v1\n"
        f"Digest: {MANIFEST.digest}\n\n"
        "Artifact Type          Digest\n"
        f"application/vnd.sbom   {REFERRER.digest}\n"
        + json.dumps(REFERRER.to_dict(), indent=2) + "\n")


def test_discover_json_and_template(capsys):
    graph.discover_handler(JSON).on_discovered(tree(), "reg.example/a")
    doc = json.loads(out(capsys))
    assert doc["reference"] == f"reg.example/a@{MANIFEST.digest}"
    assert doc["referrers"][0]["referrers"][0]["digest"] == str(CONFIG.digest)
    graph.discover_handler(tpl("{{range .referrers}}{{.artifactType}}{{end}}")).on_discovered(
        tree(), "reg.example/a")
    assert out(capsys) == "application/vnd.sbom"


def test_copy(capsys):
    result = CopyResult(MANIFEST, ("v1",), locate("reg.example/a:v1"),
                        locate("dir:v1", oci_layout=True))
    graph.copy_handler(TEXT, "reg.example/a:v1", "dir:v1,v2").on_copied(result)
    assert out(capsys) == ("Copied [registry] reg.example/a:v1 => [oci-layout] dir:v1\n"
                           "Tagged v2\n"
                           f"Digest: {MANIFEST.digest}\n")
    graph.copy_handler(tpl("{{.reference}}"), "x", "y").on_copied(result)
    assert out(capsys) == f"dir@{MANIFEST.digest}"
    root, tags = result  # unpacks as the old (root, tags) pair
    assert (root, tags) == (MANIFEST, ["v1"])


def test_tag_and_resolve(capsys):
    location = locate("reg.example/a:v1")
    handler = graph.TextTagHandler()
    handler.on_tagging(location, MANIFEST)
    handler.on_tagged(("v2", "v3"))
    assert out(capsys) == (f"Tagging [registry] reg.example/a@{MANIFEST.digest}\n"
                           "Tagged v2\nTagged v3\n")
    graph.TextResolveHandler(False).on_resolved(location, MANIFEST)
    assert out(capsys) == f"{MANIFEST.digest}\n"
    graph.TextResolveHandler(True).on_resolved(location, MANIFEST)
    assert out(capsys) == f"reg.example/a@{MANIFEST.digest}\n"


# -- manifest, blob, repo, backup ---------------------------------------------------------------


def test_manifest_fetch(capsysbinary):
    raw = b'{"schemaVersion":2}'
    manifest.fetch_handler(TEXT, descriptor=False, pretty=False, output=None).on_fetched(
        MANIFEST, raw)
    assert capsysbinary.readouterr().out == raw
    manifest.fetch_handler(TEXT, descriptor=False, pretty=True, output=None).on_fetched(
        MANIFEST, raw)
    assert capsysbinary.readouterr().out == b'{\n  "schemaVersion": 2\n}\n'
    manifest.fetch_handler(TEXT, descriptor=False, pretty=False, output="m.json").on_fetched(
        MANIFEST, raw)
    assert capsysbinary.readouterr().out == b""  # -o saved it
    manifest.fetch_handler(TEXT, descriptor=True, pretty=False, output=None).on_fetched(
        MANIFEST, raw)
    assert json.loads(capsysbinary.readouterr().out) == MANIFEST.to_dict()
    manifest.fetch_handler(JSON, descriptor=False, pretty=False, output=None,
                           name="reg.example/a").on_fetched(MANIFEST, raw)
    assert json.loads(capsysbinary.readouterr().out) == {
        "reference": f"reg.example/a@{MANIFEST.digest}", **MANIFEST.to_dict(),
        "content": {"schemaVersion": 2}}


def test_manifest_push_and_delete(capsys):
    target = TargetOptions("dir:a,b", oci_layout=True)
    handler = manifest.push_handler(target, "dir:a")
    handler.on_pushed(MANIFEST)
    handler.on_tagged("b")
    handler.on_completed(MANIFEST)
    assert out(capsys) == f"Pushed: [oci-layout] dir:a\nTagged b\nDigest: {MANIFEST.digest}\n"
    handler = manifest.push_handler(target, "dir:a", descriptor=True)
    handler.on_pushed(MANIFEST)
    handler.on_tagged("b")
    handler.on_completed(MANIFEST)
    assert json.loads(out(capsys)) == MANIFEST.to_dict()
    handler = manifest.index_update_handler(TargetOptions("dir:a", oci_layout=True))
    handler.on_event("Updated", str(MANIFEST.digest))
    handler.on_pushed(MANIFEST, ["a", "b", "c"])
    assert out(capsys) == (f"Updated   {MANIFEST.digest}\n"
                           "Pushed    [oci-layout] dir:a\n"
                           "Tagged b\nTagged c\n"  # Go: one line per tag beyond the first
                           f"Digest: {MANIFEST.digest}\n")
    manifest.DeleteHandler(target).on_deleted(MANIFEST)
    assert out(capsys) == "Deleted [oci-layout] dir:a,b\n"  # Go prints no digest line
    manifest.DeleteHandler(target).on_missing()
    assert out(capsys) == "Missing dir:a,b\n"


def test_blob_push(capsys):
    target = TargetOptions("reg.example/a")
    blob.push_handler(target, descriptor=False).on_pushed(A)
    assert out(capsys) == f"Pushed: [registry] reg.example/a\nDigest: {A.digest}\n"
    blob.push_handler(target, descriptor=True).on_pushed(A)
    assert json.loads(out(capsys)) == A.to_dict()


def test_repo_lists(capsys):
    repo.ls_handler(TEXT, "reg.example").on_listed(["a", "b"])
    assert out(capsys) == "a\nb\n"
    repo.ls_handler(JSON, "reg.example").on_listed(["a"])
    assert json.loads(out(capsys)) == {"registry": "reg.example", "repositories": ["a"]}
    repo.tags_handler(tpl("{{range .tags}}{{.}},{{end}}")).on_listed(["v1", "v2"])
    assert out(capsys) == "v1,v2,"


