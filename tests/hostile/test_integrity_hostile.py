"""A hostile registry must not win with a traceback or a forged line (issue #19, case 14): a title
too long or too deep for the recursion limit, a manifest nested 8,000 deep shown ``--pretty``, and
an error message with a line break in it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from tests.hostile.conftest import check_bounded, check_error
from tests.support.hostile import (
    OCI_MANIFEST,
    Exchange,
    Scenario,
    child_env,
    nested_json,
    run_oras,
    scenario,
)

#: The line a registry tries to print after our error.
FORGED = "Pulled [registry] localhost/fake:v1"


@pytest.fixture(autouse=True)
def _remove_deep_trees(h) -> Iterator[None]:
    """A tree thousands of directories deep is more than pytest's own clean-up (a recursive
    ``shutil.rmtree``) can remove: ``rm -rf`` it here."""
    yield
    subprocess.run(["rm", "-rf", "--", str(h.out)], check=False)


@scenario("integrity-title")
class LongTitle(Scenario):
    """One layer titled ``params["title"]``."""

    def setup(self) -> None:
        self.artifact({str(self.params["title"]): b"x\n"})


@scenario("integrity-deep-manifest")
class DeepManifest(Scenario):
    """``v1`` is a manifest with a field nested ``params["depth"]`` deep (valid JSON)."""

    def setup(self) -> None:
        raw = (b'{"schemaVersion":2,"mediaType":"' + OCI_MANIFEST.encode() + b'","x":'
               + nested_json(int(self.params["depth"])) + b"}")
        self.put_manifest(raw, OCI_MANIFEST, "v1")


@scenario("integrity-error-newline")
class ErrorNewline(Scenario):
    """Every manifest request fails with 400 and a body whose ``params["where"]`` (the message,
    the code, the detail, or a plain-text body) carries a line break and a forged line."""

    def manifest(self, ex: Exchange, ref: str) -> None:
        where = self.params["where"]
        if where == "text":
            ex.send(400, f"oops\r\n{FORGED}\n".encode(), content_type="text/plain")
            return
        err: dict[str, object] = {"code": "BAD", "message": "bad"}
        if where == "message":
            err["message"] = f"bad\n{FORGED}"
        elif where == "code":
            err["code"] = f"BAD\n{FORGED}"
        else:
            err["detail"] = f"d\r\n{FORGED}"
        ex.json(400, {"errors": [err]})


def test_pull_refuses_a_title_too_long_for_any_path(h):
    title = "a/" * 200_000 + "f.txt"  # 400 kB: no file system takes such a path
    reg = h.registry("integrity-title", title=title)
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref())
    check_error(o, r"too long")
    assert len(o.err) < 1000, f"the error repeats the whole title: {len(o.err)} bytes"


@pytest.mark.parametrize("flags", [(), ("--allow-path-traversal",)], ids=["plain", "T"])
def test_pull_writes_a_title_1500_directories_deep(h, flags):
    title = "d/" * 1500 + "f.txt"  # 3 kB: deeper than Python's recursion limit, a valid path
    reg = h.registry("integrity-title", title=title)
    # (run without h.run: its look for leftovers, os.walk, cannot go 1,500 deep itself)
    o = run_oras(["pull", "--plain-http", *flags, "-o", "out", reg.ref()], cwd=str(h.work),
                 timeout=10, env=child_env(str(h.home), str(h.tmp)))
    assert "Traceback" not in o.err, o.err[-2000:]
    assert o.returncode == 0, o.summary()
    with open(os.path.join(h.out, *title.split("/")), "rb") as f:
        assert f.read() == b"x\n"


def go_indented(depth: int) -> str:
    """What Go's ``json.Indent`` makes of :class:`DeepManifest` (``depth`` >= 2)."""
    lines = ["{", '  "schemaVersion": 2,', f'  "mediaType": "{OCI_MANIFEST}",', '  "x": [']
    lines += ["  " * k + "[" for k in range(2, depth)]
    lines.append("  " * depth + "[]")
    lines += ["  " * k + "]" for k in range(depth - 1, 0, -1)]
    return "\n".join([*lines, "}"]) + "\n"


def test_manifest_fetch_pretty_of_json_nested_8000_deep(h):
    reg = h.registry("integrity-deep-manifest", depth=8000)
    o = h.run("manifest", "fetch", "--plain-http", "--pretty", reg.ref())
    check_bounded(o)
    assert o.returncode == 0, o.summary()  # as the Go CLI: json.Indent goes 10,000 deep
    assert o.out == go_indented(8000)


def test_manifest_fetch_pretty_refuses_json_deeper_than_go(h):
    reg = h.registry("integrity-deep-manifest", depth=10_001)
    o = h.run("manifest", "fetch", "--plain-http", "--pretty", reg.ref())
    check_error(o, r"failed to prettify: exceeded max depth")


@pytest.mark.parametrize("where", ["message", "code", "detail", "text"])
@pytest.mark.parametrize("args", [
    pytest.param(("pull", "-o", "out"), id="pull"),
    pytest.param(("manifest", "fetch"), id="manifest-fetch"),
    pytest.param(("backup", "-o", "b.tar"), id="backup"),
])
def test_registry_error_with_a_line_break_stays_one_line(h, args, where):
    reg = h.registry("integrity-error-newline", where=where)
    o = h.run(*args, "--plain-http", reg.ref())
    check_error(o, r"(\\r)?\\nPulled \[registry\] localhost/fake:v1")
    assert not any(line.lower().startswith("pulled") for line in o.err.splitlines())
