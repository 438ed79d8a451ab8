"""What orasx leaves on disk and says about it (issue #19, case 15): private parents for the
credentials file, durable renames (fsync) in a layout, and errors that name the user's file."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ORAS
from tests.support.users import User


@pytest.fixture
def arena(shared_tmp_path: Path) -> Path:
    """A directory every user can pass through (pytest's own are private to root)."""
    return shared_tmp_path


def _layout_with(arena: Path, name: str, data: bytes) -> str:
    src = arena / "src"
    src.mkdir()
    (src / name).write_bytes(data)
    subprocess.run([ORAS, "push", "--oci-layout", f"{arena / 'lay'}:v1", name], cwd=src,
                   check=True, capture_output=True)
    subprocess.run(["chmod", "-R", "a+rX", str(arena)], check=True)
    return f"{arena / 'lay'}:v1"


@pytest.fixture
def tiny_fs(arena: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (needs root and a kernel that lets this process mount)."""
    mnt = arena / "tiny"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    yield mnt
    subprocess.run(["umount", str(mnt)], check=False)


@pytest.mark.integration
def test_read_only_output_directory_error_names_the_target(arena: Path, victor: User):
    ref = _layout_with(arena, "a.txt", b"hello\n")
    out = arena / "out"
    out.mkdir(mode=0o755)  # root's: victor cannot write in it
    proc = victor.run([ORAS, "pull", "--oci-layout", ref, "-o", str(out)],
                      env={"HOME": str(arena)})
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"Error: {out / 'a.txt'}: Permission denied", proc.stderr

@pytest.mark.integration
def test_full_disk_error_names_the_file_and_the_size(arena: Path, tiny_fs: Path):
    size = 256 * 1024  # under the free-space question's threshold: the write itself fails
    ref = _layout_with(arena, "big.bin", os.urandom(size))
    proc = subprocess.run([ORAS, "pull", "--oci-layout", ref, "-o", str(tiny_fs / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    line = proc.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert str(tiny_fs / "out" / "big.bin") in line and f"{size} bytes" in line, line
    assert ".orasx-" not in line
    assert os.listdir(tiny_fs / "out") == []  # no temp file left behind
