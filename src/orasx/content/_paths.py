"""Path rules for writing pulled content: lexical checks (pure), symlink-aware checks (disk),
and the output tree walked with directory descriptors (:class:`OutputDirs`)."""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
import re
import stat
import sys
import threading

from orasx._fsutil import make_dirs as make_dirs  # re-exported for the stores
from orasx._gostr import go_quote
from orasx.errors import AlreadyExistsError, PathTraversalError, Reason

if sys.platform != "win32":
    _DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
else:
    _DIR_FLAGS = os.O_RDONLY

_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def clean_title(name: str) -> str:
    """A title as a clean relative path with forward slashes (``./a//b`` -> ``a/b``)."""
    cleaned = posixpath.normpath(name.replace("\\", "/")) if name else ""
    return "" if cleaned == "." else cleaned


#: The longest path (bytes, without the final NUL) and file name Linux takes (``PATH_MAX - 1``,
#: ``NAME_MAX``); macOS and Windows take less.
MAX_TITLE_BYTES = 4095
MAX_NAME_BYTES = 255


def check_title_length(name: str) -> None:
    """Refuse a title no file system takes as a path (over :data:`MAX_TITLE_BYTES`, or a
    component over :data:`MAX_NAME_BYTES`), before a directory is made for it (the system refuses
    it only after those above it exist, and a title of 200,000 components has as many)."""
    size = len(name.encode("utf-8", "surrogatepass"))
    longest = max(len(p.encode("utf-8", "surrogatepass")) for p in name.replace("\\", "/").split("/"))
    if size <= MAX_TITLE_BYTES and longest <= MAX_NAME_BYTES:
        return
    shown = go_quote(name if len(name) <= 60 else f"{name[:30]}...{name[-20:]}")
    what, got, limit = (("path", size, MAX_TITLE_BYTES) if size > MAX_TITLE_BYTES
                        else ("file name in it", longest, MAX_NAME_BYTES))
    raise PathTraversalError(f"title {shown}: too long for a file path (a {what} of {got} bytes, "
                             f"the limit is {limit})", reason=Reason.TITLE_TOO_LONG)


def is_absolute_like(name: str) -> bool:
    """Absolute on POSIX or on Windows (``/x``, ``\\x``, ``C:\\x``, ``C:/x``)."""
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name))


def lexically_inside(name: str) -> bool:
    """True when ``name`` is relative and never climbs above its base (``\\`` counts as ``/``)."""
    if not name or is_absolute_like(name) or "\x00" in name:
        return False
    depth = 0
    for part in name.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            depth -= 1
            if depth < 0:
                return False
        else:
            depth += 1
    return depth > 0


def within(path: str, root: str) -> bool:
    """Is the absolute ``path`` equal to or below the absolute ``root``?"""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def resolve_write_path(
    root: str, name: str, *, allow_traversal: bool = False, allow_root: bool = False,
    real_root: str = "",
) -> str:
    """Where a file titled ``name`` is written below ``root``; refuse anything that leaves it.

    Lexical escapes (``..``, absolute, backslash or drive paths) and escapes through symlinks that
    already exist on disk are refused with :class:`PathTraversalError` unless ``allow_traversal``.
    ``allow_root``: ``.`` (a directory pushed as ``.``) names ``root`` itself. ``real_root``:
    ``os.path.realpath(root)`` when the caller already has it (a pull of many files).
    """
    check_title_length(name)
    if name and clean_title(name) == "" and allow_root and not is_absolute_like(name):
        return os.path.realpath(root)
    if not name or clean_title(name) == "":
        raise PathTraversalError(f"invalid file name {name!r}: it names no file")
    if allow_traversal:
        return os.path.abspath(os.path.join(root, name))
    if not lexically_inside(name):
        raise PathTraversalError(
            f"{name!r} would be written outside the output directory", reason=Reason.PATH_TRAVERSAL
        )
    real_root = real_root or os.path.realpath(root)
    target = os.path.join(real_root, *clean_title(name).split("/"))
    # The deepest existing ancestor must resolve (through any symlinks) inside the root.
    parent = os.path.dirname(target)
    while parent != real_root and not os.path.lexists(parent):
        parent = os.path.dirname(parent)
    if parent != real_root and not within(os.path.realpath(parent), real_root):
        raise PathTraversalError(
            f"{name!r} would be written through a symlink outside the output directory",
            reason=Reason.SYMLINK_TRAVERSAL,
        )
    return target


def title_parts(name: str, *, allow_root: bool = False) -> list[str]:
    """The components of the title ``name`` below the output directory (``[]``: the directory
    itself, only with ``allow_root``); refuses what :func:`resolve_write_path` refuses lexically."""
    check_title_length(name)
    if name and clean_title(name) == "" and allow_root and not is_absolute_like(name):
        return []
    if not name or clean_title(name) == "":
        raise PathTraversalError(f"invalid file name {name!r}: it names no file")
    if not lexically_inside(name):
        raise PathTraversalError(
            f"{name!r} would be written outside the output directory", reason=Reason.PATH_TRAVERSAL
        )
    return clean_title(name).split("/")


