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
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from orasx.cli._safe import markup, one_line

if TYPE_CHECKING:
    from rich.progress import TaskID

    from orasx._copy import Hooks
    from orasx.descriptor import Descriptor

P = ParamSpec("P")
R = TypeVar("R")

#: (while it moves, when it moved, when it was already there): ``Uploading``, ``Uploaded``, ``Exists``.
Verbs = tuple[str, str, str]


@dataclass(frozen=True)
class VerbSet:
    """A command's status verbs, as the Go CLI's prompts: every verb is padded to the longest of
    the command's set (``width``), so ``Uploaded  abc`` lines up with ``Uploading abc``."""

    start: str
    done: str
    exists: str = "Exists"
    skipped: str = "Skipped"
    mounted: str = "Mounted"
    processing: str = "Processing"
    #: a blob another title of the same manifest already moved (the Go CLI's PostCopy line)
    duplicate: str = "Skipped"
    width: int = 0

    def pad(self, verb: str) -> str:
        return f"{verb:<{self.width}}" if self.width else verb


#: push, attach, blob push, manifest push (Go: Uploading/Uploaded /Exists   /Skipped  ).
PUSH = VerbSet("Uploading", "Uploaded", duplicate="Exists", width=9)
#: cp (Go: Copying/Copied /Exists /Skipped/Mounted).
COPY = VerbSet("Copying", "Copied", width=7)
#: pull (Go: Downloading/Downloaded /Processing /Skipped    /Restored   ).
PULL = VerbSet("Downloading", "Downloaded", exists="Skipped", duplicate="Restored", width=11)
#: backup (Go: Pulling  /Pulled   /Exists   /Skipped  ).
BACKUP = VerbSet("Pulling", "Pulled", width=9)
#: restore (Go: Pushing  /Pushed   /Exists   /Skipped  ).
RESTORE = VerbSet("Pushing", "Pushed", width=9)


def verb_set(verbs: Verbs | VerbSet) -> VerbSet:
    """A :class:`VerbSet` for the (start, done, exists) triple older callers pass."""
    if isinstance(verbs, VerbSet):
        return verbs
    start, done, exists = verbs
    return VerbSet(start, done, exists, width=max(len(start), len(done), len(exists)))


class Reporter:
    """What reports progress: ``hooks()`` for the library, ``run()`` to wrap the operation."""

    verbs: VerbSet = PUSH

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

    def note(self, text: str) -> None:
        """A line of its own (``Preparing a.txt``, ``Uploading empty artifact``): plain mode
        only, as the Go CLI's text handler (its terminal display leaves them out)."""
        return None

    def status(self, verb: str, desc: Descriptor) -> None:
        """One status line with a verb of the set (``Processing``, ``Skipped``)."""
        return None


