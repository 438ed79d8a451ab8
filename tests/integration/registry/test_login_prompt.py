"""``oras login`` on a terminal asks for the username and a hidden password."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

from tests.conftest import ORAS


def _read_until(fd: int, text: bytes, timeout: float = 15) -> bytes:
    buf = b""
    end = time.monotonic() + timeout
    while text not in buf and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                buf += os.read(fd, 1024)
            except OSError:
                break
    return buf


def test_interactive_login_prompts_and_hides_the_password(auth_registry, tmp_path: Path):
    master, slave = pty.openpty()
    cfg = tmp_path / "config.json"
    proc = subprocess.Popen([ORAS, "login", auth_registry.localhost, "--registry-config", str(cfg)],
                            stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    try:
        assert b"Username" in _read_until(master, b"Username")
        os.write(master, b"alice\n")
        assert b"Password" in _read_until(master, b"Password")
        os.write(master, b"s3cret-pw\n")
        rest = _read_until(master, b"Login Succeeded")
        assert b"Login Succeeded" in rest and b"s3cret-pw" not in rest
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert "auths" in cfg.read_text()
