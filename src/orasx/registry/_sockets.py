"""Connections under the transport: ``http.client`` connections pooled per origin, TLS, proxies
(``CONNECT`` tunnels), and the metadata deadline inside each read.

The standard library's client, not urllib3: it costs nothing to import beyond ``http.client``
itself (urllib3 added about 60 ms to every command, docs/decisions.md) and less CPU per request.
What urllib3 did for us is here: a pool of idle keep-alive connections per origin (a connection
found closed or readable while idle is dropped), ``TCP_NODELAY``, a connect timeout apart from
the read timeout, TLS with the system's or a given CA, client certificates, a server name other
than the address connected to (curl-style resolve), and proxies with basic credentials.
"""

from __future__ import annotations

import base64
import http.client
import io
import select
import socket
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

from orasx.registry._errors import Deadline

__all__ = ["TLS", "ConnectFailed", "Pool", "RawResponse", "current", "proxy_for_url"]


# -- the metadata deadline inside each read -----------------------------------------------------
# A socket's read timeout applies to each read, so a registry sending one byte a second never
# trips it. A request with a deadline is sent with ``current.deadline`` set; the response then
# reads the socket through :class:`_DeadlineReader`, which lowers the socket timeout to what is
# left before every read and refuses to read past the deadline (headers included: http.client
# reads them through the same file object).

current = threading.local()


