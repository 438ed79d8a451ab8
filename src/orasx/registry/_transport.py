"""The one place that speaks HTTP: a plain sender over urllib3 pools, proxies, TLS and redirects.

:class:`Sender` sends one :class:`Request` and follows redirects by hand, so that a hop to another
origin never carries the registry's ``Authorization`` or custom headers. It neither retries nor
authenticates: :mod:`orasx.registry._retrying` and :mod:`orasx.registry._authflow` wrap it, as
oras-go's ``retry`` and ``auth`` clients wrap an ``http.RoundTripper``. urllib3 was chosen by
measurement (docs/decisions.md); it stays behind this module.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import urllib3
import urllib3.connection
from urllib3.exceptions import HTTPError as _U3Error

from orasx.errors import NetworkError, RegistryError
from orasx.registry._errors import Deadline, network_error
from orasx.registry._options import ClientOptions
from orasx.registry._sockets import POOL_CLASSES, current
from orasx.registry._urls import (
    debug_request,
    debug_response,
    header_int,
    join_url,
    no_proxy_matches,
    origin,
    redact_url,
)

log = logging.getLogger("orasx.http")
_DEBUG_IDS = itertools.count()  # --debug's request numbers, per process (as the Go CLI's)

MAX_REDIRECTS = 10
#: How much of an unwanted body :meth:`Response.discard` reads to keep the connection; a longer
#: one closes the connection instead (a hostile body may never end).
MAX_DISCARD_BYTES = 64 * 1024

Body = bytes | Iterable[bytes] | None
__all__ = ["Body", "Deadline", "Request", "Response", "Sender", "Transport", "rewindable"]


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
    #: a metadata request's total deadline (connect, headers, redirects, retries and body).
    deadline: Deadline | None = None

    @property
    def credentials_origin(self) -> tuple[str, str, int]:
        return self.registry if self.registry is not None else origin(self.url)


class Response:
    """A response whose body is read as raw bytes (no content decoding) and closed by the caller.

    ``deadline``: the body must have arrived by then (a metadata request's); reads that go past
    it raise :class:`NetworkError`. :meth:`read_capped` (metadata, error bodies) and
    :meth:`discard` get one when the request had none: ``capped_seconds`` (0: none) from then.
    """

    def __init__(self, raw: urllib3.BaseHTTPResponse, url: str, *,
                 deadline: Deadline | None = None, method: str = "GET") -> None:
        self.raw = raw
        self.url = url
        self.status = raw.status
        self.headers = raw.headers
        self.deadline = deadline
        self.method = method
        self.capped_seconds = 60.0

    def header(self, name: str) -> str:
        return str(self.headers.get(name, ""))

    def content_length(self, what: str) -> int | None:
        """``Content-Length`` as a number (None when absent); anything but ASCII digits raises
        :class:`RegistryError`."""
        value = self.header("Content-Length")
        try:
            return header_int(value)
        except ValueError:
            raise RegistryError(f"{what}: the registry sent an invalid Content-Length "
                                f"{value[:40]!r}", status=self.status) from None

    def read(self, n: int = -1, /) -> bytes:
        deadline = self.deadline
        if deadline is not None and deadline.remaining() <= 0:
            raise deadline.error(self.method, self.url)
        try:
            if n is None or n < 0:
                return self.raw.read(None, decode_content=False)
            # read1: whatever has arrived (up to n) without waiting to fill n; faster here, and
            # lets the stall detector see a trickle.
            return self.raw.read1(n, decode_content=False)
        except (_U3Error, OSError) as e:
            if deadline is not None and deadline.remaining() <= 0:
                raise deadline.error(self.method, self.url) from None
            raise NetworkError(f"reading from {redact_url(self.url)}: {e}") from None

    def read_capped(self, limit: int) -> bytes:
        """Up to ``limit`` bytes of the body (the rest is discarded), within the deadline."""
        if self.deadline is None and self.capped_seconds > 0:
            self.deadline = Deadline.after(self.capped_seconds)
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
        """Read and drop a small body so the connection can be reused; a body longer than
        :data:`MAX_DISCARD_BYTES`, or slower than the deadline, closes the connection instead."""
        if self.deadline is None and self.capped_seconds > 0:
            self.deadline = Deadline.after(self.capped_seconds)
        left = MAX_DISCARD_BYTES
        with contextlib.suppress(NetworkError):
            while left > 0:
                data = self.read(min(left, 16 * 1024))
                if not data:
                    self.raw.release_conn()
                    return
                left -= len(data)
        self.raw.close()  # close first: a connection with unread bytes must not be reused
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
        #: the proxy environment, read once per command (reading it walks all of os.environ)
        self._proxies: dict[str, str] | None = None

    def close(self) -> None:
        with self._lock:
            managers = list(self._managers.values())
        for m in managers:
            m.clear()

    def send(self, request: Request) -> Response:
        """Send ``request``, following redirects (unless ``follow`` is false), by its deadline."""
        method, url, body = request.method, request.url, request.body
        reg_origin = request.credentials_origin
        custom = self.options.headers
        deadline = request.deadline
        for _ in range(MAX_REDIRECTS + 1):
            if deadline is not None and deadline.remaining() <= 0:
                raise deadline.error(method, url)
            same = origin(url) == reg_origin
            hdrs = dict(request.headers)
            if same:
                hdrs.update(custom)
                if request.authorization:
                    hdrs["Authorization"] = request.authorization
            n = next(_DEBUG_IDS) if log.isEnabledFor(logging.DEBUG) else -1
            if n >= 0:
                log.debug("%s", debug_request(n, method, url, hdrs, custom))
            try:
                raw = self._open(method, url, hdrs, body, same, deadline)
            except (_U3Error, OSError) as e:
                if deadline is not None and deadline.remaining() <= 0:
                    err = deadline.error(method, url)
                else:
                    err = network_error(method, url, e)
                if n >= 0:
                    log.error("<-- Response #%d\nError in getting response: %s", n, err)
                raise err from None
            resp = Response(raw, url, deadline=deadline, method=method)
            resp.capped_seconds = self.options.metadata_deadline
            if n >= 0:
                log.debug("%s", debug_response(n, method, raw.status, raw.reason, raw.headers))
            location = resp.header("Location")
            if not request.follow or resp.status not in (301, 302, 303, 307, 308) or not location:
                return resp
            resp.discard()
            new_url = join_url(url, location, f"{method} {redact_url(url)}: the redirect Location",
                               NetworkError)
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
                m.pool_classes_by_scheme = POOL_CLASSES
                self._managers[key] = m
        return m

    def _proxy_for(self, u: urllib.parse.SplitResult) -> str:
        if not self.options.use_env_proxies:
            return ""
        proxies = self._proxies
        if proxies is None:
            proxies = self._proxies = urllib.request.getproxies_environment()
        proxy = proxies.get(u.scheme, "")
        if proxy and no_proxy_matches(u.hostname or "", u.port, proxies.get("no", "")):
            return ""
        return proxy

    def _open(self, method: str, url: str, headers: dict[str, str], body: Body, same: bool,
              deadline: Deadline | None) -> urllib3.BaseHTTPResponse:
        """Send one request; with a ``deadline``, the response is read (headers, then body)
        through a reader that gives up when it passes (see :mod:`orasx.registry._sockets`)."""
        if deadline is None:
            return self._urlopen(method, url, headers, body, same, {})
        left = max(deadline.remaining(), 0.001)
        o = self.options
        timeout = urllib3.Timeout(connect=min(o.connect_timeout, left),
                                  read=min(o.read_timeout, left))
        current.deadline = deadline
        try:
            return self._urlopen(method, url, headers, body, same, {"timeout": timeout})
        finally:
            current.deadline = None

    def _urlopen(self, method: str, url: str, headers: dict[str, str], body: Body, same: bool,
                 extra: dict[str, Any]) -> urllib3.BaseHTTPResponse:
        u = urllib.parse.urlsplit(url)
        scheme, host, port = origin(url)
        kw: dict[str, Any] = {"body": body, "headers": headers, "redirect": False,
                              "preload_content": False, "decode_content": False, **extra}
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
        proxy = self._proxy_for(u)
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
