"""The lexer of Go's ``text/template`` (``text/template/parse/lex.go``): text and actions as
tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

from orasx._gostr import go_quote
from orasx.cli.display._gotemplate._fmt import _is_print
from orasx.cli.display._gotemplate._values import TemplateError

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
