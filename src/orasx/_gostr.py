"""Strings as Go's standard library writes them: ``%q`` (``strconv.Quote``) and the escapes
``encoding/json`` adds. The Go CLI's messages and files are made of these; every layer quotes
through this one module."""

from __future__ import annotations

_QUOTE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
                  "\t": "\\t", "\v": "\\v", "\\": "\\\\", '"': '\\"'}

#: What ``json.Marshal`` escapes beyond JSON's own (HTML characters, JavaScript line breaks).
_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                 ("\u2029", "\\u2029"))


def go_quote(text: str) -> str:
    """``text`` as Go's ``%q`` prints it: quoted, with every control character escaped (a
    registry's header must not reach the terminal as an escape sequence)."""
    out = []
    for ch in text:
        if ch in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[ch])
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def go_json_escapes(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with the escapes Go's ``json.Marshal``
    adds: ``<``, ``>``, ``&``, U+2028 and U+2029."""
    for char, escaped in _JSON_ESCAPES:
        text = text.replace(char, escaped)
    return text
