"""Interoperability with the peers users have: oras-py (PyPI ``oras``), skopeo and umoci.

``scripts/test.sh`` installs them (oras-py in its own venv, named by ``ORASX_TEST_ORAS_PY``).
"""

from __future__ import annotations

import hashlib
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
needs_umoci = pytest.mark.skipif(shutil.which("umoci") is None, reason="umoci not installed")


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


def _run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, f"{argv}: {proc.stdout}{proc.stderr}"
    return proc


@needs_skopeo
def test_a_superseded_referrers_index_stays_readable_by_skopeo(oras, registry, tmp_path):
    """A second attach on a registry without the referrers API replaces the ``sha256-<hex>``
    index; as the Go CLI (oras-go's SkipReferrersGC), the old one is not deleted, so a reader that
    resolved the tag before (here skopeo) still gets what it resolved."""
    (tmp_path / "a.txt").write_text("alpha\n")
    ref = f"{registry.host}/interop/gc"
    oras("push", f"{ref}:v1", "a.txt")
    oras("attach", f"{ref}:v1", "--artifact-type", "application/vnd.example.sig", "a.txt")
    subject = oras("resolve", f"{ref}:v1").stdout.strip()
    tag = subject.replace(":", "-")
    raw = _run("skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{ref}:{tag}",
               cwd=tmp_path).stdout
    old = "sha256:" + hashlib.sha256(raw.encode()).hexdigest()
    oras("attach", f"{ref}:v1", "--artifact-type", "application/vnd.example.sbom", "a.txt")
    assert oras("resolve", f"{ref}:{tag}").stdout.strip() != old
    again = _run("skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{ref}@{old}",
                 cwd=tmp_path).stdout
    assert again == raw and len(json.loads(again)["manifests"]) == 1


def _image(tmp_path: Path) -> None:
    """A one-layer image as ``oras push`` makes it: an image config (v1.0 packing) and a titled
    tar+gzip layer."""
    import gzip
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        data = b"hello from the cache\n"
        info = tarfile.TarInfo("etc/motd")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    layer = buf.getvalue()
    (tmp_path / "layer.tar.gz").write_bytes(gzip.compress(layer, mtime=0))
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    (tmp_path / "config.json").write_text(json.dumps({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]}}))


_IMAGE_ARGS = ("--config", "config.json:application/vnd.oci.image.config.v1+json",
               "layer.tar.gz:application/vnd.oci.image.layer.v1.tar+gzip")


@needs_skopeo
@needs_umoci
def test_oras_cache_is_an_image_layout_skopeo_and_umoci_read(oras, registry, tmp_path):
    """``ORAS_CACHE`` holds what each manifest it records references, the config included (a
    pull does not read it: it costs one small fetch per manifest), so the name a pull recorded is
    a complete image for skopeo and umoci."""
    _image(tmp_path)
    ref = f"{registry.host}/interop/cached"
    oras("push", f"{ref}:v1", *_IMAGE_ARGS)
    cache = tmp_path / "cache"
    env_oras = dict(os.environ, ORAS_CACHE=str(cache), HOME=str(tmp_path / ".home"))
    from tests.conftest import ORAS

    subprocess.run([ORAS, "pull", f"{ref}:v1", "-o", "out"], cwd=tmp_path, env=env_oras,
                   check=True, capture_output=True)
    name = f"{ref}:v1"
    _run("skopeo", "copy", f"oci:{cache}:{name}", "oci:copied:v1", cwd=tmp_path)
    stat = _run("umoci", "stat", "--image", f"{cache}:{name}", cwd=tmp_path).stdout
    assert "LAYER" in stat
    _run("umoci", "unpack", "--rootless", "--image", f"{cache}:{name}", "bundle", cwd=tmp_path)
    assert (tmp_path / "bundle" / "rootfs" / "etc" / "motd").read_text() == "hello from the cache\n"


@needs_skopeo
def test_snapshot_cache_is_an_image_layout_skopeo_reads(oras, registry, tmp_path):
    """``orasx.snapshot`` shares the cache: the manifest it resolved has its config there too."""
    import orasx

    _image(tmp_path)
    ref = f"{registry.host}/interop/snap"
    oras("push", f"{ref}:v1", *_IMAGE_ARGS)
    cache = tmp_path / "cache"
    orasx.snapshot(f"{ref}:v1", cache_dir=str(cache))
    _run("skopeo", "copy", f"oci:{cache}:{ref}:v1", "oci:copied:v1", cwd=tmp_path)
    index = json.loads((tmp_path / "copied" / "index.json").read_text())
    assert len(index["manifests"]) == 1
