#!/usr/bin/env python3
"""A TCP delay line: a proxy on 127.0.0.1 that delays every byte by a fixed one-way latency.

    python bench/delayline.py 127.0.0.1:5000 --delay-ms 20 [--port 0] [--log requests.jsonl]

Every chunk read from one side is stamped with its arrival time and written to the other side once
``delay`` seconds have passed, by its own task per direction per connection (asyncio, one event loop
thread), so bandwidth is not limited much (up to ``window`` bytes in flight per direction, 32 MiB by
default, as a TCP window would) and any number of concurrent connections each see the delay. 20 ms
each way is a 40 ms round trip.

``rate`` (``--rate-mb``) caps each direction of each connection at that many bytes a second, as
CDNs and object stores cap every TCP flow (a chunk leaves once the ones before it have had their
time on the link: a token bucket of one chunk per direction); the window then shrinks to a few
times the flow's bandwidth-delay product, so a capped upstream is not read far ahead.

A new connection also pays the TCP handshake a real network charges: the client's first bytes leave
no earlier than one round trip after it connected (the proxy accepts at once, so without this a new
connection would look free). Slow start and loss are not modelled.

With ``log=True`` (``--log FILE`` as a script) it parses the HTTP/1.1 traffic that passes and
records one :class:`Exchange` per request: connection, method, path, status, when the request's
first byte left the client and when the response's last byte reached it (client-side clock).
:func:`summarize` turns those into request counts, peak concurrency and the number of serial
round trips on the critical path.

From Python::

    with DelayLine("127.0.0.1", 5000, delay=0.020, log=True) as dl:
        ...  # talk to dl.host
        print(summarize(dl.exchanges, rtt=2 * dl.delay))
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import sys
import threading
import time
import urllib.parse
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import Any

CHUNK = 256 * 1024


@dataclass
class Exchange:
    """One HTTP request and its response as seen from the client side of the delay line."""

    conn: int
    method: str
    path: str
    start: float  # first request byte arrived from the client
    status: int = 0
    end: float = 0.0  # last response byte released to the client
    req_bytes: int = 0  # request body
    resp_bytes: int = 0  # response body


class _Http:
    """An incremental HTTP/1.1 message parser for one direction of one connection.

    Only framing is parsed (start line, headers, Content-Length / chunked bodies); bodies are
    counted, not kept.
    """

    def __init__(self, side: str, conn: _Conn) -> None:
        self.side = side  # "request" or "response"
        self.conn = conn
        self.buf = b""
        self.state = "head"
        self.left = 0  # body bytes left (state "body"), or chunk bytes left (state "chunk")
        self.current: Exchange | None = None
        self.head_start = 0.0

    def feed(self, data: bytes, now: float) -> None:
        while data:
            if self.state == "head":
                if not self.buf:
                    self.head_start = now
                self.buf += data
                data = b""
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(self.buf) > 1 << 20:
                        self.state = "opaque"  # not HTTP: stop parsing
                    continue
                head, data = self.buf[:end].decode("latin-1"), self.buf[end + 4:]
                self.buf = b""
                self._head(head, now)
            elif self.state in ("body", "chunk-data"):
                n = min(self.left, len(data))
                self.left -= n
                self._count(n)
                data = data[n:]
                if self.left == 0:
                    if self.state == "body":
                        self._done(now)
                    else:
                        self.state = "chunk-size"
            elif self.state in ("chunk-size", "trailer"):
                self.buf += data
                data = b""
                while self.state in ("chunk-size", "trailer"):
                    nl = self.buf.find(b"\r\n")
                    if nl < 0:
                        break
                    line, self.buf = self.buf[:nl], self.buf[nl + 2:]
                    if self.state == "trailer":
                        if not line:
                            self._done(now)
                            data, self.buf = self.buf, b""
                            break
                        continue
                    if not line:
                        continue  # the CRLF after a chunk's data
                    size = int(line.split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.state = "trailer"
                    else:
                        self.state, self.left = "chunk-data", size
                        data, self.buf = self.buf, b""
                        break
            elif self.state == "until-close":
                self._count(len(data))
                data = b""
            else:  # opaque
                return

    def _count(self, n: int) -> None:
        if self.current is not None:
            if self.side == "request":
                self.current.req_bytes += n
            else:
                self.current.resp_bytes += n

    def _head(self, head: str, now: float) -> None:
        lines = head.split("\r\n")
        start = lines[0].split(" ")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        if self.side == "request":
            method = start[0]
            path = start[1] if len(start) > 1 else ""
            self.current = Exchange(self.conn.id, method, path, start=self.head_start)
            self.conn.line.exchanges.append(self.current)
            self.conn.pending.append(self.current)
            no_body = False
        else:
            status = int(start[1]) if len(start) > 1 and start[1].isdigit() else 0
            if 100 <= status < 200:
                return  # interim response: the real one follows
            self.current = self.conn.pending.popleft() if self.conn.pending else None
            if self.current is not None:
                self.current.status = status
            method = self.current.method if self.current else ""
            no_body = method == "HEAD" or status in (204, 304)
        if no_body:
            self._done(now)
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            self.state = "chunk-size"
        elif headers.get("content-length", "").isdigit() and int(headers["content-length"]) > 0:
            self.state, self.left = "body", int(headers["content-length"])
        elif self.side == "response" and "content-length" not in headers:
            self.state = "until-close"
        else:
            self._done(now)

    def _done(self, now: float) -> None:
        if self.side == "response" and self.current is not None:
            self.current.end = now
        self.current = None if self.side == "response" else self.current
        self.state = "head"

    def close(self, now: float) -> None:
        if self.state == "until-close" and self.current is not None:
            self.current.end = now


@dataclass
class _Conn:
    id: int
    line: DelayLine
    pending: deque[Exchange] = field(default_factory=deque)


class _Pipe:
    """One direction of one connection: chunks stamped on arrival, released when due."""

    def __init__(self, line: DelayLine, src: asyncio.Transport, not_before: float,
                 on_read: _Http | None, on_write: _Http | None) -> None:
        self.line = line
        self.loop = asyncio.get_running_loop()
        self.src = src
        self.dst: asyncio.Transport | None = None
        self.not_before = not_before
        self.on_read = on_read
        self.on_write = on_write
        self.queue: deque[tuple[float, bytes | None]] = deque()
        self.queued = 0
        self.timer: asyncio.TimerHandle | None = None
        self.reading_paused = False
        self.dst_paused = False
        self.eof_sent = False
        self.eof_seen = False
        #: when the rate cap lets the next bytes through (a token bucket of one chunk)
        self.free_at = 0.0

    def data(self, data: bytes) -> None:
        now = self.loop.time()
        if self.on_read is not None:
            self.on_read.feed(data, now)
        due = max(now, self.not_before) + self.line.delay
        rate = self.line.rate
        if rate:  # this direction of this connection is a link of ``rate`` bytes a second
            due = max(due, self.free_at)
            self.free_at = due + len(data) / rate
        self.queue.append((due, data))
        self.queued += len(data)
        self._throttle()
        self._schedule()

    def eof(self) -> None:
        if self.eof_seen:
            return
        self.eof_seen = True
        self.queue.append((max(self.loop.time(), self.not_before, self.free_at) + self.line.delay,
                           None))
        self._schedule()

    def connected(self, dst: asyncio.Transport) -> None:
        self.dst = dst
        self._schedule()

    def pause_dst(self, paused: bool) -> None:
        self.dst_paused = paused
        self._throttle()

    def _throttle(self) -> None:
        over = self.dst_paused or self.queued > self.line.window
        if over and not self.reading_paused:
            self.reading_paused = True
            with contextlib.suppress(RuntimeError):
                self.src.pause_reading()
        elif not over and self.reading_paused:
            self.reading_paused = False
            with contextlib.suppress(RuntimeError):
                self.src.resume_reading()

    def _schedule(self) -> None:
        if self.timer is None and self.queue and self.dst is not None:
            self.timer = self.loop.call_at(self.queue[0][0], self._flush)

    def _flush(self) -> None:
        self.timer = None
        dst = self.dst
        assert dst is not None
        now = self.loop.time()
        while self.queue and self.queue[0][0] <= now + 0.0002:
            _, data = self.queue.popleft()
            if data is None:
                self.eof_sent = True
                if self.on_write is not None:
                    self.on_write.close(now)
                if dst.can_write_eof() and not dst.is_closing():
                    dst.write_eof()
                self.line._maybe_close(self)
                return
            self.queued -= len(data)
            if not dst.is_closing():
                dst.write(data)
            if self.on_write is not None:
                self.on_write.feed(data, now)
        self._throttle()
        self._schedule()


class _Side(asyncio.Protocol):
    """The socket on one end; what it reads goes into ``out``, ``into`` is written to it."""

    def __init__(self, line: DelayLine) -> None:
        self.line = line
        self.transport: asyncio.Transport | None = None
        self.out: _Pipe | None = None
        self.into: _Pipe | None = None

    def data_received(self, data: bytes) -> None:
        if self.out is not None:
            self.out.data(data)

    def eof_received(self) -> bool:
        if self.out is not None:
            self.out.eof()
        return True  # stay half-open until the EOF went through the delay

    def connection_lost(self, exc: Exception | None) -> None:
        if self.out is not None:
            self.out.eof()
        self.line._transports.discard(self.transport)  # type: ignore[arg-type]

    def pause_writing(self) -> None:
        if self.into is not None:
            self.into.pause_dst(True)

    def resume_writing(self) -> None:
        if self.into is not None:
            self.into.pause_dst(False)


class _ClientSide(_Side):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        line = self.line
        self.transport = transport
        line._transports.add(transport)
        loop = asyncio.get_running_loop()
        line.connections += 1
        conn = _Conn(line.connections, line)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The client's bytes cannot leave before the handshake would have completed (1 RTT).
        not_before = loop.time() + 2 * line.delay if line.handshake else 0.0
        req = _Http("request", conn) if line.log else None
        resp = _Http("response", conn) if line.log else None
        self.out = _Pipe(line, transport, not_before, req, None)
        upstream = _Side(line)
        upstream.into = self.out
        task = loop.create_task(self._connect(upstream, resp))
        line._connecting.add(task)
        task.add_done_callback(line._connecting.discard)

    async def _connect(self, upstream: _Side, resp: _Http | None) -> None:
        loop = asyncio.get_running_loop()
        assert self.transport is not None and self.out is not None
        try:
            transport, _ = await loop.create_connection(lambda: upstream, *self.line.upstream)
        except OSError:
            self.transport.abort()
            return
        assert isinstance(transport, asyncio.Transport)
        self.line._transports.add(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        upstream.transport = transport
        upstream.out = _Pipe(self.line, transport, 0.0, None, resp)
        upstream.out.connected(self.transport)
        self.into = upstream.out
        self.out.connected(transport)
        self.line._pairs[self.out] = upstream.out
        self.line._pairs[upstream.out] = self.out


class DelayLine:
    """The proxy; a context manager that runs it on a background thread. ``host`` is where to
    connect (``127.0.0.1:PORT``)."""

    def __init__(self, upstream_host: str, upstream_port: int, delay: float = 0.020, *,
                 port: int = 0, handshake: bool = True, window: int = 32 << 20,
                 log: bool = False, rate: float = 0.0) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.delay = delay
        #: bytes a second each direction of each connection may carry (0: no cap): a CDN or
        #: object store that caps every TCP flow. The window shrinks to what such a flow holds.
        self.rate = rate
        if rate:
            window = min(window, max(1 << 20, int(4 * rate * max(delay, 0.005))))
        self.port = port
        self.handshake = handshake
        self.window = window
        self.log = log
        self.exchanges: list[Exchange] = []
        self.connections = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._transports: set[asyncio.Transport] = set()
        self._connecting: set[asyncio.Task[None]] = set()
        self._pairs: dict[_Pipe, _Pipe] = {}

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def reset_log(self) -> list[Exchange]:
        """The exchanges logged so far (the log starts afresh)."""
        out, self.exchanges = self.exchanges, []
        return out

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> DelayLine:
        self._thread = threading.Thread(target=self._run, name="delayline", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise RuntimeError(f"delay line did not start: {self._error}")
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._shutdown)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> DelayLine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _shutdown(self) -> None:
        assert self._loop is not None
        if self._server is not None:
            self._server.close()
        for t in list(self._connecting):
            t.cancel()
        for tr in list(self._transports):
            tr.abort()
        self._loop.call_later(0.05, self._loop.stop)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._server = loop.run_until_complete(loop.create_server(
                lambda: _ClientSide(self), "127.0.0.1", self.port, backlog=256))
            self.port = self._server.sockets[0].getsockname()[1]
        except BaseException as e:
            self._error = e
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    def _maybe_close(self, pipe: _Pipe) -> None:
        """Both directions delivered their EOF: close both sockets."""
        other = self._pairs.get(pipe)
        if other is None or other.eof_sent:
            for p in (pipe, other):
                if p is not None:
                    self._pairs.pop(p, None)
                    p.src.close()
                    if p.dst is not None:
                        p.dst.close()


def clock() -> float:
    """The clock the exchanges are stamped with (asyncio's loop.time() is time.monotonic())."""
    return time.monotonic()


def kind(e: Exchange) -> str:
    """``METHOD what``: what is ``manifest``, ``blob``, ``upload`` (a blob upload session),
    ``tags`` or ``other``."""
    path = e.path.split("?", 1)[0]
    if "/blobs/uploads/" in path:
        what = "upload"
    elif "/manifests/" in path:
        what = "manifest"
    elif "/blobs/" in path:
        what = "blob"
    elif path.endswith("/tags/list"):
        what = "tags"
    else:
        what = "other"
    return f"{e.method} {what}"


def summarize(exchanges: list[Exchange], rtt: float) -> dict[str, Any]:
    """Requests by method and kind, connections, peak concurrency and the critical path.

    ``rounds`` is the longest chain of exchanges each starting after the previous one ended: the
    serial round trips on the critical path (every exchange costs at least one round trip);
    ``path`` counts the kinds of request on that chain. ``wall`` runs from the first request's
    first byte to the last response's last byte.
    """
    done = [e for e in exchanges if e.end]
    if not done:
        return {"requests": len(exchanges)}
    events = sorted([(e.start, 1) for e in done] + [(e.end, -1) for e in done])
    cur = peak = 0
    for _, d in events:
        cur += d
        peak = max(peak, cur)
    # Longest chain in the interval order: depth[e] = 1 + the deepest of those that ended before
    # e started (a tolerance of a tenth of the one-way delay absorbs timer jitter).
    eps = rtt / 20
    order = sorted(done, key=lambda e: e.start)
    by_end = sorted(done, key=lambda e: e.end)
    depth: dict[int, int] = {}
    pred: dict[int, Exchange | None] = {}
    best: tuple[int, Exchange | None] = (0, None)
    j = 0
    for e in order:
        while j < len(by_end) and by_end[j].end <= e.start + eps:
            d = depth.get(id(by_end[j]), 0)
            if d > best[0]:
                best = (d, by_end[j])
            j += 1
        depth[id(e)] = best[0] + 1
        pred[id(e)] = best[1]
    last: Exchange | None = max(done, key=lambda e: (depth[id(e)], e.end))
    chain: list[Exchange] = []
    while last is not None:
        chain.append(last)
        last = pred[id(last)]
    start = min(e.start for e in done)
    end = max(e.end for e in done)
    return {
        "requests": len(exchanges),
        "by_method": dict(sorted(Counter(e.method for e in exchanges).items())),
        "by_kind": dict(sorted(Counter(kind(e) for e in exchanges).items())),
        "by_status": dict(sorted(Counter(f"{e.method} {e.status}" for e in exchanges).items())),
        "connections": len({e.conn for e in exchanges}),
        "peak_concurrency": peak,
        "rounds": len(chain),
        "path": dict(sorted(Counter(kind(e) for e in chain).items())),
        "first": start,
        "last": end,
        "wall": end - start,
        "wall_rtts": (end - start) / rtt if rtt else 0.0,
        "req_bytes": sum(e.req_bytes for e in exchanges),
        "resp_bytes": sum(e.resp_bytes for e in exchanges),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("upstream", help="HOST:PORT to forward to")
    ap.add_argument("--delay-ms", type=float, default=20.0, help="one-way delay (default 20)")
    ap.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    ap.add_argument("--rate-mb", type=float, default=0.0,
                    help="cap each direction of each connection at this many MB/s (default: none)")
    ap.add_argument("--no-handshake", action="store_true",
                    help="do not charge new connections a round trip")
    ap.add_argument("--log", default="", help="write one JSON line per HTTP request here on exit")
    args = ap.parse_args()
    u = urllib.parse.urlsplit("//" + args.upstream)
    line = DelayLine(u.hostname or "127.0.0.1", u.port or 80, args.delay_ms / 1000,
                     port=args.port, handshake=not args.no_handshake, log=bool(args.log),
                     rate=args.rate_mb * 1e6)
    with line:
        print(f"delay line on {line.host} -> {args.upstream}, {args.delay_ms:g} ms each way "
              f"(Ctrl-C stops)", file=sys.stderr, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    if args.log:
        with open(args.log, "w") as f:
            for e in line.exchanges:
                f.write(json.dumps(asdict(e)) + "\n")
        print(json.dumps(summarize(line.exchanges, 2 * line.delay), indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
