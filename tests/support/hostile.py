"""A hostile OCI registry on loopback, and a runner that measures the ``oras`` command against it.

``HostileRegistry("scenario-name")`` starts a ``ThreadingHTTPServer`` on ``127.0.0.1`` (a free
port) that implements just enough of the distribution API (``/v2/``, manifests by tag and digest
with correct digests, blobs, uploads, ``tags/list``, referrers, a token realm) to lead a client into
one trap, chosen by name from :data:`SCENARIOS`. It is a context manager::

    with HostileRegistry("tags-endless-pages") as reg:
        outcome = run_oras(["repo", "tags", "--plain-http", reg.ref()], cwd=tmp, timeout=12)

The server never connects anywhere: it only answers. Every absolute URL it hands out (``Location``,
``Link``, token realm) names a loopback host (``127.0.0.1`` or ``[::1]``; checked on every header
it sends), and the malformed ones (port 99999, a broken IPv6 literal) cannot be connected to at
all. A scenario that fails itself is recorded in ``HostileRegistry.errors``.

:func:`run_oras` runs the installed ``oras`` under ``RLIMIT_AS`` (a runaway child dies instead of
the machine) and ``RLIMIT_FSIZE`` (a runaway download cannot fill the disk), kills it at a
deadline, and reports exit code, output, wall time and peak RSS (``VmHWM`` polled, plus
``wait4``'s ``ru_maxrss``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import tarfile
import tempfile
import termios
import threading
import time
import urllib.parse
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

LOOPBACK = "127.0.0.1"
REPO = "hostile"

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar"
DIR_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
TITLE = "org.opencontainers.image.title"
UNPACK = "io.deis.oras.content.unpack"

#: What the terminal-injection scenarios smuggle in: an OSC window-title change ended by BEL, a
#: CSI clear-screen, rich markup and a fake success line.
ESCAPES = "\x1b]0;pwned\x07\x1b[2J[bold]evil"
ERROR_MESSAGE = "\x1b]0;pwned\x07 Pulled [registry] fake"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical(doc: Any) -> bytes:
    """Compact JSON; non-ASCII and control characters are escaped (the JSON itself is valid)."""
    return json.dumps(doc, separators=(",", ":")).encode()


def descriptor(media_type: str, data: bytes, **extra: Any) -> dict[str, Any]:
    return {"mediaType": media_type, "digest": sha256(data), "size": len(data), **extra}


def nested_json(depth: int) -> bytes:
    """``[[[...]]]`` nested ``depth`` deep: valid JSON that a recursive parser cannot finish."""
    return b"[" * depth + b"]" * depth


_URL_HOST = re.compile(r"https?://(?:[^@/\s\"<>]*@)?(\[[^\]/\s\"<>]*\]?|[^:/\s\"<>]+)")
_LOOPBACK_HOSTS = {LOOPBACK, "localhost", "[::1]", "[::1"}


def _check_loopback(value: str) -> None:
    """Every URL the server hands out names a loopback host (a scenario must not point the client
    at the outside world, even by mistake)."""
    for host in _URL_HOST.findall(value):
        if host.lower() not in _LOOPBACK_HOSTS:
            raise AssertionError(f"hostile registry would send the client to {host!r}: {value!r}")


# -- the exchange: one request and the tools to answer it ---------------------------------------


class Exchange:
    """One request: method, path, query, headers, body, and ways to answer it."""

    def __init__(self, handler: BaseHTTPRequestHandler, stopping: threading.Event) -> None:
        self.h = handler
        self.stopping = stopping
        self.method = handler.command
        split = urllib.parse.urlsplit(handler.path)
        self.target = handler.path
        self.path = split.path
        self.query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        self.headers = handler.headers
        self.body = self._read_body()

    def _read_body(self) -> bytes:
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.h.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.h.rfile.readline()
                    return bytes(out)
                out += self.h.rfile.read(size)
                self.h.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.h.rfile.read(length) if length else b""

    def arg(self, name: str, default: str = "") -> str:
        return self.query.get(name, [default])[0]

    def _head(self, status: int, headers: Iterable[tuple[str, str]]) -> None:
        self.h.send_response(status)
        for k, v in headers:
            _check_loopback(v)
            self.h.send_header(k, v)
        self.h.end_headers()

    def send(
        self,
        status: int,
        body: bytes = b"",
        *,
        content_type: str | None = None,
        headers: Sequence[tuple[str, str]] = (),
        length: str | None = None,
    ) -> None:
        """A complete answer; ``length`` overrides the ``Content-Length`` value (any text)."""
        hdrs = list(headers)
        if content_type:
            hdrs.append(("Content-Type", content_type))
        hdrs.append(("Content-Length", str(len(body)) if length is None else length))
        if length is not None:
            hdrs.append(("Connection", "close"))
            self.h.close_connection = True
        self._head(status, hdrs)
        if self.method != "HEAD":
            self.h.wfile.write(body)

    def json(self, status: int, doc: Any, *, content_type: str = "application/json",
             headers: Sequence[tuple[str, str]] = ()) -> None:
        self.send(status, canonical(doc), content_type=content_type, headers=headers)

    def error(self, status: int, code: str, message: str = "",
              headers: Sequence[tuple[str, str]] = ()) -> None:
        self.json(status, {"errors": [{"code": code, "message": message or code.lower()}]},
                  headers=headers)

    def stream(self, status: int, chunks: Iterable[bytes], *, content_type: str = "",
               headers: Sequence[tuple[str, str]] = (), length: int | None = None) -> None:
        """A body from ``chunks``: with ``Content-Length`` when ``length`` is known, else chunked.
        Stops quietly when the client hangs up or the server stops."""
        hdrs = list(headers)
        if content_type:
            hdrs.append(("Content-Type", content_type))
        if length is None:
            hdrs.append(("Transfer-Encoding", "chunked"))
        else:
            hdrs.append(("Content-Length", str(length)))
        self._head(status, hdrs)
        if self.method == "HEAD":
            return
        for chunk in chunks:
            if self.stopping.is_set():
                self.h.close_connection = True
                return
            if not chunk:
                continue
            if length is None:
                self.h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                self.h.wfile.write(chunk)
        if length is None:
            self.h.wfile.write(b"0\r\n\r\n")

    def raw(self, data: bytes) -> None:
        self.h.wfile.write(data)
        self.h.wfile.flush()

    def drip(self, data: bytes, *, every: float, piece: int = 1) -> None:
        """Send ``data`` ``piece`` bytes at a time, one piece per ``every`` seconds."""
        for i in range(0, len(data), piece):
            if self.stopping.wait(every):
                self.h.close_connection = True
                return
            self.raw(data[i:i + piece])


# -- scenarios ----------------------------------------------------------------------------------

SCENARIOS: dict[str, type[Scenario]] = {}


def scenario(name: str) -> Callable[[type[Scenario]], type[Scenario]]:
    def register(cls: type[Scenario]) -> type[Scenario]:
        cls.name = name
        SCENARIOS[name] = cls
        return cls

    return register


_UPLOAD = re.compile(r"^/v2/(?P<name>.+)/blobs/uploads/(?P<id>[^/]*)$")
_ROUTE = re.compile(r"^/v2/(?P<name>.+)/(?P<kind>manifests|blobs|tags|referrers)/(?P<ref>[^/]+)$")


class Scenario:
    """A well-behaved registry for one repository; each scenario overrides where it lies.

    ``setup()`` builds the content. The default content is an artifact tagged ``v1`` with one
    file, ``hello.txt``. ``token`` set means every ``/v2`` request needs ``Bearer <token>`` and
    is otherwise challenged with :meth:`challenge`.
    """

    name: ClassVar[str] = ""
    token: str | None = None

    def __init__(self, registry: HostileRegistry, **params: Any) -> None:
        self.registry = registry
        self.params = params
        self.blobs: dict[str, bytes] = {}
        self.manifests: dict[str, tuple[str, bytes]] = {}
        self.tags: dict[str, str] = {}
        self.referrer_map: dict[str, list[dict[str, Any]]] = {}
        self.setup()

    # -- content -------------------------------------------------------------------------
    def setup(self) -> None:
        self.artifact({"hello.txt": b"hello\n"})

    def put_blob(self, data: bytes, media_type: str = LAYER, **extra: Any) -> dict[str, Any]:
        self.blobs[sha256(data)] = data
        return descriptor(media_type, data, **extra)

    def put_manifest(self, doc: Any, media_type: str = OCI_MANIFEST, *tags: str) -> dict[str, Any]:
        raw = doc if isinstance(doc, bytes) else canonical(doc)
        digest = sha256(raw)
        self.manifests[digest] = (media_type, raw)
        for t in tags:
            self.tags[t] = digest
        return descriptor(media_type, raw)

    def artifact(self, files: dict[str, bytes], *, tag: str = "v1",
                 layers: list[dict[str, Any]] | None = None,
                 config: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        """An ORAS artifact (empty config, one titled layer per file) tagged ``tag``."""
        self.blobs[sha256(b"{}")] = b"{}"
        descs = [self.put_blob(data, annotations={TITLE: title}) for title, data in files.items()]
        doc = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": "application/vnd.hostile.test",
            "config": config or descriptor(OCI_EMPTY, b"{}"),
            "layers": descs + (layers or []),
            **extra,
        }
        return self.put_manifest(doc, OCI_MANIFEST, tag)

    # -- URLs ----------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return self.registry.url

    def challenge(self) -> str:
        return f'Bearer realm="{self.base}/token",service="hostile"'

    # -- routing -------------------------------------------------------------------------
    def handle(self, ex: Exchange) -> None:
        path = ex.path
        if path == "/token":
            return self.token_endpoint(ex)
        if (self.token is not None and path.startswith("/v2")
                and ex.headers.get("Authorization") != f"Bearer {self.token}"):
            return ex.error(401, "UNAUTHORIZED", "authentication required",
                            headers=[("WWW-Authenticate", self.challenge())])
        if path in ("/v2/", "/v2"):
            return self.ping(ex)
        m = _UPLOAD.match(path)
        if m:
            return self.upload(ex, m["id"])
        m = _ROUTE.match(path)
        if not m or m["name"] != REPO:
            return ex.error(404, "NAME_UNKNOWN", "repository name not known to registry")
        kind, ref = m["kind"], m["ref"]
        if kind == "manifests":
            return self.manifest(ex, ref)
        if kind == "blobs":
            return self.blob(ex, ref)
        if kind == "tags":
            return self.tag_list(ex)
        return self.referrers(ex, ref)

    def ping(self, ex: Exchange) -> None:
        ex.json(200, {})

    def token_endpoint(self, ex: Exchange) -> None:
        ex.json(200, {"token": self.token or "hostile-token"})

    def manifest(self, ex: Exchange, ref: str) -> None:
        if ex.method == "PUT":
            digest = sha256(ex.body)
            self.manifests[digest] = (ex.headers.get("Content-Type") or OCI_MANIFEST, ex.body)
            if not ref.startswith("sha256:"):
                self.tags[ref] = digest
            return ex.send(201, headers=[("Docker-Content-Digest", digest),
                                         ("Location", f"/v2/{REPO}/manifests/{digest}")])
        if ex.method == "DELETE":
            return ex.send(202)
        digest = self.tags.get(ref, ref)
        found = self.manifests.get(digest)
        if found is None:
            return ex.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
        media_type, raw = found
        self.send_manifest(ex, media_type, raw)

    def send_manifest(self, ex: Exchange, media_type: str, raw: bytes) -> None:
        ex.send(200, raw, content_type=media_type,
                headers=[("Docker-Content-Digest", sha256(raw))])

    def blob(self, ex: Exchange, digest: str) -> None:
        data = self.blobs.get(digest)
        if data is None:
            return ex.error(404, "BLOB_UNKNOWN", "blob unknown to registry")
        ex.send(200, data, content_type="application/octet-stream",
                headers=[("Docker-Content-Digest", digest)])

    def tag_list(self, ex: Exchange) -> None:
        ex.json(200, {"name": REPO, "tags": sorted(self.tags)})

    def referrers(self, ex: Exchange, digest: str) -> None:
        ex.json(200, {"schemaVersion": 2, "mediaType": OCI_INDEX,
                      "manifests": self.referrer_map.get(digest, [])}, content_type=OCI_INDEX)

    def upload(self, ex: Exchange, upload_id: str) -> None:
        if ex.method == "POST":
            return ex.send(202, headers=[("Location", self.upload_location(uuid.uuid4().hex)),
                                         ("Range", "0-0")])
        if ex.method == "PATCH":
            return ex.send(202, headers=[("Location", self.upload_location(upload_id))])
        if ex.method == "PUT":
            digest = ex.arg("digest")
            self.blobs[digest] = ex.body
            return ex.send(201, headers=[("Location", f"/v2/{REPO}/blobs/{digest}"),
                                         ("Docker-Content-Digest", digest)])
        if ex.method == "DELETE":
            return ex.send(204)
        ex.send(204, headers=[("Range", "0-0"), ("Location", self.upload_location(upload_id))])

    def upload_location(self, upload_id: str) -> str:
        return f"/v2/{REPO}/blobs/uploads/{upload_id}"


# -- unbounded pagination and fan-out --


_PAGE = 4 * 1024 * 1024


def _four_mb_tags() -> bytes:
    tags = []
    size = 0
    i = 0
    while size < _PAGE - 200:
        tag = f"t{i:063d}"
        tags.append(tag)
        size += len(tag) + 3
        i += 1
    return canonical({"name": REPO, "tags": tags})


def _fake_referrer(seed: str, i: int, artifact_type: str) -> dict[str, Any]:
    return {"mediaType": OCI_MANIFEST,
            "digest": "sha256:" + hashlib.sha256(f"{seed}/{i}".encode()).hexdigest(),
            "size": 512, "artifactType": artifact_type}


@scenario("tags-endless-pages")
class TagsEndlessPages(Scenario):
    """``tags/list`` pages of 4 MB each, every one with a ``Link`` to a new next page, forever."""

    body = b""

    def setup(self) -> None:
        super().setup()
        if not TagsEndlessPages.body:
            TagsEndlessPages.body = _four_mb_tags()

    def tag_list(self, ex: Exchange) -> None:
        page = int(ex.arg("page", "0") or 0) + 1
        ex.send(200, self.body, content_type="application/json",
                headers=[("Link", f'</v2/{REPO}/tags/list?n=100000&page={page}>; rel="next"')])


@scenario("tags-repeated-next")
class TagsRepeatedNext(Scenario):
    """Every ``tags/list`` page names the same next page (itself, from the second page on)."""

    def tag_list(self, ex: Exchange) -> None:
        ex.json(200, {"name": REPO, "tags": ["a", "b"]},
                headers=[("Link", f'</v2/{REPO}/tags/list?last=b>; rel="next"')])


@scenario("referrers-endless-pages")
class ReferrersEndlessPages(Scenario):
    """The artifact's referrers come in 4 MB pages (~20,000 descriptors), each linking to a new
    next page, forever."""

    body = b""

    def setup(self) -> None:
        self.root = self.artifact({"hello.txt": b"hello\n"})
        if not ReferrersEndlessPages.body:
            manifests = []
            size = 0
            i = 0
            while size < _PAGE - 400:
                d = _fake_referrer("page", i, "application/vnd.hostile.page")
                manifests.append(d)
                size += len(canonical(d)) + 1
                i += 1
            ReferrersEndlessPages.body = canonical(
                {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests})

    def referrers(self, ex: Exchange, digest: str) -> None:
        if digest != self.root["digest"]:
            return super().referrers(ex, digest)
        page = int(ex.arg("page", "0") or 0) + 1
        ex.send(200, self.body, content_type=OCI_INDEX, headers=[
            ("Link", f'</v2/{REPO}/referrers/{digest}?page={page}>; rel="next"')])


@scenario("referrers-fan-out")
class ReferrersFanOut(Scenario):
    """Every manifest has ``breadth`` (default 1,000) referrers, each a new digest that has
    ``breadth`` referrers of its own: the graph never ends."""

    def referrers(self, ex: Exchange, digest: str) -> None:
        breadth = int(self.params.get("breadth", 1000))
        manifests = [_fake_referrer(digest, i, "application/vnd.hostile.fan")
                     for i in range(breadth)]
        ex.json(200, {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests},
                content_type=OCI_INDEX)


# -- recursion and wrong JSON types --


@scenario("deep-index")
class DeepIndex(Scenario):
    """``v1`` is an index of an index of ... ``depth`` (default 400) levels, then an artifact."""

    def setup(self) -> None:
        desc = self.artifact({"deep.txt": b"deep\n"}, tag="leaf")
        for _ in range(int(self.params.get("depth", 400))):
            desc = self.put_manifest({"schemaVersion": 2, "mediaType": OCI_INDEX,
                                      "manifests": [desc]}, OCI_INDEX)
        self.tags["v1"] = desc["digest"]


@scenario("token-deep-json")
class TokenDeepJson(Scenario):
    """The token server answers with JSON nested 8,000 deep."""

    token = "never-issued"

    def token_endpoint(self, ex: Exchange) -> None:
        ex.send(200, nested_json(8000), content_type="application/json")


@scenario("tags-deep-json")
class TagsDeepJson(Scenario):
    """``tags/list`` answers ``{"tags": [[[[...]]]]}`` nested 8,000 deep."""

    def tag_list(self, ex: Exchange) -> None:
        ex.send(200, b'{"name":"hostile","tags":' + nested_json(8000) + b"}",
                content_type="application/json")


@scenario("error-deep-json")
class ErrorDeepJson(Scenario):
    """Manifest requests fail with 400 and an error body nested 8,000 deep."""

    def manifest(self, ex: Exchange, ref: str) -> None:
        ex.send(400, b'{"errors":' + nested_json(8000) + b"}", content_type="application/json")


@scenario("config-deep-json")
class ConfigDeepJson(Scenario):
    """An image whose config blob is JSON nested 8,000 deep (read by ``--platform``)."""

    def setup(self) -> None:
        config = self.put_blob(nested_json(8000), OCI_CONFIG)
        self.artifact({"hello.txt": b"hello\n"}, config=config)


@scenario("tags-not-a-list")
class TagsNotAList(Scenario):
    """``tags/list`` answers ``{"tags": 5}``."""

    def tag_list(self, ex: Exchange) -> None:
        ex.json(200, {"name": REPO, "tags": 5})


@scenario("urls-not-a-list")
class UrlsNotAList(Scenario):
    """A layer descriptor with ``"urls": 5``."""

    def setup(self) -> None:
        self.artifact({}, layers=[self.put_blob(b"u\n", annotations={TITLE: "u.txt"}, urls=5)])


@scenario("size-not-a-number")
class SizeNotANumber(Scenario):
    """A layer descriptor with ``"size": "x"``."""

    def setup(self) -> None:
        d = self.put_blob(b"s\n", annotations={TITLE: "s.txt"})
        d["size"] = "x"
        self.artifact({}, layers=[d])


@scenario("manifests-not-a-list")
class ManifestsNotAList(Scenario):
    """An index with ``"manifests": {}``."""

    def setup(self) -> None:
        self.put_manifest({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": {}},
                          OCI_INDEX, "v1")


# -- malformed headers and URLs --

BAD_PORT_URL = f"http://{LOOPBACK}:99999/x"
BAD_IPV6_URL = "http://[::1/x"


@scenario("upload-location-bad-port")
class UploadLocationBadPort(Scenario):
    """Blob uploads start with ``Location: http://127.0.0.1:99999/x`` (port out of range)."""

    location = BAD_PORT_URL

    def setup(self) -> None:
        pass  # an empty repository: every blob must be uploaded

    def upload_location(self, upload_id: str) -> str:
        return self.location


