"""Big blobs downloaded in place beside their target, resumable by the next pull.

A blob that downloads itself into a file (:class:`~orasx.digest.DownloadsInPlace`: parallel
ranges) is written into ``.orasx-partial-<digest hex>`` beside its target and renamed into place
only once its digest verified: nothing partial is ever placed as the file. An interrupted pull
(Ctrl-C, a lost connection, a killed job) leaves that file behind, and the next pull of the same
blob into the same directory keeps its written prefix and asks only for the rest.

What is kept must be trustworthy as far as it matters (docs/security.md, principle 6): the
directory is this user's own and nobody else can write in it; the file is opened without
following a link, and must be a regular file of this user's, mode 0600, with one link (a hard
link planted to another file of ours is refused); the length of the written prefix is read from
a small record beside it (``.orasx-partial-<digest hex>.progress``, held to the same rules); and
the kept bytes are hashed again with the rest (the digest of the whole decides; a mismatch
removes the file, and the copy fetches the blob afresh). A pull that holds the file (``flock``)
keeps a second pull of the same blob off it.

The record is a file of its own, not a trailer after the blob's bytes: the partial file then only
grows as it is written, is never truncated, and is renamed as it is (a trailer written past the
blob's end made every later write land inside the file, and had to be cut off at the end).
"""

from __future__ import annotations

import contextlib
import os
import stat
import struct
import sys

from orasx.descriptor import Descriptor
from orasx.digest import DownloadsInPlace
from orasx.errors import VerificationError

__all__ = ["PARTIAL_MIN_SIZE", "PREFIX", "PROGRESS_SUFFIX", "place"]

PREFIX = ".orasx-partial-"
#: Blobs at least this big are downloaded into a resumable partial file.
PARTIAL_MIN_SIZE = 8 * 1024 * 1024
#: The progress record (``<partial file>`` + this suffix): a magic string and the length of the
#: written prefix.
PROGRESS_SUFFIX = ".progress"
_RECORD = struct.Struct("<16sQ")
_MAGIC = b"orasx-partial-v2"


def place(content: DownloadsInPlace, desc: Descriptor, dir_fd: int, base: str,
          mode: int) -> bool:
    """Download ``desc`` into its partial file in ``dir_fd`` (resuming what an earlier pull
    wrote) and rename it to ``base`` once verified, with ``mode``. False (nothing placed, and no
    partial file made) when the directory is not this user's private one, another pull holds
    the partial file, or ``content`` cannot download in place: the caller writes as usual.
    Raises :class:`VerificationError` (the partial file removed) on a digest mismatch; any other
    failure (an interruption) keeps the partial file for the next pull."""
    if sys.platform == "win32" or desc.size < PARTIAL_MIN_SIZE or not _private_dir(dir_fd):
        return False
    name = PREFIX + desc.digest.encoded
    record = name + PROGRESS_SUFFIX
    fd = _acquire(dir_fd, name)
    if fd is None:
        return False
    rfd = _open(dir_fd, record)
    have = _kept(fd, rfd, desc.size)
    if not have and os.fstat(fd).st_size:
        # Nothing to keep: start from a new file, not a truncated one (ext4 writes a file
        # truncated to 0 out to disk when it is closed: seconds for a big blob).
        _unlink(dir_fd, name)
        os.close(fd)
        fd = _acquire(dir_fd, name)
        if fd is None:
            if rfd is not None:
                os.close(rfd)
            return False
    try:
        def checkpoint(n: int) -> None:
            if rfd is not None:
                os.pwrite(rfd, _RECORD.pack(_MAGIC, n), 0)

        try:
            placed = content.download_into(fd, have=have, checkpoint=checkpoint)
        except VerificationError:
            _unlink(dir_fd, name, record)
            raise
        if not placed:
            _unlink(dir_fd, name, record)
            return False
        os.fchmod(fd, mode)
        os.replace(name, base, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        _unlink(dir_fd, record)
        return True
    finally:
        os.close(fd)
        if rfd is not None:
            os.close(rfd)


def _acquire(dir_fd: int, name: str) -> int | None:
    """The partial file, opened (:func:`_open`) and locked against a second pull of the same
    blob into the same directory; None when it cannot be had."""
    if sys.platform == "win32":
        return None
    import fcntl

    fd = _open(dir_fd, name)
    if fd is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _private_dir(dir_fd: int) -> bool:
    """Is the open directory this user's own, and writable by nobody else?"""
    if sys.platform == "win32":
        return False
    try:
        st = os.fstat(dir_fd)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o022


def _open(dir_fd: int, name: str) -> int | None:
    """The partial file ``name`` (made when missing), when it is a regular file of this user's
    with mode 0600 and a single link; None otherwise (it is left alone)."""
    if sys.platform == "win32":
        return None
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(name, flags, 0o600, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_nlink != 1
            or st.st_mode & 0o077):
        os.close(fd)
        return None
    return fd


def _kept(fd: int, rfd: int | None, size: int) -> int:
    """The written prefix an earlier pull recorded (0: none, or not valid): the record's, when
    the partial file is at least that long and no longer than the blob."""
    if sys.platform == "win32" or rfd is None:
        return 0
    try:
        have = os.fstat(fd).st_size
        raw = os.pread(rfd, _RECORD.size, 0)
    except OSError:
        return 0
    if len(raw) != _RECORD.size or have > size:
        return 0
    magic, n = _RECORD.unpack(raw)
    return n if magic == _MAGIC and 0 < n <= have else 0


def _unlink(dir_fd: int, *names: str) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=dir_fd)