class _DeadlineReader(io.RawIOBase):
    """A socket's raw reader that fails with ``TimeoutError`` once ``deadline`` has passed."""

    def __init__(self, raw: Any, sock: Any, deadline: Deadline) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._deadline = deadline
        self._timeout = sock.gettimeout()

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        left = self._deadline.remaining()
        if left <= 0:
            raise TimeoutError("deadline passed")
        self._sock.settimeout(left if self._timeout is None else min(self._timeout, left))
        n: int = self._raw.readinto(b)
        return n

    def fileno(self) -> int:
        n: int = self._raw.fileno()
        return n

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineSocket:
    """What http.client's response is built on: ``makefile`` wraps the reader."""

    def __init__(self, sock: Any, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        raw = self._sock.makefile("rb", buffering=0)
        return io.BufferedReader(_DeadlineReader(raw, self._sock, self._deadline))


class _HTTPResponse(http.client.HTTPResponse):
    def __init__(self, sock: Any, *args: Any, **kwargs: Any) -> None:
        deadline = getattr(current, "deadline", None)
        if deadline is not None:
            sock = _DeadlineSocket(sock, deadline)
        super().__init__(sock, *args, **kwargs)


# -- connections --------------------------------------------------------------------------------
class ConnectFailed(OSError):
    """A connection could not be opened: ``conn`` names the host and port tried, ``failure``
    says how (``lookup``, ``timeout``, ``tls`` or ``""``); the OS error is the ``__cause__``."""

    def __init__(self, host: str, port: int, failure: str, text: str) -> None:
        super().__init__(text)
        self.conn = _Where(host, port)
        self.failure = failure


class _Where:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port


class TLS:
    """TLS settings of one client: verification (system CAs, a CA file, or none) and a client
    certificate; a context is made on first use (loading the system's CAs takes milliseconds)."""

    def __init__(self, insecure: bool, ca_file: str | None, cert_file: str | None,
                 key_file: str | None) -> None:
        self._args = (insecure, ca_file, cert_file, key_file)
        self._contexts: dict[bool, Any] = {}
        self._lock = threading.Lock()

    def context(self, client_cert: bool) -> Any:
        insecure, ca_file, cert_file, key_file = self._args
        client_cert = client_cert and bool(cert_file)
        with self._lock:
            ctx = self._contexts.get(client_cert)
            if ctx is None:
                import ssl

                ctx = ssl.create_default_context(cafile=ca_file)
                if insecure:
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                ctx.set_alpn_protocols(["http/1.1"])
                if client_cert and cert_file:
                    ctx.load_cert_chain(cert_file, key_file)
                self._contexts[client_cert] = ctx
        return ctx


class _Connection(http.client.HTTPConnection):
    """One connection to ``host:port`` (an address, a proxy), optionally through a ``CONNECT``
    tunnel, optionally TLS with ``server_name`` checked."""

    response_class = _HTTPResponse

    def __init__(self, host: str, port: int, *, connect_timeout: float, read_timeout: float,
                 tls: Any = None, server_name: str = "") -> None:
        super().__init__(host, port, timeout=read_timeout, blocksize=1 << 20)
        self.connect_timeout = connect_timeout
        self._tls = tls
        self._server_name = server_name or host

    def connect(self) -> None:
        host, port = self.host, self.port
        try:
            sock = socket.create_connection((host, port), self.connect_timeout)
        except socket.gaierror as e:
            raise ConnectFailed(host, port, "lookup", f"failed to resolve {host!r} ({e})") from e
        except TimeoutError as e:
            raise ConnectFailed(host, port, "timeout", f"connection to {host}:{port} timed out "
                                f"(connect timeout={self.connect_timeout:g})") from e
        except OSError as e:
            raise ConnectFailed(host, port, "", str(e)) from e
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(self.timeout)
            self.sock = sock
            if getattr(self, "_tunnel_host", None):
                self._tunnel()  # type: ignore[attr-defined]
            if self._tls is not None:
                try:
                    self.sock = self._tls.wrap_socket(self.sock, server_hostname=self._server_name)
                except OSError as e:
                    raise ConnectFailed(host, port, "tls", str(e)) from e
        except BaseException:
            sock.close()
            self.sock = None
            raise


class Pool:
    """Idle keep-alive connections to one place, at most ``maxsize`` kept."""

    def __init__(self, make: Any, maxsize: int) -> None:
        self._make = make
        self._idle: list[_Connection] = []
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def get(self) -> tuple[_Connection, bool]:
        """A connection and whether it was used before (a new one connects on first use)."""
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._make(), False
            sock = conn.sock
            try:
                if sock is not None and not select.select([sock], [], [], 0)[0]:
                    return conn, True
            except (OSError, ValueError):
                pass
            conn.close()  # closed by the server while idle (or bytes nobody asked for)

    def put(self, conn: _Connection) -> None:
        if conn.sock is not None:
            with self._lock:
                if len(self._idle) < self._maxsize:
                    self._idle.append(conn)
                    return
        conn.close()

    def clear(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for c in idle:
            c.close()


def proxy_for_url(proxy: str) -> tuple[str, int, dict[str, str]]:
    """A proxy URL's host, port and ``Proxy-Authorization`` header (from its userinfo)."""
    u = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if u.scheme != "http":
        raise ConnectFailed(u.hostname or proxy, u.port or 0, "",
                            f"proxy {u.scheme}://{u.hostname}: only http:// proxies are supported")
    headers = {}
    if u.username is not None:
        cred = f"{urllib.parse.unquote(u.username)}:{urllib.parse.unquote(u.password or '')}"
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(cred.encode()).decode()
    return u.hostname or "", u.port or 80, headers


def connection(host: str, port: int, *, connect_timeout: float, read_timeout: float,
               tls: Any = None, server_name: str = "",
               tunnel: tuple[str, int, dict[str, str]] | None = None) -> _Connection:
    conn = _Connection(host, port, connect_timeout=connect_timeout, read_timeout=read_timeout,
                       tls=tls, server_name=server_name)
    if tunnel is not None:
        conn.set_tunnel(tunnel[0], tunnel[1], headers=tunnel[2])
    return conn


# -- responses ----------------------------------------------------------------------------------
class Headers(Mapping[str, str]):
    """A response's headers: names as sent, looked up in any case, repeats joined by ``", "``."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._d: dict[str, tuple[str, str]] = {}
        for k, v in pairs:
            key = k.lower()
            old = self._d.get(key)
            self._d[key] = (old[0], f"{old[1]}, {v}") if old else (k, v)

    def __getitem__(self, name: str) -> str:
        return self._d[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._d

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._d.values())

    def __len__(self) -> int:
        return len(self._d)

    def itermerged(self) -> list[tuple[str, str]]:
        return list(self._d.values())


class RawResponse:
    """An ``http.client`` response with the small surface the transport uses (urllib3's names):
    raw reads, and ``release_conn`` handing a drained keep-alive connection back to its pool."""

    def __init__(self, resp: http.client.HTTPResponse, conn: _Connection, pool: Pool) -> None:
        self._resp = resp
        self._conn: _Connection | None = conn
        self._pool = pool
        self.status = resp.status
        self.reason = resp.reason
        self.headers = Headers(resp.getheaders())

    @property
    def closed(self) -> bool:
        return self._resp.isclosed()

    def read(self, n: int | None = None, decode_content: bool = False) -> bytes:
        if n is None or n < 0:
            return self._resp.read()  # (http.client raises IncompleteRead when cut short)
        return self._ended(self._resp.read(n), n)

    def read1(self, n: int = -1, decode_content: bool = False) -> bytes:
        return self._ended(self._resp.read1(n), n)

    def readinto(self, b: Any) -> int:
        n = self._resp.readinto(b)
        if not n and len(b):
            self._ended(b"", len(b))
        return n

    def _ended(self, data: bytes, n: int) -> bytes:
        """``data``, unless the connection ended before the ``Content-Length`` it announced
        (http.client returns ``b""`` there): ``IncompleteRead``, so the download resumes."""
        if not data and n:
            left = self._resp.length
            if left:
                raise http.client.IncompleteRead(b"", left)
        return data

    def release_conn(self) -> None:
        """Back to the pool when the body was read to its end, else closed."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        r = self._resp
        drained = r.isclosed() or r.length == 0 or r._method == "HEAD"  # type: ignore[attr-defined]
        keep = drained and not r.will_close
        r.close()
        if keep:
            self._pool.put(conn)
        else:
            conn.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        self._resp.close()
        if conn is not None:
            conn.close()
