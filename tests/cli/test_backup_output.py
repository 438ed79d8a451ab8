"""``oras backup`` / ``oras restore``: the Go CLI's lines (handlers, size and duration formats,
error text), the tar the backup writes, the reference parsing, failures before any transfer (in
process), and one run of the real command against a registry."""

from __future__ import annotations

import io
import json
import os
import re
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from orasx._copy import copy_referrers
from orasx.api._backup import (
    BackupResult,
    _write_tar,
    count_referrers,
    parse_artifact_references,
)
from orasx.cli._options import FormatOptions
from orasx.cli.backup import error_text
from orasx.cli.display import backup as display
from orasx.content.oci import OCILayoutStore
from orasx.descriptor import Descriptor
from orasx.errors import (
    AuthenticationError,
    InvalidInputError,
    InvalidReferenceError,
    NotFoundError,
    RegistryError,
)

if TYPE_CHECKING:
    from tests.conftest import Oras

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
ROOT = Descriptor.from_bytes(MANIFEST_TYPE, b'{"a":1}')
OTHER = Descriptor.from_bytes(MANIFEST_TYPE, b'{"a":2}')


def result(path: str = "bk", *, dry_run: bool = False) -> BackupResult:
    return BackupResult(("v1", "v2"), (ROOT, OTHER), path, (0, 2), "localhost:5000/hello",
                        dry_run)


@pytest.mark.parametrize(("ns", "text"), [
    (0, "0s"), (1, "1ns"), (999, "999ns"), (1_000, "1µs"), (1_500, "1.5µs"),
    (22_123_456, "22.123456ms"), (22_000_000, "22ms"), (1_000_000_000, "1s"),
    (1_500_000_000, "1.5s"), (61_000_000_000, "1m1s"), (123_000_000_001, "2m3.000000001s"),
    (3_600_000_000_000, "1h0m0s"), (-1_500, "-1.5µs"),
])
def test_durations_print_as_go_time_duration(ns: int, text: str) -> None:
    assert display.go_duration(ns) == text


@pytest.mark.parametrize(("size", "text"), [
    (0, "0  B"), (512, "512  B"), (1023, "1023  B"), (1024, "1 KB"), (7680, "7.5 KB"),
    (10240, "10 KB"), (10342, "10.1 KB"), (1_234_567, "1.18 MB"), (150 * 1024 * 1024, "150 MB"),
    (5 * 1024 ** 5, "5120 TB"),
])
def test_sizes_print_as_go_humanize(size: int, text: str) -> None:
    assert display.go_size(size) == text


def test_backup_lines_are_the_go_clis(capsys: pytest.CaptureFixture[str]) -> None:
    h = display.backup_handler(FormatOptions())
    h.on_tags_found("localhost:5000/hello", ["v1", "v2"])
    h.on_tag_done("v1", 0)
    h.on_tag_done("v2", 2)
    h.on_exporting("bk.tar")
    h.on_exported("bk.tar", 7680)
    h.on_done(result("bk.tar"), 22_500_000)
    assert capsys.readouterr().out == (
        "Found 2 tag(s) in localhost:5000/hello: v1, v2\n"
        "Pulled tag v1 with 0 referrer(s)\n"
        "Pulled tag v2 with 2 referrer(s)\n"
        "Exporting to bk.tar\n"
        "Exported to bk.tar (7.5 KB)\n"
        'Successfully backed up 2 tag(s) from "localhost:5000/hello" to "bk.tar" in 22.5ms.\n')


def test_restore_lines_are_the_go_clis(capsys: pytest.CaptureFixture[str]) -> None:
    h = display.restore_handler(FormatOptions(), dry_run=False)
    h.on_archive_loaded("bk.tar", 7680)
    h.on_tags_found("localhost:5000/hello", ["v1"])
    h.on_tag_done("v1", 1)
    h.on_done(result(), 3_000_000_000)
    assert capsys.readouterr().out == (
        "Loaded backup archive: bk.tar (7.5 KB)\n"
        "Found 1 tag(s) in the backup: v1\n"
        "Pushed tag v1 with 1 referrer(s)\n"
        'Successfully restored 2 tag(s) to "localhost:5000/hello" in 3s\n')


def test_a_dry_run_says_what_would_be_pushed(capsys: pytest.CaptureFixture[str]) -> None:
    h = display.restore_handler(FormatOptions(), dry_run=True)
    h.on_tags_found("localhost:5000/hello", ["v1", "v2"])
    h.on_tag_done("v1", 0)
    h.on_done(result(dry_run=True), 5)
    assert capsys.readouterr().out == (
        "Found 2 tag(s) in the backup: v1, v2\n"
        "Dry run: would push tag v1 with 0 referrer(s)\n"
        'Dry run complete: 2 tag(s) would be restored to "localhost:5000/hello" (no data '
        "pushed)\n")


