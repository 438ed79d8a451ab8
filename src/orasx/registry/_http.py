"""The one place that speaks HTTP: a urllib3 pool per command, per-request credentials, redirects.

Credentials (``Authorization``) and custom headers are attached per request and only when the
request goes to the registry's own origin (scheme, host, port); redirects are followed by hand so
that a hop to another origin never carries them. urllib3 was chosen by measurement
(docs/decisions.md).
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import urllib3
from urllib3.exceptions import HTTPError as _U3Error

from orasx._version import __version__
from orasx.errors import AuthenticationError, InvalidInputError, NetworkError
from orasx.registry import auth
from orasx.registry.retry import RETRYABLE_STATUS, RetryPolicy

log = logging.getLogger("orasx.http")

MAX_REDIRECTS = 10
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}
_SENSITIVE = {"authorization", "proxy-authorization", "cookie", "set-cookie"}

Body = bytes | Iterable[bytes] | None


@dataclass(frozen=True)
class ClientOptions:
    """How to reach registries. ``plain_http=None`` means: plain HTTP for loopback hosts only."""

    plain_http: bool | None = None
    insecure: bool = False
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    user_agent: str = f"orasx/{__version__}"
    connect_timeout: float = 30.0
    read_timeout: float = 300.0
    #: stall detector for downloads that trickle: fewer than ``stall_min_bytes`` in
    #: ``stall_window`` seconds counts as a dropped connection (the download resumes).
    stall_window: float = 60.0
    stall_min_bytes: int = 16 * 1024
    pool_size: int = 16
    #: curl-style overrides: ``{("host", port): ("address", port)}``.
    resolve: Mapping[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    #: honour ``HTTP(S)_PROXY`` / ``NO_PROXY`` from the environment.
    use_env_proxies: bool = True
    #: when to retry (429/5xx/connection errors on requests that can be repeated).
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: how a wait is done (tests replace it).
    sleep: Callable[[float], None] = time.sleep


def parse_resolve(entry: str) -> tuple[tuple[str, int], tuple[str, int]]:
    """``host:port:address[:address_port]`` (curl's ``--resolve``); IPv6 addresses in brackets."""
    m = re.fullmatch(r"([^:\[\]]+):(\d+):(\[[0-9A-Fa-f:.]+\]|[^:\[\]]+)(?::(\d+))?", entry)
    if not m:
        raise InvalidInputError(
            f"invalid --resolve {entry!r}: use host:port:address[:address_port]"
        )
    host, port, address, aport = m.groups()
    return (host.lower(), int(port)), (address.strip("[]"), int(aport or port))


def origin(url: str) -> tuple[str, str, int]:
    u = urllib.parse.urlsplit(url)
    scheme = u.scheme.lower()
    port = u.port or (443 if scheme == "https" else 80)
    return scheme, (u.hostname or "").lower(), port


def redact_url(url: str) -> str:
    """Drop userinfo and query values from a URL for logs and error messages."""
    u = urllib.parse.urlsplit(url)
    netloc = u.netloc.rpartition("@")[2]
    query = "&".join(
        f"{k}=REDACTED" if k.lower() not in ("digest", "n", "last", "scope", "service") else f"{k}={v}"
        for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True)
    )
    return urllib.parse.urlunsplit((u.scheme, netloc, u.path, query, ""))


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


CredentialFunc = Callable[[str], auth.Credential]


