"""A big blob downloaded into a file as parallel ``Range`` requests (:class:`RangedDownload`).

Registries hand blob GETs to CDNs and object stores that cap each TCP flow; one connection per
blob then cannot fill the link. Here a big blob is cut into parts, fetched by up to
``connections`` threads (each range through the registry, following its redirect; the transport
drops our credentials on a hop to another origin), and written where it belongs in the file it is
given (``os.pwrite``: nothing is reassembled, memory stays at a read buffer per connection).

The calling thread hashes the bytes in order as the written prefix grows (read back with
``os.pread``: the file is the buffer) and checks the digest over the whole. A registry that does
not honour ``Range`` (no ``Accept-Ranges: bytes``, or a 200 to a ranged GET) is declined: its
response is read as one stream instead (:class:`~orasx.registry._blobs.RangedBlob`). A kept
prefix (a resumed download) is hashed again like any other written bytes: nothing on disk is
trusted without being hashed, and only the digest of the whole decides.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orasx.descriptor import Descriptor
from orasx.errors import NetworkError, Reason, RegistryError, VerificationError
from orasx.registry._errors import registry_error
from orasx.registry._fileio import preadinto, pwrite_all, thread_busy
from orasx.registry._http import Client, Response

if TYPE_CHECKING:
    from hashlib import _Hash

log = logging.getLogger("orasx.registry.remote")

__all__ = ["MAX_PART", "MIN_PART", "RangedDownload"]

#: Parts are at least this big (fewer requests; each costs a round trip or two) ...
MIN_PART = 4 * 1024 * 1024
#: ... and at most this big (the link stays busy to the end: parts finish close together).
MAX_PART = 16 * 1024 * 1024
#: Bytes per read of a part's body (one such buffer per connection is all the memory it takes).
READ_SIZE = 1 << 20
#: Bytes hashed per ``pread`` of the written prefix.
HASH_SIZE = 4 << 20
#: How often (seconds) the calling thread reports progress, checks for cancellation and hashes
#: what was written ahead of the in-line hasher (woken early when a part completes).
TICK = 0.05
#: A connection slower than this (bytes a second, over its first :data:`RAMP` seconds) brings
#: in the others; a faster one (loopback, a LAN) stays alone and hashes in line, as one stream.
FAST_FLOW = 200 * 1000 * 1000
RAMP = 0.1
#: ... unless the one connection's thread was running (or waiting for a CPU) this much of the
#: time: then this machine, not the link, is what is slow (loopback on a busy machine), and more
#: connections would only share the same CPUs (measured: 42 ranges instead of one stream for
#: 512 MiB on loopback under load, twice the CPU).
CPU_BOUND = 0.5
#: Tries per part (a dropped or stalled connection continues the part where it stopped).
PART_TRIES = 5
#: A checkpoint (the written prefix, for a later resume) is reported every this many bytes.
CHECKPOINT_EVERY = 8 * 1024 * 1024

_CONTENT_RANGE = re.compile(r"bytes (\d{1,19})-(\d{1,19})/(\d{1,19}|\*)")


@dataclass
class _Part:
    start: int
    end: int  # exclusive
    done: int = 0  # bytes of it written (from start)
    length: int = 0

    def __post_init__(self) -> None:
        self.length = self.end - self.start


@dataclass
class _Stream:
    """A response being read: the next byte it gives is ``at``; it ends at ``end``."""

    resp: Response
    at: int
    end: int


class _Stop(Exception):
    """The download is over (another worker failed, or it was cancelled)."""


class RangedDownload:
    """The blob ``desc`` at ``url``, fetched with up to ``connections`` ranged GETs at once."""

    def __init__(self, client: Client, url: str, headers: dict[str, str], scopes: tuple[str, ...],
                 what: str, registry: str, desc: Descriptor, connections: int) -> None:
        self.client, self.url, self.headers, self.scopes = client, url, headers, scopes
        self.what, self.registry, self.desc = what, registry, desc
        self.connections = max(1, connections)
        #: a registry's 200 (the whole blob) when run() declined it: read it as a stream
        self.whole: Response | None = None
        self._cond = threading.Condition()
        self._error: BaseException | None = None
        self._stop = False
        self._parts: list[_Part] = []
        self._next = self._running = 0  # the next part nobody took; workers running
        self._workers: list[threading.Thread] = []
        self._first: _Stream | None = None  # the first response, for the first worker
        #: the bytes hashed so far (in order), under _hlock; the worker writing at that offset
        #: hashes its bytes in line, the calling thread reads back what was written ahead
        self._hlock = threading.Lock()
        self._hashed = 0
        self._hasher: _Hash | None = None
        #: the worker reading the first response: (its OS thread id, when it started, its
        #: CPU time then): the CPU it takes decides whether more connections would help
        self._ramp: tuple[int, float, float | None] | None = None

    # -- the calling thread ------------------------------------------------------------------
    def run(self, fd: int, have: int = 0, progress: Callable[[int], None] | None = None,
            checkpoint: Callable[[int], None] | None = None) -> bool:
        """Write the blob into ``fd`` (its first ``have`` bytes are there already) and verify it;
        True once ``fd`` holds all of it. ``progress(n)``: bytes in place so far (it may raise to
        stop the download); ``checkpoint(n)``: the first ``n`` bytes are written (a later
        resume may keep them). Raises :class:`VerificationError` on a digest mismatch."""
        size = self.desc.size
        have = min(max(have, 0), size)
        self._hasher = hasher = self.desc.digest.hasher()
        if have < size:
            # The first request asks for all that is missing, so a fast link is served by one
            # response (a registry sends a whole blob faster than a range of it); more
            # connections come in with ranges of their own when it is slow (_hash_prefix).
            resp = self._get(have, None)
            if resp.status == 200 and (have or "bytes" not in resp.header("Accept-Ranges")):
                self.whole = resp  # Range not honoured: read it as one stream instead
                return False
            self._first = self._plan(have, size, resp)
        try:
            self._hash_prefix(fd, have, hasher, progress, checkpoint)
        except BaseException:
            self._abort()
            raise
        for t in self._workers:
            t.join()
        got = hasher.hexdigest()
        if got != self.desc.digest.encoded:
            raise VerificationError(f"{self.what}: digest mismatch: expected {self.desc.digest}, "
                                    f"got {self.desc.digest.algorithm}:{got}")
        return True

    def _part_end(self, start: int, size: int) -> int:
        """Where the part from ``start`` ends: the rest shared among the connections, each
        part between :data:`MIN_PART` and :data:`MAX_PART`."""
        share = -(-(size - start) // self.connections)
        return min(size, start + min(MAX_PART, max(MIN_PART, share)))

    def _plan(self, have: int, size: int, first: Response) -> _Stream:
        """Cut ``[have, size)`` into parts; ``first`` (the response to the first request: the
        whole blob, or all from ``have``) is checked here."""
        self._check(first, have, size)
        pos = have
        while pos < size:
            end = self._part_end(pos, size)
            self._parts.append(_Part(pos, end))
            pos = end
        return _Stream(first, have, size)

    def _spawn(self, fd: int, n: int) -> None:
        """Start workers until ``n`` run (never more than there are parts); the first one
        takes the first part's response."""
        with self._cond:
            while len(self._workers) < min(n, len(self._parts)):
                first, self._first = self._first, None
                t = threading.Thread(target=self._worker, args=(fd, first), daemon=True,
                                     name=f"orasx-range-{len(self._workers)}")
                self._workers.append(t)
                self._running += 1
                t.start()

    def _contiguous(self, have: int) -> int:
        """The end of the written prefix (the kept ``have`` bytes, then every part in order)."""
        end = have
        for p in self._parts:
            if p.done < p.length:
                return p.start + p.done
            end = p.end
        return end

    def _hash_prefix(self, fd: int, have: int, hasher: _Hash,
                     progress: Callable[[int], None] | None,
                     checkpoint: Callable[[int], None] | None) -> None:
        """Hash the written prefix as it grows (the worker at its end hashes in line; what was
        written ahead of it is read back here), report progress, and add connections once one
        is found slower than :data:`FAST_FLOW`."""
        size = self.desc.size
        reported = have
        buf = bytearray(HASH_SIZE)
        view = memoryview(buf)
        self._spawn(fd, 1)
        started = time.monotonic()
        while True:
            with self._cond:
                if self._error is not None:
                    raise self._error
                end = self._contiguous(have)
                if end <= self._hashed:
                    if self._hashed >= size:
                        break
                    if self._running == 0:
                        raise NetworkError(f"{self.what}: the download stopped at byte {end}")
                    self._cond.wait(TICK)
                    if self._error is not None:
                        raise self._error
                    end = self._contiguous(have)
                written = sum(p.done for p in self._parts)
            if len(self._workers) < self.connections:
                elapsed = time.monotonic() - started
                if elapsed >= RAMP and written < FAST_FLOW * elapsed and not self._cpu_bound():
                    self._spawn(fd, self.connections)
            if progress is not None:
                progress(have + written)
            if checkpoint is not None and end - reported >= CHECKPOINT_EVERY:
                checkpoint(end)
                reported = end
            while self._hashed < end:  # written ahead of the worker that hashes in line
                with self._hlock:
                    pos = self._hashed
                    n = preadinto(fd, view[:min(HASH_SIZE, end - pos)], pos)
                    if not n:
                        raise VerificationError(f"{self.what}: the file ended at byte {pos} "
                                                "while it was hashed")
                    hasher.update(view[:n])
                    self._hashed = pos + n
        if progress is not None:
            progress(size)
        if checkpoint is not None and size > reported:
            checkpoint(size)

    def _cpu_bound(self) -> bool:
        """Was the first connection's thread running (or waiting for a CPU) for at least
        :data:`CPU_BOUND` of its time? (False when unknown.)"""
        if self._ramp is None:
            return False
        tid, since, busy0 = self._ramp
        busy = thread_busy(tid)
        if busy0 is None or busy is None:
            return False
        return busy - busy0 >= CPU_BOUND * (time.monotonic() - since)

    def _abort(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
            if self._first is not None:
                _drop(self._first.resp)
                self._first = None
        for t in self._workers:  # a worker stops at its next read (one buffer)
            t.join(5)

    # -- the workers ------------------------------------------------------------------------
    def _worker(self, fd: int, first: _Stream | None) -> None:
        if first is not None:
            tid = threading.get_native_id()
            self._ramp = (tid, time.monotonic(), thread_busy(tid))
        stream = first
        try:
            while True:
                with self._cond:
                    if self._stop or self._error is not None or self._next >= len(self._parts):
                        return
                    part = self._parts[self._next]
                    self._next += 1
                stream = self._fetch_part(fd, part, stream)
        except _Stop:
            pass
        except BaseException as e:  # handed to the calling thread
            with self._cond:
                if self._error is None:
                    self._error = e
        finally:
            if stream is not None:
                _drop(stream.resp)
            with self._cond:
                self._running -= 1
                self._cond.notify_all()

    def _fetch_part(self, fd: int, part: _Part, stream: _Stream | None) -> _Stream | None:
        """Write ``part``, reading on from ``stream`` when it is there (the first request's
        open-ended body), else with a ranged GET of the part; a dropped, cut or stalled
        connection continues where it stopped. Returns the stream when it goes on past the
        part (the next part may continue it)."""
        failures = 0
        options = self.client.options
        while part.done < part.length:
            pos = part.start + part.done
            if stream is not None and stream.at != pos:
                _drop(stream.resp)  # a part elsewhere: this stream's bytes are not wanted
                stream = None
            try:
                if stream is None:
                    resp = self._get(pos, part.end - 1)
                    if resp.status == 200:
                        _drop(resp)
                        raise NetworkError(f"{self.what}: the registry stopped honouring Range "
                                           "requests")
                    self._check(resp, pos, part.end)
                    stream = _Stream(resp, pos, part.end)
                resp = stream.resp
                window_start, window_bytes = time.monotonic(), 0
                while part.done < part.length:
                    if self._stop:
                        raise _Stop
                    data = resp.read(min(READ_SIZE, part.length - part.done))
                    if not data:
                        raise NetworkError(f"{self.what}: a range ended at byte "
                                           f"{part.start + part.done} of {part.end}")
                    pos = part.start + part.done
                    pwrite_all(fd, data, pos)
                    if self._hashed == pos:  # at the end of the hashed prefix: hash in line
                        with self._hlock:
                            if self._hashed == pos and self._hasher is not None:
                                self._hasher.update(data)
                                self._hashed = pos + len(data)
                    stream.at = pos + len(data)
                    part.done += len(data)  # (one writer; the calling thread looks every TICK)
                    window_bytes += len(data)
                    if time.monotonic() - window_start >= options.stall_window:  # as ResumingBody
                        if window_bytes < options.stall_min_bytes:
                            raise NetworkError(f"{self.what}: transfer stalled")
                        window_start, window_bytes = time.monotonic(), 0
            except NetworkError as e:
                if stream is not None:
                    _drop(stream.resp)
                    stream = None
                failures += 1
                if e.reason is Reason.DEADLINE or failures >= PART_TRIES or self._stop:
                    raise
                log.info("resuming %s at byte %d after: %s", self.what, part.start + part.done, e)
            except BaseException:
                if stream is not None:
                    _drop(stream.resp)
                raise
        with self._cond:
            self._cond.notify_all()
        if stream is not None and stream.at >= stream.end:
            stream.resp.discard()  # nothing should follow: the connection goes back to the pool
            return None
        return stream

    # -- requests ---------------------------------------------------------------------------
    def _get(self, first: int, last: int | None) -> Response:
        """``GET`` bytes ``first..last`` (inclusive; to the end when ``last`` is None; the
        whole blob, without ``Range``, from 0 to the end) through the registry (and its
        redirect)."""
        headers = self.headers
        if first or last is not None:
            headers = {**headers, "Range": f"bytes={first}-{'' if last is None else last}"}
        resp = self.client.request("GET", self.url, headers=headers, scopes=self.scopes)
        if resp.status not in (200, 206):
            raise registry_error(resp, "GET", self.what, self.registry)
        return resp

    def _check(self, resp: Response, start: int, end: int) -> None:
        """``resp`` must be the 206 of exactly ``[start, end)`` of a blob of the right size (a
        200: the whole blob, of its size)."""
        value = resp.header("Content-Range").strip()
        m = _CONTENT_RANGE.fullmatch(value)
        length = resp.content_length(self.what)
        if resp.status == 200:
            bad = length is not None and length != self.desc.size
        else:
            bad = (m is None or int(m.group(1)) != start or int(m.group(2)) != end - 1
                   or (m.group(3) != "*" and int(m.group(3)) != self.desc.size)
                   or (length is not None and length != end - start))
        if bad:
            _drop(resp)
            raise RegistryError(f"{self.what}: the registry answered bytes {start}-{end - 1} "
                                f"with status {resp.status}, Content-Range {value[:80]!r} and "
                                f"Content-Length {length}", status=resp.status)
        self._check_digest_header(resp)

    def _check_digest_header(self, resp: Response) -> None:
        header = resp.header("Docker-Content-Digest")
        if header and header != str(self.desc.digest):
            _drop(resp)
            raise VerificationError(f"{self.what}: registry says the content is {header}, "
                                    f"expected {self.desc.digest}")


def _drop(resp: Response) -> None:
    """Close a response whose body is not wanted (the connection is not reused)."""
    with contextlib.suppress(Exception):
        resp.raw.close()
        resp.raw.release_conn()

