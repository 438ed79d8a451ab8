"""Small filesystem helpers shared by the stores: atomic writes, bounded reads and orasx's own
cache directory."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import IO

from orasx.errors import Reason, SizeLimitError


def cache_home() -> str:
    """orasx's own cache directory, the base of everything it keeps for itself (the digest cache,
    snapshots, the default blob cache): ``$XDG_CACHE_HOME/orasx``, else ``~/.cache/orasx``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "orasx")


def _temp_name() -> str:
    return f".orasx-{os.urandom(6).hex()}.tmp"


def _create_temp(directory: str, dir_fd: int | None) -> tuple[int, str]:
    """A new private file beside the target: in ``dir_fd`` (POSIX: no path is walked again) or
    in ``directory``."""
    if dir_fd is None:
        return tempfile.mkstemp(dir=directory, prefix=".orasx-", suffix=".tmp")
    if sys.platform == "win32":  # (no dir_fd there: never passed one)
        raise ValueError("dir_fd is not supported on Windows")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        name = _temp_name()
        try:
            return os.open(name, flags, 0o600, dir_fd=dir_fd), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary name", directory)


def sync_directory(directory: str | int) -> None:
    """Make a rename in ``directory`` (a path or an open directory fd) durable. Windows cannot
    open a directory to sync it: there, nothing is done."""
    if sys.platform == "win32":
        return
    if isinstance(directory, int):
        os.fsync(directory)
        return
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _free_bytes(where: str | int) -> int | None:
    with contextlib.suppress(OSError):
        return shutil.disk_usage(where).free
    return None


@contextlib.contextmanager
def atomic_writer(
    path: str, *, mode: int = 0o644, dir_fd: int | None = None, shown: str = "",
    size: int | None = None, durable: bool = True,
) -> Iterator[IO[bytes]]:
    """Write to a temp file beside ``path`` and rename it into place only if the block succeeds.

    The rename replaces ``path`` itself, so a symlink at ``path`` is replaced, never written through.
    ``dir_fd`` (POSIX only): ``path`` is a name in that open directory, and neither the temp file
    nor the rename walks a path again (a directory swapped for a symlink meanwhile cannot redirect
    them). ``durable``: the file's data is synced before the rename and the directory after it,
    so a power loss leaves the old file or the whole new one. Errors name the target (``shown``,
    default ``path``), never the temp file; a full disk says how much was needed (``size``).
    """
    directory = "" if dir_fd is not None else os.path.dirname(os.path.abspath(path))
    target = shown or path
    try:
        fd, tmp = _create_temp(directory, dir_fd)
    except OSError as e:
        raise _naming(e, target, size, dir_fd if dir_fd is not None else directory) from None
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            if sys.platform != "win32":
                os.fchmod(f.fileno(), mode)
            if durable:
                os.fsync(f.fileno())
        if sys.platform == "win32":
            os.chmod(tmp, mode)
        os.replace(tmp, path, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException as e:
        written = 0
        with contextlib.suppress(OSError):
            written = os.stat(tmp, dir_fd=dir_fd, follow_symlinks=False).st_size
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        if isinstance(e, OSError) and (e.errno == errno.ENOSPC or e.filename == tmp):
            raise _naming(e, target, size, dir_fd if dir_fd is not None else directory,
                          written) from None
        raise
    if durable:
        sync_directory(dir_fd if dir_fd is not None else directory)


def _naming(e: OSError, target: str, size: int | None, where: str | int,
            written: int = 0) -> Exception:
    """``e`` about ``target`` instead of our temp file; a full disk with the size wanted."""
    if e.errno == errno.ENOSPC:
        free = _free_bytes(where)
        need = (f"needs {size} bytes" if size is not None
                else f"needs more than the {written} bytes written")
        have = f", {free} bytes free" if free is not None else ""
        return SizeLimitError(f"{target}: no space left on device: {need}{have}",
                             reason=Reason.DISK_SPACE)
    return type(e)(e.errno, e.strerror, target)


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
            reason=Reason.DISK_SPACE)


def make_dirs(path: str, mode: int = 0o777) -> None:
    """``os.makedirs(path, mode, exist_ok=True)`` without its recursion (one call per missing
    level: a title 1,500 directories deep is over Python's recursion limit), and with ``mode``
    (less the umask) for every directory it makes, parents included (as Go's ``MkdirAll``)."""
    missing = []
    while path and not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for d in reversed(missing):
        try:
            os.mkdir(d, mode)
        except FileExistsError:
            if not os.path.isdir(d):
                raise