@scenario("upload-location-bad-ipv6")
class UploadLocationBadIpv6(UploadLocationBadPort):
    """Blob uploads start with ``Location: http://[::1/x`` (a broken IPv6 literal)."""

    location = BAD_IPV6_URL


@scenario("realm-bad-port")
class RealmBadPort(Scenario):
    """Every request is challenged with a token realm on port 99999."""

    token = "never-issued"
    realm = f"http://{LOOPBACK}:99999/token"

    def challenge(self) -> str:
        return f'Bearer realm="{self.realm}",service="hostile"'


@scenario("realm-bad-ipv6")
class RealmBadIpv6(RealmBadPort):
    """Every request is challenged with the token realm ``http://[::1/token``."""

    realm = "http://[::1/token"


@scenario("link-bad-port")
class LinkBadPort(Scenario):
    """``tags/list`` links to its next page on port 99999."""

    link = f"http://{LOOPBACK}:99999/v2/{REPO}/tags/list?last=v1"

    def tag_list(self, ex: Exchange) -> None:
        ex.json(200, {"name": REPO, "tags": ["v1"]}, headers=[("Link", f'<{self.link}>; rel="next"')])


@scenario("link-bad-ipv6")
class LinkBadIpv6(LinkBadPort):
    """``tags/list`` links to ``http://[::1/x``."""

    link = BAD_IPV6_URL


