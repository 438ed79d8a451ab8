"""SIGTERM and SIGHUP stop a command the way Ctrl-C does.

``docker stop``, CI cancellation and ``timeout`` send SIGTERM; a closed terminal sends SIGHUP.
Python's default for both is to die on the spot, which leaves the temp files of the transfers in
flight behind. Here they raise :class:`Terminated` (a :class:`KeyboardInterrupt`) in the main
thread instead, so the library's cancellation runs (the copy is cancelled, workers stop at their
next read, atomic writers remove their temp files) and the command then exits with the shell's
code for the signal: 128 + its number (143 for SIGTERM, 129 for SIGHUP; Ctrl-C gives 130).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from contextlib import contextmanager

TYPE_CHECKING = False  # (annotations only: typing is not imported for `oras version`)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import FrameType
    from typing import NoReturn

#: The signals handled, where the platform has them.
SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Terminated(KeyboardInterrupt):
    """The command was stopped by ``signum``; cleanup runs as for Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _State:
    received: int | None = None


def received() -> int | None:
    """The first terminating signal this process received (None if none)."""
    return _State.received


def exit_code(exc: BaseException) -> int:
    """The shell's exit code for an interruption: 128 + the signal's number (130 for Ctrl-C)."""
    if isinstance(exc, Terminated):
        return 128 + exc.signum
    return 128 + signal.SIGINT


def describe(exc: BaseException) -> str:
    """``interrupted`` for Ctrl-C, ``terminated by SIGTERM`` for the signals handled here."""
    if isinstance(exc, Terminated):
        try:
            return f"terminated by {signal.Signals(exc.signum).name}"
        except ValueError:
            return f"terminated by signal {exc.signum}"
    return "interrupted"


def _handler(signum: int, _frame: FrameType | None) -> None:
    if _State.received is not None:
        return  # already stopping: let the cleanup of the first signal finish undisturbed
    _State.received = signum
    raise Terminated(signum)


@contextmanager
def handled() -> Iterator[None]:
    """Install the handlers for the duration of a command (main thread only), then restore the
    previous ones. Signals the parent set to be ignored (``nohup``) stay ignored."""
    _State.received = None
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[signal.Signals, Callable[[int, FrameType | None], object] | int | None] = {}
    for sig in SIGNALS:
        current = signal.getsignal(sig)
        if current is signal.SIG_IGN:
            continue
        previous[sig] = current
        signal.signal(sig, _handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)


def broken_pipe() -> NoReturn:
    """stdout's reader went away (``oras blob fetch ... -o - | head``): end as the Go CLI does,
    killed by SIGPIPE (exit status 141 in a shell), without a word: a closed pipe is what the
    reader asked for, not an error. Where there is no SIGPIPE (Windows), exit 1 silently."""
    import os
    import sys

    with contextlib.suppress(OSError, ValueError):  # nothing more may be written to the pipe
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sigpipe = getattr(signal, "SIGPIPE", None)
    if sigpipe is not None:
        signal.signal(sigpipe, signal.SIG_DFL)
        os.kill(os.getpid(), sigpipe)
    os._exit(1)
