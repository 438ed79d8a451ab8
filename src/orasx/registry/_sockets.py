"""Sockets under the transport: the metadata deadline inside urllib3's connections."""

from __future__ import annotations

import http.client
import io
import threading
from typing import Any

import urllib3
import urllib3.connection

from orasx.registry._errors import Deadline

__all__ = ["POOL_CLASSES", "current"]


# -- the metadata deadline inside urllib3 --------------------------------------------------------
# urllib3's read timeout applies to each socket read, so a registry sending one byte a second
# never trips it. A request with a deadline is sent with ``current.deadline`` set; the response
# class of our connections then reads the socket through :class:`_DeadlineReader`, which lowers
# the socket timeout to what is left before every read and refuses to read past the deadline
# (headers included: http.client reads them through the same file object).

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


class _HTTPConnection(urllib3.connection.HTTPConnection):
    response_class = _HTTPResponse


class _HTTPSConnection(urllib3.connection.HTTPSConnection):
    response_class = _HTTPResponse


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


POOL_CLASSES: dict[str, type[urllib3.HTTPConnectionPool]] = {
    "http": _HTTPPool, "https": _HTTPSPool}
