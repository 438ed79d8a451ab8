"""Small loopback servers for the tests: a token server, a recording server and a fault proxy.

The proxy forwards to a real registry and lets a test change what passes (answer 401 after N
uses of a token, redirect a blob elsewhere, move an upload's Location, inject faults); only
what the real registry cannot do on demand is faked.
"""

from __future__ import annotations

import base64
import http.client
import json
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from tests.support.pki import Pair


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    """A response; the fault fields make it misbehave on purpose."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: send only this many body bytes (after a full Content-Length), then cut the connection
    cut_after: int | None = None
    #: seconds to wait before the body
    delay: float = 0.0
    #: seconds between 64 KiB pieces of the body
    trickle: float = 0.0
    #: close the connection without answering at all
    drop: bool = False


Handler = Callable[[Request], Reply]


class Server:
    """A threaded HTTP/1.1 server on 127.0.0.x that records every request and answers via ``handle``.

    ``host`` is ``localhost:PORT`` on 127.0.0.1 (plain HTTP by default), else ``127.0.0.x:PORT``
    (clients need ``--plain-http`` for it)."""

    def __init__(self, handle: Handler, host: str = "127.0.0.1") -> None:
        self.handle = handle
        self.requests: list[Request] = []
        outer = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                req = Request(self.command, self.path, dict(self.headers.items()), body)
                outer.requests.append(req)
                reply = outer.handle(req)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in reply.headers:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if self.command == "HEAD":
                    return
                if reply.delay:
                    self.wfile.flush()
                    time.sleep(reply.delay)
                body = reply.body if reply.cut_after is None else reply.body[:reply.cut_after]
                if reply.trickle:
                    for i in range(0, len(body), 65536):
                        self.wfile.write(body[i:i + 65536])
                        self.wfile.flush()
                        time.sleep(reply.trickle)
                else:
                    self.wfile.write(body)
                if reply.cut_after is not None:
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)

            do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = do_DELETE = _serve

        class _Quiet(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # clients that hang up on a faulty answer are expected here

        self.httpd = _Quiet((host, 0), _H)
        self.httpd.daemon_threads = True
        # 127.0.0.1 is named localhost: the one name reached over plain HTTP by default
        self.host = f"{'localhost' if host == '127.0.0.1' else host}:{self.httpd.server_address[1]}"
        self.url = f"http://{self.host}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def saw_header(self, name: str) -> bool:
        return any(name.lower() in (k.lower() for k in r.headers) for r in self.requests)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenServer(Server):
    """Issues registry JWTs (RS256, x5c) for the scopes asked for, by GET or the OAuth2 POST."""

    def __init__(self, signer: Pair, *, service: str = "orasx-test",
                 issuer: str = "orasx-test-issuer") -> None:
        self.signer = signer
        self.service = service
        self.issuer = issuer
        self.users: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.denied_actions: set[str] = set()
        self.issued: list[str] = []
        super().__init__(self._token)

    def _jwt(self, subject: str, scopes: list[str]) -> str:
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            granted = [a for a in actions.split(",") if a and a not in self.denied_actions]
            access.append({"type": kind, "name": name, "actions": granted})
        der = self.signer.certificate.public_bytes(serialization.Encoding.DER)
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": subject, "aud": self.service, "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": secrets.token_hex(8), "access": access}
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        sig = self.signer.private_key.sign(signing_input.encode(), padding.PKCS1v15(),
                                           hashes.SHA256())
        token = f"{signing_input}.{_b64url(sig)}"
        self.issued.append(token)
        return token

    def _token(self, req: Request) -> Reply:
        url = urllib.parse.urlsplit(req.path)
        if url.path != "/token":
            return Reply(404)
        subject = ""
        if req.method == "POST":
            form = dict(urllib.parse.parse_qsl(req.body.decode()))
            scopes = [s for s in form.get("scope", "").split(" ") if s]
            if form.get("grant_type") == "refresh_token":
                subject = self.refresh_tokens.get(form.get("refresh_token", ""), "")
            elif (form.get("grant_type") == "password"
                  and self.users.get(form.get("username", "")) == form.get("password")):
                subject = form.get("username", "")
            if not subject:
                return Reply(401, body=b'{"error":"invalid_grant"}')
            return Reply(200, {"Content-Type": "application/json"},
                         json.dumps({"access_token": self._jwt(subject, scopes),
                                     "expires_in": 300}).encode())
        query = urllib.parse.parse_qs(url.query)
        scopes = query.get("scope", [])
        auth = req.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if self.users.get(user) != password:
                return Reply(401, body=b'{"errors":[{"code":"UNAUTHORIZED"}]}')
            subject = user
        elif self.users:
            scopes = []  # anonymous: nothing granted
        return Reply(200, {"Content-Type": "application/json"},
                     json.dumps({"token": self._jwt(subject, scopes), "expires_in": 300}).encode())


class Proxy(Server):
    """Forwards every request to ``upstream`` (host:port), after ``hook`` had its say.

    ``hook(request)`` may return a :class:`Reply` to answer instead of the registry; ``rewrite``
    may change the registry's reply before it goes back.
    """

    def __init__(self, upstream: str, *, hook: Handler | None = None,
                 rewrite: Callable[[Request, Reply], Reply] | None = None) -> None:
        self.upstream = upstream
        self.hook: Callable[[Request], Reply | None] = hook or (lambda _r: None)
        self.rewrite = rewrite or (lambda _req, rep: rep)
        super().__init__(self._forward)

    def forward(self, req: Request) -> Reply:
        host, _, port = self.upstream.rpartition(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        headers = {k: v for k, v in req.headers.items() if k.lower() not in ("host", "connection")}
        headers["Host"] = self.upstream
        conn.request(req.method, req.path, body=req.body or None, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        dropped = ("transfer-encoding", "connection") + (() if req.method == "HEAD"
                                                          else ("content-length",))
        out = {k: v for k, v in resp.getheaders() if k.lower() not in dropped}
        if "Location" in out:  # under the name the client used (localhost or 127.0.0.1)
            here = f"http://{req.headers.get('Host') or self.host}"
            out["Location"] = out["Location"].replace(f"http://{self.upstream}", here)
        conn.close()
        return Reply(resp.status, out, body)

    def _forward(self, req: Request) -> Reply:
        early = self.hook(req)
        if early is not None:
            return early
        return self.rewrite(req, self.forward(req))


class ReferrersAPIProxy(Proxy):
    """A spec-following referrers API (``GET /v2/<name>/referrers/<digest>``) in front of a
    Distribution 2.8 registry, which has none: manifests pushed with a ``subject`` are recorded
    and the PUT answers with ``OCI-Subject``, as an OCI 1.1 registry does."""

    def __init__(self, upstream: str) -> None:
        self.referrers: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.subject_of: dict[tuple[str, str], str] = {}
        super().__init__(upstream, hook=self._api, rewrite=self._record)

    def _api(self, req: Request) -> Reply | None:
        path = urllib.parse.urlsplit(req.path)
        parts = path.path.split("/referrers/")
        if req.method == "GET" and len(parts) == 2 and parts[0].startswith("/v2/"):
            name = parts[0][len("/v2/"):]
            want = urllib.parse.parse_qs(path.query).get("artifactType", [""])[0]
            found = [d for d in self.referrers.get((name, parts[1]), [])
                     if not want or d.get("artifactType") == want]
            body = json.dumps({"schemaVersion": 2,
                               "mediaType": "application/vnd.oci.image.index.v1+json",
                               "manifests": found}).encode()
            headers = {"Content-Type": "application/vnd.oci.image.index.v1+json"}
            if want:
                headers["OCI-Filters-Applied"] = "artifactType"
            return Reply(200, headers, body)
        return None

    def _record(self, req: Request, rep: Reply) -> Reply:
        path = urllib.parse.urlsplit(req.path).path
        if "/manifests/" not in path:
            return rep
        name = path[len("/v2/"):path.index("/manifests/")]
        if req.method == "PUT" and rep.status == 201:
            try:
                doc = json.loads(req.body)
            except ValueError:
                return rep
            subject = (doc.get("subject") or {}).get("digest")
            if subject:
                digest = rep.headers.get("Docker-Content-Digest", "")
                artifact_type = doc.get("artifactType") or doc.get("config", {}).get("mediaType")
                entry = {"mediaType": doc.get("mediaType"), "digest": digest,
                         "size": len(req.body), "artifactType": artifact_type}
                if doc.get("annotations"):
                    entry["annotations"] = doc["annotations"]
                items = self.referrers.setdefault((name, subject), [])
                if all(e["digest"] != digest for e in items):
                    items.append(entry)
                self.subject_of[(name, digest)] = subject
                rep.headers["OCI-Subject"] = subject
        if req.method == "DELETE" and rep.status == 202:
            digest = path.rsplit("/", 1)[1]
            subject = self.subject_of.pop((name, digest), None)
            if subject:
                self.referrers[(name, subject)] = [
                    e for e in self.referrers.get((name, subject), []) if e["digest"] != digest]
        return rep
