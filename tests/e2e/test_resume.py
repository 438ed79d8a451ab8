"""A pull of a big blob that was killed resumes on the next ``oras pull`` from what it had written
(issue #23 part 5): only the rest is asked for, the kept prefix is hashed again, nothing partial
is ever placed as the file, and a partial file that is not this user's own is never used."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ORAS

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
from delayline import DelayLine

MIB = 1 << 20
SIZE = 64 * MIB
RECORD = 24  # beside the partial file: magic and the written prefix (content/_partial.py)
PROGRESS = ".progress"


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["HOME"] = str(home)
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def big(registry, tmp_path_factory) -> tuple[str, str]:
    """(repository:tag, sha256 hex) of a 64 MiB one-file artifact ``big.bin``."""
    work = tmp_path_factory.mktemp("resume")
    h = hashlib.sha256()
    with open(work / "big.bin", "wb") as f:
        for _ in range(SIZE // (8 * MIB)):
            chunk = os.urandom(8 * MIB)
            h.update(chunk)
            f.write(chunk)
    subprocess.run([ORAS, "push", f"{registry.host}/t/resume:v1", "big.bin"], cwd=work,
                   env=_env(work), check=True, capture_output=True, timeout=120)
    (work / "big.bin").unlink()
    return "t/resume:v1", h.hexdigest()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(8 * MIB):
            h.update(chunk)
    return h.hexdigest()


def _partial(out: Path) -> list[Path]:
    """The partial files in ``out`` (not their progress records)."""
    return [p for p in out.iterdir() if p.name.startswith(".orasx-partial-")
            and not p.name.endswith(PROGRESS)] if out.exists() else []


def _records(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if p.name.startswith(".orasx-partial-")
            and p.name.endswith(PROGRESS)] if out.exists() else []


def _blob_bytes(line: DelayLine) -> int:
    return sum(e.resp_bytes for e in line.reset_log()
               if e.method == "GET" and "/blobs/sha256:" in e.path)


def test_killed_pull_resumes_from_what_it_wrote(registry, big, tmp_path):
    ref, want = big
    out = tmp_path / "out"
    # 4 connections of 2 MB/s each at 40 ms: the 64 MiB take 8 s, time enough to kill it
    with DelayLine("127.0.0.1", registry.port, 0.02, rate=2e6, log=True) as line:
        env = _env(tmp_path, ORASX_RANGE_CONNECTIONS="4")
        proc = subprocess.Popen([ORAS, "pull", "--plain-http", f"{line.host}/{ref}", "-o",
                                 str(out)], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                records = _records(out)
                # a checkpoint was written: the progress record beside the partial file
                if records and records[0].stat().st_size == RECORD:
                    break
                time.sleep(0.02)
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            proc.send_signal(signal.SIGKILL)  # a killed CI job: no cleanup runs
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        first = _blob_bytes(line)
        (partial,) = _partial(out)
        assert not (out / "big.bin").exists()  # nothing partial was placed as the file
        assert partial.stat().st_mode & 0o777 == 0o600
        (record,) = _records(out)
        assert record.name == partial.name + PROGRESS and record.stat().st_mode & 0o777 == 0o600
        kept = struct.unpack("<16sQ", record.read_bytes())[1]
        assert 0 < kept < SIZE and partial.stat().st_size >= kept

        done = subprocess.run([ORAS, "pull", "--plain-http", f"{line.host}/{ref}", "-o",
                               str(out)], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        second = _blob_bytes(line)
    assert _sha256(out / "big.bin") == want
    assert _partial(out) == [] and _records(out) == []
    # only what was missing was asked for again (give or take what was in flight on the first
    # connection when it was let go at the end of its part)
    assert first > 0 and second < SIZE and second <= SIZE - kept + 4 * MIB


def test_kept_prefix_that_does_not_verify_is_dropped_and_fetched_again(registry, big, tmp_path):
    ref, want = big
    out = tmp_path / "out"
    out.mkdir()
    # a partial file claiming 16 MiB written, all wrong (a dying disk, an editor)
    partial = out / f".orasx-partial-{want}"
    with open(partial, "wb") as f:
        f.truncate(SIZE)
    partial.chmod(0o600)
    record = out / f".orasx-partial-{want}{PROGRESS}"
    record.write_bytes(struct.pack("<16sQ", b"orasx-partial-v2", 16 * MIB))
    record.chmod(0o600)
    proc = subprocess.run([ORAS, "pull", f"{registry.host}/{ref}", "-o", str(out)], cwd=tmp_path,
                          env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert _sha256(out / "big.bin") == want
    assert _partial(out) == [] and _records(out) == []


@pytest.mark.parametrize("suffix", ["", PROGRESS], ids=["partial file", "progress record"])
def test_a_partial_file_or_record_through_a_link_is_never_written(registry, big, tmp_path,
                                                                   suffix):
    ref, want = big
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (out / f".orasx-partial-{want}{suffix}").symlink_to(victim)
    proc = subprocess.run([ORAS, "pull", f"{registry.host}/{ref}", "-o", str(out)], cwd=tmp_path,
                          env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert victim.read_text() == "precious\n"
    assert _sha256(out / "big.bin") == want


def test_no_partial_file_in_a_directory_others_can_write(registry, big, tmp_path):
    ref, want = big
    out = tmp_path / "shared"
    out.mkdir()
    out.chmod(0o777)  # (the pull still downloads in place, into a temp file it removes)
    seen: set[str] = set()
    proc = subprocess.Popen([ORAS, "pull", f"{registry.host}/{ref}", "-o", str(out)],
                            cwd=tmp_path, env=_env(tmp_path), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    while proc.poll() is None:
        seen.update(p.name for p in out.iterdir())
        time.sleep(0.01)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    assert not any(n.startswith(".orasx-partial-") for n in seen)
    assert _sha256(out / "big.bin") == want
    assert json.dumps(sorted(p.name for p in out.iterdir())) == '["big.bin"]'
