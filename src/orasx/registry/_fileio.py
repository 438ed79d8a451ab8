"""Positional file I/O for downloads written in place, and a thread's CPU time (Linux)."""

from __future__ import annotations

import os
import sys

__all__ = ["preadinto", "pwrite_all", "thread_busy"]


if sys.platform != "win32":
    _pwrite, _pread = os.pwrite, os.pread
else:  # no positional I/O: RangedBlob.download_into declines before any is needed
    def _pwrite(fd: int, data: memoryview, pos: int) -> int:
        raise OSError("no positional writes on this platform")

    def _pread(fd: int, n: int, pos: int) -> bytes:
        raise OSError("no positional reads on this platform")


def thread_busy(tid: int) -> float | None:
    """Seconds thread ``tid`` of this process has run or waited for a CPU (Linux's schedstat);
    None where that cannot be read (the ramp then looks at the rate alone)."""
    if not tid:
        return None
    try:
        with open(f"/proc/self/task/{tid}/schedstat", "rb") as f:
            run, wait = f.read().split()[:2]
        return (int(run) + int(wait)) / 1e9
    except (OSError, ValueError):
        return None


def preadinto(fd: int, view: memoryview, pos: int) -> int:
    if hasattr(os, "preadv"):
        return int(os.preadv(fd, [view], pos))
    data = _pread(fd, len(view), pos)
    view[:len(data)] = data
    return len(data)


def pwrite_all(fd: int, data: bytes, pos: int) -> None:
    view = memoryview(data)
    while view:
        n = _pwrite(fd, view, pos)
        view = view[n:]
        pos += n