class StatusPrinter(Reporter):
    """The Go CLI's plain status lines (``Uploading``/``Uploaded``/``Exists``), thread-safe.

    ``once``: a start line is printed once per blob (pull: Go's notifyOnce), and an ``Exists``
    for a blob this run already reported is not printed (Go copies a graph and its referrers in
    one traversal, which never finds its own blobs existing)."""

    def __init__(self, verbs: Verbs | VerbSet, *, quiet: bool = False, once: bool = False) -> None:
        self.verbs = verb_set(verbs)
        self.start_verb, self.done_verb, self.skip_verb = (
            self.verbs.start, self.verbs.done, self.verbs.exists)
        self.quiet = quiet
        self.once = once
        self._lock = threading.Lock()
        self._started: set[tuple[str, str]] = set()
        self._reported: set[tuple[str, str]] = set()

    def _line(self, verb: str, desc: Descriptor) -> None:
        with self._lock:
            self._line_locked(verb, desc)

    def _line_locked(self, verb: str, desc: Descriptor) -> None:
        if not self.quiet:
            name = one_line(desc.title or desc.media_type)
            print(f"{self.verbs.pad(verb)} {desc.digest.encoded[:12]} {name}", flush=True)

    @staticmethod
    def _key(desc: Descriptor) -> tuple[str, str]:
        return (str(desc.digest), desc.title)

    # One lock hold per event (the check and the line): hundreds of small blobs report from
    # many threads at once.
    def _start(self, desc: Descriptor) -> None:
        from orasx._copy import PENDING_DIGEST

        if desc.digest == PENDING_DIGEST:  # its line comes with the digest (Go's lines name it)
            return
        key = self._key(desc)
        with self._lock:
            if self.once and key in self._started:
                return
            self._started.add(key)
            self._line_locked(self.verbs.start, desc)

    def _done(self, verb: str, desc: Descriptor) -> None:
        key = self._key(desc)
        with self._lock:
            self._reported.add(key)
            self._line_locked(verb, desc)

    def _exists(self, desc: Descriptor) -> None:
        key = self._key(desc)
        with self._lock:
            if key in self._reported:
                return
            self._reported.add(key)
            self._line_locked(self.verbs.exists, desc)

    def note(self, text: str) -> None:
        if not self.quiet:
            with self._lock:
                print(one_line(text), flush=True)

    def status(self, verb: str, desc: Descriptor) -> None:
        self._line(verb, desc)

    def hooks(self) -> Hooks:
        from orasx._copy import Hooks

        return Hooks(
            on_start=self._start,
            on_copied=lambda d: self._done(self.verbs.done, d),
            on_skipped=self._exists,
            on_mounted=lambda d: self._done(self.verbs.mounted, d),
            on_duplicate=lambda d: self._done(self.verbs.duplicate, d),
        )


def reporter(verbs: Verbs | VerbSet, *, quiet: bool, plain: bool, once: bool = False) -> Reporter:
    """The display for a transfer: nothing (``quiet``: stdout carries a document or the content),
    plain lines (``plain``: ``--debug``/``--no-tty``, or no terminal), or the live display."""
    if quiet:
        return StatusPrinter(verbs, quiet=True)
    if plain or not sys.stderr.isatty():
        return StatusPrinter(verbs, once=once)
    return LiveProgress(verbs)


def _human(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


class LiveProgress(Reporter):
    def __init__(self, verbs: Verbs | VerbSet) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self.verbs = verb_set(verbs)
        self.start_verb, self.done_verb, self.skip_verb = (
            self.verbs.start, self.verbs.done, self.verbs.exists)
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
        from orasx._copy import PENDING_DIGEST

        with self.lock:
            key = str(desc.digest) + desc.title
            if key in self.tasks:
                return
            pending = str(PENDING_DIGEST) + desc.title
            if pending in self.tasks and desc.digest != PENDING_DIGEST:
                # a file hashed while it uploaded: its bar goes on under the real digest
                task = self.tasks[key] = self.tasks.pop(pending)
                self.done[key] = self.done.pop(pending, 0)
                self.progress.update(task, description=(
                    f"{self.start_verb} {desc.digest.encoded[:12]} {self._name(desc)}"))
                return
            short = "(hashing...)" if desc.digest == PENDING_DIGEST else desc.digest.encoded[:12]
            self.tasks[key] = self.progress.add_task(
                f"{self.start_verb} {short} {self._name(desc)}", total=desc.size)
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
        self.console.print(f"{mark} {self.verbs.pad(verb)} {desc.digest.encoded[:12]} {self._name(desc)}",
                           highlight=False)

    def hooks(self) -> Hooks:
        from orasx._copy import Hooks

        return Hooks(
            on_start=self._start,
            on_progress=self._bytes,
            on_copied=lambda d: self._finish_one(d, self.done_verb, True),
            on_skipped=lambda d: self._finish_one(d, self.skip_verb, False),
            on_mounted=lambda d: self._finish_one(d, self.verbs.mounted, False),
            on_duplicate=lambda d: self._finish_one(d, self.verbs.duplicate, False),
        )

    def finish(self, ok: bool = True) -> None:
        self.progress.stop()
        if not ok:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        print(
            f"{self.done_verb} {self.files} blob(s), {_human(self.bytes)} in {elapsed:.1f}s "
            f"({_human(self.bytes / elapsed)}/s)",
            file=sys.stderr, flush=True,
        )
