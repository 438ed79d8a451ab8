"""A first push of a big file against a real registry: hashed while it is uploaded (read once).

The file is never hashed before the upload (the hashing functions fail if called), the manifest
names the digest of what the registry stored, and a second push of the same file (its digest now
remembered) checks existence first instead of uploading it again.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

import orasx
from orasx.content import _digestcache
from orasx.descriptor import EMPTY_DESCRIPTOR, Descriptor
from orasx.registry import _pushplan
from orasx.registry.remote import Repository
from tests.e2e.helpers import PLAIN, get_blob, get_manifest
from tests.support.servers import Proxy, Reply, Request


def test_first_push_hashes_while_uploading_and_a_re_push_checks_existence(
        registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ORASX_NO_DIGEST_CACHE", raising=False)
    monkeypatch.setattr(_pushplan, "UPLOAD_HASHING_MIN", 1024 * 1024)
    monkeypatch.setattr(_digestcache, "MIN_SIZE", 1024 * 1024)
    monkeypatch.chdir(tmp_path)
    data = os.urandom(3 * 1024 * 1024 + 1)
    Path("big.bin").write_bytes(data)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()

    def no_hashing(path: str) -> None:
        raise AssertionError(f"{path} was hashed before the upload")

    with monkeypatch.context() as m:
        m.setattr(_digestcache, "hash_file", no_hashing)
        copied: list[str] = []
        result = orasx.push(f"{registry.host}/upload/hashing:v1", ["big.bin"], remote=PLAIN,
                            hooks=orasx.Hooks(on_copied=lambda d: copied.append(str(d.digest))))
    doc, _ = get_manifest(registry.host, "upload/hashing", "v1")
    assert [layer["digest"] for layer in doc["layers"]] == [digest]
    assert doc["layers"][0]["size"] == len(data)
    assert doc["layers"][0]["annotations"] == {"org.opencontainers.image.title": "big.bin"}
    assert get_blob(registry.host, "upload/hashing", digest) == data
    assert digest in copied and result.descriptor.digest is not None  # reported as uploaded

    skipped: list[str] = []
    orasx.push(f"{registry.host}/upload/hashing:v2", ["big.bin"], remote=PLAIN,
               annotations={"another": "manifest"},
               hooks=orasx.Hooks(on_skipped=lambda d: skipped.append(str(d.digest))))
    assert digest in skipped  # remembered digest: HEAD said it exists, nothing uploaded


def test_a_new_tag_of_pushed_files_checks_no_blob_the_repository_names(
        registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a.txt", "b.txt", "c.txt"):
        Path(name).write_text(f"{name}\n")
    orasx.push(f"{registry.host}/upload/retag:v1", ["a.txt", "b.txt", "c.txt"], remote=PLAIN)
    Path("c.txt").write_text("changed\n")
    asked: list[str] = []
    real = Repository.exists

    def exists(self: Repository, desc: Descriptor) -> bool:
        asked.append(desc.title or desc.media_type)
        return real(self, desc)

    monkeypatch.setattr(Repository, "exists", exists)
    orasx.push(f"{registry.host}/upload/retag:v2", ["a.txt", "b.txt", "c.txt"], remote=PLAIN)
    # the blobs of tag v1 (the tag list's first) are known: of the blobs, only the changed
    # file is asked about (the new manifest is too)
    assert [a for a in asked if a != "application/vnd.oci.image.manifest.v1+json"] == ["c.txt"], asked
    doc, _ = get_manifest(registry.host, "upload/retag", "v2")
    assert [layer["annotations"]["org.opencontainers.image.title"] for layer in doc["layers"]] \
        == ["a.txt", "b.txt", "c.txt"]


def test_the_config_goes_out_while_a_big_file_uploads(registry, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    # The proxy holds the big file's upload until the config blob has arrived: a push that sent
    # the config only after the file (two round trips later) would wait out the 20 s and fail.
    monkeypatch.setattr(_pushplan, "UPLOAD_HASHING_MIN", 1024 * 1024)
    monkeypatch.chdir(tmp_path)
    Path("big.bin").write_bytes(os.urandom(2 * 1024 * 1024))
    config_in = threading.Event()
    held: list[bool] = []

    def hook(req: Request) -> Reply | None:
        if req.method == "PUT" and EMPTY_DESCRIPTOR.digest.encoded in req.path:
            config_in.set()
        elif req.method == "PATCH":
            held.append(config_in.wait(20))
        return None

    proxy = Proxy(registry.host, hook=hook)
    try:
        lines: list[str] = []
        orasx.push(f"{proxy.host}/upload/early-config:v1", ["big.bin"], remote=PLAIN,
                   hooks=orasx.Hooks(on_copied=lambda d: lines.append(d.media_type),
                                     on_skipped=lambda d: lines.append("skipped " + d.media_type)))
    finally:
        proxy.stop()
    assert held == [True]
    doc, _ = get_manifest(registry.host, "upload/early-config", "v1")
    assert doc["config"]["digest"] == str(EMPTY_DESCRIPTOR.digest)
    assert get_blob(registry.host, "upload/early-config", str(EMPTY_DESCRIPTOR.digest)) == b"{}"
    # reported once, as uploaded (not also as found existing by the manifest's copy)
    assert lines.count(EMPTY_DESCRIPTOR.media_type) == 1 and not any("skipped" in x for x in lines)


def test_a_config_refused_while_a_big_file_uploads_fails_the_push(registry, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch):
    # The config's upload fails on its own thread: the push reports it and tags nothing.
    monkeypatch.setattr(_pushplan, "UPLOAD_HASHING_MIN", 1024 * 1024)
    monkeypatch.chdir(tmp_path)
    Path("big.bin").write_bytes(os.urandom(2 * 1024 * 1024))

    def hook(req: Request) -> Reply | None:
        if req.method == "PUT" and EMPTY_DESCRIPTOR.digest.encoded in req.path:
            return Reply(403, {"Content-Type": "application/json"},
                         b'{"errors":[{"code":"DENIED","message":"no config for you"}]}')
        return None

    proxy = Proxy(registry.host, hook=hook)
    try:
        with pytest.raises(orasx.OrasError, match="no config for you"):
            orasx.push(f"{proxy.host}/upload/refused-config:v1", ["big.bin"], remote=PLAIN)
    finally:
        proxy.stop()
    with pytest.raises(orasx.NotFoundError):
        orasx.api.resolve(f"{registry.host}/upload/refused-config:v1", remote=PLAIN)
