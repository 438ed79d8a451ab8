"""``--oci-layout-path`` (the layout's directory by flag, the argument only a tag or digest, as the Go
CLI v1.3.3), the bytes an OCI layout holds afterwards (the Go CLI's tree: an empty ``ingest/``, no
lock file; manifests listed with their annotations), and the help rows of flags the Go CLI lacks."""

from __future__ import annotations

import errno
import fcntl
import io
import json
import os
import re
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from orasx import mediatype
from orasx.cli._cobra import execute
from orasx.cli._command import Command, Lazy, any_args
from orasx.cli._options import TargetFlags, TargetOptions
from orasx.cli.main import ROOT, cli
from orasx.content import _lock
from orasx.content.oci import LayoutReference, OCILayoutStore
from orasx.descriptor import EMPTY_DESCRIPTOR, Descriptor
from orasx.pack import pack_manifest

REF_NAME = "org.opencontainers.image.ref.name"
CREATED = "org.opencontainers.image.created"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="oras")


def index_entries(layout: Path) -> list[dict[str, object]]:
    doc = json.loads((layout / "index.json").read_text())
    entries: list[dict[str, object]] = doc["manifests"]
    return entries


def names(layout: Path) -> list[str]:
    return sorted(str((e.get("annotations") or {}).get(REF_NAME, ""))  # type: ignore[union-attr]
                  for e in index_entries(layout))


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) + ("/" if p.is_dir() else "") for p in root.rglob("*"))


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "a.txt").write_text("alpha\n")
    return tmp_path


# -- the flag, end to end in process --------------------------------------------------------------


def test_push_to_a_layout_path_tags_the_whole_argument_and_reads_it_back(work: Path):
    pushed = run("push", "--oci-layout-path", "lay", "localhost:5000/repo:v1", "a.txt")
    assert pushed.exit_code == 0, pushed.output
    # shown as typed, as the Go CLI shows it
    assert "Pushed [oci-layout] localhost:5000/repo:v1\n" in pushed.stdout
    assert names(work / "lay") == ["localhost:5000/repo:v1"]
    assert not (work / "localhost:5000").exists()  # the argument names no directory

    fetched = run("manifest", "fetch", "--oci-layout-path", "lay", "localhost:5000/repo:v1")
    assert fetched.exit_code == 0, fetched.output
    manifest = json.loads(fetched.stdout)
    assert manifest["layers"][0]["annotations"]["org.opencontainers.image.title"] == "a.txt"

    digest = run("resolve", "--oci-layout-path", "lay", "localhost:5000/repo:v1").stdout.strip()
    assert digest.startswith("sha256:")
    by_digest = run("manifest", "fetch", "--oci-layout-path", "lay", digest)
    assert by_digest.exit_code == 0 and json.loads(by_digest.stdout) == manifest


def test_push_to_a_layout_path_splits_tags_at_every_comma(work: Path):
    pushed = run("push", "--oci-layout-path", "lay", "example.com:t1,t2", "a.txt")
    assert pushed.exit_code == 0, pushed.output
    assert "Pushed [oci-layout] example.com:t1\n" in pushed.stdout
    assert "Tagged t2\n" in pushed.stdout
    assert names(work / "lay") == ["example.com:t1", "t2"]
    assert not (work / "example.com").exists()  # never a layout named by the argument


def test_copy_between_layout_paths(work: Path):
    assert run("push", "--oci-layout-path", "src", "example.com:test", "a.txt").exit_code == 0
    copied = run("cp", "--from-oci-layout-path", "src", "example.com:test",
                 "--to-oci-layout-path", "dst", "v2")
    assert copied.exit_code == 0, copied.output
    assert "Copied [oci-layout] example.com:test => [oci-layout] v2\n" in copied.stdout
    assert names(work / "dst") == ["v2"]
    pulled = run("pull", "--oci-layout-path", "dst", "v2", "-o", "out")
    assert pulled.exit_code == 0, pulled.output
    assert (work / "out" / "a.txt").read_text() == "alpha\n"


