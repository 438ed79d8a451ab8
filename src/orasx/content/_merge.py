"""Place an unpacked, verified directory layer into the user's tree without losing their files.

The layer was unpacked into a staging tree beside its destination (same filesystem) and checked
there (digests, traversal, links). :func:`merge_tree` then plans every move first, so that a
conflict (``keep_old_files``, a directory where a file goes, a symlink in the user's tree that an
entry would pass through) refuses the pull before anything in the destination changes, and then
renames each entry into place. Files already in the destination that the layer does not name stay.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass

from orasx.content._tar import DirEntry
from orasx.errors import AlreadyExistsError, PathTraversalError


@dataclass(frozen=True)
class _Move:
    src: str
    dst: str
    keep_mode: int | None  # the overwritten regular file's mode, which the new file takes


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _plan(tree: str, target: str, title: str, keep_old_files: bool) -> list[_Move]:
    """Every rename that merges ``tree`` into the existing directory ``target``; raises on the
    first conflict, before anything is changed."""
    moves: list[_Move] = []
    stack = [""]
    while stack:
        rel = stack.pop()
        with os.scandir(os.path.join(tree, rel)) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            sub = f"{rel}/{entry.name}" if rel else entry.name
            src, dst = entry.path, os.path.join(target, *sub.split("/"))
            shown = f"{title.rstrip('/')}/{sub}" if title not in (".", "") else sub
            have = _lstat(dst)
            is_dir = entry.is_dir(follow_symlinks=False)
            if have is None:
                moves.append(_Move(src, dst, None))  # a new file or a whole new subtree
            elif stat.S_ISLNK(have.st_mode) and is_dir:
                raise PathTraversalError(
                    f"{shown}: is a symlink in the output directory; refusing to write through it",
                    reason="symlink-in-output",
                )
            elif is_dir:
                if not stat.S_ISDIR(have.st_mode):
                    raise AlreadyExistsError(f"{shown}: a file is in the way of this directory")
                stack.append(sub)
            elif stat.S_ISDIR(have.st_mode):
                raise AlreadyExistsError(f"{shown}: a directory is in the way of this file")
            elif keep_old_files:
                raise AlreadyExistsError(f"{shown}: file already exists", reason="keep-old-files")
            else:
                # Replaced by rename: a symlink is replaced itself, never written through.
                mode = stat.S_IMODE(have.st_mode) if stat.S_ISREG(have.st_mode) else None
                moves.append(_Move(src, dst, mode))
    return moves


def merge_tree(
    tree: str, target: str, dirs: list[DirEntry], *, title: str, keep_old_files: bool
) -> None:
    """Move the verified staging ``tree`` into ``target``, merging into a directory there.

    Archive entries are written; the user's other files stay; an overwritten file keeps its
    mode (as the Go CLI); directories get the archive's mtime. ``target`` itself being a symlink
    or a file is replaced (never written through) unless ``keep_old_files``.
    """
    have = _lstat(target)
    if have is not None and not stat.S_ISDIR(have.st_mode):
        if keep_old_files:
            raise AlreadyExistsError(f"{title}: file already exists", reason="keep-old-files")
        os.unlink(target)
        have = None
    if have is None:
        os.rename(tree, target)  # nothing to merge with: the tree moves as one
        return
    for move in _plan(tree, target, title, keep_old_files):
        if move.keep_mode is not None:
            with contextlib.suppress(OSError):
                os.chmod(move.src, move.keep_mode, follow_symlinks=False)
        os.replace(move.src, move.dst)
    # Entries added to directories changed their mtimes: set the archive's again, deepest first.
    for d in reversed(dirs):
        path = os.path.join(target, *[p for p in d.rel.split("/") if p])
        st = _lstat(path)
        if st is not None and stat.S_ISDIR(st.st_mode):
            with contextlib.suppress(OSError):
                os.utime(path, (d.mtime, d.mtime))
