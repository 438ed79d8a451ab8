"""``oras restore`` of a layout tar writes only what it must (issue #19, case 10): the tar is read
in place, as the Go CLI does; a sparse member (a few KiB that expand to GiB) and a compressed
archive (which cannot be read in place) are refused up front, in one line that names the fix,
before anything is pushed or written."""

from __future__ import annotations

import gzip
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.support.hostile import ORAS, child_env, leftovers, run_oras
from tests.support.registry import Registry

LAYER = 4 << 20  # bigger than the file-size limit the restores run under
FSIZE = 1 << 20  # what a restore may write to any one file (RLIMIT_FSIZE)


def _oras(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = child_env(str(tmp / "home"), str(tmp / "tmp"))
    return subprocess.run([ORAS, *args], cwd=tmp, env=env, capture_output=True, text=True,
                          timeout=120, check=True)


@pytest.fixture
def world(tmp_path: Path) -> Path:
    for d in ("home", "tmp"):
        (tmp_path / d).mkdir()
    return tmp_path


@pytest.fixture
def layout_tar(world: Path) -> Path:
    """A layout tar (as ``oras backup`` writes one) of an artifact with a 4 MiB layer."""
    (world / "big.bin").write_bytes(os.urandom(LAYER))
    _oras(world, "push", "--oci-layout", "layout:v1", "big.bin")
    tar = world / "layout.tar"
    with tarfile.open(tar, "w", format=tarfile.USTAR_FORMAT) as t:
        for root, _, files in sorted(os.walk(world / "layout")):
            for name in sorted(files):
                path = os.path.join(root, name)
                t.add(path, arcname=os.path.relpath(path, world / "layout"))
    return tar


def _restore(world: Path, tar: Path, ref: str):
    return run_oras(["restore", "--input", str(tar), ref], cwd=str(world), timeout=60,
                    env=child_env(str(world / "home"), str(world / "tmp")), fsize_limit=FSIZE)


def _tags(world: Path, repo: str) -> subprocess.CompletedProcess[str]:
    env = child_env(str(world / "home"), str(world / "tmp"))
    return subprocess.run([ORAS, "repo", "tags", repo], cwd=world, env=env, capture_output=True,
                          text=True, timeout=60)


def _refused(world: Path, tar: Path, repo: str) -> str:
    """Restore ``tar`` to ``repo:v1``, which must fail with one ``Error:`` line, leaving nothing
    in the temporary directory and pushing nothing; that line."""
    o = _restore(world, tar, f"{repo}:v1")
    assert o.returncode == 1, o.summary()
    lines = o.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), o.err
    assert leftovers(str(world / "tmp")) == []
    assert _tags(world, repo).returncode != 0, "something was pushed"
    return lines[0]


def _octal(n: int, width: int) -> bytes:
    return b"%0*o\0" % (width - 1, n)


def _gnu_sparse_member(name: str, real_size: int, data: bytes) -> bytes:
    """An old-GNU sparse member (type ``S``): ``data`` stored at the end of a file of
    ``real_size`` bytes, all holes before it: a few KiB in the tar, ``real_size`` unpacked."""
    h = bytearray(512)
    h[0:len(name)] = name.encode()
    h[100:108], h[108:116], h[116:124] = _octal(0o644, 8), _octal(0, 8), _octal(0, 8)
    h[124:136], h[136:148] = _octal(len(data), 12), _octal(0, 12)
    h[156:157], h[257:265] = b"S", b"ustar  \0"
    h[386:398], h[398:410] = _octal(real_size - len(data), 12), _octal(len(data), 12)
    h[483:495] = _octal(real_size, 12)
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h) + data + b"\0" * (-len(data) % 512)


def _sparse_copy(src: Path, dst: Path, real_size: int) -> None:
    """``src`` with its biggest member replaced by a sparse one that expands to ``real_size``."""
    with tarfile.open(src) as t, open(dst, "wb") as out:
        for m in t.getmembers():
            f = t.extractfile(m)
            data = f.read() if f else b""
            if m.size == LAYER:
                out.write(_gnu_sparse_member(m.name, real_size, b"x" * 512))
                continue
            out.write(m.tobuf(format=tarfile.USTAR_FORMAT) + data + b"\0" * (-len(data) % 512))
        out.write(b"\0" * 1024)


def test_restore_reads_the_tar_in_place(world: Path, layout_tar: Path, registry: Registry):
    ref = f"{registry.host}/t/restore-in-place:v1"
    o = _restore(world, layout_tar, ref)
    assert o.returncode == 0, o.summary() + o.err
    assert "Successfully restored 1 tag(s)" in o.out
    _oras(world, "pull", "-o", "pulled", ref)
    assert (world / "pulled" / "big.bin").read_bytes() == (world / "big.bin").read_bytes()
    assert leftovers(str(world / "tmp")) == []


def test_restore_refuses_a_sparse_member(world: Path, layout_tar: Path, registry: Registry):
    sparse = world / "sparse.tar"
    _sparse_copy(layout_tar, sparse, 1 << 30)
    assert sparse.stat().st_size < 16 << 10  # 1 GiB once unpacked
    line = _refused(world, sparse, f"{registry.host}/t/restore-sparse")
    assert "sparse" in line and "blobs/sha256/" in line, line
    assert "re-create" in line, f"the error names no fix: {line}"


@pytest.mark.parametrize("name", ["layout.tar", "layout.tar.gz"])
def test_restore_refuses_a_compressed_tar(world: Path, layout_tar: Path, registry: Registry,
                                         name: str):
    packed = world / "packed" / name
    packed.parent.mkdir()
    packed.write_bytes(gzip.compress(layout_tar.read_bytes(), compresslevel=1))
    line = _refused(world, packed, f"{registry.host}/t/restore-gzip-{name.replace('.', '-')}")
    assert "gzip-compressed" in line and "gzip -dc" in line, line
