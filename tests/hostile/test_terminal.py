"""Terminal injection: text from the registry (error messages, titles, media types, artifact
types, annotations) carrying OSC/CSI escapes, BEL and rich markup must never reach the terminal
raw, in plain output or in the live display."""

from __future__ import annotations

import json

from tests.hostile.conftest import check_bounded, check_error, check_no_escapes
from tests.support.hostile import ESCAPES


def check_plain(h, o) -> None:
    """Success or a clean error; either way no raw escape and nothing half-written."""
    check_bounded(o)
    check_no_escapes(o)
    if o.returncode != 0:
        check_error(o, r".")


def check_live(o) -> None:
    """On a terminal rich draws with escapes of its own: none of the registry's may pass, and its
    markup must be shown, not rendered."""
    check_bounded(o)
    seen = o.stderr + o.stdout
    assert b"\x07" not in seen, f"BEL reached the terminal: {o.stderr[:600]!r}"
    for seq in (b"\x1b]0;pwned", b"\x1b[2J"):
        assert seq not in seen, f"{seq!r} reached the terminal: {o.stderr[:600]!r}"
    if b"evil" in seen:
        assert b"[bold]evil" in seen, f"rich markup from the registry was rendered: {seen!r}"


def test_error_message_with_escapes_is_shown_escaped(h):
    reg = h.registry("error-body-escape")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref())
    check_error(o, r"registry: x: \\x1b\]0;pwned")  # the code and message, escaped
    assert "Pulled [registry]" not in o.out


def test_error_message_with_escapes_live_output(h):
    reg = h.registry("error-body-escape")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref(), tty=True)
    check_live(o)
    assert o.returncode == 1 and b"Error response from registry: x: " in o.stderr, o.summary()
    assert not o.left, o.left


def test_layer_title_with_escapes_plain_output(h):
    reg = h.registry("title-escape")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref())
    check_plain(h, o)


def test_layer_title_with_escapes_live_output(h):
    reg = h.registry("title-escape")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref(), tty=True)
    check_live(o)


def test_media_type_with_escapes_in_copy_status_lines(h):
    reg = h.registry("media-type-escape")
    o = h.run("cp", "--from-plain-http", reg.ref(), "--to-oci-layout", "layout:v1")
    check_plain(h, o)


def test_artifact_type_with_escapes_in_discover_tree(h):
    reg = h.registry("artifact-type-escape")
    o = h.run("discover", "--plain-http", reg.ref())
    check_plain(h, o)


def test_annotations_with_escapes_in_json_output(h):
    reg = h.registry("annotation-escape")
    o = h.run("pull", "--plain-http", "-o", "out", "--format", "json", reg.ref())
    check_plain(h, o)
    if o.returncode == 0:
        doc = json.loads(o.out)
        assert doc["files"][0]["annotations"]["com.example.note"] == ESCAPES
