"""Credentials stay with their origin: redirects, upload Locations, realms, proxies, token expiry."""

from __future__ import annotations

import base64
import urllib.parse
from pathlib import Path

import pytest

from tests.support.servers import Proxy, Reply, Request, Server

BASIC = "Basic " + base64.b64encode(b"alice:s3cret-pw").decode()


@pytest.fixture
def blob_redirect(auth_registry):
    """Proxy that sends authenticated blob GETs to a second origin, which serves them."""
    holder: dict[str, Proxy] = {}

    def serve_elsewhere(req: Request) -> Reply:
        original = urllib.parse.parse_qs(urllib.parse.urlsplit(req.path).query)["p"][0]
        return holder["proxy"].forward(Request("GET", original, {"Authorization": BASIC}, b""))

    other = Server(serve_elsewhere)

    def hook(req: Request) -> Reply | None:
        if req.method == "GET" and "/blobs/sha256:" in req.path and "Authorization" in req.headers:
            return Reply(307, {"Location": f"{other.url}/storage?p={urllib.parse.quote(req.path)}"})
        return None

    proxy = Proxy(auth_registry.host, hook=hook)
    holder["proxy"] = proxy
    yield proxy, other
    proxy.stop()
    other.stop()


def test_redirect_to_another_port_never_gets_credentials_or_custom_headers(
        oras, blob_redirect, tmp_path: Path):
    proxy, other = blob_redirect
    (tmp_path / "f.txt").write_text("redirected bytes")
    oras("push", f"{proxy.host}/leak/a:v1", "f.txt", "-u", "alice", "--password-stdin",
         input="s3cret-pw")
    oras("pull", f"{proxy.host}/leak/a:v1", "-o", "out", "-u", "alice", "--password-stdin",
         "-H", "X-Api-Key: k3y-value", input="s3cret-pw")
    assert (tmp_path / "out" / "f.txt").read_text() == "redirected bytes"
    assert other.requests, "the blob was not fetched from the redirect target"
    assert not other.saw_header("Authorization")
    assert not other.saw_header("X-Api-Key")
    assert any("X-Api-Key" in r.headers for r in proxy.requests)


def test_upload_location_on_another_origin_gets_no_credentials(oras, auth_registry,
                                                                tmp_path: Path):
    holder: dict[str, Proxy] = {}

    def complete_upload(req: Request) -> Reply:
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(req.path).query)
        target = urllib.parse.urlsplit(q["u"][0])
        path = target.path + "?" + target.query + "&digest=" + urllib.parse.quote(q["digest"][0])
        return holder["proxy"].forward(Request("PUT", path, {
            "Authorization": BASIC, "Content-Type": "application/octet-stream",
            "Content-Length": str(len(req.body))}, req.body))

    other = Server(complete_upload)

    def rewrite(req: Request, rep: Reply) -> Reply:
        if req.method == "POST" and "/blobs/uploads/" in req.path and rep.status == 202:
            rep.headers["Location"] = f"{other.url}/upload?u={urllib.parse.quote(rep.headers['Location'])}"
        return rep

    proxy = Proxy(auth_registry.host, rewrite=rewrite)
    holder["proxy"] = proxy
    try:
        (tmp_path / "f.txt").write_text("uploaded elsewhere")
        oras("push", f"{proxy.host}/leak/b:v1", "f.txt", "-u", "alice", "--password-stdin",
             input="s3cret-pw")
        assert [r.method for r in other.requests] and not other.saw_header("Authorization")
        oras("pull", f"{auth_registry.host}/leak/b:v1", "-o", "o", "-u", "alice",
             "--password-stdin", input="s3cret-pw")
        assert (tmp_path / "o" / "f.txt").read_text() == "uploaded elsewhere"
    finally:
        proxy.stop()
        other.stop()


