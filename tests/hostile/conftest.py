"""The harness for the hostile-registry tests: a scenario server, a measured ``oras`` run, and the
checks a user would make of its result.

Set ``ORASX_HOSTILE_REPORT=/path/file.jsonl`` to get one line per run (exit code, traceback, peak
RSS, time, leftovers, last stderr line): the table of what orasx does today.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hostile import HostileRegistry, Outcome, child_env, leftovers, run_oras

#: What a client doing the right thing stays under (wall seconds, peak RSS in MB). A sane client
#: answers every scenario here in 1-2 s (about 1 s of it is start-up); tests whose correct answer
#: takes longer (a deadline, a size cap) pass their own ``seconds``.
SECONDS = 6.0
RSS_MB = 150.0
#: How much longer than the bound a misbehaving child may run before it is killed.
GRACE = 0.5
#: A child whose RSS passes this is killed at once (it has failed the bound anyway).
RSS_KILL_MB = 2 * RSS_MB


class Harness:
    """One test's world: ``work/`` (the child's cwd, holding ``hello.txt``), ``work/out/`` (where
    output goes), a private HOME and TMPDIR, and the scenario servers."""

    def __init__(self, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.request = request
        self.work = tmp_path / "work"
        self.out = self.work / "out"
        self.home = tmp_path / "home"
        self.tmp = tmp_path / "tmp"
        for d in (self.work, self.home, self.tmp):
            d.mkdir()
        (self.work / "hello.txt").write_bytes(b"hello\n")
        self.registries: list[HostileRegistry] = []

    def registry(self, scenario: str, **params: object) -> HostileRegistry:
        reg = HostileRegistry(scenario, **params).start()
        self.registries.append(reg)
        return reg

    def close(self) -> None:
        errors = []
        for reg in self.registries:
            reg.stop()
            errors += reg.errors
        assert not errors, f"the hostile registry itself failed: {errors}"

    def run(self, *args: str, seconds: float = SECONDS, env: dict[str, str] | None = None,
            stdin: bytes = b"", tty: bool = False) -> Outcome:
        """Run ``oras ARGS`` in ``work/``; ``seconds`` is the time bound the checks apply; the
        child is killed ``GRACE`` seconds after it, or as soon as its RSS passes ``RSS_KILL_MB``."""
        outcome = run_oras(list(args), cwd=str(self.work), timeout=seconds + GRACE, stdin=stdin,
                           tty=tty, env=child_env(str(self.home), str(self.tmp), env),
                           rss_kill_mb=RSS_KILL_MB)
        outcome.left = self.leftovers()
        self._report(outcome)
        return outcome

    def leftovers(self) -> list[str]:
        """Anything in ``out/`` or TMPDIR, and any ``.orasx-*`` temp file under ``work/``."""
        left = [f"out/{p}" for p in leftovers(str(self.out))] if self.out.exists() else []
        left += [f"$TMPDIR/{p}" for p in leftovers(str(self.tmp))]
        left += [p for p in leftovers(str(self.work))
                 if os.path.basename(p).startswith((".orasx-", "orasx-"))
                 and not p.startswith("out/")]
        return left

    def _report(self, o: Outcome) -> None:
        path = os.environ.get("ORASX_HOSTILE_REPORT")
        if not path:
            return
        line = {"test": self.request.node.nodeid, "args": o.args, "exit": o.returncode,
                "killed": o.killed_for, "traceback": o.traceback, "rss_mb": round(o.peak_rss_mb),
                "seconds": round(o.seconds, 1), "leftovers": o.left,
                "stderr": o.err.strip().splitlines()[-1][:200] if o.err.strip() else "",
                "stdout_head": o.out[:200]}
        with open(path, "a") as f:
            f.write(json.dumps(line) + "\n")


@pytest.fixture
def h(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Harness]:
    harness = Harness(tmp_path, request)
    yield harness
    harness.close()


def check_bounded(o: Outcome, *, rss_mb: float = RSS_MB) -> None:
    """Finished on its own, in time (the ``seconds`` it was run with), in bounded memory, without
    a traceback."""
    seconds = o.timeout - GRACE
    assert not o.killed, f"did not finish on its own: {o.summary()}"
    assert "Traceback" not in o.err, f"traceback: {o.summary()}\n{o.err[-3000:]}"
    assert o.seconds < seconds, f"took {o.seconds:.1f}s (bound {seconds}s): {o.summary()}"
    assert o.peak_rss_mb < rss_mb, f"peak RSS {o.peak_rss_mb:.0f} MB (bound {rss_mb}): {o.summary()}"


def check_no_escapes(o: Outcome) -> None:
    """No raw ESC or BEL byte reached the terminal."""
    for name, data in (("stdout", o.stdout), ("stderr", o.stderr)):
        assert b"\x1b" not in data and b"\x07" not in data, (
            f"raw ESC/BEL on {name}: {data[:400]!r} ({o.summary()})")


ERROR_PREFIXES = ("Error: ", "Error response from registry: ", "Error from source registry",
                  "Error from destination registry")


def check_error(o: Outcome, pattern: str, *, rss_mb: float = RSS_MB,
                leftovers: bool = True) -> None:
    """What a user must see when a registry misbehaves: exit 1, one error line on stderr
    that names the problem (``pattern``, searched case-insensitively), bounded time and memory,
    no raw escapes, nothing left behind (``leftovers=False`` skips that check)."""
    check_bounded(o, rss_mb=rss_mb)
    assert o.returncode == 1, f"exit code {o.returncode}, expected 1: {o.summary()}"
    lines = o.err.splitlines()
    # One error line, in the Go CLI's words: "Error: ...", or for what a registry answered
    # "Error response from registry: ..." / "Error from source|destination registry for ...".
    assert len(lines) == 1 and lines[0].startswith(ERROR_PREFIXES), (
        f"stderr is not one error line: {o.err[-2000:]!r}")
    assert re.search(pattern, lines[0], re.IGNORECASE), (
        f"the message does not name the problem ({pattern!r}): {lines[0]!r}")
    check_no_escapes(o)
    if leftovers:
        assert not o.left, f"left behind: {o.left}"
