"""An interpreter of Go's ``text/template`` (the language of ``--format go-template``).

It follows Go's ``text/template`` package (lexer, parser and executor) over the values a JSON
document decodes to in Go: ``None`` (nil), ``bool``, ``float`` (Go's float64: every JSON number),
``int`` (Go's int: numeric literals in the template, integer results of functions), ``str``,
``list`` (``[]interface {}``) and ``dict`` (``map[string]interface {}``). Printing follows Go's
``fmt`` (``map[a:1 b:2]`` with sorted keys, ``[x y]``, ``1e+06``), errors carry Go's messages
(``template: NAME:1:5: executing "NAME" at <.x.y>: ...``).

Functions come from the caller (:class:`Func`, the sprig set lives in :mod:`._template`); the Go
builtins (``and or not len index slice print printf println eq ne lt le gt ge html js urlquery
call``) are here. Execution is bounded: template recursion stops at :data:`MAX_DEPTH` and a run
at :data:`MAX_STEPS` evaluated nodes, so a hostile template cannot hang the command.
"""

from __future__ import annotations

import math
import re
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

#: Template invocation depth at which execution stops (Go's maxExecDepth is 100000; a Python
#: stack does not reach that).
MAX_DEPTH = 200
#: Nodes evaluated in one run before execution stops (a runaway ``range``/``template`` guard).
MAX_STEPS = 5_000_000


class TemplateError(Exception):
    """A parse or execution error, with Go's message; ``partial`` is what an execution wrote
    before it failed (Go streams it out)."""

    partial = ""


class Boxed:
    """A value still inside its ``interface {}`` (a map entry or list element met on the way):
    Go reports field access through a nil one as an error, not ``<no value>``."""

    __slots__ = ("v",)

    def __init__(self, v: object) -> None:
        self.v = v


def unbox(v: object) -> object:
    return v.v if isinstance(v, Boxed) else v


# ---------------------------------------------------------------------------------------------
# Go's fmt

def type_name(v: object) -> str:
    """Go's name of a value's type (``%T``)."""
    v = unbox(v)
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "[]interface {}"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if callable(v):
        return "func"
    return type(v).__name__


def _digits(f: float) -> tuple[str, int]:
    """Shortest decimal digits of abs(f) and the decimal point position (Go's decimalSlice)."""
    r = repr(abs(f))
    mant, _, exp = r.partition("e")
    whole, _, frac = mant.partition(".")
    if frac == "0":
        frac = ""
    digits = (whole + frac).lstrip("0")
    dp = len(whole) + (int(exp) if exp else 0)
    lead = len(whole + frac) - len((whole + frac).lstrip("0"))
    dp -= lead
    digits = digits.rstrip("0")
    if not digits:
        return "0", 1
    return digits, dp


def _exp_str(exp: int) -> str:
    return ("e-" if exp < 0 else "e+") + f"{abs(exp):02d}"


def format_float(f: float, verb: str = "g", prec: int = -1) -> str:
    """strconv.FormatFloat(f, verb, prec, 64) for verbs e, f, g (prec -1: shortest)."""
    if prec < 0 and verb == "g" and f.is_integer() and 0 < abs(f) < 1e6:
        return str(int(f))
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    neg = f < 0 or (f == 0 and math.copysign(1.0, f) < 0)
    sign = "-" if neg else ""
    if prec >= 0:
        if verb == "f":
            return sign + f"{abs(f):.{prec}f}"
        if verb == "e":
            s = f"{abs(f):.{prec}e}"
            m, _, e = s.partition("e")
            return sign + m + _exp_str(int(e))
        # %g with a precision
        p = prec or 1
        s = f"{abs(f):.{p - 1}e}"
        m, _, e = s.partition("e")
        digits = m.replace(".", "").rstrip("0") or "0"
        exp = int(e)
        eprec = p
        if eprec > len(digits) and len(digits) >= exp + 1:
            eprec = len(digits)
        if exp < -4 or exp >= eprec:
            return sign + _e_form(digits, exp)
        return sign + _f_form(digits, exp + 1)
    digits, dp = _digits(f)
    if verb == "e":
        return sign + _e_form(digits, dp - 1)
    if verb == "f":
        return sign + _f_form(digits, dp)
    exp = dp - 1
    if exp < -4 or exp >= 6:
        return sign + _e_form(digits, exp)
    return sign + _f_form(digits, dp)


def _e_form(digits: str, exp: int) -> str:
    m = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return m + _exp_str(exp)


def _f_form(digits: str, dp: int) -> str:
    if dp <= 0:
        return "0." + "0" * (-dp) + digits
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return digits[:dp] + "." + digits[dp:]


def fmt_v(v: object) -> str:
    """``fmt.Sprint`` of one value (``%v``)."""
    v = unbox(v)
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return format_float(v)
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(fmt_v(x) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{fmt_v(k)}:{fmt_v(v[k])}"
                                 for k in sorted(v, key=key_order)) + "]"
    if callable(v):
        return "0x1"
    return str(v)


def key_order(k: object) -> tuple[int, object]:
    """Go's order of map keys (``fmt`` and ``range`` sort them): strings by their UTF-8 bytes."""
    if isinstance(k, str):
        return (0, k.encode("utf-8", "surrogatepass"))
    return (1, str(k))


def sprint(args: Sequence[object]) -> str:
    """``fmt.Sprint``: spaces between operands when neither is a string."""
    out: list[str] = []
    prev_str = False
    for i, a in enumerate(args):
        a = unbox(a)
        is_str = isinstance(a, str)
        if i > 0 and not is_str and not prev_str:
            out.append(" ")
        out.append(fmt_v(a))
        prev_str = is_str
    return "".join(out)


def sprintln(args: Sequence[object]) -> str:
    return " ".join(fmt_v(a) for a in args) + "\n"


def go_quote(s: str, ascii_only: bool = False) -> str:
    """strconv.Quote."""
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch in _SIMPLE_ESC:
            out.append(_SIMPLE_ESC[ch])
        elif c < 0x20 or c == 0x7F:
            out.append(f"\\x{c:02x}")
        elif 0xD800 <= c <= 0xDFFF:
            out.append("\\ufffd")
        elif c < 0x80 or (not ascii_only and _is_print(ch)):
            out.append(ch)
        elif c < 0x10000:
            out.append(f"\\u{c:04x}")
        else:
            out.append(f"\\U{c:08x}")
    out.append('"')
    return "".join(out)


_SIMPLE_ESC = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\v": "\\v"}


def _is_print(ch: str) -> bool:
    if ch == " ":
        return True
    cat = unicodedata.category(ch)
    return cat[0] in "LMNPS"


_VERB = re.compile(r"%([-+# 0]*)(\*|\d+)?(?:\.(\*|\d*))?(?:\[(\d+)\])?(.)", re.S)


