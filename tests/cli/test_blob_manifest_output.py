"""``oras blob`` and ``oras manifest`` as the Go CLI v1.3.3 prints them: status and result lines,
``--descriptor``/``--pretty`` JSON (no newline after compact JSON), ``--format json``, the delete
prompt naming the digest, and the errors these commands raise themselves. In process, on OCI
image layouts in a temporary directory; every expected text here was printed by the Go binary
on the same input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from orasx.cli.display.manifest import go_indent
from orasx.cli.main import cli

A = "sha256:b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060"  # b"alpha\n"
EMPTY = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"  # b"{}"
MANIFEST = (
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
    '"artifactType":"application/vnd.unknown.artifact.v1","config":{"mediaType":'
    '"application/vnd.oci.empty.v1+json","digest":"' + EMPTY + '","size":2,"data":"e30="},'
    '"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"' + A + '",'
    '"size":6,"annotations":{"org.opencontainers.image.title":"a.txt"}}],"annotations":'
    '{"org.opencontainers.image.created":"2000-01-01T00:00:00Z"}}'
)
M = "sha256:c89df3a8748b83f5bd2061981512ce348225627020fe18957de97d02486a1849"
M_TYPE = "application/vnd.oci.image.manifest.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="oras", input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_bytes(b"alpha\n")
    (tmp_path / "empty.json").write_bytes(b"{}")
    (tmp_path / "manifest.json").write_text(MANIFEST)
    return tmp_path


def with_blobs() -> None:
    for f in ("a.txt", "empty.json"):
        assert run("blob", "push", "--oci-layout", "lay", f)[0] == 0


# -- blob push ----------------------------------------------------------------------------------


def test_blob_push_prints_gos_status_lines_then_pushed_with_a_colon(work: Path) -> None:
    assert run("blob", "push", "--oci-layout", "lay", "a.txt") == (0, (
        f"Uploading b6a98d9ce9a2 {LAYER}\n"
        f"Uploaded  b6a98d9ce9a2 {LAYER}\n"
        "Pushed: [oci-layout] lay\n"
        f"Digest: {A}\n"), "")
    assert run("blob", "push", "--oci-layout", f"lay@{A}", "a.txt") == (0, (
        f"Exists    b6a98d9ce9a2 {LAYER}\n"
        f"Pushed: [oci-layout] lay@{A}\n"
        f"Digest: {A}\n"), "")
    assert (work / "lay" / "blobs" / "sha256" / A.split(":")[1]).read_bytes() == b"alpha\n"


def test_blob_push_descriptor_is_compact_without_newline_or_pretty_with_one(work: Path) -> None:
    assert run("blob", "push", "--oci-layout", "--descriptor", "lay", "empty.json") == (0, (
        f'{{"mediaType":"{LAYER}","digest":"{EMPTY}","size":2}}'), "")
    code, out, _ = run("blob", "push", "--oci-layout", "--descriptor", "--pretty",
                       "--media-type", "application/x", "lay", "a.txt")
    assert (code, out) == (0, (
        '{\n  "mediaType": "application/x",\n'
        f'  "digest": "{A}",\n'
        '  "size": 6\n}\n'))


@pytest.mark.parametrize(("args", "stdin", "error"), [
    (("--size", "6", "lay", "-"), "alpha\n",
     "Error: content digest must be provided if it is read from stdin\n"),
    ((f"lay@{A}", "-"), "alpha\n",
     "Error: `--size` must be provided if the blob is read from stdin\n"),
    (("--password-stdin", "--size", "6", f"lay@{A}", "-"), "alpha\n",
     "Error: `-` read file from input and `--password-stdin` read password from input cannot be "
     "both used\n"),
    (("lay:v1", "a.txt"), None, "Error: invalid digest v1: invalid checksum digest format\n"),
    (("lay", "nope.txt"), None,
     "Error: failed to open nope.txt: open nope.txt: no such file or directory\n"),
    (("lay", "."), None, "Error: read .: is a directory\n"),
    (("--size", "3", "lay", "a.txt"), None,
     "Error: input size 3 does not match the actual content size 6\n"),
])
def test_blob_push_refuses_as_go_does(work: Path, args: tuple[str, ...], stdin: str | None,
                                      error: str) -> None:
    assert run("blob", "push", "--oci-layout", *args, stdin=stdin) == (1, "", error)
    assert not (work / "lay" / "blobs" / "sha256" / A.split(":")[1]).exists()


# -- blob fetch ---------------------------------------------------------------------------------


def test_blob_fetch_descriptor_and_output_file(work: Path) -> None:
    with_blobs()
    compact = f'{{"mediaType":"application/octet-stream","digest":"{A}","size":6}}'
    assert run("blob", "fetch", "--oci-layout", "--descriptor", f"lay@{A}") == (0, compact, "")
    assert run("blob", "fetch", "--oci-layout", "--descriptor", "--pretty", f"lay@{A}")[1] == (
        f'{{\n  "mediaType": "application/octet-stream",\n  "digest": "{A}",\n  "size": 6\n}}\n')
    # no status lines without a terminal, as Go
    assert run("blob", "fetch", "--oci-layout", "-o", "got", f"lay@{A}") == (0, "", "")
    assert (work / "got").read_bytes() == b"alpha\n"
    assert run("blob", "fetch", "--oci-layout", "--descriptor", "-o", "got2", f"lay@{A}") == (
        0, compact, "")
    assert run("blob", "fetch", "--oci-layout", "-o", "-", f"lay@{A}") == (0, "alpha\n", "")


@pytest.mark.parametrize(("args", "error"), [
    ((f"lay@{A}",), "Error: either `--output` or `--descriptor` must be provided\n"),
    (("-o", "-", "--descriptor", f"lay@{A}"),
     "Error: `--output -` cannot be used with `--descriptor` at the same time\n"),
    (("-o", "-", "lay:v1"), "Error: invalid checksum digest format\n"),
    (("-o", "-", "lay"),
     'Error: "lay": no digest specified\n'
     "Usage: oras blob fetch [flags] {--output <file> | --descriptor} <name>@<digest>\n"
     'Please specify a reference in the form of "<name>@<digest>". Run "oras blob fetch -h" '
     "for more options and examples\n"),
])
def test_blob_fetch_refuses_as_go_does(work: Path, args: tuple[str, ...], error: str) -> None:
    with_blobs()
    assert run("blob", "fetch", "--oci-layout", *args) == (1, "", error)


# -- blob delete --------------------------------------------------------------------------------


def test_blob_delete_asks_naming_the_digest(work: Path) -> None:
    with_blobs()
    question = f'Are you sure you want to delete the blob "{A}"? [y/N] '
    assert run("blob", "delete", "--oci-layout", f"lay@{A}", stdin="n\n") == (
        0, question + "Operation cancelled.\n", "")
    assert run("blob", "delete", "--oci-layout", f"lay@{A}", stdin="y\n") == (
        0, question + f"Deleted [oci-layout] lay@{A}\n", "")
    assert not (work / "lay" / "blobs" / "sha256" / A.split(":")[1]).exists()


def test_blob_delete_missing_descriptor_and_force(work: Path) -> None:
    with_blobs()
    assert run("blob", "delete", "--oci-layout", "-f", "--descriptor", f"lay@{EMPTY}") == (
        0, f'{{"mediaType":"application/octet-stream","digest":"{EMPTY}","size":2}}', "")
    missing = f"lay@{EMPTY}"
    assert run("blob", "delete", "--oci-layout", "-f", missing) == (0, f"Missing {missing}\n", "")
    gone = f"Error: {missing}: the specified blob does not exist\n"
    assert run("blob", "delete", "--oci-layout", missing) == (1, "", gone)  # no prompt
    assert run("blob", "delete", "--oci-layout", "-f", "--descriptor", missing) == (1, "", gone)
    assert run("blob", "delete", "--oci-layout", "--descriptor", f"lay@{A}") == (1, "", (
        "Error: must apply --force to confirm the deletion if the descriptor is outputted\n"))
    assert run("blob", "delete", "--oci-layout", "-f", "lay:v1") == (
        1, "", "Error: invalid checksum digest format\n")


# -- manifest push ------------------------------------------------------------------------------


def test_manifest_push_status_pushed_and_tagged_lines(work: Path) -> None:
    with_blobs()
    assert run("manifest", "push", "--oci-layout", "lay:v1,v2", "manifest.json") == (0, (
        f"Uploading c89df3a8748b {M_TYPE}\n"
        f"Uploaded  c89df3a8748b {M_TYPE}\n"
        "Pushed: [oci-layout] lay:v1\n"
        "Tagged v2\n"
        f"Digest: {M}\n"), "")
    assert run("manifest", "push", "--oci-layout", "lay:v1", "-", stdin=MANIFEST) == (0, (
        f"Exists    c89df3a8748b {M_TYPE}\n"
        "Pushed: [oci-layout] lay:v1\n"
        f"Digest: {M}\n"), "")
    index = json.loads((work / "lay" / "index.json").read_text())
    tags = {m["annotations"]["org.opencontainers.image.ref.name"] for m in index["manifests"]}
    assert tags == {"v1", "v2"}


def test_manifest_push_descriptor_only(work: Path) -> None:
    with_blobs()
    assert run("manifest", "push", "--oci-layout", "--descriptor", "lay:v1", "manifest.json") == (
        0, f'{{"mediaType":"{M_TYPE}","digest":"{M}","size":583}}', "")
    code, out, _ = run("manifest", "push", "--oci-layout", "--descriptor", "--pretty", "lay:v3,v4",
                       "manifest.json")
    assert (code, out) == (0, f'{{\n  "mediaType": "{M_TYPE}",\n  "digest": "{M}",\n'
                              '  "size": 583\n}\n')


@pytest.mark.parametrize(("content", "error"), [
    ('{"schemaVersion":2}',
     'Error: media type is not specified via the flag "--media-type" nor in "m.json"\n'
     "Usage: oras manifest push [flags] <name>[:<tag>[,<tag>][...]|@<digest>] <file>\n"
     'Please specify a valid media type in the manifest JSON or via the "--media-type" flag\n'),
    ('{"a":', "Error: not a valid json file\n"),
    ("[1]", "Error: not a valid json file\n"),
])
def test_manifest_push_needs_a_media_type(work: Path, content: str, error: str) -> None:
    (work / "m.json").write_text(content)
    assert run("manifest", "push", "--oci-layout", "lay:v1", "m.json") == (1, "", error)


def test_manifest_push_unreadable_file(work: Path) -> None:
    assert run("manifest", "push", "--oci-layout", "lay:v1", "nope.json") == (1, "", (
        "Error: failed to read nope.json: open nope.json: no such file or directory\n"))


# -- manifest fetch, fetch-config ---------------------------------------------------------------


def test_manifest_fetch_json_has_reference_and_content_keys_in_gos_order(work: Path) -> None:
    with_blobs()
    run("manifest", "push", "--oci-layout", "lay:v1", "manifest.json")
    code, out, _ = run("manifest", "fetch", "--oci-layout", "--format", "json", "lay:v1")
    assert code == 0
    doc = json.loads(out)
    assert list(doc)[:4] == ["reference", "mediaType", "digest", "size"]
    assert list(doc)[-1] == "content"
    assert doc["reference"] == f"lay@{M}"
    assert list(doc["content"]) == ["annotations", "artifactType", "config", "layers",
                                    "mediaType", "schemaVersion"]  # a Go map: sorted
    assert list(doc["content"]["config"]) == ["data", "digest", "mediaType", "size"]
    # as Go: a tag resolves to its index.json entry (ref.name included), a digest to a plain one
    assert run("manifest", "fetch", "--oci-layout", "--descriptor", "lay:v1") == (
        0, f'{{"mediaType":"{M_TYPE}","digest":"{M}","size":583,'
           '"annotations":{"org.opencontainers.image.ref.name":"v1"}}', "")
    assert run("manifest", "fetch", "--oci-layout", "--descriptor", f"lay@{M}") == (
        0, f'{{"mediaType":"{M_TYPE}","digest":"{M}","size":583}}', "")
    assert run("manifest", "fetch", "--oci-layout", "lay:v1")[1] == MANIFEST
    assert run("manifest", "fetch", "--oci-layout", "--pretty", "lay:v1")[1] == \
        go_indent(MANIFEST.encode()).decode()


@pytest.mark.parametrize(("args", "error"), [
    (("--format", "json", "-o", "-", "lay:v1"),
     "Error: `--output -` cannot be used with `--format ` at the same time\n"),
    (("--descriptor", "-o", "-", "lay:v1"),
     "Error: `--descriptor` cannot be used with `--output -` at the same time\n"),
    (("--format", "text", "--pretty", "lay:v1"),
     "Error: --format, --pretty cannot be used at the same time\n"),
    (("--format", "json", "--descriptor", "lay:v1"),
     "Error: --format, --descriptor cannot be used at the same time\n"),
    (("--media-type", "x", "lay:v1"),
     "Error: `--media-type` cannot be used with `--oci-layout` at the same time\n"),
    (("lay",),
     'Error: "lay": no tag or digest specified\n'
     "Usage: oras manifest fetch [flags] <name>{:<tag>|@<digest>}\n"
     'Please specify a reference in the form of "<name>:<tag>" or "<name>@<digest>". '
     'Run "oras manifest fetch -h" for more options and examples\n'),
])
def test_manifest_fetch_refuses_as_go_does(work: Path, args: tuple[str, ...], error: str) -> None:
    with_blobs()
    run("manifest", "push", "--oci-layout", "lay:v1", "manifest.json")
    assert run("manifest", "fetch", "--oci-layout", *args) == (1, "", error)


def test_manifest_fetch_config(work: Path) -> None:
    with_blobs()
    run("manifest", "push", "--oci-layout", "lay:v1", "manifest.json")
    assert run("manifest", "fetch-config", "--oci-layout", "lay:v1") == (0, "{}", "")
    assert run("manifest", "fetch-config", "--oci-layout", "--pretty", "lay:v1") == (0, "{}\n", "")
    descriptor = ('{"mediaType":"application/vnd.oci.empty.v1+json",'
                  f'"digest":"{EMPTY}","size":2,"data":"e30="}}')
    assert run("manifest", "fetch-config", "--oci-layout", "--descriptor", "lay:v1") == (
        0, descriptor, "")
    assert run("manifest", "fetch-config", "--oci-layout", "--descriptor", "-o", "c.json",
               "lay:v1") == (0, descriptor, "")
    assert (work / "c.json").read_bytes() == b"{}"
    index = ('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",'
             f'"manifests":[{{"mediaType":"{M_TYPE}","digest":"{M}","size":583}}]}}')
    (work / "index.json").write_text(index)
    assert run("manifest", "push", "--oci-layout", "lay:idx", "index.json")[0] == 0
    digest = "sha256:" + hashlib.sha256(index.encode()).hexdigest()
    assert run("manifest", "fetch-config", "--oci-layout", "lay:idx") == (1, "", (
        f'Error: "{digest}" is not an image manifest and does not have a config\n'))


def test_output_files_that_cannot_be_opened(work: Path) -> None:
    with_blobs()
    run("manifest", "push", "--oci-layout", "lay:v1", "manifest.json")
    (work / "d").mkdir()
    assert run("blob", "fetch", "--oci-layout", "-o", "nodir/x", f"lay@{A}") == (
        1, "", "Error: open nodir/x: no such file or directory\n")
    assert run("blob", "fetch", "--oci-layout", "-o", "d", f"lay@{A}") == (
        1, "", "Error: open d: is a directory\n")
    assert run("manifest", "fetch", "--oci-layout", "-o", "d", "lay:v1") == (
        1, "", 'Error: failed to open "d": open d: is a directory\n')
    assert run("manifest", "fetch-config", "--oci-layout", "-o", "nodir/x", "lay:v1") == (
        1, "", "Error: open nodir/x: no such file or directory\n")
    assert sorted(p.name for p in work.iterdir()) == [
        "a.txt", "d", "empty.json", "lay", "manifest.json"]  # nothing left behind
    assert list((work / "d").iterdir()) == []


# -- manifest delete ----------------------------------------------------------------------------


def test_manifest_delete_resolves_first_and_asks_naming_the_digest(work: Path) -> None:
    with_blobs()
    run("manifest", "push", "--oci-layout", "lay:v1,v2", "manifest.json")
    question = (f'Are you sure you want to delete the manifest "{M}" and all tags associated '
                "with it? [y/N] ")
    assert run("manifest", "delete", "--oci-layout", "lay:v1", stdin="") == (
        0, question + "Operation cancelled.\n", "")  # EOF is a no
    assert run("manifest", "delete", "--oci-layout", "lay:v2", stdin="y\n") == (
        0, question + "Deleted [oci-layout] lay:v2\n", "")
    gone = "Error: lay:v2: the specified manifest does not exist\n"
    assert run("manifest", "delete", "--oci-layout", "lay:v2", stdin="y\n") == (1, "", gone)
    assert run("manifest", "delete", "--oci-layout", "-f", "lay:v2") == (0, "Missing lay:v2\n", "")
    assert run("manifest", "delete", "--oci-layout", "-f", "--descriptor", "lay:v2") == (
        1, "", gone)
    assert run("manifest", "delete", "--oci-layout", "--descriptor", "lay:v2") == (1, "", (
        "Error: must apply --force to confirm the deletion if the descriptor is outputted\n"))


# -- index create -------------------------------------------------------------------------------


@pytest.mark.parametrize(("flags", "error"), [
    (("-a", "novalue"), "Error: annotation value doesn't match the required format\n"
                        'Please use the correct format in the flag: --annotation "key=value"\n'),
    (("-a", "k=1", "-a", "k=2"), "Error: duplicate annotation key: k, \n"),
])
def test_index_create_annotation_errors(work: Path, flags: tuple[str, ...], error: str) -> None:
    assert run("manifest", "index", "create", "--oci-layout", "lay:idx", "v1", *flags) == (
        1, "", error)


# -- --pretty as Go's json.Indent -----------------------------------------------------------------


@pytest.mark.parametrize(("raw", "pretty"), [
    (b'{"b":1,"a":[]}', b'{\n  "b": 1,\n  "a": []\n}\n'),  # key order kept, [] stays
    (b' {"x" : {"y":[1.50, "a,\\"b"]}, "z":{}}', (
        b'{\n  "x": {\n    "y": [\n      1.50,\n      "a,\\"b"\n    ]\n  },\n  "z": {}\n}\n')),
    (b"[]", b"[]\n"),
])
def test_go_indent_keeps_tokens_and_redoes_whitespace(raw: bytes, pretty: bytes) -> None:
    assert go_indent(raw) == pretty


def test_go_indent_keeps_trailing_whitespace_as_go_does() -> None:
    assert go_indent(b'{"a":1}\n\n') == b'{\n  "a": 1\n}\n\n\n'


@pytest.mark.parametrize(("raw", "message"), [
    (b"alpha\n", "invalid character 'a' looking for beginning of value"),
    (b'{"a":1} x', "invalid character 'x' after top-level value"),
    (b'{"a":', "unexpected end of JSON input"),
])
def test_go_indent_refuses_what_is_not_json_in_gos_words(raw: bytes, message: str) -> None:
    with pytest.raises(ValueError) as e:
        go_indent(raw)
    assert str(e.value) == message