def test_a_tag_name_cannot_forge_lines(capsys: pytest.CaptureFixture[str]) -> None:
    display.backup_handler(FormatOptions()).on_tag_done("v1\nSuccessfully backed up", 0)
    assert capsys.readouterr().out == "Pulled tag v1\\x0aSuccessfully backed up with 0 referrer(s)\n"


def test_json_prints_one_document_and_no_lines(capsys: pytest.CaptureFixture[str]) -> None:
    h = display.restore_handler(FormatOptions("json"), dry_run=True)
    h.on_archive_loaded("bk.tar", 7680)
    h.on_tags_found("localhost:5000/hello", ["v1", "v2"])
    h.on_tag_done("v1", 0)
    h.on_done(result("bk.tar", dry_run=True), 5)
    assert json.loads(capsys.readouterr().out) == {
        "input": "bk.tar", "repository": "localhost:5000/hello", "tags": ["v1", "v2"],
        "manifests": [ROOT.to_dict(), OTHER.to_dict()], "referrers": [0, 2], "dryRun": True,
    }
    display.backup_handler(FormatOptions("go-template", "{{.output}} {{.tags}}")).on_done(
        result(), 5)
    assert capsys.readouterr().out == "bk [v1 v2]"


@pytest.mark.parametrize(("refs", "repo", "tags"), [
    ("localhost:5000/hello", "localhost:5000/hello", []),
    ("localhost:5000/hello:v1", "localhost:5000/hello", ["v1"]),
    ("localhost:5000/a/b:v1,v2,v3", "localhost:5000/a/b", ["v1", "v2", "v3"]),
])
def test_references_name_a_repository_and_tags(refs: str, repo: str, tags: list[str]) -> None:
    assert parse_artifact_references(refs) == (repo, tags)


@pytest.mark.parametrize(("refs", "message"), [
    ("", "artifact reference cannot be empty"),
    ("localhost:5000/r@sha256:" + "a" * 64,
     'digest references are not supported: "localhost:5000/r@sha256:' + "a" * 64 + '"'),
    ("localhost:5000/r:v1,,v2", 'empty tag in reference "localhost:5000/r:v1,,v2"'),
    ("localhost:5000/r:v1,b@d", "digest references are not supported"),
    ("localhost:5000/r:v1,-x", 'invalid tag "-x" in reference "localhost:5000/r:v1,-x"'),
])
def test_bad_references_are_refused_in_go_words(refs: str, message: str) -> None:
    with pytest.raises(InvalidReferenceError, match=re.escape(message)):
        parse_artifact_references(refs)


def test_an_error_in_a_step_is_prefixed_with_gos_words_for_it() -> None:
    step = 'failed to resolve tag "nope": '
    missing = NotFoundError("localhost:5000/r:nope: not found")
    assert error_text(missing, step) == (
        'Error: failed to resolve tag "nope": localhost:5000/r:nope: not found')
    # a tag missing from the backup's layout: Go's OCI store says only "not found"
    assert error_text(NotFoundError("nope: not found in OCI layout /w/bk"), step,
                      layout_resolve=True) == 'Error: failed to resolve tag "nope": not found'


def test_missing_credentials_keep_the_second_line() -> None:
    err = AuthenticationError("localhost:5000/r: unauthorized", reason="unauthorized",
                              registry="localhost:5000")
    first, second = error_text(
        err, 'failed to restore tag "v1" from "bk" to "localhost:5000/r": ').split("\n")
    assert first == ('Error: failed to restore tag "v1" from "bk" to "localhost:5000/r": '
                     "basic credential not found")
    assert second.startswith("Please check whether the registry credential stored in the "
                             "authentication file at ")


def test_an_error_the_registry_explained_is_printed_as_it_said() -> None:
    err = RegistryError("localhost:5000/r: denied: access denied", codes=("DENIED",), status=403)
    assert "failed to" not in error_text(err, 'failed to restore tag "v1" from "bk" to "r": ')


def test_our_own_errors_carry_their_advice() -> None:
    err = InvalidInputError('the output path "bk.tar" already exists and is a directory',
                            reason="output-is-directory")
    assert error_text(err, "") == (
        'Error: the output path "bk.tar" already exists and is a directory\n'
        "To back up to a tar archive, please specify a different output file name or remove the "
        "existing directory.")
    missing = NotFoundError('failed to access input path "nope": stat nope: no such file or '
                            "directory", reason="input-path")
    assert error_text(missing, "") == (
        'Error: failed to access input path "nope": stat nope: no such file or directory')


