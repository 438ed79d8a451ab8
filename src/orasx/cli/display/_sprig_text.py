"""sprig's string helpers, and its regular expressions: Go's RE2 syntax, run by Python's
``re`` (the common subset agrees)."""

from __future__ import annotations

import re

from orasx._gostr import go_quote
from orasx.cli.display._gotemplate import CallError


def _title(s: str) -> str:
    out: list[str] = []
    prev = " "
    for ch in s:
        sep = not (ch.isalnum() or ch == "_") if ord(ch) < 0x80 else ch.isspace()
        prev_sep = (not (prev.isalnum() or prev == "_") if ord(prev) < 0x80 else prev.isspace())
        out.append(ch.upper() if prev_sep and not sep else ch)
        prev = ch
    return "".join(out)


def _repeat(n: int, s: str) -> str:
    if n < 0:
        raise CallError("strings: negative Repeat count")
    if len(s) * n > 64 << 20:
        raise CallError("strings: Repeat output too large")
    return s * n


def _sub_str(start: int, end: int, s: str) -> str:
    data = s.encode("utf-8", "surrogatepass")
    if start < 0:
        out = data[:end]
    elif end < 0 or end > len(data):
        out = data[start:]
    else:
        out = data[start:end]
    return out.decode("utf-8", "replace")


def _trunc(c: int, s: str) -> str:
    data = s.encode("utf-8", "surrogatepass")
    if c < 0 < len(data) + c:
        return data[len(data) + c:].decode("utf-8", "replace")
    if c >= 0 and len(data) > c:
        return data[:c].decode("utf-8", "replace")
    return s


_POSIX = {"alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7F", "blank": "\\t ",
          "cntrl": "\\x00-\\x1F\\x7F", "digit": "0-9", "graph": "!-~", "lower": "a-z",
          "print": " -~", "punct": "!-/:-@[-`{-~", "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z",
          "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f"}


def _regexp(expr: str, compile_prefix: bool = True) -> re.Pattern[str]:
    py = re.sub(r"\[:(\w+):\]", lambda m: _POSIX.get(m.group(1), m.group(0)), expr)
    py = py.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!")
    py = re.sub(r"(?<!\\)((?:\\\\)*)\\z", r"\1\\Z", py)
    try:
        return re.compile(py)
    except (re.error, RecursionError) as e:
        quoted = f"`{expr}`" if "`" not in expr and expr.isprintable() else go_quote(expr)
        where = f"regexp: Compile({quoted}): " if compile_prefix else ""
        raise CallError(f"{where}error parsing regexp: {e}: {quoted}") from None


def _find_all(r: re.Pattern[str], s: str, n: int) -> list[re.Match[str]]:
    out: list[re.Match[str]] = []
    prev_end = -1
    for m in r.finditer(s):
        if n >= 0 and len(out) >= n:
            break
        if m.start() == m.end() and m.start() == prev_end:
            continue  # Go ignores an empty match right after a match
        out.append(m)
        prev_end = m.end()
    return out


def _expand(m: re.Match[str], template: str) -> str:
    def one(t: re.Match[str]) -> str:
        if t.group(0) == "$$":
            return "$"
        name = t.group(1) or t.group(2)
        try:
            g = m.group(int(name)) if name.isdigit() else m.group(name)
        except (IndexError, re.error, KeyError, ValueError):
            return ""
        return g or ""

    return re.sub(r"\$\$|\$\{(\w+)\}|\$(\w+)", one, template)


def _regex_replace(expr: str, s: str, repl: str, literal: bool) -> str:
    r = _regexp(expr)
    out: list[str] = []
    last = 0
    for m in _find_all(r, s, -1):
        out.append(s[last:m.start()])
        out.append(repl if literal else _expand(m, repl))
        last = m.end()
    out.append(s[last:])
    return "".join(out)


def _regex_split(expr: str, s: str, n: int) -> list[str] | None:
    if n == 0:
        return None
    r = _regexp(expr)
    if expr and not s:
        return [""]
    out: list[str] = []
    beg = end = 0
    for m in _find_all(r, s, n):
        if n > 0 and len(out) == n - 1:
            break
        end = m.start()
        if m.end() != 0:
            out.append(s[beg:end])
        beg = m.end()
    if end != len(s):
        out.append(s[beg:])
    return out


def _regex_match(expr: str, s: str) -> bool:
    return _regexp(expr, False).search(s) is not None


def _splitn(sep: str, n: int, s: str) -> dict[str, str]:
    if n == 0:
        parts: list[str] = []
    elif sep == "":
        chars = list(s)
        parts = chars if n < 0 or n >= len(chars) else [*chars[:n - 1], "".join(chars[n - 1:])]
    else:
        parts = s.split(sep) if n < 0 else s.split(sep, n - 1)
    return {f"_{i}": p for i, p in enumerate(parts)}


def _split(s: str, sep: str) -> list[str]:
    if sep == "":
        return list(s)
    return s.split(sep)


def _replace(s: str, old: str, new: str) -> str:
    if old == "":
        return new + new.join(s) + new if s else new
    return s.replace(old, new)


def _path_base(p: str) -> str:
    if p == "":
        return "."
    p = p.rstrip("/")
    return p.rsplit("/", 1)[-1] if p else "/"


def _path_ext(p: str) -> str:
    for i in range(len(p) - 1, -1, -1):
        if p[i] == "/":
            break
        if p[i] == ".":
            return p[i:]
    return ""
