"""What push, pull, copy, attach, backup and restore show while they work.

On a terminal (stderr), a live rich display: one line per blob in flight with bytes, speed and
ETA, a total, ``Exists``/``Skipped``/``Mounted`` marks and a one-line summary at the end. Not a
terminal, ``--no-tty``, ``--debug`` or a machine format: the Go CLI's plain status lines.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

import click

from orasx.cli._common import Reporter, StatusPrinter, build_remote
from orasx.cli._output import parse_format


def reporter(verbs: tuple[str, str, str], *, quiet: bool, plain: bool) -> Reporter:
    """The display for a transfer: nothing (``quiet``), plain lines (``plain``, or no terminal),
    or the live display."""
    if quiet:
        return StatusPrinter(verbs, quiet=True)
    if plain or not sys.stderr.isatty():
        return StatusPrinter(verbs)
    return LiveProgress(verbs)


def begin(
    kw: dict[str, Any], verbs: tuple[str, str, str], *, quiet: bool = False
) -> tuple[str, str, Any, Reporter]:
    """What a transfer command needs from its flags (removed from ``kw``): the output format, its
    template, the remote and the progress display (plain under ``--debug`` and ``--no-tty``)."""
    fmt, template = parse_format(kw)
    plain = bool(kw.get("debug") or kw.get("no_tty"))
    remote = build_remote(kw)
    return fmt, template, remote, reporter(verbs, quiet=quiet or fmt != "text", plain=plain)


def _human(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


class LiveProgress(Reporter):
    def __init__(self, verbs: tuple[str, str, str]) -> None:
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
        self.tasks: dict[str, Any] = {}
        self.done: dict[str, int] = {}
        self.lock = threading.Lock()
        self.files = 0
        self.bytes = 0
        self.started = time.monotonic()
        self.progress.start()

    @staticmethod
    def _name(desc: Any) -> str:
        return str(desc.title or desc.media_type)

    def _start(self, desc: Any) -> None:
        with self.lock:
            key = str(desc.digest) + desc.title
            if key in self.tasks:
                return
            self.tasks[key] = self.progress.add_task(
                f"{self.start_verb} {desc.digest.encoded[:12]} {self._name(desc)}", total=desc.size)
            self.progress.update(self.total, total=(self.progress.tasks[0].total or 0) + desc.size)

    def _bytes(self, desc: Any, n: int) -> None:
        with self.lock:
            key = str(desc.digest) + desc.title
            task = self.tasks.get(key)
            prev = self.done.get(key, 0)
            self.done[key] = n
        if task is not None:
            self.progress.update(task, completed=n)
            self.progress.advance(self.total, n - prev)

    def _finish_one(self, desc: Any, verb: str, moved: bool) -> None:
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

    def hooks(self) -> Any:
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