def test_the_tar_is_what_go_tar_addfs_writes(tmp_path: Path) -> None:
    layout = tmp_path / "layout"
    blobs = layout / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    (blobs / ("a" * 64)).write_bytes(b"{}")
    (blobs / ("b" * 64)).write_bytes(b"x" * 600)
    (layout / "index.json").write_text('{"manifests":[]}')
    (layout / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    os.utime(layout / "index.json", (1.5, 1000.75))
    out = tmp_path / "bk.tar"
    _write_tar(str(layout), str(out))
    with tarfile.open(out) as tar:
        members = tar.getmembers()
        assert [(m.name, m.isdir()) for m in members] == [
            ("blobs", True), ("blobs/sha256", True), (f"blobs/sha256/{'a' * 64}", False),
            (f"blobs/sha256/{'b' * 64}", False), ("index.json", False), ("oci-layout", False)]
        assert tar.getmember("index.json").mtime == 1000
        assert not tar.pax_headers
    raw = out.read_bytes()
    assert b"blobs/\0" in raw and b"blobs/sha256/\0" in raw  # directories named as Go names them
    # 6 headers, 1 + 2 + 1 + 1 data blocks, the two end blocks, and no record padding after them
    assert len(raw) == 512 * (6 + 5 + 2)


def _put(store: OCILayoutStore, doc: dict[str, object]) -> Descriptor:
    raw = json.dumps(doc).encode()
    desc = Descriptor.from_bytes(MANIFEST_TYPE, raw)
    store.push(desc, io.BytesIO(raw))
    return desc


def test_referrers_are_counted_with_theirs(tmp_path: Path) -> None:
    store = OCILayoutStore(str(tmp_path / "layout"))
    empty = Descriptor.from_bytes("application/vnd.oci.empty.v1+json", b"{}")
    store.push(empty, io.BytesIO(b"{}"))
    config = empty.to_dict()

    def manifest(subject: Descriptor | None, n: int) -> dict[str, object]:
        doc: dict[str, object] = {"schemaVersion": 2, "mediaType": MANIFEST_TYPE,
                                  "config": config, "layers": [], "annotations": {"n": str(n)}}
        if subject is not None:
            doc["subject"] = subject.to_dict()
        return doc

    root = _put(store, manifest(None, 0))
    assert count_referrers(store, root) == 0
    sig = _put(store, manifest(root, 1))
    _put(store, manifest(root, 2))
    _put(store, manifest(sig, 3))  # a referrer of a referrer counts too
    _put(store, manifest(None, 4))
    assert count_referrers(store, root) == 3

    # a chain of referrers deeper than a few levels: counted as deep as it is copied
    subject = sig
    for n in range(5, 25):
        subject = _put(store, manifest(subject, n))
    copied = copy_referrers(store, OCILayoutStore(str(tmp_path / "copy")), root)
    assert count_referrers(store, root) == len(copied) == 23


def _run(oras: Oras, *args: str, ok: bool = True) -> tuple[int, str, str]:
    proc = oras(*args, ok=ok)
    return proc.returncode, re.sub(r" in [0-9.]+(ns|µs|ms|s)", " in <D>", proc.stdout), proc.stderr


def _sorted_runs(text: str) -> list[str]:
    """Status lines of one tag come in any order: sort each run of them."""
    out: list[str] = []
    run: list[str] = []
    for line in text.splitlines():
        if re.match(r"(Pulling|Pulled|Pushing|Pushed|Exists) +[0-9a-f]{12} ", line):
            run.append(line)
            continue
        out += [*sorted(run), line]
        run = []
    return out + sorted(run)




def _cli(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from orasx.cli.main import cli

    r = CliRunner().invoke(cli, list(args), prog_name="oras")
    return r.exit_code, r.stdout, r.stderr


def test_failures_before_any_transfer_in_go_words(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    digest_ref = f"localhost:1/r@sha256:{'a' * 64}"
    assert _cli("backup", digest_ref, "-o", "bk") == (
        1, "", f'Error: digest references are not supported: "{digest_ref}"\n')
    assert not (tmp_path / "bk").exists()
    (tmp_path / "d.tar").mkdir()
    assert _cli("backup", "localhost:1/r:v1", "-o", "d.tar") == (
        1, "", 'Error: the output path "d.tar" already exists and is a directory\n'
        "To back up to a tar archive, please specify a different output file name or remove the "
        "existing directory.\n")
    assert _cli("restore", "--input", "nope", "localhost:1/r") == (
        1, "", 'Error: failed to access input path "nope": stat nope: no such file or directory\n')
    OCILayoutStore(str(tmp_path / "bk"))
    assert _cli("restore", "--input", "bk", "localhost:1/r:nope") == (
        1, "", 'Error: failed to resolve tag "nope": not found\n')
    assert _cli("restore", "--input", "bk", "localhost:1/r") == (
        1, "", 'Error: no tags found in OCI layout "bk"\n'
        'If you want to list available tags in "bk", use "oras repo tags --oci-layout"\n')
