"""Streams to stdout (``oras pull REF -o -``, ``oras blob fetch REF@D -o -``) verify before the
first byte: a tampered blob that fits the bound (64 MiB) writes nothing and exits 1; a larger one
is written as it verifies and still ends with exit 1."""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ORAS
from tests.support.servers import Proxy, Reply, Request

BLOB = 8 * 1000 * 1000  # the 8 MB


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "ORAS_"))}
    env["HOME"] = str(tmp_path / ".home")
    return env


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([ORAS, *args], capture_output=True, cwd=tmp_path, timeout=300,
                          env=_env(tmp_path))


def _flip_blobs(at: int) -> object:
    """A proxy rewrite that flips one byte of every blob body (whole or ranged) at ``at``."""

    def rewrite(req: Request, rep: Reply) -> Reply:
        if req.method != "GET" or "/blobs/sha256:" not in req.path or len(rep.body) <= at:
            return rep
        body = bytearray(rep.body)
        body[at] ^= 0x01
        return Reply(rep.status, rep.headers, bytes(body))

    return rewrite


@pytest.fixture
def tampering(registry):
    proxy = Proxy(registry.host)
    yield proxy
    proxy.stop()


def _push(tmp_path: Path, host: str, repo: str, size: int) -> tuple[str, bytes]:
    data = os.urandom(size)
    (tmp_path / "data.bin").write_bytes(data)
    ref = f"{host}/{repo}:v1"
    proc = _run(tmp_path, "push", ref, "data.bin")
    assert proc.returncode == 0, proc.stderr
    return ref, data


def test_pull_to_stdout_writes_nothing_of_a_tampered_blob(tampering, repo_name, tmp_path):
    ref, _ = _push(tmp_path, tampering.host, repo_name, BLOB)
    tampering.rewrite = _flip_blobs(BLOB - 1000)  # late in the blob: most bytes went out before
    proc = _run(tmp_path, "pull", ref, "-o", "-")
    assert proc.returncode == 1
    assert proc.stdout == b"", f"{len(proc.stdout)} tampered bytes reached stdout"
    assert b"digest mismatch" in proc.stderr and proc.stderr.startswith(b"Error: ")


def test_blob_fetch_to_stdout_writes_nothing_of_a_tampered_blob(tampering, repo_name, tmp_path):
    ref, data = _push(tmp_path, tampering.host, repo_name, BLOB)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    tampering.rewrite = _flip_blobs(BLOB - 1000)
    proc = _run(tmp_path, "blob", "fetch", f"{ref.rpartition(':')[0]}@{digest}", "-o", "-")
    assert proc.returncode == 1
    assert proc.stdout == b"", f"{len(proc.stdout)} tampered bytes reached stdout"
    assert b"digest mismatch" in proc.stderr and proc.stderr.startswith(b"Error: ")


def test_good_blobs_still_stream_to_stdout(tampering, repo_name, tmp_path):
    ref, data = _push(tmp_path, tampering.host, repo_name, BLOB)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    pulled = _run(tmp_path, "pull", ref, "-o", "-")
    assert pulled.returncode == 0, pulled.stderr
    assert pulled.stdout == data
    fetched = _run(tmp_path, "blob", "fetch", f"{ref.rpartition(':')[0]}@{digest}", "-o", "-")
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout == data


def test_spooled_content_leaves_no_temp_file(tampering, repo_name, tmp_path):
    ref, data = _push(tmp_path, tampering.host, repo_name, BLOB)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    for flip in (False, True):
        tampering.rewrite = _flip_blobs(BLOB - 1) if flip else (lambda _req, rep: rep)
        proc = subprocess.run([ORAS, "pull", ref, "-o", "-"], capture_output=True, cwd=tmp_path,
                              timeout=300, env={**_env(tmp_path), "TMPDIR": str(tmp)})
        assert proc.returncode == (1 if flip else 0)
        assert proc.stdout == (b"" if flip else data)
        assert list(tmp.iterdir()) == []


def test_a_stream_over_the_bound_is_written_as_it_verifies_and_exits_1(
        tampering, repo_name, tmp_path):
    size = 64 * 1024 * 1024 + 1  # one byte over the bound: streamed, not held back
    ref, data = _push(tmp_path, tampering.host, repo_name, size)
    start = time.monotonic()
    good = _run(tmp_path, "pull", ref, "-o", "-")
    assert good.returncode == 0 and good.stdout == data, good.stderr
    del good
    tampering.rewrite = _flip_blobs(size - 1)
    proc = _run(tmp_path, "pull", ref, "-o", "-")
    assert proc.returncode == 1 and b"digest mismatch" in proc.stderr
    assert 0 < len(proc.stdout) <= size  # what went out cannot be taken back: the exit says so
    assert time.monotonic() - start < 120
