"""Debian's own python3 (bookworm: 3.11.2, older than tarfile's data filter) pulls directories through
the two ways the README installs orasx for it: ``pipx install .`` and the zipapp."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEBIAN_PYTHON = "/usr/bin/python3"

pytestmark = pytest.mark.skipif(not os.access(DEBIAN_PYTHON, os.X_OK),
                                reason=f"no {DEBIAN_PYTHON} (not a Debian machine)")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DOCKER_", "VIRTUAL_ENV", "PYTHON", "PIPX_"))}
    env["HOME"] = str(tmp_path / "home")
    env["PATH"] = ":".join(p for p in env["PATH"].split(":") if ".venv" not in p)
    return env


def _run(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, f"{args} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _make_dir(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "mydir" / "sub").mkdir(parents=True)
    (src / "mydir" / "a.txt").write_text("a\n")
    (src / "mydir" / "sub" / "b.txt").write_text("b\n")
    (src / "mydir" / "link").symlink_to("sub/b.txt")
    return src


def _check(out: Path) -> None:
    assert (out / "mydir" / "a.txt").read_text() == "a\n"
    assert (out / "mydir" / "sub" / "b.txt").read_text() == "b\n"
    assert os.readlink(out / "mydir" / "link") == "sub/b.txt"


def _round_trip(oras: list[str | Path], ref: str, tmp_path: Path, env: dict[str, str]) -> None:
    src = _make_dir(tmp_path)
    _run(*oras, "push", ref, "mydir", cwd=src, env=env)
    _run(*oras, "pull", ref, "-o", tmp_path / "out", cwd=tmp_path, env=env)
    _check(tmp_path / "out")
    _run(*oras, "push", "--oci-layout", tmp_path / "layout:v1", "mydir", cwd=src, env=env)
    _run(*oras, "pull", "--oci-layout", tmp_path / "layout:v1", "-o", tmp_path / "out2",
         cwd=tmp_path, env=env)
    _check(tmp_path / "out2")


@pytest.mark.skipif(not shutil.which("pipx"), reason="no pipx (scripts/test.sh installs it)")
def test_pipx_install_with_debians_python_pulls_a_directory(registry, repo_name, tmp_path):
    env = _env(tmp_path)
    env.update(PIPX_HOME=str(tmp_path / "pipx"), PIPX_BIN_DIR=str(tmp_path / "bin"),
               PIPX_MAN_DIR=str(tmp_path / "man"))
    work = tmp_path / "checkout"
    shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(
        ".venv*", ".git", "dist", "build", "*.egg-info", "__pycache__", ".mypy_cache", ".hypothesis"))
    _run("pipx", "install", "--python", DEBIAN_PYTHON, ".", cwd=work, env=env)
    version = _run(tmp_path / "pipx" / "venvs" / "orasx" / "bin" / "python", "-c",
                   "import platform; print(platform.python_version())", cwd=tmp_path, env=env)
    expected = _run(DEBIAN_PYTHON, "-c", "import platform; print(platform.python_version())",
                    cwd=tmp_path, env=env)
    assert version.stdout == expected.stdout
    _round_trip([tmp_path / "bin" / "oras"], f"{registry.localhost}/{repo_name}:v1", tmp_path, env)


def test_zipapp_run_by_debians_python_pulls_a_directory(registry, repo_name, tmp_path):
    env = _env(tmp_path)
    app = tmp_path / "oras.pyz"
    _run("bash", ROOT / "scripts" / "build-zipapp.sh", app, cwd=tmp_path, env=env)
    _round_trip([DEBIAN_PYTHON, app], f"{registry.localhost}/{repo_name}:v1", tmp_path, env)
