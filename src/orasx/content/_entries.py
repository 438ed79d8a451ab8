"""Cache entries: one being written (an anonymous file, linked once verified), one read back
(hashed as it is read, or placed by a kernel copy hashed in the same pass), and a source's
stream filling a new entry as it is read."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import secrets
import sys
from typing import TYPE_CHECKING

from orasx._fsutil import sync_directory, umask_mode
from orasx.content._kcopy import kernel_copy_verified
from orasx.descriptor import Descriptor
from orasx.digest import Digest, Readable, VerifyingReader
from orasx.errors import VerificationError

if TYPE_CHECKING:
    from orasx.content.cache import BlobCache

log = logging.getLogger("orasx.content.cache")

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_TMPFILE = getattr(os, "O_TMPFILE", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def blob_key(digest: Digest) -> str:
    return f"{digest.algorithm}-{digest.encoded}"


class _NewEntry:
    """A cache entry being written: an anonymous file (``O_TMPFILE``) where the system has one,
    else a named temp file; :meth:`commit` makes it visible, :meth:`abort` (or a killed process,
    for the anonymous file) leaves nothing."""

    def __init__(self, cache: BlobCache, desc: Descriptor, directory: str) -> None:
        self.cache = cache
        self.desc = desc
        self.directory = directory
        self.tmp: str | None = None
        self.fd = -1
        if _TMPFILE and os.path.isdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                self.fd = os.open(directory, _TMPFILE | os.O_RDWR | _CLOEXEC, 0o600)
        if self.fd < 0:
            self.tmp = os.path.join(directory, f".orasx-{secrets.token_hex(8)}.tmp")
            self.fd = os.open(self.tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC,
                              0o600)
        self.file = io.FileIO(self.fd, "r+b", closefd=True)

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def commit(self) -> None:
        """Make the (verified) entry visible under its digest and record that this user
        verified it."""
        final = self.cache.path(self.desc.digest)
        os.fsync(self.fd)
        if sys.platform != "win32":
            os.fchmod(self.fd, umask_mode(0o444))
        if self.tmp is None:  # link the anonymous file under a temp name, then rename over
            name = f".orasx-{secrets.token_hex(8)}.tmp"
            dfd = os.open(self.directory, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
            try:  # a dir_fd makes this linkat(AT_SYMLINK_FOLLOW), which links the open file
                os.link(f"/proc/self/fd/{self.fd}", name, dst_dir_fd=dfd, follow_symlinks=True)
            finally:
                os.close(dfd)
            self.tmp = os.path.join(self.directory, name)
        else:
            self.file.close()
            self.file = io.FileIO(self.tmp, "rb")
        os.replace(self.tmp, final)
        self.tmp = None
        with contextlib.suppress(OSError):
            sync_directory(self.directory)
        self.cache.trust.add(blob_key(self.desc.digest), [os.fstat(self.file.fileno())],
                             replace=True)

    def abort(self) -> None:
        """Forget the entry unless committed (safe to call after :meth:`commit`)."""
        self.file.close()
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            self.tmp = None


class _CachedBlob(VerifyingReader):
    """A cache entry read back, hashed as it is read: a mismatch drops the entry and raises
    before the last bytes are returned (the copy then fetches it again from the source)."""

    def __init__(self, cache: BlobCache, desc: Descriptor, fd: int, st: os.stat_result) -> None:
        super().__init__(io.FileIO(fd, "rb", closefd=True), desc.digest, desc.size,
                         name=f"{desc.digest} (cache entry {cache.path(desc.digest)})")
        self._cache = cache
        self._desc = desc
        self._st = st
        self._fd = fd
        self._started: bool | None = False  # True: read from; None: placed by copy_into

    def read(self, n: int = -1) -> bytes:
        if self._started is None:  # placed by copy_into
            return b""
        self._started = True
        try:
            return super().read(n)
        except VerificationError as e:
            self._cache.drop(self._desc, self._st)
            log.warning("%s: dropped; it is fetched again", e)
            raise

    def copy_into(self, fd: int, /) -> bool:
        """Place the entry's bytes into the empty file ``fd`` by a kernel copy, hashing the bytes
        placed (:func:`~orasx.content._kcopy.kernel_copy_verified`); False when this system
        cannot, or the entry was read from already. A mismatch drops the entry and raises."""
        if self._started is not False:
            return False
        try:
            placed = kernel_copy_verified(self._fd, fd, self._desc.digest, self._desc.size,
                                          name=f"{self._desc.digest} (cache entry "
                                               f"{self._cache.path(self._desc.digest)})")
        except VerificationError as e:
            self._started = True
            self._cache.drop(self._desc, self._st)
            log.warning("%s: dropped; it is fetched again", e)
            raise
        if placed:
            self._started = None
        return placed


class _Filling:
    """The source's stream for a cache miss: verified as the consumer reads it and written into a
    new cache entry at the same time; the entry is placed once the whole blob verified, and
    vanishes if the stream is closed before (Ctrl-C, a failed destination)."""

    def __init__(self, stream: Readable, desc: Descriptor, entry: _NewEntry | None) -> None:
        self._reader = VerifyingReader(stream, desc.digest, desc.size)
        self._entry = entry

    @property
    def verifies(self) -> tuple[Digest, int]:
        return self._reader.verifies

    def read(self, n: int = -1, /) -> bytes:
        data = self._reader.read(n)
        entry = self._entry
        if entry is not None:
            try:
                if data:
                    entry.write(data)
                if self._reader.verified:
                    self._entry = None
                    try:
                        entry.commit()
                    finally:
                        entry.abort()
            except OSError as e:
                self._entry = None
                entry.abort()
                entry.cache.warn(f"cache {entry.cache.root} cannot take new content "
                                 f"({e.strerror}): pulling without storing into it")
        return data

    def close(self) -> None:
        if self._entry is not None:
            self._entry.abort()
            self._entry = None
        self._reader.close()
