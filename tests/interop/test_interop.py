"""Interoperability with the peers users have: oras-py (PyPI ``oras``) and skopeo.

``scripts/test.sh`` installs both (oras-py in its own venv, named by ``ORASX_TEST_ORAS_PY``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ORAS_PY = os.environ.get("ORASX_TEST_ORAS_PY", "")
needs_oras_py = pytest.mark.skipif(not ORAS_PY, reason="ORASX_TEST_ORAS_PY is not set "
                                   "(scripts/test.sh sets it)")
needs_skopeo = pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo not installed")


def _tree(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("alpha\n")
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "sub" / "x.bin").write_bytes(os.urandom(50_000))


def _same(a: Path, b: Path) -> None:
    assert (a / "a.txt").read_bytes() == (b / "a.txt").read_bytes()
    assert (a / "d" / "sub" / "x.bin").read_bytes() == (b / "d" / "sub" / "x.bin").read_bytes()


def _py(script: str, cwd: Path) -> str:
    return subprocess.run([ORAS_PY, "-c", script], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout


@needs_oras_py
def test_oras_py_pulls_what_orasx_pushed(oras, registry, tmp_path):
    _tree(tmp_path)
    oras("push", f"{registry.host}/interop/py-pull:v1", "a.txt", "d")
    out = tmp_path / "py"
    _py("import oras.client; c = oras.client.OrasClient(insecure=True); "
        f"c.pull(target='{registry.host}/interop/py-pull:v1', outdir='py')", tmp_path)
    _same(tmp_path, out)


@needs_oras_py
def test_orasx_pulls_what_oras_py_pushed(oras, registry, tmp_path):
    _tree(tmp_path)
    _py("import oras.client; c = oras.client.OrasClient(insecure=True); "
        f"c.push(target='{registry.host}/interop/py-push:v1', files=['a.txt', 'd'])", tmp_path)
    oras("pull", f"{registry.host}/interop/py-push:v1", "-o", "got")
    got = tmp_path / "got"
    assert (got / "a.txt").read_bytes() == (tmp_path / "a.txt").read_bytes()
    # oras-py packs directories as tar+gzip without the io.deis.oras.content.unpack annotation,
    # so (as with the Go CLI) the layer arrives as the archive itself, verified.
    import tarfile

    with tarfile.open(got / "d") as tar:
        member = tar.extractfile("d/sub/x.bin")
        assert member is not None
        assert member.read() == (tmp_path / "d" / "sub" / "x.bin").read_bytes()


@needs_skopeo
def test_skopeo_copies_what_orasx_pushed_and_back(oras, registry, tmp_path):
    _tree(tmp_path)
    oras("push", f"{registry.host}/interop/sk:v1", "a.txt", "d")
    subprocess.run(["skopeo", "copy", "--src-tls-verify=false",
                    f"docker://{registry.host}/interop/sk:v1", "oci:sklayout:v1"],
                   cwd=tmp_path, check=True, capture_output=True)
    index = json.loads((tmp_path / "sklayout" / "index.json").read_text())
    assert index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == "v1"
    oras("pull", "--oci-layout", "sklayout:v1", "-o", "from-layout")
    _same(tmp_path, tmp_path / "from-layout")
    subprocess.run(["skopeo", "copy", "--dest-tls-verify=false", "oci:sklayout:v1",
                    f"docker://{registry.host}/interop/sk-back:v1"],
                   cwd=tmp_path, check=True, capture_output=True)
    oras("pull", f"{registry.host}/interop/sk-back:v1", "-o", "from-skopeo")
    _same(tmp_path, tmp_path / "from-skopeo")
