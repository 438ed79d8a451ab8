"""One ``key: value`` line (or block) as the Go CLI's ``discover`` tree shows an annotation.

The Go CLI prints each annotation of a referrer as ``yaml.Marshal(map[string]string{k: v})``
(gopkg.in/yaml.v3), trimmed. This module reproduces that emitter for one string pair: which
scalar style each side gets (plain, ``'single'``, ``"double"`` with escapes, ``|`` literal),
quoting of strings that would read back as another type (``"1"``, ``"true"``, ``""``, dates,
``'yes'``), no folding of long lines, and the ``? key`` form of keys over 128 bytes.
"""

from __future__ import annotations

import calendar
import re

__all__ = ["annotation_line"]

_INDENT = 4

# -- would the plain scalar read back as a string? (yaml.v3 resolve.go) -------------------------

_NOT_STRINGS = frozenset({
    "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
    "-.inf", "-.Inf", "-.INF",
})
_OLD_BOOLS = frozenset({"y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
                        "n", "N", "no", "No", "NO", "off", "Off", "OFF"})
_BASE60_FLOAT = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+(?:[eE][-+]?[0-9]+)?")
_INT_BODY = {16: re.compile(r"[0-9a-fA-F]+"), 8: re.compile(r"[0-7]+"), 2: re.compile(r"[01]+"),
             10: re.compile(r"[0-9]+")}
_DATE = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_TIME = r"(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?"
_TIMESTAMPS = (re.compile(_DATE + "[Tt]" + _TIME + r"(?:Z|[-+]\d{2}:\d{2})"),
               re.compile(_DATE + " " + _TIME), re.compile(_DATE))


def _go_int(text: str) -> bool:
    """Does Go's ``strconv.ParseInt(text, 0, 64)`` (or ``ParseUint``) accept ``text``?"""
    body = text
    sign = body[:1] in ("+", "-")
    if sign:
        body = body[1:]
    base = 10
    lower = body[:2].lower()
    if lower in ("0x", "0o", "0b"):
        base, body = {"0x": 16, "0o": 8, "0b": 2}[lower], body[2:]
    elif body.startswith("0") and len(body) > 1:
        base, body = 8, body[1:]
    if not _INT_BODY[base].fullmatch(body):
        return False
    value = int(body, base)
    negative = text.startswith("-")
    return value <= (2**63 if negative else 2**64 - 1)


def _timestamp(text: str) -> bool:
    """Does yaml.v3's ``parseTimestamp`` accept ``text`` (Go's ``time.Parse`` of its four
    layouts)?"""
    for layout in _TIMESTAMPS:
        m = layout.fullmatch(text)
        if m is None:
            continue
        year, month, day = (int(g) for g in m.groups()[:3])
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
            continue
        if len(m.groups()) > 3:
            hour, minute, second = (int(g) for g in m.groups()[3:6])
            if hour > 23 or minute > 59 or second > 59:
                continue
        return True
    return False


def _resolves_to_string(s: str) -> bool:
    """Would ``s``, unquoted, read back as a string (yaml.v3's ``resolve``)?"""
    if not s:
        return False  # null
    first = s[0]
    if s in _NOT_STRINGS:
        return False
    if first == ".":
        return not _DOT_FLOAT.fullmatch(s)
    if not (first in "+-" or "0" <= first <= "9"):
        return True
    if "0" <= first <= "9" and _timestamp(s):
        return False
    plain = s.replace("_", "")
    if _go_int(plain) or _YAML_FLOAT.fullmatch(plain):
        return False
    for prefix, base in (("0b", 2), ("-0b", 2), ("0o", 8), ("-0o", 8)):
        if plain.startswith(prefix) and _INT_BODY[base].fullmatch(plain[len(prefix):]):
            return False
    return True


# -- libyaml's analysis and style choice --------------------------------------------------------

_BREAKS = "\r\n\x85\u2028\u2029"


def _printable(c: str) -> bool:
    o = ord(c)
    return (o == 0x0A or 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF
            or (0xE000 <= o <= 0xFFFD and o != 0xFEFF))


class _Analysis:
    def __init__(self, value: str) -> None:
        self.multiline = False
        self.plain = True  # block_plain_allowed
        self.single = True  # single_quoted_allowed
        self.block = True  # block_allowed
        if not value:
            self.block = False
            return
        block_indicators = value[:3] in ("---", "...")
        leading_space = leading_break = trailing_space = trailing_break = False
        break_space = space_break = tabs = special = False
        previous_space = previous_break = False
        preceded_by_whitespace = True
        n = len(value)
        for i, c in enumerate(value):
            followed = i + 1 >= n or value[i + 1] in " \t" + _BREAKS
            if i == 0:
                if c in "#,[]{}&*!|>'\"%@`" or (c in "?:-" and followed):
                    block_indicators = True
            elif (c == ":" and followed) or (c == "#" and preceded_by_whitespace):
                block_indicators = True
            if c == "\t":
                tabs = True
            elif not _printable(c):
                special = True
            if c == " ":
                leading_space = leading_space or i == 0
                trailing_space = trailing_space or i == n - 1
                break_space = break_space or previous_break
                previous_space, previous_break = True, False
            elif c in _BREAKS:
                self.multiline = True
                leading_break = leading_break or i == 0
                trailing_break = trailing_break or i == n - 1
                space_break = space_break or previous_space
                previous_space, previous_break = False, True
            else:
                previous_space = previous_break = False
            preceded_by_whitespace = c in " \t\0" + _BREAKS
        if leading_space or leading_break or trailing_space or trailing_break:
            self.plain = False
        if trailing_space:
            self.block = False
        if break_space:
            self.plain = self.single = False
        if space_break or tabs or special:
            self.plain = self.single = False
        if space_break or special:
            self.block = False
        if self.multiline or block_indicators:
            self.plain = False


