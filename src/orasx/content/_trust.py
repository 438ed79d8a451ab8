"""This user's trust records in a cache: fingerprints (and index digests) of what it verified
itself, kept in a directory only this user can write (``<cache>/orasx-verified/<uid>/``)."""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import stat
import sys
import threading
from collections.abc import Iterable

from orasx.content._digestcache import fingerprint

__all__ = ["MAX_FINGERPRINTS", "MAX_RECORD_BYTES", "TRUST_DIR", "TrustRecords", "current_uid"]

TRUST_DIR = "orasx-verified"
#: Fingerprints kept per record (a blob and the snapshot copies of it).
MAX_FINGERPRINTS = 16
#: The most of a record read (a snapshot's unpacked directory lists each of its files).
MAX_RECORD_BYTES = 16 << 20

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def current_uid() -> int:
    """This process's effective user id (0 where the platform has none)."""
    if sys.platform == "win32":
        return 0
    return os.geteuid()


def _private_dir(path: str, *, create: bool) -> int | None:
    """A descriptor of the directory ``path`` when it is this user's own and nobody else can
    write it (opened without following a link); None when it is missing or anyone else's."""
    if create:
        with contextlib.suppress(OSError):
            os.makedirs(path, mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
    except OSError:
        return None
    st = os.fstat(fd)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != current_uid() or st.st_mode & 0o022:
        os.close(fd)
        return None
    return fd


class TrustRecords:
    """Fingerprints of files this user hashed itself, kept in ``<cache>/orasx-verified/<uid>/``.

    The directory is used only when it is owned by this user and writable by no one else: then
    every record in it was written by this user (or root). A record binds a key (a digest) to the
    exact objects verified: a file whose ``fstat`` fingerprint is in the record has not been
    written, linked or replaced since (each of those changes the inode, mtime or ctime, and ctime
    cannot be set back). Where the directory cannot be had, nothing is trusted and all is hashed.
    """

    def __init__(self, root: str) -> None:
        self.path = os.path.join(root, TRUST_DIR, str(current_uid()))
        self._lock = threading.Lock()

    def lines(self, key: str) -> list[str]:
        """The lines recorded under ``key`` (none when it or the directory is not trustworthy)."""
        fd = _private_dir(self.path, create=False)
        if fd is None:
            return []
        try:
            rfd = os.open(key, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _NONBLOCK, dir_fd=fd)
        except (OSError, NotImplementedError):
            return []
        finally:
            os.close(fd)
        with io.FileIO(rfd, "rb") as f:
            st = os.fstat(rfd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != current_uid():
                return []
            text = f.read(MAX_RECORD_BYTES).decode("utf-8", errors="replace")
        return [line for line in text.splitlines() if line]

    def holds(self, key: str, st: os.stat_result) -> bool:
        """Is ``st`` (from ``fstat`` of an opened file) an object recorded under ``key``?"""
        return fingerprint(st) in self.lines(key)

    def add(self, key: str, stats: Iterable[os.stat_result], *, replace: bool = False) -> None:
        """Record the fingerprints of ``stats`` under ``key`` (after the last few already there,
        unless ``replace``)."""
        self.write(key, [fingerprint(st) for st in stats], replace=replace)

    def write(self, key: str, new: list[str], *, replace: bool = True) -> None:
        """Record ``new`` lines under ``key`` (replacing what was there, unless ``replace`` is
        False: then after the last few lines already there)."""
        with self._lock:
            fd = _private_dir(self.path, create=True)
            if fd is None:
                return
            try:
                old = [] if replace else [x for x in self.lines(key) if x not in new]
                lines = [*old[-MAX_FINGERPRINTS:], *new]
                tmp = f".{key}.{secrets.token_hex(6)}"
                try:
                    wfd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC,
                                  0o600, dir_fd=fd)
                    with io.FileIO(wfd, "wb") as f:
                        f.write("".join(f"{line}\n" for line in lines).encode())
                    os.replace(tmp, key, src_dir_fd=fd, dst_dir_fd=fd)
                except (OSError, NotImplementedError):
                    with contextlib.suppress(OSError, NotImplementedError):
                        os.unlink(tmp, dir_fd=fd)
            finally:
                os.close(fd)
