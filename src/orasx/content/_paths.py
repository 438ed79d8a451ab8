"""Path rules for writing pulled content: lexical checks (pure) and symlink-aware checks (disk)."""

from __future__ import annotations

import os
import posixpath
import re

from orasx.errors import PathTraversalError

_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def clean_title(name: str) -> str:
    """A title as a clean relative path with forward slashes (``./a//b`` -> ``a/b``)."""
    cleaned = posixpath.normpath(name.replace("\\", "/")) if name else ""
    return "" if cleaned == "." else cleaned


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
    if name and clean_title(name) == "" and allow_root and not is_absolute_like(name):
        return os.path.realpath(root)
    if not name or clean_title(name) == "":
        raise PathTraversalError(f"invalid file name {name!r}: it names no file")
    if allow_traversal:
        return os.path.abspath(os.path.join(root, name))
    if not lexically_inside(name):
        raise PathTraversalError(
            f"{name!r} would be written outside the output directory", reason="path-traversal"
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
            reason="symlink-traversal",
        )
    return target