@scenario("token-crlf")
class TokenCrlf(Scenario):
    """The token server issues a token with CR LF and a header after it."""

    token = "hostile\r\nX-Injected: yes"


@scenario("token-non-latin1")
class TokenNonLatin1(Scenario):
    """The token server issues a token that HTTP headers cannot carry (not Latin-1)."""

    token = "hostile-\u20ac-\u2603"


@scenario("content-length-superscript")
class ContentLengthSuperscript(Scenario):
    """Blobs come with ``Content-Length: ²`` (``str.isdigit()`` is true, ``int()`` fails)."""

    def blob(self, ex: Exchange, digest: str) -> None:
        data = self.blobs.get(digest)
        if data is None:
            return super().blob(ex, digest)
        ex.send(200, data, content_type="application/octet-stream", length="\u00b2")


@scenario("retry-after-superscript")
class RetryAfterSuperscript(Scenario):
    """Manifests are always ``429 Too Many Requests`` with ``Retry-After: ²``."""

    def manifest(self, ex: Exchange, ref: str) -> None:
        ex.error(429, "TOOMANYREQUESTS", "slow down", headers=[("Retry-After", "\u00b2")])


# -- quadratic parsing --


@scenario("link-quadratic")
class LinkQuadratic(Scenario):
    """``tags/list`` with a ``Link`` header of 60,000 ``<`` characters."""

    def tag_list(self, ex: Exchange) -> None:
        ex.json(200, {"name": REPO, "tags": ["v1"]}, headers=[("Link", "<" * 60000)])


