"""A file copy by the kernel, hashed in the same pass: what a cached pull does to place a blob.

``os.copy_file_range`` moves the bytes without passing them through Python (a reflink on btrfs and
XFS, an in-kernel copy on ext4); a second thread hashes the bytes *placed*, read back from the
destination (mapped, not copied: the in-kernel copy left them in the page cache) a chunk behind
the copy. What is hashed is exactly what will be renamed into place: the destination is the
caller's private temp file, which nobody else can write. Linux only (elsewhere, and on a
filesystem that refuses it, nothing is done and the caller reads and writes as usual).
"""

from __future__ import annotations

import contextlib
import errno
import mmap
import os
import queue
import sys
import threading

from orasx.digest import Digest
from orasx.errors import VerificationError

__all__ = ["CHUNK", "kernel_copy_verified"]

#: Bytes per copy_file_range call (and per mapped piece hashed).
CHUNK = 32 << 20
#: Below this, a plain read and write is as fast (no thread, no mapping).
MIN_SIZE = 8 << 20

_UNSUPPORTED = frozenset({errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL, errno.EBADF,
                          errno.ETXTBSY, errno.EPERM})


if sys.platform == "linux":
    def kernel_copy_verified(src_fd: int, dst_fd: int, digest: Digest, size: int, *,
                             name: str = "") -> bool:
        """Copy ``size`` bytes from offset 0 of ``src_fd`` to the empty file ``dst_fd`` and check the
        bytes written against ``digest``. True: ``dst_fd`` holds them, verified. False: this system
        or filesystem cannot (nothing was written). Raises :class:`VerificationError` on a mismatch
        or a source shorter than ``size`` (the caller discards ``dst_fd``)."""
        if size < MIN_SIZE:
            return False
        try:  # the destination again, for reading: the caller's descriptor may be write-only
            read_fd = os.open(f"/proc/self/fd/{dst_fd}", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return False
        try:
            a, b = os.fstat(read_fd), os.fstat(dst_fd)
            if (a.st_dev, a.st_ino) != (b.st_dev, b.st_ino) or b.st_size != 0:
                return False
            try:
                first = os.copy_file_range(src_fd, dst_fd, min(CHUNK, size), 0, 0)
            except OSError as e:
                if e.errno in _UNSUPPORTED:
                    return False
                raise
            _copy_and_hash(src_fd, dst_fd, read_fd, digest, size, first,
                           name or str(digest))
            return True
        finally:
            os.close(read_fd)


    def _copy_and_hash(src_fd: int, dst_fd: int, read_fd: int,
                       digest: Digest, size: int, first: int, name: str) -> None:
        done: queue.Queue[tuple[int, int] | BaseException | None] = queue.Queue(maxsize=4)
        stop = threading.Event()

        def copier() -> None:
            offset = first
            try:
                done.put((0, first))
                while offset < size and not stop.is_set():
                    n = os.copy_file_range(src_fd, dst_fd, min(CHUNK, size - offset), offset,
                                           offset)
                    if n == 0:
                        break
                    done.put((offset, n))
                    offset += n
                done.put(None)
            except BaseException as e:
                done.put(e)

        h = digest.hasher()
        hashed = 0
        thread = threading.Thread(target=copier, name="orasx-copy", daemon=True)
        thread.start()
        try:
            while (item := done.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                offset, n = item
                if offset != hashed or n <= 0:
                    break
                _hash_range(h, read_fd, offset, n)
                hashed += n
        finally:
            stop.set()
            while thread.is_alive():  # unblock the copier, then wait for it
                with contextlib.suppress(queue.Empty):
                    done.get(timeout=0.05)
            thread.join()
        if hashed != size:
            raise VerificationError(f"{name}: content ended after {hashed} of {size} bytes")
        if os.pread(src_fd, 1, size):
            raise VerificationError(f"{name}: content is longer than its size {size}")
        if h.hexdigest() != digest.encoded:
            raise VerificationError(f"{name}: digest mismatch: expected {digest}, got "
                                    f"{digest.algorithm}:{h.hexdigest()}")


    def _hash_range(h: object, fd: int, offset: int, n: int) -> None:
        """Feed bytes ``[offset, offset+n)`` of ``fd`` to ``h``, mapped (``offset`` is a multiple of
        the chunk size, so of the page size)."""
        flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
        with mmap.mmap(fd, n, flags=flags, prot=mmap.PROT_READ, offset=offset) as m:
            h.update(m)  # type: ignore[attr-defined]

else:
    def kernel_copy_verified(src_fd: int, dst_fd: int, digest: Digest, size: int, *,
                             name: str = "") -> bool:
        """Not on this system: the caller reads and writes."""
        return False
