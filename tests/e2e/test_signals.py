"""SIGTERM (docker stop, CI cancellation, ``timeout``) and SIGHUP stop a transfer the way Ctrl-C does:
the transfers in flight are cancelled, no temp or partial file is left behind, and the exit code
is the shell's 128 + signal number."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ORAS

SIZE = 256 * 1024 * 1024


def default_signals() -> None:
    """In the child: the signals as a user's terminal session has them. A test run started in the
    background (``cmd &``, ``nohup``) inherits SIGINT/SIGHUP ignored, and an ignored signal is
    rightly left ignored by ``oras``."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["HOME"] = str(home)
    return env


@pytest.fixture(scope="module")
def big_artifact(registry, tmp_path_factory) -> str:
    """A 256 MiB artifact of random bytes (one layer, ``big.bin``) in the registry."""
    work = tmp_path_factory.mktemp("big")
    with open(work / "big.bin", "wb") as f:
        for _ in range(SIZE // (16 << 20)):
            f.write(os.urandom(16 << 20))
    ref = f"{registry.localhost}/t/signals:v1"
    subprocess.run([ORAS, "push", ref, "big.bin"], cwd=work, env=_env(work), check=True,
                   capture_output=True, timeout=120)
    (work / "big.bin").unlink()
    return ref


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


@pytest.mark.parametrize(("sig", "code", "name"), [
    (signal.SIGTERM, 143, "SIGTERM"),
    (signal.SIGHUP, 129, "SIGHUP"),
])
def test_signal_during_pull_removes_temp_files_and_exits_128_plus_signal(
    big_artifact, tmp_path, sig, code, name
):
    for attempt in range(3):  # on a fast machine the pull may finish before the signal lands
        out = tmp_path / f"out{attempt}"
        proc = subprocess.Popen([ORAS, "pull", "-o", str(out), big_artifact], cwd=tmp_path,
                                env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, preexec_fn=default_signals)
        try:
            deadline = time.monotonic() + 20
            seen: list[str] = []
            while time.monotonic() < deadline and proc.poll() is None and not seen:
                seen = [n for n in _leftovers(out) if n.startswith(".orasx-")]
                time.sleep(0.005)
            assert seen, f"no temp file appeared while pulling (exit code {proc.poll()})"
            proc.send_signal(sig)
            stdout, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if proc.returncode != 0:
            break
    assert proc.returncode == code, (stdout, stderr)
    assert f"Error: terminated by {name}" in stderr
    assert "Pulled" not in stdout
    # Neither a temp file nor a partial big.bin; the resumable download of the blob may stay
    # (issue #23 part 5: the next pull continues it), private, never under the file's name.
    # (a signal that lands after the blob was verified and placed finds big.bin whole)
    left = [n for n in _leftovers(out)
            if not (n == "big.bin" and (out / n).stat().st_size == SIZE)]
    assert [n for n in left if not n.startswith(".orasx-partial-")] == []
    assert all((out / n).stat().st_mode & 0o777 == 0o600 for n in left)


def test_pull_still_completes_without_a_signal(big_artifact, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([ORAS, "pull", "-o", str(out), big_artifact], cwd=tmp_path,
                          env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert _leftovers(out) == ["big.bin"] and (out / "big.bin").stat().st_size == SIZE
    (out / "big.bin").unlink()  # pytest keeps the last runs' temp dirs