# -- slow responses --


@scenario("slow-headers")
class SlowHeaders(Scenario):
    """Manifest answers send their headers one byte per second, forever."""

    def manifest(self, ex: Exchange, ref: str) -> None:
        ex.h.close_connection = True
        ex.raw(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        ex.drip(b"a" * 100_000, every=1.0)


@scenario("slow-manifest-body")
class SlowManifestBody(Scenario):
    """Manifest bodies are sent one byte per second (headers arrive at once)."""

    def send_manifest(self, ex: Exchange, media_type: str, raw: bytes) -> None:
        raw = raw + b" " * 4096  # trailing whitespace: still the same JSON, takes longer
        ex.h.close_connection = True
        ex._head(200, [("Content-Type", media_type), ("Content-Length", str(len(raw))),
                       ("Connection", "close")])
        if ex.method != "HEAD":
            ex.drip(raw, every=1.0)


@scenario("trickle-blob")
class TrickleBlob(Scenario):
    """A 1 MiB layer sent at about 2.5 kB/s (256 bytes every 0.1 s); range requests too."""

    def setup(self) -> None:
        self.data = bytes(range(256)) * 4096
        self.artifact({"trickle.bin": self.data})

    def blob(self, ex: Exchange, digest: str) -> None:
        if digest != sha256(self.data):
            return super().blob(ex, digest)
        start = 0
        m = re.fullmatch(r"bytes=(\d+)-", ex.headers.get("Range") or "")
        status, hdrs = 200, []
        if m and int(m.group(1)) < len(self.data):
            start = int(m.group(1))
            status = 206
            hdrs = [("Content-Range", f"bytes {start}-{len(self.data) - 1}/{len(self.data)}")]
        ex.h.close_connection = True
        ex._head(status, [*hdrs, ("Content-Length", str(len(self.data) - start)),
                          ("Content-Type", "application/octet-stream")])
        if ex.method != "HEAD":
            ex.drip(self.data[start:], every=0.1, piece=256)


# -- terminal injection --


@scenario("error-body-escape")
class ErrorBodyEscape(Scenario):
    """Manifest requests fail with 400 and an error message carrying OSC/CSI escapes."""

    def manifest(self, ex: Exchange, ref: str) -> None:
        ex.json(400, {"errors": [{"code": "X", "message": ERROR_MESSAGE}]})


@scenario("title-escape")
class TitleEscape(Scenario):
    """A layer titled with OSC/CSI escapes and rich markup."""

    def setup(self) -> None:
        self.artifact({ESCAPES + ".txt": b"evil\n"})


@scenario("media-type-escape")
class MediaTypeEscape(Scenario):
    """An untitled layer whose media type carries OSC/CSI escapes and rich markup."""

    def setup(self) -> None:
        self.artifact({}, layers=[self.put_blob(b"m\n", "application/vnd.hostile" + ESCAPES)])


@scenario("artifact-type-escape")
class ArtifactTypeEscape(Scenario):
    """The artifact has a referrer whose ``artifactType`` carries OSC/CSI escapes."""

    def setup(self) -> None:
        root = self.artifact({"hello.txt": b"hello\n"})
        self.referrer_map[root["digest"]] = [
            _fake_referrer("escape", 0, "application/vnd.hostile" + ESCAPES)]


@scenario("annotation-escape")
class AnnotationEscape(Scenario):
    """Layer and manifest annotations carrying OSC/CSI escapes and rich markup."""

    def setup(self) -> None:
        note = self.put_blob(b"note\n", annotations={TITLE: "note.txt",
                                                     "com.example.note": ESCAPES})
        self.artifact({}, layers=[note], annotations={"com.example.note": ESCAPES})


# -- decompression bombs and impossible sizes --


def _crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """zlib's ``crc32_combine``: the CRC of A+B from the CRCs of A and B and B's length."""

    def times(mat: list[int], vec: int) -> int:
        s, i = 0, 0
        while vec:
            if vec & 1:
                s ^= mat[i]
            vec >>= 1
            i += 1
        return s

    def square(mat: list[int]) -> list[int]:
        return [times(mat, mat[n]) for n in range(32)]

    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = square(odd)
    odd = square(even)
    while True:
        even = square(odd)
        if len2 & 1:
            crc1 = times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = square(even)
        if len2 & 1:
            crc1 = times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def crc32_zeros(n: int, crc: int = 0) -> int:
    """``zlib.crc32(bytes(n), crc)`` without touching ``n`` bytes."""
    block_crc, block_len = zlib.crc32(b"\0"), 1
    while n:
        if n & 1:
            crc = _crc32_combine(crc, block_crc, block_len)
        block_crc = _crc32_combine(block_crc, block_crc, block_len)
        block_len *= 2
        n >>= 1
    return crc


@dataclass(frozen=True)
class GzipBomb:
    """A gzip stream of a tar holding ``d/`` and ``d/zeros`` (``size`` zero bytes), made of a head,
    one deflate block (1 MiB of zeros, full-flushed so it repeats byte for byte) sent ``count``
    times, and a tail; never held whole in memory."""

    head: bytes
    block: bytes
    count: int
    tail: bytes
    digest: str
    length: int
    expanded: int

    def chunks(self) -> Iterator[bytes]:
        yield self.head
        batch = self.block * 256
        full, rest = divmod(self.count, 256)
        for _ in range(full):
            yield batch
        yield self.block * rest
        yield self.tail


_BOMBS: dict[int, GzipBomb] = {}


def gzip_bomb(size: int = 10 << 30) -> GzipBomb:
    """A directory layer (title ``d``) that expands to ``size`` bytes (a multiple of 1 MiB)."""
    if size in _BOMBS:
        return _BOMBS[size]
    mib = 1 << 20
    assert size % mib == 0
    tar_head = bytearray()
    d = tarfile.TarInfo("d")
    d.type, d.mode = tarfile.DIRTYPE, 0o755
    tar_head += d.tobuf(tarfile.PAX_FORMAT)
    f = tarfile.TarInfo("d/zeros")
    f.size, f.mode = size, 0o644
    tar_head += f.tobuf(tarfile.PAX_FORMAT)
    end = bytes(2 * tarfile.BLOCKSIZE)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated_head = co.compress(bytes(tar_head)) + co.flush(zlib.Z_FULL_FLUSH)
    zeros = bytes(mib)
    block = co.compress(zeros) + co.flush(zlib.Z_FULL_FLUSH)
    again = co.compress(zeros) + co.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "deflate blocks after a full flush are expected to repeat"
    # The stream sends ``block`` size/mib times; the two compressed above stand for two of them.
    tail = co.compress(end) + co.flush(zlib.Z_FINISH)
    crc = crc32_zeros(size + len(end), zlib.crc32(bytes(tar_head)))
    expanded = len(tar_head) + size + len(end)
    gz_header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, expanded & 0xFFFFFFFF)
    bomb = GzipBomb(gz_header + deflated_head, block, size // mib, tail + trailer, "", 0, expanded)
    h = hashlib.sha256()
    n = 0
    for chunk in bomb.chunks():
        h.update(chunk)
        n += len(chunk)
    bomb = GzipBomb(bomb.head, block, bomb.count, bomb.tail, "sha256:" + h.hexdigest(), n, expanded)
    _BOMBS[size] = bomb
    return bomb


@scenario("gzip-bomb")
class GzipBombLayer(Scenario):
    """A ~10 MB directory layer (``unpack=true``, title ``d``) that expands to 10 GiB of zeros."""

    def setup(self) -> None:
        self.bomb = gzip_bomb(int(self.params.get("size", 10 << 30)))
        layer = {"mediaType": DIR_LAYER, "digest": self.bomb.digest, "size": self.bomb.length,
                 "annotations": {TITLE: "d", UNPACK: "true"}}
        self.artifact({}, layers=[layer])

    def blob(self, ex: Exchange, digest: str) -> None:
        if digest != self.bomb.digest:
            return super().blob(ex, digest)
        ex.stream(200, self.bomb.chunks(), content_type="application/octet-stream",
                  length=self.bomb.length)


@scenario("size-2-63")
class SizeTwoToThe63(Scenario):
    """A layer whose descriptor says ``size: 2**63`` (over int64); its body never ends."""

    def setup(self) -> None:
        d = self.put_blob(b"huge\n", annotations={TITLE: "huge.bin"})
        d["size"] = 2**63
        self.huge = d["digest"]
        self.artifact({}, layers=[d])

    def blob(self, ex: Exchange, digest: str) -> None:
        if digest != self.huge:
            return super().blob(ex, digest)
        zeros = bytes(1 << 20)
        ex.stream(200, iter(lambda: zeros, None), content_type="application/octet-stream")


# -- debug output --

DEBUG_SECRETS = {"realm_password": "realm-pw-7f3a", "token": "tok-SECRET-91c2",
                 "refresh_token": "refresh-SECRET-55d1"}


@scenario("debug-secrets")
class DebugSecrets(Scenario):
    """Token auth whose realm carries ``user:password@`` and whose answer carries a token and a
    refresh token: none of them may show in ``--debug`` output."""

    token = DEBUG_SECRETS["token"]

    def challenge(self) -> str:
        realm = self.base.replace("http://", f"http://hostile:{DEBUG_SECRETS['realm_password']}@")
        return f'Bearer realm="{realm}/token",service="hostile"'

    def token_endpoint(self, ex: Exchange) -> None:
        ex.json(200, {"token": DEBUG_SECRETS["token"], "access_token": DEBUG_SECRETS["token"],
                      "refresh_token": DEBUG_SECRETS["refresh_token"], "expires_in": 300})


# -- the server ---------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    registry: HostileRegistry

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up on a hostile answer are the point


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _any(self) -> None:
        reg = self.server.registry
        try:
            ex = Exchange(self, reg.stopping)
            with reg.lock:
                reg.requests.append((self.command, self.path))
            reg.scenario.handle(ex)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        except Exception as e:  # a bug in a scenario: keep it for the test to see
            with reg.lock:
                reg.errors.append(f"{self.command} {self.path}: {e!r}")
            raise

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _any


class HostileRegistry:
    """A scenario served on ``127.0.0.1`` (free port); ``with`` starts and stops it."""

    def __init__(self, scenario: str, **params: Any) -> None:
        if scenario not in SCENARIOS:
            raise KeyError(f"unknown scenario {scenario!r}; known: {', '.join(sorted(SCENARIOS))}")
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self._httpd = _Server((LOOPBACK, 0), _Handler)
        assert self._httpd.server_address[0] == LOOPBACK
        self._httpd.registry = self
        self.port = int(self._httpd.server_address[1])
        self.host = f"{LOOPBACK}:{self.port}"
        self.url = f"http://{self.host}"
        self.scenario = SCENARIOS[scenario](self, **params)
        self._thread: threading.Thread | None = None

    def ref(self, tag: str = "v1") -> str:
        return f"{self.host}/{REPO}:{tag}"

    def start(self) -> HostileRegistry:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name=f"hostile-{self.scenario.name}")
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> HostileRegistry:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- running the client -------------------------------------------------------------------------

