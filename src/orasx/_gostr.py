"""Strings as Go's standard library writes them: ``%q`` (``strconv.Quote``) and the escapes
``encoding/json`` adds. The Go CLI's messages and files are made of these; every layer quotes
through this one module."""

from __future__ import annotations

_QUOTE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
                  "\t": "\\t", "\v": "\\v", "\\": "\\\\", '"': '\\"'}

#: What ``json.Marshal`` escapes beyond JSON's own (HTML characters, JavaScript line breaks).
_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                 ("\u2029", "\\u2029"))


def go_quote(text: str, ascii_only: bool = False) -> str:
    """``text`` as Go's ``%q`` prints it (``strconv.Quote``): quoted, with every control character
    escaped (a registry's header must not reach the terminal as an escape sequence).
    ``ascii_only``: every non-ASCII character escaped too (``%+q``, ``strconv.QuoteToASCII``). A
    lone surrogate, which no Go string holds, is written as Go writes an invalid rune (U+FFFD)."""
    out = []
    for ch in text:
        c = ord(ch)
        if ch in _QUOTE_ESCAPES:
            out.append(_QUOTE_ESCAPES[ch])
        elif 0xD800 <= c <= 0xDFFF:
            out.append("\\ufffd")
        elif c < 0x80 and (ch.isprintable() or ch == " "):
            out.append(ch)
        elif c < 0x80:
            out.append(f"\\x{c:02x}")
        elif not ascii_only and ch.isprintable():
            out.append(ch)
        else:
            out.append(f"\\u{c:04x}" if c <= 0xFFFF else f"\\U{c:08x}")
    return '"' + "".join(out) + '"'


def go_json_escapes(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with the escapes Go's ``json.Marshal``
    adds: ``<``, ``>``, ``&``, U+2028 and U+2029."""
    for char, escaped in _JSON_ESCAPES:
        text = text.replace(char, escaped)
    return text