#: Symlinks followed while resolving one directory (as the kernel's ELOOP limit).
_MAX_LINKS = 40


class OutputDirs:
    """The directories below one output root, opened one component at a time relative to the
    open parent without following links (``openat`` with ``O_NOFOLLOW``), and kept open until
    :meth:`close` (one walk per directory per pull, not per file).

    A write made relative to a directory opened here lands in that directory, whatever another
    user renames meanwhile: a directory swapped for a symlink cannot redirect it. A symlink met on
    the way is followed only to a directory inside the root (as :func:`resolve_write_path`), by
    walking its resolved path again without following links; one that leads outside is refused
    with :class:`PathTraversalError`. POSIX only (``dir_fd``); Windows walks paths.
    """

    def __init__(self, root: str) -> None:
        self.given = root
        #: The root's real path, once it is open (it is created then when missing).
        self.root = ""
        self._fds: dict[str, int] = {}
        self._opened: list[int] = []
        self._lock = threading.Lock()

    def open(self, parts: list[str], *, shown: str, create: bool = True) -> int:
        """The open directory ``root/parts...`` (created when missing and ``create``)."""
        if sys.platform == "win32":
            raise OSError(errno.ENOSYS, "directory descriptors are not supported on Windows")
        key = "/".join(parts)
        with self._lock:
            fd = self._fds.get(key)
            if fd is not None:
                return fd
            return self._walk(parts, shown, create)

    def _walk(self, parts: list[str], shown: str, create: bool) -> int:
        i = len(parts)
        while i > 0 and "/".join(parts[:i]) not in self._fds:
            i -= 1
        fd = self._root_fd() if i == 0 else self._fds["/".join(parts[:i])]
        for j in range(i, len(parts)):
            fd = self._child(fd, parts[j], parts[: j + 1], shown, create, links=0)
            self._fds["/".join(parts[: j + 1])] = fd
        return fd

    def _root_fd(self) -> int:
        fd = self._fds.get("")
        if fd is None:
            os.makedirs(self.given, exist_ok=True)
            self.root = os.path.realpath(self.given)
            fd = self._keep(os.open(self.root, _DIR_FLAGS))
            self._fds[""] = fd
        return fd

    def _keep(self, fd: int) -> int:
        self._opened.append(fd)
        return fd

    def _child(self, parent: int, name: str, parts: list[str], shown: str, create: bool,
               links: int) -> int:
        """Open ``name`` in ``parent`` as a directory; ``parts``: its path below the root."""
        for _ in range(_MAX_LINKS):
            try:
                return self._keep(os.open(name, _DIR_FLAGS, dir_fd=parent))
            except FileNotFoundError:
                if not create:
                    raise
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o777, dir_fd=parent)
                continue
            except OSError as e:
                if e.errno not in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    raise
            st = os.stat(name, dir_fd=parent, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                continue  # replaced meanwhile: look again
            if not stat.S_ISLNK(st.st_mode):
                raise AlreadyExistsError(
                    f"{shown}: {'/'.join(parts)} is a file, in the way of a directory")
            return self._follow(parts, shown, create, links + 1)
        raise PathTraversalError(f"{shown!r}: {'/'.join(parts)} keeps changing; refusing it",
                                 reason=Reason.SYMLINK_TRAVERSAL)

    def _follow(self, parts: list[str], shown: str, create: bool, links: int) -> int:
        """The directory the symlink at ``parts`` resolves to, when that is inside the root,
        opened by walking its real path from the root without following links (a link that
        appeared there meanwhile is resolved and checked the same way, up to ``_MAX_LINKS``)."""
        try:
            real = os.path.realpath(os.path.join(self.root, *parts))  # (the root is open)
        except OSError:  # the link became a directory again while it was read (a race)
            raise PathTraversalError(
                f"{shown!r}: {'/'.join(parts)} changed between a symlink and a directory while "
                "it was opened; refusing it", reason=Reason.SYMLINK_TRAVERSAL) from None
        if links > _MAX_LINKS or not within(real, self.root):
            raise PathTraversalError(
                f"{shown!r} would be written through a symlink outside the output directory",
                reason=Reason.SYMLINK_TRAVERSAL,
            )
        fd = self._root_fd()
        rel = os.path.relpath(real, self.root)
        names = [] if rel == "." else rel.split(os.sep)
        for j, name in enumerate(names):
            fd = self._child(fd, name, names[: j + 1], shown, create, links)
        return fd

    def close(self) -> None:
        with self._lock:
            for fd in self._opened:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._opened.clear()
            self._fds.clear()
