"""``oras backup`` / ``oras restore``: the Go CLI's lines (handlers, size and duration formats,
error text), the tar the backup writes, the reference parsing, failures before any transfer (in
process), and one run of the real command against a registry."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

from orasx.cli.display import backup as display
from tests.cli.test_backup_output import _run, _sorted_runs
from tests.conftest import Oras
from tests.support.registry import Registry


def test_backup_to_a_tar_and_restore_print_the_go_lines(oras: Oras, registry: Registry,
                                                        repo_name: str, tmp_path: Path) -> None:
    ref = f"{registry.localhost}/{repo_name}"
    (tmp_path / "a.txt").write_text("one")
    (tmp_path / "b.txt").write_text("two")
    oras("push", f"{ref}:v1", "a.txt")
    oras("push", f"{ref}:v2", "b.txt")
    rc, out, _ = _run(oras, "backup", f"{ref}:v1,v2", "-o", "bk.tar")
    lines = _sorted_runs(out)
    assert rc == 0 and lines[0] == f"Found 2 tag(s) in {ref}: v1, v2"
    first = lines.index("Pulled tag v1 with 0 referrer(s)")
    # the second tag finds the config blob the first one copied: "Exists", as Go's fresh tracker
    assert [x.split()[0] for x in lines[first + 1:first + 6]] == [
        "Exists", "Pulled", "Pulled", "Pulling", "Pulling"]
    size = (tmp_path / "bk.tar").stat().st_size
    assert lines[first + 6:] == [
        "Pulled tag v2 with 0 referrer(s)", "Exporting to bk.tar",
        f"Exported to bk.tar ({display.go_size(size)})",
        f'Successfully backed up 2 tag(s) from "{ref}" to "bk.tar" in <D>.']
    with tarfile.open(tmp_path / "bk.tar") as tar:
        names = tar.getnames()
    assert names[:2] == ["blobs", "blobs/sha256"] and "index.json" in names
    assert not any("orasx" in n or n.startswith("ingest") for n in names)

    dst = f"{registry.localhost}/{repo_name}-restored"
    rc, out, _ = _run(oras, "restore", "--dry-run", "--input", "bk.tar", f"{dst}:v2")
    assert out.splitlines() == [
        f"Loaded backup archive: bk.tar ({display.go_size(size)})",
        "Found 1 tag(s) in the backup: v2", "Dry run: would push tag v2 with 0 referrer(s)",
        f'Dry run complete: 1 tag(s) would be restored to "{dst}" (no data pushed)']
    rc, out, _ = _run(oras, "restore", "--input", "bk.tar", dst)
    lines = _sorted_runs(out)
    assert rc == 0 and lines[:2] == [f"Loaded backup archive: bk.tar ({display.go_size(size)})",
                                     "Found 2 tag(s) in the backup: v1, v2"]
    assert "Pushed tag v1 with 0 referrer(s)" in lines
    assert lines[-2:] == ["Pushed tag v2 with 0 referrer(s)",
                          f'Successfully restored 2 tag(s) to "{dst}" in <D>']
    assert oras("repo", "tags", dst).stdout.split() == ["v1", "v2"]

    assert _run(oras, "backup", f"{ref}:nope", "-o", "bk", ok=False) == (
        1, "", f'Error: failed to resolve tag "nope": {ref}:nope: not found\n')
    oras("backup", f"{ref}:v1", "-o", "bk")
    assert sorted(os.listdir(tmp_path / "bk")) == ["blobs", "index.json", "oci-layout"]
