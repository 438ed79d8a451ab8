"""A big file hashed while it uploads has a progress bar before its digest is known: the live
display shows it under PENDING_DIGEST and carries it over to the real digest; the plain status
lines (Go's) name only the real digest."""

from __future__ import annotations

from orasx._copy import PENDING_DIGEST
from orasx.cli._progress import PUSH, LiveProgress, StatusPrinter
from orasx.descriptor import TITLE, Descriptor
from orasx.digest import Digest

REAL = Descriptor("application/octet-stream", Digest.from_bytes(b"x" * 10), 10,
                  annotations={TITLE: "big.bin"})
PENDING = Descriptor("application/octet-stream", PENDING_DIGEST, 10, annotations={TITLE: "big.bin"})


def test_plain_lines_never_show_the_pending_digest(capsys) -> None:
    hooks = StatusPrinter(PUSH).hooks()
    hooks.on_start(PENDING)
    hooks.on_start(REAL)
    hooks.on_copied(REAL)
    out = capsys.readouterr().out
    assert out == (f"Uploading {REAL.digest.encoded[:12]} big.bin\n"
                   f"Uploaded  {REAL.digest.encoded[:12]} big.bin\n")


def test_the_live_bar_moves_before_the_digest_is_known_and_is_carried_over() -> None:
    live = LiveProgress(PUSH)
    try:
        hooks = live.hooks()
        hooks.on_start(PENDING)
        assert hooks.on_progress is not None
        hooks.on_progress(PENDING, 6)
        (task,) = live.tasks.values()
        assert live.progress.tasks[task].completed == 6
        hooks.on_start(REAL)  # the same bar, now under the real digest
        assert list(live.tasks) == [str(REAL.digest) + "big.bin"]
        assert PENDING_DIGEST.encoded[:12] not in live.progress.tasks[task].description
        hooks.on_copied(REAL)
        assert live.tasks == {} and live.files == 1
        assert live.progress.tasks[0].completed == 10  # the total counts the file once
    finally:
        live.finish(ok=False)
