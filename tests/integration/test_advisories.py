"""One named regression test per advisory class in shared/reference/security-anchors.md that is not
already covered by name elsewhere (docs/security.md maps every advisory to its test)."""

from __future__ import annotations

import gzip
import io
import os

import pytest

from orasx.descriptor import Descriptor
from orasx.errors import VerificationError
from orasx.registry.remote import Repository
from tests.support.servers import Proxy, Reply, Request


def test_c7_content_encoding_is_not_decoded_so_a_gzip_bomb_fails_the_digest(registry):
    data = os.urandom(1000)
    desc = Descriptor.from_bytes("application/octet-stream", data)
    repo = Repository(f"{registry.host}/adv/c7")
    repo.push(desc, io.BytesIO(data))
    bomb = gzip.compress(b"\0" * (8 * 1024 * 1024))

    def hook(req: Request) -> Reply | None:
        if req.method == "GET" and "/blobs/" in req.path:
            return Reply(200, {"Content-Encoding": "gzip", "Content-Length": str(len(bomb))}, bomb)
        return None

    proxy = Proxy(registry.host, hook=hook)
    try:
        evil = Repository(f"{proxy.host}/adv/c7")
        with pytest.raises(VerificationError, match="registry sent"):
            evil.fetch(desc)  # the raw (compressed) length is checked; nothing is inflated
    finally:
        proxy.stop()

def test_d2_docker_content_digest_header_mismatch_is_refused(registry):
    data = b"header check"
    desc = Descriptor.from_bytes("application/octet-stream", data)
    Repository(f"{registry.host}/adv/d2").push(desc, io.BytesIO(data))

    def rewrite(req: Request, rep: Reply) -> Reply:
        if "/blobs/" in req.path:
            rep.headers["Docker-Content-Digest"] = "sha256:" + "f" * 64
        return rep

    proxy = Proxy(registry.host, rewrite=rewrite)
    try:
        with pytest.raises(VerificationError, match="registry says"):
            Repository(f"{proxy.host}/adv/d2").fetch(desc)
    finally:
        proxy.stop()