@pytest.mark.parametrize("args, flags", [
    (["push", "--oci-layout-path", "lay", "--oci-layout", "v1", "a.txt"], ""),
    # pflag's "changed": an explicit false, or an empty path, still counts
    (["push", "--oci-layout=false", "--oci-layout-path", "lay", "v1", "a.txt"], ""),
    (["push", "--oci-layout-path", "", "--oci-layout", "lay:v1", "a.txt"], ""),
    (["cp", "--from-oci-layout-path", "a", "--from-oci-layout", "x", "y"], "from-"),
    (["cp", "--to-oci-layout-path", "a", "--to-oci-layout", "x", "y"], "to-"),
])
def test_layout_path_and_oci_layout_exclude_each_other(work: Path, args: list[str], flags: str):
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: --{flags}oci-layout-path, --{flags}oci-layout cannot be used "
                             "at the same time\n")
    assert not (work / "lay").exists() and not (work / "a").exists()


# -- the option group -----------------------------------------------------------------------------

SEEN: list[TargetOptions] = []


def _record(target: TargetOptions) -> None:
    SEEN.append(target)


GROUP = Command(use="oras", commands=(
    Command(use="one", args=any_args, params=("reference",), flags=(TargetFlags(),), run=_record),
))


def test_the_group_carries_the_path_in_the_reference():
    SEEN.clear()
    assert execute(GROUP, ["one", "--oci-layout-path", "d:ir", "a/b:c"]) == 0
    target, = SEEN
    assert target.oci_layout and target.kind == "oci-layout" and target.layout_path == "d:ir"
    assert target.reference == "a/b:c"  # as typed, as the Go CLI shows it
    assert target.ref == LayoutReference("a/b:c", "d:ir")


def test_an_empty_layout_path_is_no_layout():
    SEEN.clear()
    assert execute(GROUP, ["one", "--oci-layout-path", "", "r.example/a:v1"]) == 0
    target, = SEEN
    assert target == TargetOptions("r.example/a:v1")
    assert type(target.reference) is str and target.ref == "r.example/a:v1"


# -- help -----------------------------------------------------------------------------------------


def row(help_text: str, flag: str) -> str:
    """The line of ``flag`` in the ``Flags:`` table."""
    table = help_text.split("\nFlags:\n", 1)[1]
    found = [line for line in table.splitlines()
             if re.search(rf"(^|\s){re.escape(flag)}(\s|$)", line)]
    assert len(found) == 1, (flag, help_text)
    return found[0]


def description_column(help_text: str) -> int:
    return row(help_text, "--help").index("help for")


def test_help_lists_the_layout_path_flags_as_the_go_cli():
    push = run("push", "-h").stdout
    line = row(push, "--oci-layout-path")
    assert line.startswith("      --oci-layout-path string ")
    assert line.endswith(" [Experimental] set the path for the OCI image layout target")
    cp = run("cp", "-h").stdout
    assert row(cp, "--from-oci-layout-path").endswith(
        " [Experimental] set the path for the source OCI image layout target")
    assert row(cp, "--to-oci-layout-path").endswith(
        " [Experimental] set the path for the destination OCI image layout target")


def test_flags_the_go_cli_lacks_are_listed_in_its_style():
    pull = run("pull", "-h").stdout
    col = description_column(pull)
    include = row(pull, "--include")
    assert include.startswith("      --include GLOB ")
    assert include[col:] == "pull only files whose title matches GLOB (repeatable)"
    push = run("push", "-h").stdout
    assert row(push, "--stdin-name")[description_column(push):].endswith(' (default "stdin")')
    cp = run("cp", "-h").stdout
    assert row(cp, "--from-password-stdin")[description_column(cp):] \
        == "read source registry password from stdin"
    assert row(cp, "--to-identity-token-stdin")[description_column(cp):] \
        == "read destination registry identity token from stdin"


def test_a_shared_flag_the_go_cli_lacks_on_a_command_takes_its_go_description():
    backup = run("backup", "-h").stdout
    line = row(backup, "--format")
    assert line[description_column(backup):] == \
        "[Experimental] format output using a custom template:"
    assert "  'text':         Print in text format (default \"text\")" in backup
    assert row(backup, "--template").endswith(
        " [Experimental] template string used to format output")


def _commands(command: Command) -> list[Command]:
    found = [command]
    for child in command.commands:
        found.extend(_commands(child.load() if isinstance(child, Lazy) else child))
    return found


