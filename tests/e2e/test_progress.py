"""Progress on a terminal, plain status lines otherwise."""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

from tests.conftest import ORAS


def _run_on_terminal(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal (stdout piped), as a person at a shell would."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([ORAS, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=slave,
                            stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read().decode() if proc.stdout else ""
    code = proc.wait(timeout=60)
    os.close(master)
    text = b"".join(chunks).decode(errors="replace")
    return code, out, re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_terminal_shows_live_progress_and_a_summary(registry, tmp_path: Path):
    (tmp_path / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    code, out, err = _run_on_terminal(["push", f"{registry.localhost}/progress:v1", "big.bin"],
                                      tmp_path)
    assert code == 0
    assert "Pushed [registry]" in out and "Uploading" not in out
    assert "✓ Uploaded" in err and "big.bin" in err
    assert "Uploaded 3 blob(s)" in err and "/s)" in err
    code, out, err = _run_on_terminal(["pull", f"{registry.localhost}/progress:v1", "-o", "o"],
                                      tmp_path)
    assert code == 0 and "Downloaded" in err and "Pulled [registry]" in out


def test_no_tty_and_pipes_get_plain_status_lines(registry, tmp_path: Path):
    (tmp_path / "a.txt").write_text("a")
    code, out, err = _run_on_terminal(["push", "--no-tty", f"{registry.localhost}/plain:v1",
                                       "a.txt"], tmp_path)
    assert code == 0 and "Uploading" in out and "Uploaded" not in err
    # Other content: a manifest the registry holds already is only tagged (no lines, as Go).
    (tmp_path / "b.txt").write_text("b")
    proc = subprocess.run([ORAS, "push", f"{registry.localhost}/plain:v2", "b.txt"], cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    assert "Uploaded" in proc.stdout and "\x1b[" not in proc.stdout + proc.stderr


def test_blob_push_and_fetch_show_progress_on_a_terminal(registry, tmp_path: Path):
    (tmp_path / "b.bin").write_bytes(os.urandom(2 * 1024 * 1024))
    code, out, err = _run_on_terminal(["blob", "push", f"{registry.localhost}/progress-blob",
                                       "b.bin"], tmp_path)
    assert code == 0 and "✓ Uploaded" in err and "Pushed: [registry]" in out
    digest = out.split("Digest: ")[1].strip()
    code, out, err = _run_on_terminal(["blob", "fetch", f"{registry.localhost}/progress-blob@"
                                       f"{digest}", "-o", "got.bin"], tmp_path)
    assert code == 0 and "✓ Downloaded" in err
    assert (tmp_path / "got.bin").read_bytes() == (tmp_path / "b.bin").read_bytes()
