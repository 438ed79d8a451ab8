"""What push, pull, copy, attach, backup and restore show while they work.

On a terminal (stderr), a live rich display: one line per blob in flight with bytes, speed and
ETA, a total, ``Exists``/``Skipped``/``Mounted`` marks and a one-line summary at the end. Not a
terminal, ``--no-tty``, ``--debug`` or a machine format: the Go CLI's plain status lines.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click

from orasx.cli._safe import markup, one_line

if TYPE_CHECKING:
    from rich.progress import TaskID

    from orasx._copy import Hooks
    from orasx.descriptor import Descriptor

P = ParamSpec("P")
R = TypeVar("R")

#: (while it moves, when it moved, when it was already there): ``Uploading``, ``Uploaded``, ``Exists``.
Verbs = tuple[str, str, str]


class Reporter:
    """What reports progress: ``hooks()`` for the library, ``run()`` to wrap the operation."""

    def hooks(self) -> Hooks:
        raise NotImplementedError

    def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Call ``fn`` and close the display whether it worked or not."""
        try:
            result = fn(*args, **kwargs)
        except BaseException:
            self.finish(ok=False)
            raise
        self.finish()
        return result

    def finish(self, ok: bool = True) -> None:
        return None


class StatusPrinter(Reporter):
    """The Go CLI's plain status lines (``Uploading``/``Uploaded``/``Exists``), thread-safe."""

    def __init__(self, verbs: Verbs, *, quiet: bool = False) -> None:
        self.start_verb, self.done_verb, self.skip_verb = verbs
        self.quiet = quiet
        self._lock = threading.Lock()

    def _line(self, verb: str, desc: Descriptor) -> None:
        if self.quiet:
            return
        name = one_line(desc.title or desc.media_type)
        with self._lock:
            click.echo(f"{verb:<11} {desc.digest.encoded[:12]} {name}")

    def hooks(self) -> Hooks:
        from orasx._copy import Hooks

        return Hooks(
            on_start=lambda d: self._line(self.start_verb, d),
            on_copied=lambda d: self._line(self.done_verb, d),
            on_skipped=lambda d: self._line(self.skip_verb, d),
            on_mounted=lambda d: self._line("Mounted", d),
        )


def reporter(verbs: Verbs, *, quiet: bool, plain: bool) -> Reporter:
    """The display for a transfer: nothing (``quiet``: stdout carries a document or the content),
    plain lines (``plain``: ``--debug``/``--no-tty``, or no terminal), or the live display."""
    if quiet:
        return StatusPrinter(verbs, quiet=True)
    if plain or not sys.stderr.isatty():
        return StatusPrinter(verbs)
    return LiveProgress(verbs)


def _human(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


class LiveProgress(Reporter):
    def __init__(self, verbs: Verbs) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self.start_verb, self.done_verb, self.skip_verb = verbs
        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
            TransferSpeedColumn(), TimeRemainingColumn(), console=self.console, transient=True,
        )
        self.total = self.progress.add_task(f"[bold]{self.start_verb}", total=0)
        self.tasks: dict[str, TaskID] = {}
        self.done: dict[str, int] = {}
        self.lock = threading.Lock()
        self.files = 0
        self.bytes = 0
        self.started = time.monotonic()
        self.progress.start()

    @staticmethod
    def _name(desc: Descriptor) -> str:
        return markup(desc.title or desc.media_type)

    def _start(self, desc: Descriptor) -> None:
        with self.lock:
            key = str(desc.digest) + desc.title
            if key in self.tasks:
                return
            self.tasks[key] = self.progress.add_task(
                f"{self.start_verb} {desc.digest.encoded[:12]} {self._name(desc)}", total=desc.size)
            self.progress.update(self.total, total=(self.progress.tasks[0].total or 0) + desc.size)

    def _bytes(self, desc: Descriptor, n: int) -> None:
        with self.lock:
            key = str(desc.digest) + desc.title
            task = self.tasks.get(key)
            prev = self.done.get(key, 0)
            self.done[key] = n
        if task is not None:
            self.progress.update(task, completed=n)
            self.progress.advance(self.total, n - prev)

    def _finish_one(self, desc: Descriptor, verb: str, moved: bool) -> None:
        with self.lock:
            key = str(desc.digest) + desc.title
            task = self.tasks.pop(key, None)
            done = self.done.pop(key, 0)
            if moved:
                self.files += 1
                self.bytes += desc.size
        if task is not None:
            self.progress.remove_task(task)
            self.progress.advance(self.total, desc.size - done)
        mark = "[green]✓[/]" if moved else "[dim]-[/]"
        self.console.print(f"{mark} {verb:<11} {desc.digest.encoded[:12]} {self._name(desc)}",
                           highlight=False)

    def hooks(self) -> Hooks:
        from orasx._copy import Hooks

        return Hooks(
            on_start=self._start,
            on_progress=self._bytes,
            on_copied=lambda d: self._finish_one(d, self.done_verb, True),
            on_skipped=lambda d: self._finish_one(d, self.skip_verb, False),
            on_mounted=lambda d: self._finish_one(d, "Mounted", False),
        )

    def finish(self, ok: bool = True) -> None:
        self.progress.stop()
        if not ok:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        click.echo(
            f"{self.done_verb} {self.files} blob(s), {_human(self.bytes)} in {elapsed:.1f}s "
            f"({_human(self.bytes / elapsed)}/s)",
            err=True,
        )