ORAS = os.path.join(os.path.dirname(sys.executable), "oras")
#: Address space for the child: a runaway dies of MemoryError, not the machine.
AS_LIMIT = 2_000_000_000
#: Largest file the child may write: a runaway download cannot fill the disk.
FSIZE_LIMIT = 1 << 30

_WRAPPER = """
import os, resource, sys
a, f, fd = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (a, a))
resource.setrlimit(resource.RLIMIT_FSIZE, (f, f))
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[4], sys.argv[4:])
    finally:
        os._exit(127)
os.write(fd, b"pid %d\\n" % pid)
_, status, usage = os.wait4(pid, 0)
os.write(fd, b"maxrss %d\\n" % usage.ru_maxrss)
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""
_PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


@dataclass
class Outcome:
    """How one ``oras`` run went, seen from the user's side."""

    args: list[str]
    returncode: int | None  # None: killed (see ``killed_for``)
    stdout: bytes
    stderr: bytes
    seconds: float
    peak_rss_mb: float
    timeout: float
    #: why the harness killed it: "" (it was not), "time" or "memory"
    killed_for: str = ""
    #: files left behind where nothing should be (filled in by the caller)
    left: list[str] = field(default_factory=list)

    @property
    def killed(self) -> bool:
        return self.returncode is None

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    @property
    def traceback(self) -> bool:
        return b"Traceback (most recent call last)" in self.stderr

    def summary(self) -> str:
        if self.killed_for == "memory":
            code = f"killed at {self.peak_rss_mb:.0f} MB RSS"
        elif self.killed:
            code = f"killed after {self.timeout:.1f}s"
        else:
            code = f"exit {self.returncode}"
        last = self.err.strip().splitlines()[-1][:160] if self.err.strip() else ""
        return (f"{code}, traceback {'yes' if self.traceback else 'no'}, peak RSS "
                f"{self.peak_rss_mb:.0f} MB, {self.seconds:.1f}s, leftovers {self.left or 'none'}; "
                f"stderr: {last!r}")


