"""The one place that speaks HTTP: a plain sender over urllib3 pools, proxies, TLS and redirects.

:class:`Sender` sends one :class:`Request` and follows redirects by hand, so that a hop to another
origin never carries the registry's ``Authorization`` or custom headers. It neither retries nor
authenticates: :mod:`orasx.registry._retrying` and :mod:`orasx.registry._authflow` wrap it, as
oras-go's ``retry`` and ``auth`` clients wrap an ``http.RoundTripper``. urllib3 was chosen by
measurement (docs/decisions.md); it stays behind this module.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import urllib3
from urllib3.exceptions import HTTPError as _U3Error

from orasx.errors import NetworkError
from orasx.registry._errors import network_error
from orasx.registry._options import ClientOptions
from orasx.registry._urls import origin, redact_url

log = logging.getLogger("orasx.http")

MAX_REDIRECTS = 10
_SENSITIVE = {"authorization", "proxy-authorization", "cookie", "set-cookie"}

Body = bytes | Iterable[bytes] | None


def rewindable(body: Body) -> bool:
    """Can ``body`` be sent again (no body, or bytes; a stream is consumed by sending it)?"""
    return body is None or isinstance(body, bytes)


@dataclass(frozen=True)
class Request:
    """One request. ``authorization`` and the client's custom headers go only to ``registry``
    (the origin the credentials belong to; by default the URL's own), never across a redirect to
    another origin. ``follow=False`` returns redirects instead of following them."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: Body = None
    authorization: str | None = None
    registry: tuple[str, str, int] | None = None
    follow: bool = True

    @property
    def credentials_origin(self) -> tuple[str, str, int]:
        return self.registry if self.registry is not None else origin(self.url)


class Response:
    """A response whose body is read as raw bytes (no content decoding) and closed by the caller."""

    def __init__(self, raw: urllib3.BaseHTTPResponse, url: str) -> None:
        self.raw = raw
        self.url = url
        self.status = raw.status
        self.headers = raw.headers

    def header(self, name: str) -> str:
        return str(self.headers.get(name, ""))

    def read(self, n: int = -1, /) -> bytes:
        try:
            if n is None or n < 0:
                return self.raw.read(None, decode_content=False)
            # read1: whatever has arrived (up to n) without waiting to fill n; faster here, and
            # lets the stall detector see a trickle.
            return self.raw.read1(n, decode_content=False)
        except (_U3Error, OSError) as e:
            raise NetworkError(f"reading from {redact_url(self.url)}: {e}") from None

    def read_capped(self, limit: int) -> bytes:
        """Up to ``limit`` bytes of the body (the rest is discarded)."""
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            data = self.read(min(1 << 20, limit + 1 - total))
            if not data:
                break
            chunks.append(data)
            total += len(data)
        return b"".join(chunks)

    def close(self) -> None:
        self.raw.release_conn()
        self.raw.close()

    def discard(self) -> None:
        """Read and drop a small body so the connection can be reused."""
        with contextlib.suppress(_U3Error, OSError):
            self.raw.drain_conn()
        self.raw.release_conn()


class Transport(Protocol):
    """Sends a request and returns the response (the caller reads and closes it)."""

    def send(self, request: Request) -> Response: ...

    def close(self) -> None: ...


class Sender:
    """The plain transport: one urllib3 pool per origin, shared by all threads of one command."""

    def __init__(self, options: ClientOptions) -> None:
        self.options = o = options
        self._common: dict[str, Any] = {
            "timeout": urllib3.Timeout(connect=o.connect_timeout, read=o.read_timeout),
            "retries": False,
            "maxsize": o.pool_size,
            "blocksize": 1 << 20,
            "cert_reqs": "CERT_NONE" if o.insecure else "CERT_REQUIRED",
        }
        if o.ca_file:
            self._common["ca_certs"] = o.ca_file
        self._managers: dict[tuple[str, bool], urllib3.PoolManager] = {}
        self._pools: dict[tuple[str, str, int, bool], Any] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            managers = list(self._managers.values())
        for m in managers:
            m.clear()

    def send(self, request: Request) -> Response:
        """Send ``request``, following redirects (unless ``follow`` is false)."""
        method, url, body = request.method, request.url, request.body
        reg_origin = request.credentials_origin
        custom = self.options.headers
        for _ in range(MAX_REDIRECTS + 1):
            same = origin(url) == reg_origin
            hdrs = dict(request.headers)
            if same:
                hdrs.update(custom)
                if request.authorization:
                    hdrs["Authorization"] = request.authorization
            if log.isEnabledFor(logging.DEBUG):
                log.debug("> %s %s %s", method, redact_url(url), _redact_headers(hdrs, custom))
            try:
                raw = self._open(method, url, hdrs, body, same)
            except (_U3Error, OSError) as e:
                raise network_error(method, url, e) from None
            resp = Response(raw, url)
            if log.isEnabledFor(logging.DEBUG):
                log.debug(
                    "< %s %s %s", resp.status, redact_url(url), _redact_headers(raw.headers, ())
                )
            location = resp.header("Location")
            if not request.follow or resp.status not in (301, 302, 303, 307, 308) or not location:
                return resp
            resp.discard()
            new_url = urllib.parse.urljoin(url, location)
            if origin(url)[0] == "https" and origin(new_url)[0] != "https":
                raise NetworkError(
                    f"refusing redirect from {redact_url(url)} to plain-HTTP {redact_url(new_url)}"
                )
            if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
                method, body = "GET", None
            elif not rewindable(body):
                raise NetworkError(
                    f"{redact_url(url)}: redirected while streaming a body; cannot resend it"
                )
            url = new_url
        raise NetworkError(f"too many redirects from {redact_url(url)}")

    def _manager(self, proxy: str, mtls: bool) -> urllib3.PoolManager:
        """One pool manager per (proxy, client-certificate) pair; the client certificate is only
        loaded into the managers used for a registry's own origin."""
        key = (proxy, mtls)
        with self._lock:
            m = self._managers.get(key)
            if m is None:
                kw = dict(self._common)
                if mtls and self.options.cert_file:
                    kw.update(cert_file=self.options.cert_file, key_file=self.options.key_file)
                m = (urllib3.ProxyManager(proxy, num_pools=16, **kw) if proxy
                     else urllib3.PoolManager(num_pools=32, **kw))
                self._managers[key] = m
        return m

    def _proxy_for(self, url: str) -> str:
        if not self.options.use_env_proxies:
            return ""
        u = urllib.parse.urlsplit(url)
        proxies = urllib.request.getproxies_environment()
        proxy = proxies.get(u.scheme, "")
        if proxy and _no_proxy(u.hostname or "", u.port, proxies.get("no", "")):
            return ""
        return proxy

    def _open(self, method: str, url: str, headers: dict[str, str], body: Body,
              same: bool) -> urllib3.BaseHTTPResponse:
        u = urllib.parse.urlsplit(url)
        scheme = u.scheme.lower()
        host = (u.hostname or "").lower()
        port = u.port or (443 if scheme == "https" else 80)
        kw: dict[str, Any] = {"body": body, "headers": headers, "redirect": False,
                              "preload_content": False, "decode_content": False}
        override = self.options.resolve.get((host, port))
        if override is not None:
            address, aport = override
            pool_kwargs: dict[str, Any] = {}
            if scheme == "https":
                pool_kwargs = {"server_hostname": host, "assert_hostname": host}
            pool = self._manager("", same).connection_from_host(
                address, aport, scheme, pool_kwargs=pool_kwargs)
            headers = {**headers, "Host": u.netloc}
            kw["headers"] = headers
            path = urllib.parse.urlunsplit(("", "", u.path or "/", u.query, ""))
            return pool.urlopen(method, path, assert_same_host=False, **kw)
        proxy = self._proxy_for(url)
        if proxy:
            return self._manager(proxy, same).urlopen(method, url, assert_same_host=False, **kw)
        # Direct: reuse the connection pool of this origin without PoolManager's per-request
        # URL parsing and pool-key building (measurable on many small blobs).
        key = (scheme, host, port, same)
        direct = self._pools.get(key)
        if direct is None:
            direct = self._manager("", same).connection_from_host(host, port, scheme)
            self._pools[key] = direct
        path = urllib.parse.urlunsplit(("", "", u.path or "/", u.query, ""))
        return direct.urlopen(method, path, assert_same_host=False, **kw)


def _no_proxy(host: str, port: int | None, no_proxy: str) -> bool:
    """Does ``NO_PROXY`` (comma list of hosts, ``.domain`` suffixes, ``host:port``, ``*``) match?"""
    host = host.lower()
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        name, _, eport = entry.partition(":") if not entry.startswith("[") else (entry, "", "")
        if eport and port is not None and eport != str(port):
            continue
        name = name.strip("[]")
        if host == name.lstrip(".") or host.endswith("." + name.lstrip(".")):
            return True
    return False


def _redact_headers(headers: Mapping[str, str], custom: Iterable[str]) -> dict[str, str]:
    hidden = _SENSITIVE | {h.lower() for h in custom}
    out = {}
    for k, v in headers.items():
        if k.lower() in hidden:
            out[k] = "REDACTED"
        elif k.lower() in ("location", "content-location", "referer"):
            out[k] = redact_url(v)
        else:
            out[k] = v
    return out
