"""The round trip every supported interpreter must pass (``-m matrix``; scripts/test.sh runs it on
each Python it finds): a file and a directory pushed and pulled through an OCI layout and a real
registry, by the installed command and by the library, copied between the two, and read back
through fsspec."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path

import pytest

import orasx
from tests.e2e.helpers import PLAIN

pytestmark = pytest.mark.matrix

OLD = 1577934245  # 2020-01-02 03:04:05 UTC


def _tree(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every entry below ``root``: kind, permission bits and content (sha256 or link target)."""
    out: dict[str, tuple[str, int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", 0, os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", stat.S_IMODE(st.st_mode), "")
            else:
                out[rel] = ("file", stat.S_IMODE(st.st_mode),
                            hashlib.sha256(p.read_bytes()).hexdigest())
    return out


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """``notes.txt`` and ``mydir/`` (a nested file, an executable, a symlink, an empty file)."""
    src = tmp_path / "src"
    (src / "mydir" / "sub" / "deeper").mkdir(parents=True)
    (src / "notes.txt").write_text("hello from " + sys.version.split()[0] + "\n")
    (src / "mydir" / "a.txt").write_text("a\n")
    (src / "mydir" / "empty").write_bytes(b"")
    (src / "mydir" / "sub" / "deeper" / "b.bin").write_bytes(os.urandom(300_000))
    (src / "mydir" / "run.sh").write_text("#!/bin/sh\necho hi\n")
    os.chmod(src / "mydir" / "run.sh", 0o755)
    os.chmod(src / "mydir" / "sub", 0o750)
    (src / "mydir" / "link").symlink_to("sub/deeper/b.bin")
    for p in ("mydir/a.txt", "mydir/sub", "mydir"):
        os.utime(src / p, (OLD, OLD))
    return src


def _same(src: Path, out: Path) -> None:
    assert (out / "notes.txt").read_bytes() == (src / "notes.txt").read_bytes()
    assert _tree(out / "mydir") == _tree(src / "mydir")
    assert int((out / "mydir" / "a.txt").stat().st_mtime) == OLD
    assert int((out / "mydir" / "sub").stat().st_mtime) == OLD
    assert [p.name for p in out.rglob(".orasx*")] == []


def test_command_round_trip_through_a_registry(oras, registry, repo_name, src, tmp_path):
    ref = f"{registry.localhost}/{repo_name}:v1"
    oras("push", ref, "notes.txt", "mydir", cwd=src)
    out = tmp_path / "out"
    oras("pull", "-o", str(out), ref)
    _same(src, out)
    oras("pull", "-o", str(out), ref)  # a second pull over the first leaves the same tree
    _same(src, out)


def test_command_round_trip_through_a_layout_and_copy_to_a_registry(
        oras, registry, repo_name, src, tmp_path):
    layout = tmp_path / "layout"
    oras("push", "--oci-layout", f"{layout}:v1", "notes.txt", "mydir", cwd=src)
    out = tmp_path / "from-layout"
    oras("pull", "--oci-layout", f"{layout}:v1", "-o", str(out))
    _same(src, out)
    ref = f"{registry.localhost}/{repo_name}:copied"
    oras("cp", "--from-oci-layout", f"{layout}:v1", ref)
    out2 = tmp_path / "from-registry"
    oras("pull", "-o", str(out2), ref)
    _same(src, out2)


def test_library_round_trip_and_fsspec_read(registry, repo_name, src, tmp_path, monkeypatch):
    fsspec = pytest.importorskip("fsspec")
    monkeypatch.chdir(src)
    ref = f"{registry.localhost}/{repo_name}:lib"
    pushed = orasx.push(ref, ["notes.txt", "mydir"], remote=PLAIN)
    layout = tmp_path / "lib-layout"
    orasx.push(f"{layout}:v1", ["notes.txt", "mydir"], oci_layout=True)
    for source, kw in ((ref, {"remote": PLAIN}), (f"{layout}:v1", {"oci_layout": True})):
        out = tmp_path / ("out-" + hashlib.sha256(source.encode()).hexdigest()[:8])
        orasx.pull(source, str(out), **kw)
        _same(src, out)
    with fsspec.open(f"oras://{ref}/notes.txt") as f:
        assert f.read() == (src / "notes.txt").read_bytes()
    names = {e["name"].rpartition("/")[2] for e in fsspec.filesystem("oras").ls(f"oras://{ref}")}
    assert "notes.txt" in names
    assert str(pushed.descriptor.digest).startswith("sha256:")