def _vmhwm_kb(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/status", "rb") as f:
        for line in f:
            if line.startswith(b"VmHWM:"):
                return int(line.split()[1])
    return 0


def _wrapper_report(f: Any) -> dict[str, int]:
    """What the wrapper wrote so far (read without moving the offset it writes at)."""
    report = {}
    for line in os.pread(f.fileno(), 4096, 0).decode().splitlines():
        key, _, value = line.partition(" ")
        report[key] = int(value)
    return report


def child_env(home: str, tmp: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a child: no proxies (everything stays on loopback), no DOCKER_/ORASX_
    settings from outside, its own HOME and TMPDIR, short network timeouts."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DOCKER_", "ORASX_")) and k.lower() not in _PROXY_VARS}
    env.update(HOME=home, TMPDIR=tmp, XDG_CACHE_HOME=os.path.join(home, ".cache"),
               NO_PROXY="*", no_proxy="*", ORASX_CONNECT_TIMEOUT="5", ORASX_READ_TIMEOUT="5",
               COLUMNS="120", LINES="40", TERM="dumb")
    env.update(extra or {})
    return env


def run_oras(
    args: Sequence[str],
    *,
    cwd: str,
    env: dict[str, str],
    timeout: float,
    stdin: bytes = b"",
    tty: bool = False,
    rss_kill_mb: float = 0,
    as_limit: int = AS_LIMIT,
    fsize_limit: int = FSIZE_LIMIT,
) -> Outcome:
    """Run ``oras ARGS`` under rlimits, measure it, and kill it after ``timeout`` seconds or once
    its RSS passes ``rss_kill_mb`` (0: no limit but ``as_limit``).

    A small wrapper sets the rlimits, forks ``oras`` and reports its pid and, from ``wait4``, its
    exact peak RSS; while it runs, ``VmHWM`` is polled. ``tty``: stderr is a pseudo-terminal (so
    the live progress display is used); what it shows is returned as ``stderr``.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryFile() as inp, tempfile.TemporaryFile() as report:
        inp.write(stdin)
        inp.seek(0)
        cmd = [sys.executable, "-c", _WRAPPER, str(as_limit), str(fsize_limit),
               str(report.fileno()), ORAS, *args]
        master = slave = -1
        chunks: list[bytes] = []
        reader: threading.Thread | None = None
        if tty:
            master, slave = pty.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
            env = {**env, "TERM": "xterm-256color"}

            def pump() -> None:
                while True:
                    try:
                        data = os.read(master, 65536)
                    except OSError:
                        return
                    if not data:
                        return
                    chunks.append(data)

            reader = threading.Thread(target=pump, daemon=True)
            reader.start()
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=inp, stdout=out,
                                stderr=slave if tty else err, start_new_session=True,
                                pass_fds=(report.fileno(),))
        if tty:
            os.close(slave)
        peak_kb = 0
        child = 0
        killed_for = ""
        while proc.poll() is None:
            if not child:
                child = _wrapper_report(report).get("pid", 0)
            if child:
                peak_kb = max(peak_kb, _vmhwm_kb(child))
            if time.monotonic() - start > timeout:
                killed_for = "time"
            elif rss_kill_mb and peak_kb > rss_kill_mb * 1024:
                killed_for = "memory"
            if killed_for:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                break
            time.sleep(0.02)
        seconds = time.monotonic() - start
        peak_kb = max(peak_kb, _wrapper_report(report).get("maxrss", 0))
        if reader is not None:
            reader.join(timeout=2)
            os.close(master)
        out.seek(0)
        err.seek(0)
        stderr = b"".join(chunks) if tty else err.read()
        return Outcome(list(args), None if killed_for else proc.returncode, out.read(), stderr,
                       seconds, peak_kb / 1024, timeout, killed_for)


def leftovers(*dirs: str) -> list[str]:
    """Every file and directory below ``dirs`` (relative paths), for "nothing left behind"."""
    found = []
    for d in dirs:
        for root, dirnames, filenames in os.walk(d):
            for name in dirnames + filenames:
                found.append(os.path.relpath(os.path.join(root, name), d))
    return sorted(found)


__all__ = ["DEBUG_SECRETS", "ERROR_MESSAGE", "ESCAPES", "SCENARIOS", "HostileRegistry", "Outcome",
           "crc32_zeros", "gzip_bomb", "leftovers", "run_oras"]
