"""Images with non-distributable layers (Windows base images): the registry does not hold the
layer, clients fetch it from its ``urls``. The Go CLI and skopeo copy such images without it; so do we
(``cp`` between registries, to and from layouts, ``backup`` and ``restore``)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from tests.support.registry import Registry, start_registry

ALLOW_URLS = "validation:\n  manifests:\n    urls:\n      allow:\n        - ^https?://\n"
FOREIGN = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def foreign_registry() -> Iterator[Registry]:
    reg = start_registry(extra_config=ALLOW_URLS)
    try:
        yield reg
    finally:
        reg.stop()


def _windows_like_image(oras, reg: str, repo: str, tmp_path) -> dict[str, object]:  # type: ignore[no-untyped-def]
    cfg = b'{"architecture":"amd64","os":"windows","rootfs":{"type":"layers","diff_ids":[]}}'
    layer = b"alpha\n"
    for name, blob in (("cfg.json", cfg), ("layer.bin", layer)):
        (tmp_path / name).write_bytes(blob)
        oras("blob", "push", f"{reg}/{repo}", str(tmp_path / name))
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": _digest(cfg), "size": len(cfg)},
                "layers": [{"mediaType": FOREIGN, "digest": _digest(b"elsewhere"), "size": 9,
                            "urls": ["https://example.invalid/base.tar.gz"]},
                           {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                            "digest": _digest(layer), "size": len(layer)}]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    oras("manifest", "push", f"{reg}/{repo}:v1", str(tmp_path / "manifest.json"))
    return manifest


def test_copies_of_an_image_with_a_foreign_layer_leave_the_layer_out(oras, foreign_registry, tmp_path):
    reg = foreign_registry.host
    manifest = _windows_like_image(oras, reg, "win/base", tmp_path)
    oras("cp", f"{reg}/win/base:v1", f"{reg}/win/copy:v1")
    oras("cp", f"{reg}/win/base:v1", "--to-oci-layout", f"{tmp_path / 'lay'}:v1")
    assert not (tmp_path / "lay/blobs/sha256" / _digest(b"elsewhere")[7:]).exists()
    oras("cp", "--from-oci-layout", f"{tmp_path / 'lay'}:v1", f"{reg}/win/back:v1")
    oras("backup", f"{reg}/win/base:v1", "-o", str(tmp_path / "bk.tar"))
    oras("restore", "--input", str(tmp_path / "bk.tar"), f"{reg}/win/restored")
    for repo in ("copy", "back", "restored"):
        got = oras("manifest", "fetch", f"{reg}/win/{repo}:v1").stdout
        assert json.loads(got) == manifest


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo not installed")
def test_skopeo_reads_the_layout_we_wrote_and_skips_the_layer_as_we_do(oras, foreign_registry, tmp_path):
    reg = foreign_registry.host
    _windows_like_image(oras, reg, "win/sk", tmp_path)
    oras("cp", f"{reg}/win/sk:v1", "--to-oci-layout", f"{tmp_path / 'ours'}:v1")
    raw = subprocess.run(["skopeo", "inspect", "--raw", f"oci:{tmp_path / 'ours'}:v1"],
                         check=True, capture_output=True).stdout
    assert json.loads(raw)["layers"][0]["mediaType"] == FOREIGN
    # skopeo, like the Go CLI and us, copies the image without fetching the foreign layer
    subprocess.run(["skopeo", "copy", "--src-tls-verify=false", f"docker://{reg}/win/sk:v1",
                    f"oci:{tmp_path / 'theirs'}:v1"], check=True, capture_output=True)
    assert not (tmp_path / "theirs/blobs/sha256" / _digest(b"elsewhere")[7:]).exists()
