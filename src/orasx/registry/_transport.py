"""The one place that speaks HTTP: a plain sender over pooled connections, proxies, TLS and
redirects.

:class:`Sender` sends one :class:`Request` and follows redirects by hand, so that a hop to another
origin never carries the registry's ``Authorization`` or custom headers. It neither retries nor
authenticates: :mod:`orasx.registry._retrying` and :mod:`orasx.registry._authflow` wrap it, as
oras-go's ``retry`` and ``auth`` clients wrap an ``http.RoundTripper``. The connections are the
standard library's ``http.client`` (:mod:`orasx.registry._sockets`), chosen by measurement
(docs/decisions.md); they stay behind this module.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import logging
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from orasx.errors import NetworkError, RegistryError
from orasx.registry._errors import Deadline, network_error
from orasx.registry._options import ClientOptions
from orasx.registry._sockets import TLS, Pool, RawResponse, connection, current, proxy_for_url
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
#: what the connections raise (an OS error, or http.client's for a broken answer or URL)
_HTTP_ERRORS = (http.client.HTTPException, http.client.InvalidURL, OSError)
#: a kept-alive connection the server closed as this request went out: sent again once
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)

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

    def __init__(self, raw: Any, url: str, *,
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
                data: bytes = self.raw.read(None, decode_content=False)
                return data
            # read1: whatever has arrived (up to n) without waiting to fill n; faster here, and
            # lets the stall detector see a trickle.
            data = self.raw.read1(n, decode_content=False)
            return data
        except Exception as e:  # (a raw response given by a test or a user may be urllib3's)
            if not isinstance(e, _HTTP_ERRORS) and not type(e).__module__.startswith("urllib3"):
                raise
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
    """The plain transport: a pool of keep-alive connections per origin (and proxy, and whether
    the registry's client certificate goes with it), shared by all threads of one command."""

    def __init__(self, options: ClientOptions) -> None:
        self.options = o = options
        self._tls = TLS(o.insecure, o.ca_file, o.cert_file, o.key_file)
        self._pools: dict[tuple[str, str, int, bool, str], Pool] = {}
        self._lock = threading.Lock()
        #: the proxy environment, read once per command (reading it walks all of os.environ)
        self._proxies: dict[str, str] | None = None

    def close(self) -> None:
        with self._lock:
            pools = list(self._pools.values())
        for p in pools:
            p.clear()

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
                log.debug("%s", debug_request(n, method, url, hdrs,
                                                self.options.shown_headers if same else None))
            try:
                raw = self._open(method, url, hdrs, body, same, deadline)
            except _HTTP_ERRORS as e:
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

    def _pool(self, scheme: str, host: str, port: int, same: bool, proxy: str) -> Pool:
        key = (scheme, host, port, same, proxy)
        pool = self._pools.get(key)
        if pool is None:
            with self._lock:
                pool = self._pools.get(key)
                if pool is None:
                    pool = self._pools[key] = Pool(self._maker(scheme, host, port, same, proxy),
                                                   self.options.pool_size)
        return pool

    def _maker(self, scheme: str, host: str, port: int, same: bool,
               proxy: str) -> Callable[[], Any]:
        """How to open a connection to an origin: directly (or to its resolve override), or
        through ``proxy`` (a ``CONNECT`` tunnel for HTTPS); the client certificate only for the
        registry's own origin (``same``)."""
        o = self.options
        tls = self._tls.context(same) if scheme == "https" else None
        ct, rt = o.connect_timeout, o.read_timeout
        if proxy:
            phost, pport, pheaders = proxy_for_url(proxy)
            tunnel = (host, port, pheaders) if tls is not None else None
            return lambda: connection(phost, pport, tls=tls, server_name=host, tunnel=tunnel,
                                      connect_timeout=ct, read_timeout=rt)
        address, aport = o.resolve.get((host, port), (host, port))
        return lambda: connection(address, aport, tls=tls, server_name=host,
                                  connect_timeout=ct, read_timeout=rt)

    def _proxy_for(self, u: urllib.parse.SplitResult) -> str:
        if not self.options.use_env_proxies:
            return ""
        proxies = self._proxies
        if proxies is None:
            proxies = self._proxies = _proxies_from_environment()
        proxy = proxies.get(u.scheme, "")
        if proxy and no_proxy_matches(u.hostname or "", u.port, proxies.get("no", "")):
            return ""
        return proxy

    def _open(self, method: str, url: str, headers: dict[str, str], body: Body, same: bool,
              deadline: Deadline | None) -> RawResponse:
        """Send one request; with a ``deadline``, the response is read (headers, then body)
        through a reader that gives up when it passes (see :mod:`orasx.registry._sockets`)."""
        o = self.options
        if deadline is None:
            return self._urlopen(method, url, headers, body, same, o.connect_timeout,
                                 o.read_timeout)
        left = max(deadline.remaining(), 0.001)
        current.deadline = deadline
        try:
            return self._urlopen(method, url, headers, body, same,
                                 min(o.connect_timeout, left), min(o.read_timeout, left))
        finally:
            current.deadline = None

    def _urlopen(self, method: str, url: str, headers: dict[str, str], body: Body, same: bool,
                 connect_timeout: float, read_timeout: float) -> RawResponse:
        u = urllib.parse.urlsplit(url)
        scheme, host, port = origin(url)
        path = urllib.parse.urlunsplit(("", "", u.path or "/", u.query, ""))
        if (host, port) in self.options.resolve:
            proxy = ""
            headers = {**headers, "Host": u.netloc}
        else:
            proxy = self._proxy_for(u)
        pool = self._pool(scheme, host, port, same, proxy)
        if proxy and scheme == "http":  # a plain-HTTP proxy is sent the whole URL
            path = urllib.parse.urlunsplit((scheme, u.netloc.rpartition("@")[2], u.path or "/",
                                            u.query, ""))
            headers = {**headers, **proxy_for_url(proxy)[2]}
        for _ in range(2):
            conn, reused = pool.get()
            conn.connect_timeout = connect_timeout
            conn.timeout = read_timeout
            if conn.sock is not None:
                conn.sock.settimeout(read_timeout)
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
            except _STALE:
                conn.close()
                if reused and rewindable(body):
                    continue  # the server closed it while idle: once more on a new connection
                raise
            except BaseException:
                conn.close()
                raise
            return RawResponse(resp, conn, pool)
        raise NetworkError(f"{method} {redact_url(url)}: the connection was closed twice")


def _proxies_from_environment() -> dict[str, str]:
    """``urllib.request.getproxies_environment()`` without importing urllib.request (tempfile,
    email...): ``<scheme>_proxy`` variables, the lower-case spelling first, ``HTTP_PROXY``
    ignored in a CGI request (``REQUEST_METHOD`` set: httpoxy)."""
    import os

    proxies: dict[str, str] = {}
    for name, value in os.environ.items():
        if value and name[-6:].lower() == "_proxy":
            proxies[name[:-6].lower()] = value
    if "REQUEST_METHOD" in os.environ:
        proxies.pop("http", None)
    for name, value in os.environ.items():
        if name[-6:] == "_proxy":
            if value:
                proxies[name[:-6].lower()] = value
            else:
                proxies.pop(name[:-6].lower(), None)
    return proxies
