"""The write lock of an OCI image layout: an exclusive ``flock`` on the layout's ``ingest/``
directory (or, where a directory cannot be locked, on ``ingest/.orasx.lock``; ``msvcrt``'s lock
of that file on Windows) plus a per-process thread lock for it, waited for at most
:func:`lock_timeout` seconds."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import threading
import time
from collections.abc import Iterator

from orasx.errors import LockTimeoutError

if sys.platform != "win32":
    import fcntl
else:
    import msvcrt

INGEST_DIR = "ingest"
"""oras-go's upload directory in a layout; its ``flock`` is the layout's write lock."""
LOCK_FILE = os.path.join(INGEST_DIR, ".orasx.lock")
"""The lock file, only where the ``ingest/`` directory itself cannot be locked."""

# One thread lock per lock file (by device and inode), shared by every store in the process: flock
# already excludes other open files in this process on local disks, but on NFS it is emulated with
# POSIX record locks, which are per process and would let two threads in.
_PROCESS_LOCKS: dict[tuple[int, int], threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def _reset_process_locks() -> None:  # in a forked child, no other thread holds them
    global _PROCESS_LOCKS_GUARD
    _PROCESS_LOCKS.clear()
    _PROCESS_LOCKS_GUARD = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_process_locks)


_NO_DIRECTORY_LOCK = frozenset({errno.EBADF, errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP})


def _thread_lock(key: tuple[int, int]) -> threading.Lock:
    with _PROCESS_LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(key, threading.Lock())


@contextlib.contextmanager
def exclusive(root: str) -> Iterator[None]:
    """Hold the write lock of the layout at ``root``: the process-wide thread lock, then
    ``flock(LOCK_EX)`` on its ``ingest/`` directory (created if missing; a symlink is refused)."""
    ingest = os.path.join(root, INGEST_DIR)
    os.makedirs(ingest, exist_ok=True)
    if sys.platform == "win32":  # no flock: msvcrt's lock on the lock file (see _try_lock)
        st = os.stat(ingest)
        with _thread_lock((st.st_dev, st.st_ino)):
            fd = _open_lock_file(os.path.join(root, LOCK_FILE))
            try:
                with _held(fd, os.path.join(root, LOCK_FILE)):
                    yield
            finally:
                os.close(fd)
        return
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(ingest, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | nofollow)
    try:
        st = os.fstat(fd)
        with _thread_lock((st.st_dev, st.st_ino)):
            what = ingest
            try:  # (taken here to find out whether the directory can be locked at all; _held
                _flock_bounded(fd, ingest)  # then takes it again: a no-op on the same open file)
            except OSError as e:
                if e.errno not in _NO_DIRECTORY_LOCK:
                    raise
                os.close(fd)
                fd = -1
                what = os.path.join(root, LOCK_FILE)
                fd = _open_lock_file(what)
            with _held(fd, what):
                yield
    finally:
        if fd >= 0:
            os.close(fd)


def lock_timeout() -> float:
    """Seconds a writer waits for a layout's lock: ``$ORASX_LOCK_TIMEOUT``, else 60."""
    try:
        return max(0.0, float(os.environ.get("ORASX_LOCK_TIMEOUT", "") or 60.0))
    except ValueError:
        return 60.0


@contextlib.contextmanager
def _held(fd: int, what: str) -> Iterator[None]:
    """The lock on ``fd`` (taken within :func:`lock_timeout`), released at the end."""
    _flock_bounded(fd, what)
    try:
        yield
    finally:
        _unlock(fd)


def _flock_bounded(fd: int, what: str) -> None:
    """``flock(LOCK_EX)`` on ``fd``, waiting at most :func:`lock_timeout` seconds (another
    process, or another user, may hold it forever)."""
    deadline = time.monotonic() + lock_timeout()
    pause = 0.005
    while True:
        if _try_lock(fd):
            return
        if time.monotonic() >= deadline:
            raise LockTimeoutError(
                f"{what}: locked by another process for more than {lock_timeout():g} s: wait "
                "for it to finish or stop it (ORASX_LOCK_TIMEOUT sets the wait)", path=what)
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _try_lock(fd: int) -> bool:
    """One try at the exclusive lock on ``fd``, without waiting: ``flock``, or on Windows
    ``msvcrt.locking`` of the file's first byte (also a lock between processes)."""
    if sys.platform == "win32":
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EDEADLOCK):
                return False
            raise
        return True
    else:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _open_lock_file(path: str) -> int:
    flags = os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)  # no symlink
    try:
        return os.open(path, os.O_RDWR | flags, 0o666)
    except PermissionError:
        return os.open(path, os.O_RDONLY | flags)  # another user's lock file: flock needs no write