def test_our_flags_are_described_in_the_go_clis_style():
    """Lower case first word (not an acronym or a placeholder), no final period: as pflag lists
    the Go CLI's own."""
    ours = [flag for command in _commands(ROOT) for flag in command.all_flags()
            if flag.ours and not flag.hidden]
    assert len({flag.name for flag in ours}) >= 5  # pull's and push's own flags at least
    for flag in ours:
        first = flag.usage.split(" ", 1)[0]
        assert not (first[:1].isupper() and not first[1:2].isupper()), flag
        assert not flag.usage.endswith("."), flag


# -- the layout's bytes ---------------------------------------------------------------------------


def push_artifact(store: OCILayoutStore, n: int = 0, **annotations: str) -> Descriptor:
    blob = f"blob {n}\n".encode()
    layer = Descriptor.from_bytes(mediatype.OCI_LAYER_TAR, blob)
    store.push(layer, io.BytesIO(blob))
    store.push(EMPTY_DESCRIPTOR, io.BytesIO(b"{}"))
    desc, raw = pack_manifest([layer], artifact_type="application/vnd.test",
                              annotations=annotations)
    store.push(desc, io.BytesIO(raw))
    return desc


def test_a_written_layout_is_the_tree_the_go_cli_leaves(tmp_path: Path):
    store = OCILayoutStore(str(tmp_path / "lay"))
    store.tag(push_artifact(store), "v1")
    listing = tree(tmp_path / "lay")
    assert "ingest/" in listing and not list((tmp_path / "lay" / "ingest").iterdir())
    assert [p for p in listing if p == "blobs/" or not p.startswith("blobs/")] \
        == ["blobs/", "index.json", "ingest/", "oci-layout"]


def test_index_entries_carry_the_manifests_annotations(tmp_path: Path):
    root = tmp_path / "lay"
    store = OCILayoutStore(str(root))
    untagged = push_artifact(store, 0, **{CREATED: "2000-01-01T00:00:00Z"})
    (entry,) = index_entries(root)
    assert entry["annotations"] == {CREATED: "2000-01-01T00:00:00Z"}
    assert entry["artifactType"] == "application/vnd.test"
    store.tag(untagged, "v1")
    (entry,) = index_entries(root)
    assert entry["annotations"] == {CREATED: "2000-01-01T00:00:00Z", REF_NAME: "v1"}
    assert store.resolve("v1").digest == untagged.digest


def test_a_manifest_a_tag_moves_away_from_stays_listed(tmp_path: Path):
    root = tmp_path / "lay"
    store = OCILayoutStore(str(root))
    first, second = push_artifact(store, 1), push_artifact(store, 2)
    store.tag(first, "v1")
    store.tag(second, "v1")
    listed = {e["digest"]: (e.get("annotations") or {}).get(REF_NAME)  # type: ignore[union-attr]
              for e in index_entries(root)}
    assert listed == {str(first.digest): None, str(second.digest): "v1"}
    store.untag("v1")
    assert {e["digest"] for e in index_entries(root)} == {str(first.digest), str(second.digest)}
    assert store.tags() == []


def test_the_write_lock_is_a_flock_on_ingest(tmp_path: Path):
    root = tmp_path / "lay"
    OCILayoutStore(str(root))
    other = os.open(root / "ingest", os.O_RDONLY | os.O_DIRECTORY)
    try:
        with _lock.exclusive(str(root)), pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
    finally:
        os.close(other)


def test_where_a_directory_cannot_be_locked_a_file_in_ingest_is(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    real = fcntl.flock

    def nfs_like(fd: int, op: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):  # NFS: exclusive locks need a file open to write
            raise OSError(errno.EBADF, "Bad file descriptor")
        real(fd, op)

    monkeypatch.setattr(_lock.fcntl, "flock", nfs_like)
    root = tmp_path / "lay"
    store = OCILayoutStore(str(root))
    desc = push_artifact(store)
    threads = [threading.Thread(target=store.tag, args=(desc, f"t{i}")) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (root / "ingest" / ".orasx.lock").is_file()
    assert store.tags() == sorted(f"t{i}" for i in range(8))
