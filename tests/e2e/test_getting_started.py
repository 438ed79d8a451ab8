"""The README's getting-started block, run verbatim on this machine, and the single-file zipapp."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _readme_block() -> str:
    text = (ROOT / "README.md").read_text()
    m = re.search(r"<!-- getting-started -->\n```sh\n(.*?)```\n<!-- /getting-started -->", text,
                  re.S)
    assert m, "the README lost its getting-started block"
    return m.group(1)


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("apt-get"),
                    reason="the README's block is for root on Debian")
@pytest.mark.skipif(not _port_free(5000), reason="something already listens on 127.0.0.1:5000")
def test_readme_getting_started_runs_verbatim(tmp_path):
    shutil.rmtree("/tmp/registry-data", ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "VIRTUAL_ENV"))}
    env["HOME"] = str(tmp_path / "home")
    env["PATH"] = ":".join(p for p in env["PATH"].split(":") if ".venv" not in p)
    work = tmp_path / "work"
    shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".venv*", ".git", "dist", "*.egg-info",
                                                              "__pycache__"))
    proc = subprocess.run(["bash", "-e", "-c", _readme_block()], cwd=work, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Pushed [registry] localhost:5000/hello-artifact:v1" in proc.stdout
    assert proc.stdout.rstrip().endswith("hello world")
    deadline = time.monotonic() + 10  # the block stops the registry it started
    while not _port_free(5000) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _port_free(5000)


def test_the_zipapp_is_one_file_that_pushes_and_pulls(tmp_path):
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "build-zipapp.sh")], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    app = ROOT / "dist" / "oras"
    (tmp_path / "a.txt").write_text("zipped\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["HOME"] = str(tmp_path)
    run = lambda *a: subprocess.run(["python3", str(app), *a], cwd=tmp_path, env=env,  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    assert run("push", "--oci-layout", "lay:v1", "a.txt").returncode == 0
    assert run("pull", "--oci-layout", "lay:v1", "-o", "out").returncode == 0
    assert (tmp_path / "out" / "a.txt").read_text() == "zipped\n"