def test_redirect_to_same_port_other_hostname_is_another_origin(oras, auth_registry,
                                                                 tmp_path: Path):
    def hook(req: Request) -> Reply | None:
        if (req.method == "GET" and "/blobs/sha256:" in req.path
                and req.headers.get("Host", "").startswith("127.0.0.1")
                and "Authorization" in req.headers):
            port = req.headers["Host"].rpartition(":")[2]
            return Reply(307, {"Location": f"http://localhost:{port}{req.path}"})
        return None

    proxy = Proxy(auth_registry.host, hook=hook)
    # the proxy under its IP (plain HTTP asked for): the redirect names it localhost
    ip_host = f"127.0.0.1:{proxy.host.rpartition(':')[2]}"
    try:
        (tmp_path / "f.txt").write_text("x")
        oras("push", "--plain-http", f"{ip_host}/leak/c:v1", "f.txt", "-u", "alice",
             "--password-stdin", input="s3cret-pw")
        proc = oras("pull", "--plain-http", f"{ip_host}/leak/c:v1", "-o", "out", "-u", "alice",
                    "--password-stdin", input="s3cret-pw", ok=False)
        assert proc.returncode == 1
        to_localhost = [r for r in proxy.requests if r.headers.get("Host", "").startswith("localhost")]
        assert to_localhost and not any("Authorization" in r.headers for r in to_localhost)
        assert not (tmp_path / "out" / "f.txt").exists()
    finally:
        proxy.stop()


def test_realm_on_another_loopback_address_is_refused(oras, tmp_path: Path):
    trap = Server(lambda _r: Reply(200, body=b'{"token":"x"}'), host="127.0.0.2")
    fake = Server(lambda _r: Reply(401, {
        "WWW-Authenticate": f'Bearer realm="{trap.url}/token",service="x"'}))
    try:
        (tmp_path / "f.txt").write_text("x")
        proc = oras("push", f"{fake.host}/r:v1", "f.txt", "-u", "alice", "--password-stdin",
                    input="s3cret-pw", ok=False)
        assert proc.returncode == 1 and "refusing token realm" in proc.stderr
        assert trap.requests == []
    finally:
        trap.stop()
        fake.stop()


def test_expired_token_is_refreshed_once(oras, token_registry, tmp_path: Path):
    uses: dict[str, int] = {}
    challenge = (f'Bearer realm="{token_registry.tokens.url}/token",'
                 f'service="{token_registry.tokens.service}",scope="repository:exp/a:pull,push"')

    def hook(req: Request) -> Reply | None:
        auth = req.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or req.method == "PUT":
            return None
        uses[auth] = uses.get(auth, 0) + 1
        if uses[auth] > 2:
            return Reply(401, {"WWW-Authenticate": challenge}, b'{"errors":[{"code":"UNAUTHORIZED"}]}')
        return None

    proxy = Proxy(token_registry.registry.host, hook=hook)
    try:
        for i in range(4):
            (tmp_path / f"f{i}.txt").write_text(f"file {i}")
        before = len(token_registry.tokens.issued)
        oras("push", f"{proxy.host}/exp/a:v1", "f0.txt", "f1.txt", "f2.txt", "f3.txt",
             "--concurrency", "1", "-u", "bob", "--password-stdin", input="b0b-password")
        assert len(token_registry.tokens.issued) - before >= 2
    finally:
        proxy.stop()


def test_http_proxy_from_the_environment_is_used(registry, tmp_path: Path):
    import os
    import subprocess

    from tests.conftest import ORAS

    forward = Proxy(registry.host)
    env = {**os.environ, "HTTP_PROXY": forward.url, "http_proxy": forward.url, "NO_PROXY": "",
           "no_proxy": "", "HOME": str(tmp_path)}
    try:
        (tmp_path / "f.txt").write_text("via proxy")
        subprocess.run([ORAS, "push", f"{registry.host}/proxied:v1", "f.txt"], cwd=tmp_path,
                       env=env, check=True, capture_output=True)
        assert any(r.path.startswith("http://") for r in forward.requests)
        n = len(forward.requests)
        env["NO_PROXY"] = env["no_proxy"] = "localhost"
        subprocess.run([ORAS, "pull", f"{registry.host}/proxied:v1", "-o", "o"], cwd=tmp_path,
                       env=env, check=True, capture_output=True)
        assert len(forward.requests) == n
        assert (tmp_path / "o" / "f.txt").read_text() == "via proxy"
    finally:
        forward.stop()
