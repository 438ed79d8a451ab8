"""Registry-supplied text made safe for a terminal: control characters are shown, not obeyed.

Titles, media types, annotations, artifact types and error bodies come from the registry. Printed
raw, an ``ESC ] 0 ; ... BEL`` rewrites the window title, ``ESC [ 2 J`` clears the screen, a CR or LF
forges a ``Pulled [registry] ...`` line, and bidi overrides reorder what is shown. Every such
character is printed as a visible escape (``\\x1b``, ``\\u202e``) instead.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the Unicode bidi and line/paragraph separators.
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_BLOCK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e"
                           "\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """``text`` with every control character (newlines and tabs included) made visible."""
    return _UNSAFE_LINE.sub(_visible, text)


def block(text: str) -> str:
    """``text`` with every control character but newline and tab made visible."""
    return _UNSAFE_BLOCK.sub(_visible, text)


def markup(text: str) -> str:
    """:func:`one_line`, and rich markup (``[bold]``) escaped, for the live display."""
    from rich.markup import escape

    return escape(one_line(text))