class Client:
    """An HTTP client shared by all threads of one command; one pool per origin."""

    def __init__(
        self,
        options: ClientOptions | None = None,
        credentials: CredentialFunc | auth.Credential | None = None,
    ) -> None:
        self.options = options or ClientOptions()
        if isinstance(credentials, auth.Credential):
            cred = credentials
            self._credentials: CredentialFunc = lambda _host: cred
        else:
            self._credentials = credentials or (lambda _host: auth.EMPTY_CREDENTIAL)
        o = self.options
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
        self._auth_cache: dict[tuple[str, tuple[str, ...]], str] = {}
        self._challenges: dict[str, auth.Challenge] = {}

    # -- scheme ----------------------------------------------------------------------------
    def scheme_for(self, host: str) -> str:
        """``http`` or ``https`` for a registry host; loopback defaults to plain HTTP."""
        if self.options.plain_http is not None:
            return "http" if self.options.plain_http else "https"
        hostname = urllib.parse.urlsplit(f"//{host}").hostname or host
        return "http" if hostname in _LOOPBACK else "https"

    def base_url(self, host: str) -> str:
        return f"{self.scheme_for(host)}://{host}"

    def close(self) -> None:
        with self._lock:
            managers = list(self._managers.values())
        for m in managers:
            m.clear()

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

    # -- requests --------------------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: Body = None,
        scopes: tuple[str, ...] = (),
    ) -> Response:
        """Send a request to a registry URL with its credentials, following redirects.

        A 401 from the registry's own origin runs the auth flow once and, when the body can be
        sent again, retries. The caller reads and closes the response.
        """
        reg_origin = origin(url)
        host = urllib.parse.urlsplit(url).netloc
        hdrs = {"User-Agent": self.options.user_agent, **(headers or {})}
        key = (host, auth.merge_scopes(*scopes))
        with self._lock:
            cached = self._auth_cache.get(key)
        if cached is None:
            cached = self._proactive_auth(host, key[1])
        resp = self._send_retrying(method, url, hdrs, body, cached, reg_origin)
        if resp.status != 401 or origin(resp.url) != reg_origin:
            return resp
        challenges = auth.parse_challenges(resp.header("WWW-Authenticate"))
        resp.discard()
        new_auth = self._authenticate(host, reg_origin[0], challenges, key[1])
        if new_auth is None or new_auth == cached:
            raise self._unauthorized(host)
        if body is not None and not isinstance(body, bytes):
            raise AuthenticationError(
                f"{host}: the registry asked for authentication in the middle of an upload: "
                "try again (credentials are now cached)"
            )
        with self._lock:
            self._auth_cache[key] = new_auth
        resp = self._send_retrying(method, url, hdrs, body, new_auth, reg_origin)
        if resp.status == 401:
            resp.discard()
            if new_auth.startswith("Bearer ") and key[1] and self._credentials(host):
                raise AuthenticationError(
                    f"{host}: denied: the token granted does not cover {' '.join(key[1])}",
                    status=401, reason="denied", registry=host,
                )
            raise self._unauthorized(host)
        return resp

    def credential_for(self, host: str) -> auth.Credential:
        """The credential this client would use for ``host``."""
        return self._credentials(host)

    def _unauthorized(self, host: str) -> AuthenticationError:
        cred = self._credentials(host)
        if cred:
            return AuthenticationError(f"{host}: unauthorized: the credentials were refused",
                                       status=401, reason="credentials-refused", registry=host)
        return AuthenticationError(f"{host}: unauthorized: no credentials", status=401,
                                   reason="unauthorized", registry=host)

    def _proactive_auth(self, host: str, scopes: tuple[str, ...]) -> str | None:
        """Authenticate before sending when we already know how this host wants it."""
        with self._lock:
            challenge = self._challenges.get(host)
        if challenge is None:
            return None
        header = self._answer(host, self.scheme_for(host), challenge, scopes)
        if header is not None:
            with self._lock:
                self._auth_cache[(host, scopes)] = header
        return header

    def _authenticate(
        self, host: str, scheme: str, challenges: list[auth.Challenge], scopes: tuple[str, ...]
    ) -> str | None:
        for ch in challenges:
            if ch.scheme in ("bearer", "basic"):
                with self._lock:
                    self._challenges[host] = ch
                return self._answer(host, scheme, ch, scopes)
        return None

    def _answer(
        self, host: str, scheme: str, ch: auth.Challenge, scopes: tuple[str, ...]
    ) -> str | None:
        cred = self._credentials(host)
        if ch.scheme == "basic":
            if not (cred.username or cred.password):
                return None
            if scheme != "https" and not self._plain_http_allowed(host):
                raise AuthenticationError(
                    f"{host}: refusing to send a password over plain HTTP",
                    reason="plain-http-credentials", registry=host,
                )
            return auth.basic_header(cred)
        if cred.registry_token:
            return f"Bearer {cred.registry_token}"
        realm = ch.params.get("realm", "")
        auth.validate_realm(realm, scheme, host)
        all_scopes = auth.merge_scopes(ch.params.get("scope", ""), *scopes)
        method, url, headers, body = auth.token_request(ch, all_scopes, cred)
        headers["User-Agent"] = self.options.user_agent
        resp = self._send(method, url, headers, body, None, origin(url), follow=False)
        try:
            data = resp.read_capped(auth.MAX_TOKEN_BYTES)
        finally:
            resp.close()
        if resp.status == 401 or resp.status == 403:
            raise AuthenticationError(
                f"{host}: the token server refused the credentials",
                status=resp.status, reason="credentials-refused", registry=host,
            )
        if resp.status != 200:
            raise AuthenticationError(
                f"{host}: token server {redact_url(realm)} answered {resp.status}",
                status=resp.status,
            )
        return "Bearer " + auth.parse_token_response(data)

    def _plain_http_allowed(self, host: str) -> bool:
        """Basic credentials over HTTP only to loopback or when --plain-http was asked for."""
        if self.options.plain_http:
            return True
        hostname = urllib.parse.urlsplit(f"//{host}").hostname or host
        return hostname in _LOOPBACK

    def _send_retrying(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: Body,
        authorization: str | None,
        reg_origin: tuple[str, str, int],
    ) -> Response:
        """``_send`` with the retry policy, when the body can be sent again."""
        policy = self.options.retry
        rewindable = body is None or isinstance(body, bytes)
        start = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                resp = self._send(method, url, headers, body, authorization, reg_origin)
            except NetworkError as e:
                wait = policy.delay(attempt, elapsed=time.monotonic() - start) if rewindable \
                    else None
                if wait is None:
                    raise
                log.info("retrying %s %s in %.2fs after: %s", method, redact_url(url), wait, e)
                self.options.sleep(wait)
                continue
            if not rewindable or resp.status not in RETRYABLE_STATUS:
                return resp
            wait = policy.delay(attempt, status=resp.status,
                                retry_after=resp.header("Retry-After"),
                                elapsed=time.monotonic() - start)
            if wait is None:
                return resp
            resp.discard()
            log.info("retrying %s %s in %.2fs after status %s", method, redact_url(url), wait,
                     resp.status)
            self.options.sleep(wait)

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: Body,
        authorization: str | None,
        reg_origin: tuple[str, str, int],
        *,
        follow: bool = True,
    ) -> Response:
        custom = self.options.headers
        for _ in range(MAX_REDIRECTS + 1):
            same = origin(url) == reg_origin
            hdrs = dict(headers)
            if same:
                hdrs.update(custom)
                if authorization:
                    hdrs["Authorization"] = authorization
            if log.isEnabledFor(logging.DEBUG):
                log.debug("> %s %s %s", method, redact_url(url), _redact_headers(hdrs, custom))
            try:
                raw = self._open(method, url, hdrs, body, same)
            except (_U3Error, OSError) as e:
                raise _network_error(method, url, e) from None
            resp = Response(raw, url)
            if log.isEnabledFor(logging.DEBUG):
                log.debug(
                    "< %s %s %s", resp.status, redact_url(url), _redact_headers(raw.headers, ())
                )
            location = resp.header("Location")
            if not follow or resp.status not in (301, 302, 303, 307, 308) or not location:
                return resp
            resp.discard()
            new_url = urllib.parse.urljoin(url, location)
            if origin(url)[0] == "https" and origin(new_url)[0] != "https":
                raise NetworkError(
                    f"refusing redirect from {redact_url(url)} to plain-HTTP {redact_url(new_url)}"
                )
            if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
                method, body = "GET", None
            elif body is not None and not isinstance(body, bytes):
                raise NetworkError(
                    f"{redact_url(url)}: redirected while streaming a body; cannot resend it"
                )
            url = new_url
        raise NetworkError(f"too many redirects from {redact_url(url)}")


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


def _network_error(method: str, url: str, e: BaseException) -> NetworkError:
    reason = getattr(e, "reason", None) or e
    text = str(reason)
    if "CERTIFICATE_VERIFY_FAILED" in text or isinstance(reason, urllib3.exceptions.SSLError):
        return NetworkError(f"{method} {redact_url(url)}: TLS verification failed ({text})",
                            reason="tls-verify")
    if "Connection refused" in text:
        return NetworkError(f"{method} {redact_url(url)}: connection refused",
                            reason="https-refused" if url.startswith("https://") else "refused")
    return NetworkError(f"{method} {redact_url(url)}: {text}")
