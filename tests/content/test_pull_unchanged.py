"""A second pull into the same directory writes nothing for a big file it already wrote and that is
unchanged since (its stat fingerprint is remembered with the digest); a changed file is rewritten."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import orasx

SIZE = 17 * 1024 * 1024  # over the digest cache's 16 MiB threshold


@pytest.fixture
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("ORASX_NO_DIGEST_CACHE", raising=False)
    src = tmp_path / "src"
    src.mkdir()
    (src / "model.bin").write_bytes(os.urandom(SIZE))
    monkeypatch.chdir(src)
    lay = str(tmp_path / "lay")
    orasx.push(f"{lay}:v1", ["model.bin"], oci_layout=True)
    return lay


def test_an_unchanged_file_is_not_rewritten(layout: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    orasx.pull(f"{layout}:v1", str(out), oci_layout=True)
    first = (out / "model.bin").stat()
    orasx.pull(f"{layout}:v1", str(out), oci_layout=True)
    second = (out / "model.bin").stat()
    assert (second.st_ino, second.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)


def test_a_changed_file_is_pulled_again(layout: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    orasx.pull(f"{layout}:v1", str(out), oci_layout=True)
    want = (out / "model.bin").read_bytes()
    with open(out / "model.bin", "r+b") as f:  # same size, same inode: only ctime/mtime move
        f.seek(SIZE // 2)
        f.write(b"tampered")
    orasx.pull(f"{layout}:v1", str(out), oci_layout=True)
    assert (out / "model.bin").read_bytes() == want


def test_without_the_digest_cache_every_pull_writes(layout: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORASX_NO_DIGEST_CACHE", "1")
    out = tmp_path / "out"
    orasx.pull(f"{layout}:v1", str(out), oci_layout=True)
    first = (out / "model.bin").stat().st_ino
    orasx.pull(f"{layout}:v1", str(out), oci_layout=True)
    assert (out / "model.bin").stat().st_ino != first