def _style(value: str, analysis: _Analysis, *, simple_key: bool) -> str:
    """``plain``, ``single``, ``double`` or ``literal``: yaml.v3's request, then libyaml's
    ``select_scalar_style``."""
    if "\n" in value:
        # yaml.v3's shouldUseLiteralStyle: two bytes or more, not only white space
        style = "literal" if len(value.encode()) >= 2 and value.strip() else "double"
    elif not _resolves_to_string(value):
        style = "double"
    elif value in _OLD_BOOLS or value == "<<" or _BASE60_FLOAT.fullmatch(value):
        style = "single"
    else:
        style = "plain"
    if simple_key and analysis.multiline:
        style = "double"
    if style == "plain" and (not analysis.plain or (not value and simple_key)):
        style = "single"
    if style == "single" and not analysis.single:
        style = "double"
    if style == "literal" and (not analysis.block or simple_key):
        style = "double"
    return style


# -- the writer ---------------------------------------------------------------------------------

_ESCAPES = {"\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f",
            "\r": "r", "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_",
            "\u2028": "L", "\u2029": "P"}


class _Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.column = 0
        self.whitespace = True
        self.indention = True
        self.indent = 0

    def put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def newline(self, brk: str = "\n") -> None:
        """A line break (``brk``: a character yaml.v3 writes as it is, e.g. U+2028)."""
        self.out.append(brk)
        self.column = 0
        self.indention = True

    def write_indent(self) -> None:
        if not self.indention or self.column > self.indent or (
                self.column == self.indent and not self.whitespace):
            self.newline()
        while self.column < self.indent:
            self.put(" ")
        self.whitespace = True

    def indicator(self, text: str, *, need_whitespace: bool, is_indention: bool = False) -> None:
        if need_whitespace and not self.whitespace:
            self.put(" ")
        self.put(text)
        self.whitespace = False
        self.indention = self.indention and is_indention

    def scalar(self, value: str, style: str) -> None:
        self.indent += _INDENT  # libyaml indents a scalar's continuation lines
        getattr(self, f"_{style}")(value)
        self.indent -= _INDENT

    def _plain(self, value: str) -> None:
        if value and not self.whitespace:
            self.put(" ")
        self.put(value)
        if value:
            self.whitespace = False
        self.indention = False

    def _single(self, value: str) -> None:
        self.indicator("'", need_whitespace=True)
        breaks = False
        for c in value:
            if c in _BREAKS:  # only U+2028/U+2029 get here: the others are not printable
                self.newline(c)
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put("''" if c == "'" else c)
                self.indention = False
                breaks = False
        self.indicator("'", need_whitespace=False)
        self.whitespace = self.indention = False

    def _double(self, value: str) -> None:
        self.indicator('"', need_whitespace=True)
        # yaml.v3's is_bom looks at the start of the value, not at the character: after a
        # leading BOM every character is escaped.
        bom = value.startswith("\ufeff")
        for c in value:
            if bom or not _printable(c) or c in _BREAKS or c in '"\\':
                o = ord(c)
                code = _ESCAPES.get(c)
                if code is None:
                    code = (f"x{o:02X}" if o <= 0xFF else f"u{o:04X}" if o <= 0xFFFF
                            else f"U{o:08X}")
                self.put("\\" + code)
            else:
                self.put(c)
        self.indicator('"', need_whitespace=False)
        self.whitespace = self.indention = False

    def _literal(self, value: str) -> None:
        self.indicator("|", need_whitespace=True)
        if value[:1] == " ":
            self.indicator(str(_INDENT), need_whitespace=False)
        if value[-1] not in _BREAKS:
            self.indicator("-", need_whitespace=False)
        elif len(value) == 1 or value[-2] in _BREAKS:
            self.indicator("+", need_whitespace=False)
        self.newline()
        self.whitespace = True
        breaks = True
        for c in value:
            if c in _BREAKS:  # written as it is; the line counts as broken
                self.newline(c)
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put(c)
                self.indention = False
                breaks = False


#: What Go's ``strings.TrimSpace`` trims (``unicode.IsSpace``).
_GO_SPACE = (" \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
             "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _go_string(s: str) -> str:
    """As Go holds the string: a lone surrogate (invalid UTF-8) reads as U+FFFD."""
    return re.sub("[\ud800-\udfff]", "\ufffd", s)


def annotation_line(key: str, value: str) -> str:
    """``yaml.Marshal(map[string]string{key: value})`` without its trailing newline."""
    key, value = _go_string(key), _go_string(value)
    w = _Writer()
    key_analysis = _Analysis(key)
    simple = not key_analysis.multiline and len(key.encode()) <= 128
    if simple:
        w.scalar(key, _style(key, key_analysis, simple_key=True))
        w.indicator(":", need_whitespace=False)
    else:
        w.indicator("?", need_whitespace=True, is_indention=True)
        w.scalar(key, _style(key, key_analysis, simple_key=False))
        w.write_indent()
        w.indicator(":", need_whitespace=True, is_indention=True)
    w.scalar(value, _style(value, _Analysis(value), simple_key=False))
    return "".join(w.out).strip(_GO_SPACE)
