"""Pulling a directory layer into a tree that already exists: the user's files stay, entries are
written through temp files, modes and mtimes come from the archive, and conflicts refuse before
anything changes."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

GO_ORAS = Path(__file__).resolve().parents[3] / "shared" / "tools" / "oras-go" / "oras"
OLD = 1577934245  # 2020-01-02 03:04:05 UTC


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.lstat().st_mode)


@pytest.fixture
def pushed_dir(oras, registry, repo_name, tmp_path) -> str:
    """``mydir`` with a.txt (0640), sub/ (0750) and sub/b.txt, all with 2020 mtimes, pushed."""
    src = tmp_path / "src"
    (src / "mydir" / "sub").mkdir(parents=True)
    (src / "mydir" / "a.txt").write_text("new a\n")
    (src / "mydir" / "sub" / "b.txt").write_text("new b\n")
    os.chmod(src / "mydir" / "a.txt", 0o640)
    os.chmod(src / "mydir" / "sub", 0o750)
    for p in ("mydir/a.txt", "mydir/sub/b.txt", "mydir/sub", "mydir"):
        os.utime(src / p, (OLD, OLD))
    ref = f"{registry.localhost}/{repo_name}:v1"
    oras("push", ref, "mydir", cwd=src)
    return ref


def _leftovers(root: Path) -> list[str]:
    return [str(p) for p in root.rglob(".orasx-*")]


def test_pull_into_an_existing_directory_keeps_the_users_files(oras, pushed_dir, tmp_path):
    out = tmp_path / "out"
    (out / "mydir").mkdir(parents=True)
    (out / "mydir" / "notes.txt").write_text("mine\n")
    oras("pull", "-o", str(out), pushed_dir)
    assert (out / "mydir" / "notes.txt").read_text() == "mine\n"
    assert (out / "mydir" / "a.txt").read_text() == "new a\n"
    assert (out / "mydir" / "sub" / "b.txt").read_text() == "new b\n"
    assert _leftovers(tmp_path) == []


def test_pulled_entries_get_the_archives_mode_and_mtime(oras, pushed_dir, tmp_path):
    out = tmp_path / "out"
    oras("pull", "-o", str(out), pushed_dir)
    assert _mode(out / "mydir" / "a.txt") == 0o640
    assert _mode(out / "mydir" / "sub") == 0o750
    for p in ("mydir/a.txt", "mydir/sub/b.txt", "mydir/sub", "mydir"):
        assert int((out / p).stat().st_mtime) == OLD, p


def test_merged_entries_get_the_archives_mtime_and_keep_an_existing_files_mode(
        oras, pushed_dir, tmp_path):
    out = tmp_path / "out"
    (out / "mydir" / "sub").mkdir(parents=True)
    (out / "mydir" / "a.txt").write_text("old a\n")
    os.chmod(out / "mydir" / "a.txt", 0o600)
    (out / "mydir" / "extra.txt").write_text("x")
    oras("pull", "-o", str(out), pushed_dir)
    assert (out / "mydir" / "a.txt").read_text() == "new a\n"
    assert _mode(out / "mydir" / "a.txt") == 0o600  # as the Go CLI: the existing mode stays
    assert int((out / "mydir" / "a.txt").stat().st_mtime) == OLD
    assert int((out / "mydir" / "sub").stat().st_mtime) == OLD
    assert int((out / "mydir").stat().st_mtime) == OLD


def test_overwritten_plain_file_keeps_its_mode(oras, registry, repo_name, tmp_path):
    (tmp_path / "f.txt").write_text("new\n")
    ref = f"{registry.localhost}/{repo_name}:v1"
    oras("push", ref, "f.txt")
    out = tmp_path / "out"
    out.mkdir()
    (out / "f.txt").write_text("old\n")
    os.chmod(out / "f.txt", 0o604)
    oras("pull", "-o", str(out), ref)
    assert (out / "f.txt").read_text() == "new\n"
    assert _mode(out / "f.txt") == 0o604


def test_keep_old_files_refuses_a_conflicting_entry_and_changes_nothing(oras, pushed_dir,
                                                                       tmp_path):
    out = tmp_path / "out"
    (out / "mydir").mkdir(parents=True)
    (out / "mydir" / "a.txt").write_text("old a\n")
    proc = oras("pull", "-k", "-o", str(out), pushed_dir, ok=False)
    assert proc.returncode == 1
    assert proc.stderr == "Error: failed to resolve path for writing: overwrite disallowed\n"
    assert (out / "mydir" / "a.txt").read_text() == "old a\n"
    assert not (out / "mydir" / "sub").exists()  # nothing of the layer was placed
    assert _leftovers(tmp_path) == []


def test_keep_old_files_merges_when_no_entry_conflicts(oras, pushed_dir, tmp_path):
    out = tmp_path / "out"
    (out / "mydir").mkdir(parents=True)
    (out / "mydir" / "notes.txt").write_text("mine\n")
    oras("pull", "-k", "-o", str(out), pushed_dir)
    assert (out / "mydir" / "notes.txt").read_text() == "mine\n"
    assert (out / "mydir" / "sub" / "b.txt").read_text() == "new b\n"


def test_merge_never_writes_through_a_symlink_in_the_users_tree(oras, pushed_dir, tmp_path):
    out = tmp_path / "out"
    outside = tmp_path / "outside"
    outside.mkdir()
    (out / "mydir").mkdir(parents=True)
    (out / "mydir" / "sub").symlink_to(outside)
    proc = oras("pull", "-o", str(out), pushed_dir, ok=False)
    assert proc.returncode == 1
    assert "mydir/sub" in proc.stderr and "symlink" in proc.stderr
    assert list(outside.iterdir()) == []
    assert not (out / "mydir" / "a.txt").exists()
    assert _leftovers(tmp_path) == []


def test_push_of_the_current_directory_pulls_back(oras, registry, repo_name, tmp_path):
    src = tmp_path / "src"
    (src / "d").mkdir(parents=True)
    (src / "top.txt").write_text("top\n")
    (src / "d" / "in.txt").write_text("in\n")
    ref = f"{registry.localhost}/{repo_name}:v1"
    oras("push", ref, ".", cwd=src)
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("mine\n")
    oras("pull", "-o", str(out), ref)
    assert (out / "top.txt").read_text() == "top\n"
    assert (out / "d" / "in.txt").read_text() == "in\n"
    assert (out / "mine.txt").read_text() == "mine\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(not GO_ORAS.exists(), reason="the Go oras CLI is not beside this checkout")
@pytest.mark.parametrize("path", [".", "d"])
def test_directory_artifacts_interoperate_with_the_go_cli(oras, registry, repo_name, tmp_path,
                                                          path):
    # The Go CLI checks a directory's content digest over the tar up to its end-of-archive
    # marker: our tars must end there (it refused every directory we pushed before).
    src = tmp_path / "src"
    (src / "d").mkdir(parents=True)
    (src / "d" / "in.txt").write_text("in\n")
    go_ref = f"{registry.localhost}/{repo_name}:go"
    subprocess.run([str(GO_ORAS), "push", go_ref, path], cwd=src, check=True,
                   capture_output=True)
    oras("pull", "-o", "ours", go_ref)
    assert (tmp_path / "ours" / "d" / "in.txt").read_text() == "in\n"
    our_ref = f"{registry.localhost}/{repo_name}:ours"
    oras("push", our_ref, path, cwd=src)
    (tmp_path / "theirs").mkdir()
    go = subprocess.run([str(GO_ORAS), "pull", our_ref], cwd=tmp_path / "theirs",
                        capture_output=True, text=True)
    assert go.returncode == 0, go.stderr
    assert (tmp_path / "theirs" / "d" / "in.txt").read_text() == "in\n"
