"""The files ``oras://`` opens: whole blobs verified once per process, and ranged reads."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from typing import IO, Any

from fsspec.spec import AbstractBufferedFile

from orasx.api._common import spool_verified
from orasx.descriptor import Descriptor
from orasx.digest import Digest
from orasx.errors import NotFoundError, VerificationError
from orasx.registry._ranges import MAX_RANGE
from orasx.registry.remote import Repository

__all__ = ["DEFAULT_BLOCK_SIZE", "SHARED_BLOBS", "Blobs", "OrasFileNotFoundError", "VerifiedFile"]

#: How far fsspec reads ahead of a ranged read (its "readahead" cache).
DEFAULT_BLOCK_SIZE = 256 * 1024


class OrasFileNotFoundError(NotFoundError, FileNotFoundError):
    """A tag, artifact or file the filesystem cannot find: an orasx :class:`NotFoundError` and,
    as fsspec's convention, a :class:`FileNotFoundError`."""


class Blobs:
    """Whole files verified once and kept for this process's later reads (a Dask worker opens a
    shard several times: its footer, then its columns): spooled privately, at most
    ``MAX_KEPT`` bytes, the oldest dropped first."""

    MAX_KEPT = 1 << 30

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[Digest, _Spool] = OrderedDict()
        self._fetching: dict[Digest, threading.Lock] = {}

    def open(self, repo: Repository, layer: Descriptor, name: str) -> IO[bytes]:
        with self._lock:
            gate = self._fetching.setdefault(layer.digest, threading.Lock())
        with gate:  # one fetch per blob, however many readers ask at once
            with self._lock:
                spool = self._kept.get(layer.digest)
                if spool is not None:
                    self._kept.move_to_end(layer.digest)
                    return spool.reader()
            try:
                stream = repo.fetch(layer)
            except NotFoundError as e:
                raise OrasFileNotFoundError(f"{name}: {e}", reason=e.reason) from None
            try:
                data = spool_verified(stream, layer.digest, layer.size, name=name)
            finally:
                stream.close()
            spool = _Spool(data, layer.size)
            with self._lock:
                self._kept[layer.digest] = spool
                total = sum(s.size for s in self._kept.values())
                while total > self.MAX_KEPT and len(self._kept) > 1:
                    _, old = self._kept.popitem(last=False)
                    total -= old.size
                    old.release()
            return spool.reader()


#: Whole files verified in this process, shared by every filesystem (content-addressed).
SHARED_BLOBS = Blobs()


class _Spool:
    """A verified spool shared by readers, each with its own position."""

    def __init__(self, spool: IO[bytes], size: int) -> None:
        self._spool = spool
        self.size = size
        self._lock = threading.Lock()
        self._readers = 0
        self._released = False

    def reader(self) -> IO[bytes]:
        with self._lock:
            self._readers += 1
        return io.BufferedReader(_SpoolReader(self), buffer_size=1 << 20)

    def read_at(self, offset: int, n: int) -> bytes:
        with self._lock:
            self._spool.seek(offset)
            return self._spool.read(n)

    def done(self) -> None:
        with self._lock:
            self._readers -= 1
            close = self._released and self._readers == 0
        if close:
            self._spool.close()

    def release(self) -> None:
        with self._lock:
            self._released = True
            close = self._readers == 0
        if close:
            self._spool.close()


class _SpoolReader(io.RawIOBase):
    def __init__(self, spool: _Spool) -> None:
        super().__init__()
        self._spool = spool
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._spool.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, b: Any) -> int:
        data = self._spool.read_at(self._pos, min(len(b), max(0, self._spool.size - self._pos)))
        b[:len(data)] = data
        self._pos += len(data)
        return len(data)

    def read(self, size: int = -1) -> bytes:
        want = self._spool.size - self._pos if size is None or size < 0 else size
        data = self._spool.read_at(self._pos, max(0, min(want, self._spool.size - self._pos)))
        self._pos += len(data)
        return data

    def close(self) -> None:
        if not self.closed:
            self._spool.done()
        super().close()


class VerifiedFile(AbstractBufferedFile):  # type: ignore[misc]
    """A layer read as fsspec asks for blocks, verified against its digest and size.

    Up to ``whole_fetch_limit`` bytes, the first read fetches the whole blob into a verified spool
    and every read is served from it. Above, reads are ranged ``GET``s; the bytes read in order
    from offset 0 are hashed as they come, and the read that reaches the end is checked before
    it returns (after a mismatch, every read raises). A range read out of order is not checked.
    """

    def __init__(self, fs: Any, path: str, store: Repository, layer: Descriptor, *,
                 whole_fetch_limit: int, blobs: Blobs, **kwargs: Any) -> None:
        self.store = store
        self.blobs = blobs
        self.layer = layer
        self._whole_fetch = layer.size <= whole_fetch_limit
        self._spool: IO[bytes] | None = None
        self._hash = layer.digest.hasher()
        self._hashed = 0  # bytes from offset 0 fed to _hash, in order
        self._failed: VerificationError | None = None
        super().__init__(fs, path, mode="rb", size=layer.size,
                         block_size=kwargs.get("block_size") or DEFAULT_BLOCK_SIZE,
                         cache_options=kwargs.get("cache_options"))

    def _fetch_range(self, start: int, end: int) -> bytes:
        if self._failed is not None:
            raise self._failed
        end = min(end, self.layer.size)
        if start >= end:
            return b""
        try:
            if self._whole_fetch:
                return self._from_spool(start, end)
            return self._ranged(start, end)
        except NotFoundError as e:
            raise OrasFileNotFoundError(str(e), reason=e.reason) from None
        except VerificationError as e:
            self._failed = e
            raise

    def _from_spool(self, start: int, end: int) -> bytes:
        if self._spool is None:  # fetched and verified once per process, shared by readers
            self._spool = self.blobs.open(self.store, self.layer, f"oras://{self.path}")
        self._spool.seek(start)
        return self._spool.read(end - start)

    def _ranged(self, start: int, end: int) -> bytes:
        data = bytearray()
        while start + len(data) < end:
            offset = start + len(data)
            part = self.store.fetch_range(self.layer, offset, min(MAX_RANGE, end - offset))
            if not part:
                break
            data += part
        if len(data) != end - start:
            raise VerificationError(f"oras://{self.path}: a read of bytes {start}-{end - 1} "
                                    f"got {len(data)} bytes of a {self.layer.size}-byte file")
        self._check_in_order(start, bytes(data))
        return bytes(data)

    def _check_in_order(self, start: int, data: bytes) -> None:
        """Hash what continues the bytes read in order from offset 0; at the end, verify."""
        if not start <= self._hashed < start + len(data):
            return
        self._hash.update(data[self._hashed - start:])
        self._hashed = start + len(data)
        if self._hashed == self.layer.size and self._hash.hexdigest() != self.layer.digest.encoded:
            raise VerificationError(
                f"oras://{self.path}: digest mismatch: expected {self.layer.digest}, got "
                f"{self.layer.digest.algorithm}:{self._hash.hexdigest()}")

    def close(self) -> None:
        super().close()
        if self._spool is not None:
            self._spool.close()
            self._spool = None