def sprintf(fmt: str, args: Sequence[object]) -> str:
    """``fmt.Sprintf`` for the verbs templates use (v s d q x X t f F e E g G c o b U T %)."""
    out: list[str] = []
    argi = 0
    reordered = False
    pos = 0
    n = len(fmt)
    while pos < n:
        j = fmt.find("%", pos)
        if j < 0:
            out.append(fmt[pos:])
            break
        out.append(fmt[pos:j])
        m = _VERB.match(fmt, j)
        if m is None:
            out.append("%!(NOVERB)")
            break
        flags, width_s, prec_s, index, verb = m.groups()
        if index is not None:
            reordered = True
            argi = int(index) - 1
            if not 0 <= argi < len(args):
                out.append(f"%!{verb}(BADINDEX)")
                continue
        pos = m.end()
        width: int | None = None
        prec: int | None = None
        if width_s == "*":
            width_s = None
            if argi < len(args) and isinstance(unbox(args[argi]), int):
                width = int(unbox(args[argi]))  # type: ignore[call-overload]
                if width < 0:
                    flags += "-"
                    width = -width
            else:
                out.append("%!(BADWIDTH)")
            argi += 1
        elif width_s:
            width = int(width_s)
        if prec_s == "*":
            if argi < len(args) and isinstance(unbox(args[argi]), int):
                prec = int(unbox(args[argi]))  # type: ignore[call-overload]
                if prec < 0:
                    prec = None
            else:
                out.append("%!(BADPREC)")
            argi += 1
        elif prec_s is not None:
            prec = int(prec_s) if prec_s else 0
        if verb == "%":
            out.append("%")
            continue
        if argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = unbox(args[argi])
        argi += 1
        out.append(_fmt_one(arg, verb, flags, width, prec))
    if argi < len(args) and not reordered:
        extra = ", ".join("<nil>" if unbox(a) is None else f"{type_name(a)}={fmt_v(a)}"
                          for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _pad(s: str, flags: str, width: int | None, zero_ok: bool = False) -> str:
    if width is None or len(s) >= width:
        return s
    if "-" in flags:
        return s + " " * (width - len(s))
    if "0" in flags and zero_ok:
        sign = s[0] if s[:1] in ("-", "+", " ") else ""
        body = s[len(sign):]
        return sign + "0" * (width - len(s)) + body
    return " " * (width - len(s)) + s


def _bad(verb: str, arg: object) -> str:
    if arg is None:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({type_name(arg)}={fmt_v(arg)})"


def _fmt_one(arg: object, verb: str, flags: str, width: int | None, prec: int | None) -> str:
    if verb == "T":
        return _pad(type_name(arg), flags, width)
    if isinstance(arg, (list, tuple)) and verb != "v":
        inner = " ".join("<nil>" if unbox(x) is None else _fmt_one(unbox(x), verb, flags, None, prec)
                         for x in arg)
        return _pad("[" + inner + "]", flags, width)
    if isinstance(arg, dict) and verb != "v":
        inner = " ".join(f"{_fmt_one(k, verb, flags, None, prec)}:"
                         + ("<nil>" if unbox(arg[k]) is None
                            else _fmt_one(unbox(arg[k]), verb, flags, None, prec))
                         for k in sorted(arg, key=key_order))
        return _pad("map[" + inner + "]", flags, width)
    if verb == "v":
        if isinstance(arg, float) and prec is not None:
            return _pad(_sign(format_float(arg, "g", prec), flags), flags, width, True)
        if isinstance(arg, (int, float)) and not isinstance(arg, bool):
            return _pad(_sign(fmt_v(arg), flags), flags, width, True)
        s = fmt_v(arg)
        if isinstance(arg, str) and prec is not None:
            s = s[:prec]
        return _pad(s, flags, width)
    if isinstance(arg, bool):
        if verb == "t":
            return _pad("true" if arg else "false", flags, width)
        return _bad(verb, arg)
    if isinstance(arg, int):
        return _fmt_int(arg, verb, flags, width, prec)
    if isinstance(arg, float):
        if verb in "xX":
            return _pad(_sign(_hex_float(arg, prec), flags), flags, width, True)
        if verb in "eEfFgG":
            v = "f" if verb in "fF" else verb.lower()
            p = prec if prec is not None else (6 if v in "ef" else -1)
            s = _sign(format_float(arg, v, p), flags)
            if verb in "EG":
                s = s.upper()
            return _pad(s, flags, width, True)
        return _bad(verb, arg)
    if isinstance(arg, str):
        if verb == "s":
            return _pad(arg if prec is None else arg[:prec], flags, width)
        if verb == "q":
            s = arg if prec is None else arg[:prec]
            if "#" in flags and "`" not in s and all(_is_print(c) or c == "\t" for c in s):
                return _pad("`" + s + "`", flags, width)
            return _pad(go_quote(s, "+" in flags), flags, width)
        if verb in "xX":
            data = arg.encode("utf-8", "surrogatepass")
            if prec is not None:
                data = data[:prec]
            h = data.hex() if " " not in flags else " ".join(f"{b:02x}" for b in data)
            return _pad(h.upper() if verb == "X" else h, flags, width)
        return _bad(verb, arg)
    return _bad(verb, arg)


def _hex_float(f: float, prec: int | None) -> str:
    """Go's %x of a float64: 0x1.fep+07."""
    if math.isnan(f) or math.isinf(f):
        return format_float(f)
    h = float.hex(f)
    sign = "-" if h.startswith("-") else ""
    mant, _, exp = h.lstrip("-").partition("p")
    head, _, frac = mant[2:].partition(".")
    frac = frac.rstrip("0")
    if prec is not None:
        frac = frac[:prec].ljust(prec, "0")
    e = int(exp)
    return f"{sign}0x{head}{'.' + frac if frac else ''}p{'-' if e < 0 else '+'}{abs(e):02d}"


def _sign(s: str, flags: str) -> str:
    if not s.startswith("-"):
        if "+" in flags:
            return "+" + s
        if " " in flags:
            return " " + s
    return s


def _fmt_int(n: int, verb: str, flags: str, width: int | None, prec: int | None) -> str:
    if verb == "c":
        return _pad(_chr(n), flags, width)
    if verb == "q":
        return _pad("'" + go_quote(_chr(n))[1:-1].replace("'", "\\'").replace('\\"', '"') + "'",
                    flags, width)
    if verb == "U":
        return _pad(f"U+{n:04X}", flags, width)
    bases = {"d": 10, "v": 10, "x": 16, "X": 16, "o": 8, "O": 8, "b": 2}
    if verb not in bases:
        return _bad(verb, n)
    body = format(abs(n), {"d": "d", "v": "d", "x": "x", "X": "X", "o": "o", "O": "o", "b": "b"}[verb])
    if prec is not None:
        body = body.rjust(prec, "0") if prec > 0 or n != 0 else ""
    if "#" in flags:
        body = {"x": "0x", "X": "0X", "o": "0", "b": "0b"}.get(verb, "") + body
    if verb == "O":
        body = "0o" + body
    s = _sign(("-" if n < 0 else "") + body, flags)
    return _pad(s, flags, width, prec is None)


def _chr(n: int) -> str:
    try:
        return chr(n) if not 0xD800 <= n <= 0xDFFF else "\ufffd"
    except (ValueError, OverflowError):
        return "\ufffd"


# ---------------------------------------------------------------------------------------------
# Lexer

(T_ERROR, T_BOOL, T_CHAR, T_CHARCONST, T_ASSIGN, T_DECLARE, T_EOF, T_FIELD, T_IDENT, T_LEFT,
 T_LPAREN, T_NUMBER, T_PIPE, T_RAW, T_RIGHT, T_RPAREN, T_SPACE, T_STRING, T_TEXT, T_VAR, T_KEYWORD,
 T_BLOCK, T_BREAK, T_CONTINUE, T_DOT, T_DEFINE, T_ELSE, T_END, T_IF, T_RANGE, T_NIL, T_TEMPLATE,
 T_WITH) = range(33)

_KEYWORDS = {".": T_DOT, "block": T_BLOCK, "break": T_BREAK, "continue": T_CONTINUE,
             "define": T_DEFINE, "else": T_ELSE, "end": T_END, "if": T_IF, "range": T_RANGE,
             "nil": T_NIL, "template": T_TEMPLATE, "with": T_WITH}
_SPACE = " \t\r\n"


@dataclass
class Token:
    typ: int
    val: str
    pos: int
    line: int

    def __str__(self) -> str:
        if self.typ == T_EOF:
            return "EOF"
        if self.typ == T_ERROR:
            return self.val
        if self.typ > T_KEYWORD:
            return f"<{self.val}>"
        if len(self.val.encode("utf-8", "surrogatepass")) > 10:
            return go_quote(self.val[:10]) + "..."
        return go_quote(self.val)


def _alnum(c: str) -> bool:
    return c == "_" or c.isalpha() or c.isdecimal()


class _Lexer:
    def __init__(self, text: str) -> None:
        self.s = text
        self.pos = 0
        self.start = 0
        self.line = 1
        self.start_line = 1
        self.items: list[Token] = []
        self.paren = 0

    def emit(self, typ: int) -> None:
        val = self.s[self.start:self.pos]
        self.items.append(Token(typ, val, self.start, self.start_line))
        self.line += val.count("\n") if typ in (T_TEXT, T_SPACE, T_RAW) else 0
        self.start = self.pos
        self.start_line = self.line

    def ignore(self) -> None:
        self.line += self.s[self.start:self.pos].count("\n")
        self.start = self.pos
        self.start_line = self.line

    def error(self, msg: str) -> None:
        self.items.append(Token(T_ERROR, msg, self.start, self.start_line))

    def peek(self) -> str:
        return self.s[self.pos] if self.pos < len(self.s) else ""

    def at_right(self) -> tuple[bool, bool]:
        s = self.s
        p = self.pos
        if len(s) > p + 1 and s[p] in _SPACE and s[p + 1] == "-" and s.startswith("}}", p + 2):
            return True, True
        return s.startswith("}}", p), False

    def at_terminator(self) -> bool:
        c = self.peek()
        return c == "" or c in _SPACE or c in ".,|:)(" or self.s.startswith("}}", self.pos)

    def run(self) -> list[Token]:
        s = self.s
        while True:
            x = s.find("{{", self.pos)
            if x < 0:
                self.pos = len(s)
                if self.pos > self.start:
                    self.emit(T_TEXT)
                self.items.append(Token(T_EOF, "", self.pos, self.line))
                return self.items
            self.pos = x
            trim = len(s) > x + 3 and s[x + 2] == "-" and s[x + 3] in _SPACE
            text_end = x
            if trim:
                text_end = len(s[self.start:x].rstrip(_SPACE)) + self.start
            self.pos = text_end
            if self.pos > self.start:
                self.emit(T_TEXT)
            self.pos = x
            self.ignore()
            if not self.left_delim(trim):
                return self.items

    def left_delim(self, trim: bool) -> bool:
        self.pos += 2
        after = 2 if trim else 0
        if self.s.startswith("/*", self.pos + after):
            self.pos += after
            self.ignore()
            return self.comment()
        self.emit(T_LEFT)
        self.pos += after
        self.ignore()
        self.paren = 0
        return self.inside()

    def comment(self) -> bool:
        self.pos += 2
        i = self.s.find("*/", self.pos)
        if i < 0:
            self.error("unclosed comment")
            return False
        self.pos = i + 2
        delim, trim = self.at_right()
        if not delim:
            self.error("comment ends before closing delimiter")
            return False
        self.pos += (2 if trim else 0) + 2
        if trim:
            self.pos = len(self.s) - len(self.s[self.pos:].lstrip(_SPACE))
        self.ignore()
        return True

    def right_delim(self, trim: bool) -> None:
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += 2
        self.emit(T_RIGHT)
        if trim:
            self.pos = len(self.s) - len(self.s[self.pos:].lstrip(_SPACE))
            self.ignore()

    def inside(self) -> bool:  # one state machine, as Go's lexInsideAction
        s = self.s
        while True:
            delim, trim = self.at_right()
            if delim:
                if self.paren == 0:
                    self.right_delim(trim)
                    return True
                self.error("unclosed left paren")
                return False
            if self.pos >= len(s):
                self.error("unclosed action")
                return False
            c = s[self.pos]
            self.pos += 1
            if c in _SPACE:
                self.pos -= 1
                n = 0
                while self.pos < len(s) and s[self.pos] in _SPACE:
                    self.pos += 1
                    n += 1
                p = self.pos - 1
                if s.startswith("-}}", p + 1) and s[p] in _SPACE:
                    self.pos -= 1
                    if n == 1:
                        self.right_delim(True)
                        return True
                self.emit(T_SPACE)
            elif c == "=":
                self.emit(T_ASSIGN)
            elif c == ":":
                if self.peek() != "=":
                    self.error("expected :=")
                    return False
                self.pos += 1
                self.emit(T_DECLARE)
            elif c == "|":
                self.emit(T_PIPE)
            elif c == '"':
                if not self.quote():
                    return False
            elif c == "`":
                i = s.find("`", self.pos)
                if i < 0:
                    self.error("unterminated raw quoted string")
                    return False
                self.pos = i + 1
                self.emit(T_RAW)
            elif c == "$":
                if not self.field_or_var(T_VAR):
                    return False
            elif c == "'":
                if not self.char():
                    return False
            elif c == "." and not (self.peek() and self.peek().isdigit()):
                if not self.field_or_var(T_FIELD):
                    return False
            elif c in "+-." or c.isdigit():
                self.pos -= 1
                if not self.number():
                    return False
            elif _alnum(c):
                while self.pos < len(s) and _alnum(s[self.pos]):
                    self.pos += 1
                word = s[self.start:self.pos]
                if not self.at_terminator():
                    self.error(f"bad character {_rune(self.peek())}")
                    return False
                if word in _KEYWORDS and word != ".":
                    self.emit(_KEYWORDS[word])
                elif word in ("true", "false"):
                    self.emit(T_BOOL)
                else:
                    self.emit(T_IDENT)
            elif c == "(":
                self.emit(T_LPAREN)
                self.paren += 1
            elif c == ")":
                self.paren -= 1
                if self.paren < 0:
                    self.error("unexpected right paren")
                    return False
                self.emit(T_RPAREN)
            elif ord(c) < 0x80 and c.isprintable():
                self.emit(T_CHAR)
            else:
                self.error(f"unrecognized character in action: {_rune(c)}")
                return False

    def field_or_var(self, typ: int) -> bool:
        if self.at_terminator():
            self.emit(T_VAR if typ == T_VAR else T_DOT)
            return True
        s = self.s
        while self.pos < len(s) and _alnum(s[self.pos]):
            self.pos += 1
        if not self.at_terminator():
            self.error(f"bad character {_rune(self.peek())}")
            return False
        self.emit(typ)
        return True

    def quote(self) -> bool:
        return self._quoted('"', "unterminated quoted string", T_STRING)

    def char(self) -> bool:
        return self._quoted("'", "unterminated character constant", T_CHARCONST)

    def _quoted(self, close: str, unterminated: str, typ: int) -> bool:
        """Scan to the closing ``close`` (a backslash escapes the next character)."""
        s = self.s
        while True:
            c = s[self.pos] if self.pos < len(s) else ""
            self.pos += 1
            if c == "\\":
                c2 = s[self.pos] if self.pos < len(s) else ""
                if c2 and c2 != "\n":
                    self.pos += 1
                    continue
                c = c2
            if c in ("", "\n"):
                self.error(unterminated)
                return False
            if c == close:
                break
        self.emit(typ)
        return True

    def number(self) -> bool:
        m = _NUMBER.match(self.s, self.pos)
        end = m.end() if m else self.pos
        self.pos = end
        if self.pos < len(self.s) and _alnum(self.s[self.pos]):
            self.pos += 1
            self.error(f"bad number syntax: {go_quote(self.s[self.start:self.pos])}")
            return False
        if self.peek() in ("+", "-"):
            self.error("complex numbers are not supported")
            return False
        self.emit(T_NUMBER)
        return True


_NUMBER = re.compile(
    r"[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]*)?"
    r"|0[oO][0-7_]*|0[bB][01_]*"
    r"|[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]*)?)i?")


def _rune(c: str) -> str:
    if not c:
        return "U+FFFFFFFF"
    return f"U+{ord(c):04X} '{c}'" if _is_print(c) else f"U+{ord(c):04X}"


# ---------------------------------------------------------------------------------------------
# Parse tree


class Node:
    pos: int

    def __str__(self) -> str:  # pragma: no cover - every node overrides
        return ""


@dataclass(eq=False)
class ListNode(Node):
    pos: int
    nodes: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


@dataclass(eq=False)
class TextNode(Node):
    pos: int
    text: str

    def __str__(self) -> str:
        return go_quote(self.text)


@dataclass(eq=False)
class IdentifierNode(Node):
    pos: int
    ident: str

    def __str__(self) -> str:
        return self.ident


@dataclass(eq=False)
class VariableNode(Node):
    pos: int
    ident: list[str]

    def __str__(self) -> str:
        return ".".join(self.ident)


@dataclass(eq=False)
class DotNode(Node):
    pos: int

    def __str__(self) -> str:
        return "."


@dataclass(eq=False)
class NilNode(Node):
    pos: int

    def __str__(self) -> str:
        return "nil"


@dataclass(eq=False)
class FieldNode(Node):
    pos: int
    ident: list[str]

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


@dataclass(eq=False)
class BoolNode(Node):
    pos: int
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(eq=False)
class NumberNode(Node):
    pos: int
    text: str
    is_int: bool
    int_val: int
    is_float: bool
    float_val: float
    is_char: bool = False

    def __str__(self) -> str:
        return self.text


@dataclass(eq=False)
class StringNode(Node):
    pos: int
    quoted: str
    text: str

    def __str__(self) -> str:
        return self.quoted


@dataclass(eq=False)
class PipeNode(Node):
    pos: int
    line: int
    decl: list[VariableNode] = field(default_factory=list)
    is_assign: bool = False
    cmds: list[CommandNode] = field(default_factory=list)

    def __str__(self) -> str:
        s = ""
        if self.decl:
            s = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return s + " | ".join(str(c) for c in self.cmds)


@dataclass(eq=False)
class ChainNode(Node):
    pos: int
    node: Node
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        s = str(self.node)
        if isinstance(self.node, PipeNode):
            s = "(" + s + ")"
        return s + "".join("." + f for f in self.fields)


@dataclass(eq=False)
class CommandNode(Node):
    pos: int
    args: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join("(" + str(a) + ")" if isinstance(a, PipeNode) else str(a)
                        for a in self.args)


@dataclass(eq=False)
class ActionNode(Node):
    pos: int
    line: int
    pipe: PipeNode

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass(eq=False)
class BranchNode(Node):
    kind: str
    pos: int
    line: int
    pipe: PipeNode
    list: ListNode
    else_list: ListNode | None

    def __str__(self) -> str:
        s = "{{" + self.kind + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            s += "{{else}}" + str(self.else_list)
        return s + "{{end}}"


@dataclass(eq=False)
class TemplateNode(Node):
    pos: int
    line: int
    name: str
    pipe: PipeNode | None

    def __str__(self) -> str:
        if self.pipe is None:
            return "{{template " + go_quote(self.name) + "}}"
        return "{{template " + go_quote(self.name) + " " + str(self.pipe) + "}}"


@dataclass(eq=False)
class LoopControl(Node):
    pos: int
    word: str

    def __str__(self) -> str:
        return "{{" + self.word + "}}"


@dataclass(eq=False)
class _End(Node):
    pos: int
    word: str

    def __str__(self) -> str:
        return "{{" + self.word + "}}"


# ---------------------------------------------------------------------------------------------
# Parser


def unquote(tok: str) -> str:
    """strconv.Unquote of a Go string, raw string or char literal."""
    if tok.startswith("`"):
        return tok[1:-1].replace("\r", "")
    q = tok[0]
    body = tok[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            if c == q:
                raise TemplateError("invalid syntax")
            out.append(c)
            i += 1
            continue
        i += 1
        e = body[i] if i < len(body) else ""
        i += 1
        if e in "abfnrtv":
            out.append({"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
                        "v": "\v"}[e])
        elif e == "\\":
            out.append("\\")
        elif e == q:
            out.append(q)
        elif e in "xuU":
            n = {"x": 2, "u": 4, "U": 8}[e]
            h = body[i:i + n]
            if len(h) != n or not all(ch in "0123456789abcdefABCDEF" for ch in h):
                raise TemplateError("invalid syntax")
            i += n
            v = int(h, 16)
            if e == "x":
                out.append(chr(v) if v < 0x80 else bytes([v]).decode("latin-1"))
            else:
                if v > 0x10FFFF or 0xD800 <= v <= 0xDFFF:
                    raise TemplateError("invalid syntax")
                out.append(chr(v))
        elif e in "01234567":
            h = body[i - 1:i + 2]
            if len(h) != 3 or not all(ch in "01234567" for ch in h):
                raise TemplateError("invalid syntax")
            i += 2
            v = int(h, 8)
            if v > 255:
                raise TemplateError("invalid syntax")
            out.append(chr(v))
        else:
            raise TemplateError("invalid syntax")
    return "".join(out)


class Tree:
    """A parsed template: its root list and the ``define``/``block`` templates."""

    def __init__(self, name: str, root: ListNode) -> None:
        self.name = name
        self.root = root


class _Parser:
    def __init__(self, text: str, name: str, funcs: Callable[[str], str | None]) -> None:
        self.text = text
        self.name = name
        self.funcs = funcs
        self.tokens = _Lexer(text).run()
        self.i = 0
        self.vars: list[str] = ["$"]
        self.range_depth = 0
        self.action_line = 0
        self.templates: dict[str, Tree] = {}
        self.cur = self.tokens[0]

    # token stream
    def next(self) -> Token:
        tok = self.tokens[min(self.i, len(self.tokens) - 1)]
        self.cur = tok
        if tok.typ == T_ERROR:
            extra = ""
            if self.action_line and self.action_line != tok.line:
                extra = f" in action started at {self.name}:{self.action_line}"
                if tok.val.endswith(" action"):
                    extra = extra[len(" in action"):]
            self.error(tok.val + extra)
        self.i += 1
        return tok

    def backup(self, n: int = 1) -> None:
        self.i -= n

    def peek(self) -> Token:
        tok = self.tokens[min(self.i, len(self.tokens) - 1)]
        if tok.typ == T_ERROR:
            return self.next()
        return tok

    def next_non_space(self) -> Token:
        tok = self.next()
        while tok.typ == T_SPACE:
            tok = self.next()
        return tok

    def peek_non_space(self) -> Token:
        tok = self.next_non_space()
        self.backup()
        return tok

    def error(self, msg: str) -> None:
        raise TemplateError(f"template: {self.name}:{self.cur.line}: {msg}")

    def unexpected(self, tok: Token, context: str) -> None:
        self.error(f"unexpected {tok} in {context}")

    def expect(self, typ: int, context: str) -> Token:
        tok = self.next_non_space()
        if tok.typ != typ:
            self.unexpected(tok, context)
        return tok

    # grammar
    def parse(self) -> dict[str, Tree]:
        root = ListNode(self.peek().pos)
        while self.peek().typ != T_EOF:
            if self.peek().typ == T_LEFT:
                start = self.i
                self.next()
                if self.next_non_space().typ == T_DEFINE:
                    self.definition()
                    continue
                self.i = start
            n = self.text_or_action()
            if isinstance(n, _End):
                self.error(f"unexpected {n}")
            root.nodes.append(n)
        self.add(Tree(self.name, root))
        return self.templates

    def add(self, tree: Tree) -> None:
        old = self.templates.get(tree.name)
        if old is None or _is_empty(old.root):
            self.templates[tree.name] = tree
        elif not _is_empty(tree.root):
            self.error(f"template: multiple definition of template {go_quote(tree.name)}")

    def definition(self) -> None:
        context = "define clause"
        tok = self.next_non_space()
        if tok.typ not in (T_STRING, T_RAW):
            self.unexpected(tok, context)
        name = self.unquote(tok.val)
        self.expect(T_RIGHT, context)
        saved = self.vars
        self.vars = ["$"]
        body, end = self.item_list()
        self.vars = saved
        if end.word != "end":
            self.error(f"unexpected {end} in {context}")
        self.add(Tree(name, body))

    def unquote(self, tok: str) -> str:
        try:
            return unquote(tok)
        except TemplateError as e:
            self.error(str(e))
            raise

    def item_list(self) -> tuple[ListNode, _End]:
        lst = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ != T_EOF:
            n = self.text_or_action()
            if isinstance(n, _End):
                return lst, n
            lst.nodes.append(n)
        self.cur = self.peek()
        self.error("unexpected EOF")
        raise AssertionError

    def text_or_action(self) -> Node:
        tok = self.next_non_space()
        if tok.typ == T_TEXT:
            return TextNode(tok.pos, tok.val)
        if tok.typ == T_LEFT:
            self.action_line = tok.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(tok, "input")
        raise AssertionError

    def action(self) -> Node:
        tok = self.next_non_space()
        t = tok.typ
        if t == T_BLOCK:
            return self.block()
        if t in (T_BREAK, T_CONTINUE):
            nxt = self.next_non_space()
            if nxt.typ != T_RIGHT:
                self.unexpected(nxt, "{{" + tok.val + "}}")
            if self.range_depth == 0:
                self.error("{{" + tok.val + "}} outside {{range}}")
            return LoopControl(tok.pos, tok.val)
        if t == T_ELSE:
            peek = self.peek_non_space()
            if peek.typ in (T_IF, T_WITH):
                return _End(peek.pos, "else")
            end = self.expect(T_RIGHT, "else")
            return _End(end.pos, "else")
        if t == T_END:
            end = self.expect(T_RIGHT, "end")
            return _End(end.pos, "end")
        if t in (T_IF, T_RANGE, T_WITH):
            return self.control(tok.val)
        if t == T_TEMPLATE:
            return self.template()
        self.backup()
        tok = self.peek()
        return ActionNode(tok.pos, tok.line, self.pipeline("command", T_RIGHT))

    def control(self, kind: str) -> BranchNode:
        mark = len(self.vars)
        try:
            pipe = self.pipeline(kind, T_RIGHT)
            if kind == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if kind == "range":
                self.range_depth -= 1
            else_list: ListNode | None = None
            if nxt.word == "else":
                peek = self.peek()
                if kind in ("if", "with") and peek.typ == (T_IF if kind == "if" else T_WITH):
                    self.next()
                    else_list = ListNode(nxt.pos, [self.control(kind)])
                else:
                    else_list, end = self.item_list()
                    if end.word != "end":
                        self.error(f"expected end; found {end}")
            return BranchNode(kind, pipe.pos, pipe.line, pipe, body, else_list)
        finally:
            del self.vars[mark:]

    def template_name(self, tok: Token, context: str) -> str:
        if tok.typ not in (T_STRING, T_RAW):
            self.unexpected(tok, context)
        return self.unquote(tok.val)

    def template(self) -> TemplateNode:
        context = "template clause"
        tok = self.next_non_space()
        name = self.template_name(tok, context)
        pipe: PipeNode | None = None
        if self.next_non_space().typ != T_RIGHT:
            self.backup()
            pipe = self.pipeline(context, T_RIGHT)
        return TemplateNode(tok.pos, tok.line, name, pipe)

    def block(self) -> TemplateNode:
        context = "block clause"
        tok = self.next_non_space()
        name = self.template_name(tok, context)
        pipe = self.pipeline(context, T_RIGHT)
        saved, depth = self.vars, self.range_depth
        self.vars, self.range_depth = ["$"], 0
        body, end = self.item_list()
        self.vars, self.range_depth = saved, depth
        if end.word != "end":
            self.error(f"unexpected {end} in {context}")
        self.add(Tree(name, body))
        return TemplateNode(tok.pos, tok.line, name, pipe)

    def pipeline(self, context: str, end: int) -> PipeNode:
        tok = self.peek_non_space()
        pipe = PipeNode(tok.pos, tok.line)
        while True:
            v = self.peek_non_space()
            if v.typ != T_VAR:
                break
            start = self.i
            self.next_non_space()
            nxt = self.peek_non_space()
            if nxt.typ in (T_ASSIGN, T_DECLARE):
                pipe.is_assign = nxt.typ == T_ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                break
            if nxt.typ == T_CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (T_VAR, T_RIGHT, T_RPAREN):
                        continue
                    self.error("range can only initialize variables")
                self.error(f"too many declarations in {context}")
            self.i = start  # not a declaration: the variable is the pipeline's first operand
            break
        while True:
            tok = self.next_non_space()
            if tok.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if tok.typ in (T_BOOL, T_CHARCONST, T_DOT, T_FIELD, T_IDENT, T_NUMBER, T_NIL, T_RAW,
                           T_STRING, T_VAR, T_LPAREN):
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(tok, context)

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.error(f"missing value for {context}")
        for i, c in enumerate(pipe.cmds[1:]):
            if isinstance(c.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.error(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            op = self.operand()
            if op is not None:
                cmd.args.append(op)
            tok = self.next()
            if tok.typ == T_SPACE:
                continue
            if tok.typ in (T_RIGHT, T_RPAREN):
                self.backup()
            elif tok.typ != T_PIPE:
                self.unexpected(tok, "operand")
            break
        if not cmd.args:
            self.error("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == T_FIELD:
            chain = ChainNode(self.peek().pos, node)
            while self.peek().typ == T_FIELD:
                chain.fields.append(self.next().val[1:])
            if isinstance(node, FieldNode):
                return FieldNode(chain.pos, node.ident + chain.fields)
            if isinstance(node, VariableNode):
                return VariableNode(chain.pos, node.ident + chain.fields)
            if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
                self.error(f"unexpected . after term {go_quote(str(node))}")
            return chain
        return node

    def term(self) -> Node | None:
        tok = self.next_non_space()
        t = tok.typ
        if t == T_IDENT:
            problem = self.funcs(tok.val)
            if problem:
                self.error(problem)
            return IdentifierNode(tok.pos, tok.val)
        if t == T_DOT:
            return DotNode(tok.pos)
        if t == T_NIL:
            return NilNode(tok.pos)
        if t == T_VAR:
            if tok.val not in self.vars:
                self.error(f"undefined variable {go_quote(tok.val)}")
            return VariableNode(tok.pos, [tok.val])
        if t == T_FIELD:
            return FieldNode(tok.pos, [tok.val[1:]])
        if t == T_BOOL:
            return BoolNode(tok.pos, tok.val == "true")
        if t in (T_NUMBER, T_CHARCONST):
            return self.number(tok)
        if t == T_LPAREN:
            return self.pipeline("parenthesized pipeline", T_RPAREN)
        if t in (T_STRING, T_RAW):
            return StringNode(tok.pos, tok.val, self.unquote(tok.val))
        self.backup()
        return None

    def number(self, tok: Token) -> NumberNode:
        text = tok.val
        if tok.typ == T_CHARCONST:
            if text == "''":
                self.error("invalid syntax")
            try:
                ch = unquote(text)
            except TemplateError:
                self.error("invalid syntax")
                raise
            if len(ch) != 1:
                self.error(f"malformed character constant: {text}")
            return NumberNode(tok.pos, text, True, ord(ch), True, float(ord(ch)), True)
        if text.endswith("i"):
            self.error("complex numbers are not supported")
        clean = text.replace("_", "")
        iv: int | None = None
        if re.fullmatch(r"[+-]?0[0-7]+", clean):
            clean = clean.replace("0", "0o", 1)
        try:
            iv = int(clean, 0)
        except ValueError:
            iv = None
        if iv is not None and not -(1 << 63) <= iv < (1 << 64):
            iv = None
        if iv is not None:
            is_int = -(1 << 63) <= iv < (1 << 63)
            return NumberNode(tok.pos, text, is_int, iv, True, float(iv))
        try:
            fv = float.fromhex(clean) if clean.lower().lstrip("+-").startswith("0x") \
                else float(clean)
        except ValueError:
            self.error(f"illegal number syntax: {go_quote(text)}")
            raise
        if not any(c in text for c in ".eEpP"):
            self.error(f"integer overflow: {go_quote(text)}")
        is_int = math.isfinite(fv) and fv == int(fv) and -(1 << 63) <= fv < (1 << 63)
        return NumberNode(tok.pos, text, is_int, int(fv) if is_int else 0, True, fv)


def _is_empty(lst: ListNode) -> bool:
    """Only white space: a template that another definition may replace (Go's IsEmptyTree)."""
    return all(isinstance(n, TextNode) and not n.text.strip(_SPACE) for n in lst.nodes)


def parse(text: str, name: str, funcs: Callable[[str], str | None]) -> dict[str, Tree]:
    """Parse ``text`` as template ``name``; ``funcs(ident)`` says why an identifier is not a
    function (None when it is one). Raises :class:`TemplateError` with Go's message."""
    try:
        return _Parser(text, name, funcs).parse()
    except RecursionError:
        raise TemplateError(f"template: {name}: the template nests too deeply") from None


# ---------------------------------------------------------------------------------------------
# Functions

#: Parameter kinds of a function: "any" (interface {}), "value" (reflect.Value: anything, nil
#: kept), "string", "int", "float", "bool", "list" ([]interface {}), "map"
#: (map[string]interface {}).
Kind = str


@dataclass(frozen=True)
class Func:
    """A template function: ``fn(*args)`` with Go-typed parameters ``params``; when
    ``variadic``, the last kind applies to all extra arguments. ``fn`` raises
    :class:`CallError` for Go's ``error calling NAME: ...``."""

    fn: Callable[..., object]
    params: tuple[Kind, ...]
    variadic: bool = False


class CallError(Exception):
    """An error returned (or a panic raised) by a template function."""


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_GO_KIND = {"string": "string", "int": "int", "float": "float64", "bool": "bool",
            "list": "[]interface {}", "map": "map[string]interface {}"}


def truth(v: object) -> bool:
    """Go's template truth: false, 0, nil, and empty strings, lists and maps are false."""
    v = unbox(v)
    if v is None:
        return False
    if isinstance(v, (str, list, tuple, dict)):
        return len(v) > 0
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    return True


def _basic_kind(v: object) -> str:
    if v is None:
        return "invalid"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return "other"


def _eq(a: object, *bs: object) -> bool:
    a = unbox(a)
    if not bs:
        raise CallError("missing argument for comparison")
    k1 = _basic_kind(a)
    for b in bs:
        b = unbox(b)
        k2 = _basic_kind(b)
        if k1 != k2:
            if a is not None and b is not None:
                raise CallError("incompatible types for comparison: "
                                f"{type_name(a)} and {type_name(b)}")
            ok = False
        elif k1 == "other":
            if (isinstance(a, (list, tuple, dict)) or isinstance(b, (list, tuple, dict))) and (
                    a is not None and b is not None):
                raise CallError(f"non-comparable type {sprintf('%s', [b])}: {type_name(b)}")
            ok = a == b
        else:
            ok = a == b
        if ok:
            return True
    return False


def _lt(a: object, b: object) -> bool:
    a, b = unbox(a), unbox(b)
    k1, k2 = _basic_kind(a), _basic_kind(b)
    if k1 in ("invalid", "other") or k2 in ("invalid", "other"):
        raise CallError("invalid type for comparison")
    if k1 != k2:
        raise CallError(f"incompatible types for comparison: {type_name(a)} and {type_name(b)}")
    if k1 == "bool":
        raise CallError("invalid type for comparison")
    return bool(a < b)  # type: ignore[operator]


def _len(v: object) -> int:
    v = unbox(v)
    if v is None:
        raise CallError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(v, str):
        return len(v.encode("utf-8", "surrogatepass"))
    if isinstance(v, (list, tuple, dict)):
        return len(v)
    raise CallError(f"len of type {type_name(v)}")


def _index_arg(i: object, n: int) -> int:
    i = unbox(i)
    if i is None:
        raise CallError("cannot index slice/array with nil")
    if not isinstance(i, int) or isinstance(i, bool):
        raise CallError(f"cannot index slice/array with type {type_name(i)}")
    if i < 0 or i > n:
        raise CallError(f"index out of range: {i}")
    return i


def _index(item: object, *indexes: object) -> object:
    item = unbox(item)
    if item is None:
        raise CallError("index of untyped nil")
    for idx in indexes:
        item = unbox(item)
        if item is None:
            raise CallError("index of nil pointer")
        if isinstance(item, (list, tuple)):
            x = _index_arg(idx, len(item))
            if x == len(item):
                raise CallError("reflect: slice index out of range")
            item = Boxed(item[x])
        elif isinstance(item, str):
            data = item.encode("utf-8", "surrogatepass")
            x = _index_arg(idx, len(data))
            if x == len(data):
                raise CallError("reflect: string index out of range")
            item = data[x]
        elif isinstance(item, dict):
            k = unbox(idx)
            if k is None:
                raise CallError("value is nil; should be of type string")
            if not isinstance(k, str):
                raise CallError(f"value has type {type_name(k)}; should be string")
            item = Boxed(item.get(k))
        else:
            raise CallError(f"can't index item of type {type_name(item)}")
    return item


def _slice(item: object, *indexes: object) -> object:
    item = unbox(item)
    if item is None:
        raise CallError("slice of untyped nil")
    if len(indexes) > 3:
        raise CallError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise CallError("cannot 3-index slice a string")
        seq: object = item.encode("utf-8", "surrogatepass")
    elif isinstance(item, (list, tuple)):
        seq = item
    else:
        raise CallError(f"can't slice item of type {type_name(item)}")
    n = len(seq)  # type: ignore[arg-type]
    idx = [0, n, n]
    for i, x in enumerate(indexes):
        idx[i] = _index_arg(x, n)
    if idx[0] > idx[1]:
        raise CallError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise CallError(f"invalid slice index: {idx[1]} > {idx[2]}")
    out = seq[idx[0]:idx[1]]  # type: ignore[index]
    if isinstance(out, bytes):
        return out.decode("utf-8", "replace")
    return list(out)


def _eval_args(args: Sequence[object]) -> str:
    if len(args) == 1 and isinstance(unbox(args[0]), str):
        return str(unbox(args[0]))
    return sprint(["<no value>" if unbox(a) is None else a for a in args])


def html_escape(s: str) -> str:
    return (s.replace("\0", "\ufffd").replace("&", "&amp;").replace("'", "&#39;")
            .replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;"))


def js_escape(s: str) -> str:
    out: list[str] = []
    table = {"\\": "\\\\", "'": "\\'", '"': "\\\"", "<": "\\u003C", ">": "\\u003E",
             "&": "\\u0026", "=": "\\u003D"}
    for ch in s:
        if ch in table:
            out.append(table[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u00{ord(ch):02X}")
        elif ord(ch) < 0x80 or _is_print(ch):
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04X}")
    return "".join(out)


def _call(name: str, fn: object, *args: object) -> object:
    fn = unbox(fn)
    if fn is None:
        raise CallError("call of nil")
    raise CallError(f"non-function {name} of type {type_name(fn)}")


BUILTINS: dict[str, Func] = {
    "and": Func(lambda *a: a[-1], ("value", "value"), True),
    "or": Func(lambda *a: a[-1], ("value", "value"), True),
    "not": Func(lambda a: not truth(a), ("value",)),
    "len": Func(_len, ("value",)),
    "index": Func(_index, ("value", "value"), True),
    "slice": Func(_slice, ("value", "value"), True),
    "print": Func(lambda *a: sprint(a), ("any",), True),
    "printf": Func(lambda f, *a: sprintf(f, a), ("string", "any"), True),
    "println": Func(lambda *a: sprintln(a), ("any",), True),
    "eq": Func(_eq, ("value", "value"), True),
    "ne": Func(lambda a, b: not _eq(a, b), ("value", "value")),
    "lt": Func(_lt, ("value", "value")),
    "le": Func(lambda a, b: _lt(a, b) or _eq(a, b), ("value", "value")),
    "gt": Func(lambda a, b: not (_lt(a, b) or _eq(a, b)), ("value", "value")),
    "ge": Func(lambda a, b: not _lt(a, b), ("value", "value")),
    "html": Func(lambda *a: html_escape(_eval_args(a)), ("any",), True),
    "js": Func(lambda *a: js_escape(_eval_args(a)), ("any",), True),
    "urlquery": Func(lambda *a: urllib.parse.quote_plus(_eval_args(a), safe="-_.~"), ("any",),
                     True),
    "call": Func(_call, ("value", "value"), True),  # see _State.eval_call
}


# ---------------------------------------------------------------------------------------------
# Executor

_MISSING = object()  # no final argument from the pipeline


class _State:
    def __init__(self, templates: dict[str, Tree], text: str, parse_name: str,
                 funcs: dict[str, Func]) -> None:
        self.templates = templates
        self.text = text
        self.parse_name = parse_name
        self.funcs = funcs
        self.out: list[str] = []
        self.vars: list[list[object]] = []
        self.tmpl_name = parse_name
        self.node: Node | None = None
        self.depth = 0
        self.steps = 0

    # errors
    def at(self, node: Node) -> None:
        self.node = node

    def error(self, msg: str) -> None:
        name = self.tmpl_name
        if self.node is None:
            raise TemplateError(f"template: {name}: {msg}")
        before = self.text[:self.node.pos]
        line = 1 + before.count("\n")
        col = len(before[before.rfind("\n") + 1:].encode("utf-8", "surrogatepass"))  # bytes, as Go
        raise TemplateError(f"template: {self.parse_name}:{line}:{col}: executing "
                            f"{go_quote(name)} at <{self.node}>: {msg}")

    # variables
    def push(self, name: str, value: object) -> None:
        self.vars.append([name, value])

    def mark(self) -> int:
        return len(self.vars)

    def pop(self, mark: int) -> None:
        del self.vars[mark:]

    def set_var(self, name: str, value: object) -> None:
        for v in reversed(self.vars):
            if v[0] == name:
                v[1] = value
                return
        self.error(f"undefined variable: {name}")

    def var_value(self, name: str) -> object:
        for v in reversed(self.vars):
            if v[0] == name:
                return v[1]
        self.error(f"undefined variable: {name}")
        return None

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            self.node = None
            self.error(f"execution stopped after {MAX_STEPS} steps")

    # walking
    def walk(self, dot: object, node: Node) -> None:
        self.tick()
        self.at(node)
        if isinstance(node, ActionNode):
            val = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.print_value(node, val)
        elif isinstance(node, ListNode):
            for n in node.nodes:
                self.walk(dot, n)
        elif isinstance(node, TextNode):
            self.out.append(node.text)
        elif isinstance(node, BranchNode):
            if node.kind == "range":
                self.walk_range(dot, node)
            else:
                mark = self.mark()
                try:
                    val = self.eval_pipeline(dot, node.pipe)
                    if truth(val):
                        self.walk(val if node.kind == "with" else dot, node.list)
                    elif node.else_list is not None:
                        self.walk(dot, node.else_list)
                finally:
                    self.pop(mark)
        elif isinstance(node, TemplateNode):
            self.walk_template(dot, node)
        elif isinstance(node, LoopControl):
            raise _Break() if node.word == "break" else _Continue()
        else:  # pragma: no cover
            self.error(f"unknown node: {node}")

    def walk_range(self, dot: object, r: BranchNode) -> None:
        mark = self.mark()
        try:
            self.at(r)
            val = unbox(self.eval_pipeline(dot, r.pipe))
            inner = self.mark()
            items: Iterable[tuple[object, object]]
            if isinstance(val, (list, tuple)):
                items = [(i, Boxed(v)) for i, v in enumerate(val)]
            elif isinstance(val, dict):
                items = [(k, Boxed(val[k])) for k in sorted(val, key=key_order)]
            elif isinstance(val, int) and not isinstance(val, bool):
                if len(r.pipe.decl) > 1:
                    self.error("can't use " + str(val) + " to iterate over more than one variable")
                items = ((i, i) for i in range(val))
            elif val is None:
                items = []
            else:
                self.error(f"range can't iterate over {fmt_v(val)}")
                items = []
            ran = False
            for index, elem in items:
                ran = True
                decl = r.pipe.decl
                if decl:
                    if r.pipe.is_assign:
                        self.set_var(decl[0].ident[0], index if len(decl) > 1 else elem)
                    else:
                        self.vars[-1][1] = elem
                if len(decl) > 1:
                    if r.pipe.is_assign:
                        self.set_var(decl[1].ident[0], elem)
                    else:
                        self.vars[-2][1] = index
                try:
                    self.walk(elem, r.list)
                except _Continue:
                    pass
                except _Break:
                    break
                finally:
                    self.pop(inner)
            if not ran and r.else_list is not None:
                self.walk(dot, r.else_list)
        finally:
            self.pop(mark)

    def walk_template(self, dot: object, t: TemplateNode) -> None:
        self.at(t)
        tmpl = self.templates.get(t.name)
        if tmpl is None:
            self.error(f"template {go_quote(t.name)} not defined")
            return
        if self.depth >= MAX_DEPTH:
            self.error(f"exceeded maximum template depth ({MAX_DEPTH})")
        new_dot = unbox(self.eval_pipeline(dot, t.pipe)) if t.pipe is not None else None
        saved = (self.vars, self.tmpl_name)
        self.vars = [["$", new_dot]]
        self.tmpl_name = tmpl.name
        self.depth += 1
        try:
            self.walk(new_dot, tmpl.root)
        finally:
            self.vars, self.tmpl_name = saved
            self.depth -= 1

    def print_value(self, node: Node, v: object) -> None:
        self.at(node)
        v = unbox(v)
        if v is None:
            self.out.append("<no value>")
        elif isinstance(v, Func) or callable(v):
            self.error(f"can't print {node} of type func")
        else:
            self.out.append(fmt_v(v))

    # evaluation
    def eval_pipeline(self, dot: object, pipe: PipeNode | None) -> object:
        if pipe is None:
            return None
        self.at(pipe)
        value: object = _MISSING
        for cmd in pipe.cmds:
            value = unbox(self.eval_command(dot, cmd, value))
        for var in pipe.decl:
            if pipe.is_assign:
                self.set_var(var.ident[0], value)
            else:
                self.push(var.ident[0], value)
        return value

    def not_a_function(self, args: list[Node], final: object) -> None:
        if len(args) > 1 or final is not _MISSING:
            self.error(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: object, cmd: CommandNode, final: object) -> object:
        self.tick()
        first = cmd.args[0]
        if isinstance(first, FieldNode):
            return self.eval_field_node(dot, first, cmd.args, final)
        if isinstance(first, ChainNode):
            return self.eval_chain_node(dot, first, cmd.args, final)
        if isinstance(first, IdentifierNode):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, PipeNode):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, VariableNode):
            return self.eval_variable_node(dot, first, cmd.args, final)
        self.at(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, BoolNode):
            return first.value
        if isinstance(first, DotNode):
            return dot
        if isinstance(first, NilNode):
            self.error("nil is not a command")
        if isinstance(first, NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, StringNode):
            return first.text
        self.error(f"can't evaluate command {go_quote(str(first))}")
        return None

    def ideal_constant(self, n: NumberNode) -> object:
        self.at(n)
        if (n.is_float and not n.is_char and not n.text.lower().lstrip("+-").startswith("0x")
                and any(c in n.text for c in ".eEpP")):
            return n.float_val
        if n.is_int:
            return n.int_val
        self.error(f"{n.text} overflows int")
        return None

    def eval_field_node(self, dot: object, f: FieldNode, args: list[Node], final: object) -> object:
        self.at(f)
        return self.eval_field_chain(dot, dot, f, f.ident, args, final)

    def eval_chain_node(self, dot: object, chain: ChainNode, args: list[Node],
                        final: object) -> object:
        if not chain.fields:
            self.error("internal error: no fields in evalChainNode")
        if isinstance(chain.node, NilNode):
            self.error(f"indirection through explicit nil in {chain}")
        pipe = self.eval_arg(dot, "value", chain.node)
        return self.eval_field_chain(dot, pipe, chain, chain.fields, args, final)

    def eval_variable_node(self, dot: object, v: VariableNode, args: list[Node],
                           final: object) -> object:
        self.at(v)
        value = self.var_value(v.ident[0])
        if len(v.ident) == 1:
            self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, v, v.ident[1:], args, final)

    def eval_field_chain(self, dot: object, receiver: object, node: Node, ident: list[str],
                         args: list[Node], final: object) -> object:
        for name in ident[:-1]:
            receiver = self.eval_field(name, node, [], _MISSING, receiver)
        return self.eval_field(ident[-1], node, args, final, receiver)

    def eval_field(self, name: str, node: Node, args: list[Node], final: object,
                   receiver: object) -> object:
        boxed = isinstance(receiver, Boxed)
        r = unbox(receiver)
        if r is None and not boxed:
            return None
        typ = "interface {}" if boxed else type_name(r)
        if r is None:
            self.error(f"nil pointer evaluating {typ}.{name}")
        if isinstance(r, dict):
            if len(args) > 1 or final is not _MISSING:
                self.error(f"{name} is not a method but has arguments")
            if name in r:
                return Boxed(r[name])
            return None
        self.error(f"can't evaluate field {name} in type {typ}")
        return None

    def eval_function(self, dot: object, node: IdentifierNode, cmd: Node, args: list[Node],
                      final: object) -> object:
        self.at(node)
        name = node.ident
        fn = self.funcs.get(name) or BUILTINS.get(name)
        if fn is None:
            self.error(f"{go_quote(name)} is not a defined function")
            raise AssertionError
        builtin = name not in self.funcs
        return self.eval_call(dot, fn, builtin, cmd, name, args, final)

    def eval_call(self, dot: object, fn: Func, builtin: bool, node: Node, name: str,
                  args: list[Node], final: object) -> object:
        args = args[1:]
        num_in = len(args) + (0 if final is _MISSING else 1)
        nparams = len(fn.params)
        if fn.variadic:
            num_fixed = nparams - 1
            if num_in < num_fixed:
                self.error(f"wrong number of args for {name}: want at least {num_fixed} "
                           f"got {len(args)}")
        else:
            num_fixed = len(args)
            if num_in != nparams:
                self.error(f"wrong number of args for {name}: want {nparams} got {num_in}")
        if builtin and name in ("and", "or"):
            v: object = None
            for a in args:
                v = unbox(self.eval_arg(dot, "value", a))
                if truth(v) == (name == "or"):
                    return v
            if final is not _MISSING:
                v = unbox(final)
            return v
        argv: list[object] = []
        if builtin and name == "call":  # data holds no functions: always an error
            callee = self.eval_arg(dot, "value", args[0]) if args else final
            fn = Func(_call, ("string", "value", "value"), True)
            argv = [str(args[0]) if args else "", callee]
            if not args:
                final = _MISSING
            args = args[1:]
            num_fixed = 0
        i = 0
        while i < num_fixed and i < len(args):
            argv.append(self.eval_arg(dot, fn.params[i], args[i]))
            i += 1
        if fn.variadic:
            while i < len(args):
                argv.append(self.eval_arg(dot, fn.params[-1], args[i]))
                i += 1
        if final is not _MISSING:
            if fn.variadic and num_in - 1 < num_fixed:
                kind = fn.params[num_in - 1]
            else:
                kind = fn.params[-1] if fn.variadic else fn.params[num_in - 1]
            argv.append(self.validate(final, kind))
        try:
            result = fn.fn(*[unbox(a) if k != "value" else a
                             for a, k in zip(argv, self._kinds(fn, len(argv)), strict=True)])
        except CallError as e:
            self.at(node)
            self.error(f"error calling {name}: {e}")
            raise
        except RecursionError:
            raise
        except (ValueError, TypeError, ArithmeticError, IndexError, KeyError) as e:
            self.at(node)
            self.error(f"error calling {name}: {e}")
            raise
        return result

    @staticmethod
    def _kinds(fn: Func, n: int) -> list[Kind]:
        if fn.variadic:
            return list(fn.params[:-1]) + [fn.params[-1]] * (n - len(fn.params) + 1)
        return list(fn.params)

    def validate(self, value: object, kind: Kind) -> object:
        if kind in ("any", "value"):
            return value
        v = unbox(value)
        if v is None:
            if kind in ("list", "map"):
                return None
            self.error(f"invalid value; expected {_GO_KIND[kind]}")
        ok = {"string": isinstance(v, str),
              "int": isinstance(v, int) and not isinstance(v, bool),
              "float": isinstance(v, float),
              "bool": isinstance(v, bool),
              "list": isinstance(v, (list, tuple)),
              "map": isinstance(v, dict)}[kind]
        if not ok:
            self.error(f"wrong type for value; expected {_GO_KIND[kind]}; got {type_name(v)}")
        return v

    def eval_arg(self, dot: object, kind: Kind, n: Node) -> object:
        self.at(n)
        if isinstance(n, DotNode):
            return self.validate(dot, kind)
        if isinstance(n, NilNode):
            if kind in ("any", "value", "list", "map"):
                return None
            self.error(f"cannot assign nil to {_GO_KIND[kind]}")
        if isinstance(n, FieldNode):
            return self.validate(self.eval_field_node(dot, n, [n], _MISSING), kind)
        if isinstance(n, VariableNode):
            return self.validate(self.eval_variable_node(dot, n, [], _MISSING), kind)
        if isinstance(n, PipeNode):
            return self.validate(self.eval_pipeline(dot, n), kind)
        if isinstance(n, IdentifierNode):
            return self.validate(self.eval_function(dot, n, n, [n], _MISSING), kind)
        if isinstance(n, ChainNode):
            return self.validate(self.eval_chain_node(dot, n, [], _MISSING), kind)
        if kind == "bool":
            if isinstance(n, BoolNode):
                return n.value
            self.error(f"expected bool; found {n}")
        if kind == "float":
            if isinstance(n, NumberNode) and n.is_float:
                return n.float_val
            self.error(f"expected float; found {n}")
        if kind == "int":
            if isinstance(n, NumberNode) and n.is_int:
                return n.int_val
            self.error(f"expected integer; found {n}")
        if kind == "string":
            if isinstance(n, StringNode):
                return n.text
            self.error(f"expected string; found {n}")
        if kind in ("list", "map"):
            self.error(f"can't handle {n} for arg of type {_GO_KIND[kind]}")
        # any / value
        if isinstance(n, BoolNode):
            return n.value
        if isinstance(n, NumberNode):
            return self.ideal_constant(n)
        if isinstance(n, StringNode):
            return n.text
        self.error(f"can't handle assignment of {n} to empty interface argument")
        return None


def execute(templates: dict[str, Tree], name: str, text: str, data: object,
            funcs: dict[str, Func]) -> str:
    """Run template ``name`` of ``templates`` (parsed from ``text``) over ``data``."""
    state = _State(templates, text, name, funcs)
    tmpl = templates.get(name)
    if tmpl is None:
        raise TemplateError(f"template: {go_quote(name)} is an incomplete or empty template")
    state.vars = [["$", data]]
    try:
        state.walk(data, tmpl.root)
    except TemplateError as e:
        e.partial = "".join(state.out)
        raise
    except RecursionError:
        deep = TemplateError(f"template: {name}: the template nests too deeply")
        deep.partial = "".join(state.out)
        raise deep from None
    return "".join(state.out)
