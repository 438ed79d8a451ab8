"""Small filesystem helpers shared by the stores: atomic writes and bounded reads."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from typing import IO

from orasx.errors import SizeLimitError


@contextlib.contextmanager
def atomic_writer(path: str, *, mode: int = 0o644) -> Iterator[IO[bytes]]:
    """Write to a temp file beside ``path`` and rename it into place only if the block succeeds.

    The rename replaces ``path`` itself, so a symlink at ``path`` is replaced, never written through.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".orasx-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def read_capped(path: str, limit: int) -> bytes:
    """Read a whole file, refusing one over ``limit`` bytes without reading it all."""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise SizeLimitError(f"{path}: larger than the {limit}-byte limit")
    return data


def umask_mode(mode: int = 0o666) -> int:
    """``mode`` filtered by the process umask (what ``open`` would give a new file)."""
    return mode & ~_current_umask()


_UMASK_LOCK = threading.Lock()


def _current_umask() -> int:
    # Reading the umask means setting it, for every thread at once: while it is set, another thread's
    # mkdir or open would get its mode. Linux shows it in /proc without touching it; elsewhere probe
    # with a restrictive value (a racing file comes out private, never world-writable).
    with contextlib.suppress(OSError, ValueError, IndexError), open("/proc/self/status", "rb") as f:
        for line in f:
            if line.startswith(b"Umask:"):
                return int(line.split()[1], 8)
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


#: Sizes below this are written without asking the filesystem first (a full disk still fails the
#: write, and the temp file goes): the question costs more than such a file.
FREE_SPACE_CHECK_FROM = 1 << 20


def check_free_space(path: str, size: int, what: str) -> None:
    """Refuse to start writing ``size`` bytes below ``path`` (or its nearest existing parent) when
    the filesystem has less free space: a stated size from the wire is checked before it is
    trusted with the disk."""
    if size < FREE_SPACE_CHECK_FROM:
        return
    directory = os.path.abspath(path)
    while not os.path.isdir(directory) and os.path.dirname(directory) != directory:
        directory = os.path.dirname(directory)
    try:
        free = shutil.disk_usage(directory).free
    except OSError:
        return
    if size > free:
        raise SizeLimitError(
            f"{what}: needs {size} bytes but {directory} has {free} bytes free",
            reason="disk-space")


def copy_file_into(src_path: str, out: IO[bytes]) -> None:
    """Append the whole file ``src_path`` to ``out`` in the kernel (``sendfile``), falling back
    to reads and writes where that is not possible."""
    out.flush()
    with open(src_path, "rb") as src:
        size = os.fstat(src.fileno()).st_size
        offset = 0
        try:
            while offset < size:
                sent = os.sendfile(out.fileno(), src.fileno(), offset, min(size - offset, 1 << 30))
                if sent == 0:
                    break
                offset += sent
        except OSError:
            pass
        src.seek(offset)
        while data := src.read(1 << 20):
            out.write(data)
