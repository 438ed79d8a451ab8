"""Registry text on the terminal: control characters, bidi overrides and rich markup are inert."""

from __future__ import annotations

import pytest

from orasx.cli._safe import block, markup, one_line


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
    ("a\r\nPulled [registry] fake", "a\\x0d\\x0aPulled [registry] fake"),
    ("\x1b[2J", "\\x1b[2J"),
    ("evil\u202etxt.exe", "evil\\u202etxt.exe"),
    ("\x9b31m", "\\x9b31m"),
    ("plain title.txt", "plain title.txt"),
])
def test_one_line_shows_controls_instead_of_obeying_them(raw, shown):
    assert one_line(raw) == shown


def test_block_keeps_newlines_and_tabs_only():
    assert block("a\n\tb\x1b[1mc\rd") == "a\n\tb\\x1b[1mc\\x0dd"


def test_markup_is_escaped_for_the_live_display():
    assert markup("[bold]x[/bold]\x07") == "\\[bold]x\\[/bold]\\x07"
