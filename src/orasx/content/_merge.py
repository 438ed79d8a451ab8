"""Place an unpacked, verified directory layer into the user's tree without losing their files.

The layer was unpacked into a staging tree beside its destination (same filesystem) and checked
there (digests, traversal, links). :func:`merge_tree` then plans every move first, so that a
conflict (``keep_old_files``, a directory where a file goes, a symlink in the user's tree that an
entry would pass through) refuses the pull before anything in the destination changes, and then
renames each entry into place. Files already in the destination that the layer does not name stay.

On POSIX both trees are walked with directory descriptors opened without following links
(``openat``, ``O_NOFOLLOW``), and every rename is made between open directories: a directory of
the user's tree swapped for a symlink while the layer is merged cannot redirect an entry. On
Windows a directory is its path.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from orasx.content._tar import DirEntry
from orasx.errors import AlreadyExistsError, PathTraversalError, Reason

#: An open directory descriptor (POSIX) or a directory's path (Windows).
Dir = int | str

if sys.platform != "win32":
    _DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
else:
    _DIR_FLAGS = os.O_RDONLY


def _at(d: Dir, name: str) -> tuple[str, int | None]:
    """``name`` in ``d`` as ``(path, dir_fd)`` for the ``os`` functions."""
    return (name, d) if isinstance(d, int) else (os.path.join(d, name), None)


def _lstat(d: Dir, name: str) -> os.stat_result | None:
    path, fd = _at(d, name)
    try:
        return os.stat(path, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


@contextlib.contextmanager
def _opened(base: Dir, rel: str) -> Iterator[Dir]:
    """The directory ``rel`` below ``base``, reached without following a link (``OSError``
    otherwise); open only for the ``with`` block (a wide tree holds no descriptors meanwhile)."""
    parts = [p for p in rel.split("/") if p]
    if isinstance(base, str):
        path = base
        for part in parts:
            path = os.path.join(path, part)
            if os.path.islink(path):
                raise OSError(f"{path}: is a symlink")
        yield path
        return
    fd = os.dup(base)
    try:
        for part in parts:
            sub = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = sub
        yield fd
    finally:
        os.close(fd)


@dataclass(frozen=True)
class _Move:
    rel: str  # the directory, below both trees, that holds the entry
    name: str
    keep_mode: int | None  # the overwritten regular file's mode, which the new file takes


def _plan(tree: Dir, target: Dir, title: str, keep_old_files: bool) -> list[_Move]:
    """Every rename that merges ``tree`` into the existing directory ``target``; raises on the
    first conflict, before anything is changed. The moves of one directory are adjacent."""
    moves: list[_Move] = []
    stack = [""]
    while stack:
        rel = stack.pop()
        shown_dir = f"{title.rstrip('/')}/{rel}" if title not in (".", "") else rel
        with contextlib.ExitStack() as dirs:
            src_dir = dirs.enter_context(_opened(tree, rel))
            try:
                dst_dir = dirs.enter_context(_opened(target, rel))
            except OSError:  # became a symlink (or went) since it was looked at
                raise PathTraversalError(
                    f"{shown_dir}: changed in the output directory while it was merged; "
                    "refusing to write through it", reason=Reason.SYMLINK_IN_OUTPUT) from None
            with os.scandir(src_dir) as it:
                entries = sorted((e.name, e.is_dir(follow_symlinks=False),
                                  e.is_file(follow_symlinks=False)) for e in it)
            for name, is_dir, is_file in entries:
                sub = f"{rel}/{name}" if rel else name
                shown = f"{title.rstrip('/')}/{sub}" if title not in (".", "") else sub
                have = _lstat(dst_dir, name)
                if have is None:
                    moves.append(_Move(rel, name, None))  # a new file or a whole new subtree
                elif stat.S_ISLNK(have.st_mode) and is_dir:
                    raise PathTraversalError(
                        f"{shown}: is a symlink in the output directory; refusing to write "
                        "through it", reason=Reason.SYMLINK_IN_OUTPUT,
                    )
                elif is_dir:
                    if not stat.S_ISDIR(have.st_mode):
                        raise AlreadyExistsError(
                            f"{shown}: a file is in the way of this directory")
                    stack.append(sub)
                elif stat.S_ISDIR(have.st_mode):
                    raise AlreadyExistsError(f"{shown}: a directory is in the way of this file")
                elif keep_old_files:
                    raise AlreadyExistsError(f"{shown}: file already exists",
                                             reason=Reason.KEEP_OLD_FILES)
                else:
                    # Replaced by rename: a symlink is replaced itself, never written through.
                    keep = is_file and stat.S_ISREG(have.st_mode)
                    moves.append(_Move(rel, name, stat.S_IMODE(have.st_mode) if keep else None))
    return moves


def merge_tree(
    src: Dir, src_name: str, dst: Dir, dst_name: str, dirs: list[DirEntry], *, title: str,
    keep_old_files: bool,
) -> None:
    """Move the verified staging tree ``src_name`` (in the directory ``src``) to ``dst_name`` in
    the directory ``dst`` (``"."``: ``dst`` itself), merging into a directory there.

    Archive entries are written; the user's other files stay; an overwritten file keeps its
    mode (as the Go CLI); directories get the archive's mtime. The target itself being a symlink
    or a file is replaced (never written through) unless ``keep_old_files``.
    """
    have = _lstat(dst, dst_name)
    if have is not None and not stat.S_ISDIR(have.st_mode):
        if keep_old_files:
            raise AlreadyExistsError(f"{title}: file already exists", reason=Reason.KEEP_OLD_FILES)
        path, fd = _at(dst, dst_name)
        os.unlink(path, dir_fd=fd)
        have = None
    src_path, src_fd = _at(src, src_name)
    dst_path, dst_fd = _at(dst, dst_name)
    if have is None:  # nothing to merge with: the tree moves as one
        os.replace(src_path, dst_path, src_dir_fd=src_fd, dst_dir_fd=dst_fd)
        return
    with _opened(src, src_name) as tree, _opened(dst, dst_name) as target:
        moves = _plan(tree, target, title, keep_old_files)
        for rel, group in itertools.groupby(moves, key=lambda m: m.rel):
            with _opened(tree, rel) as from_dir, _opened(target, rel) as to_dir:
                for move in group:
                    s_path, s_fd = _at(from_dir, move.name)
                    d_path, d_fd = _at(to_dir, move.name)
                    if move.keep_mode is not None:
                        with contextlib.suppress(OSError, NotImplementedError):
                            os.chmod(s_path, move.keep_mode, dir_fd=s_fd, follow_symlinks=False)
                    os.replace(s_path, d_path, src_dir_fd=s_fd, dst_dir_fd=d_fd)
        # Entries added to directories changed their mtimes: set the archive's again, deepest
        # first (a directory that is no longer one is skipped).
        for d in reversed(dirs):
            with contextlib.suppress(OSError), _opened(target, d.rel) as where:
                os.utime(where, (d.mtime, d.mtime))
