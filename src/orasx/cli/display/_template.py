"""``--format go-template``: Go's ``text/template`` with the sprig functions, as the Go CLI.

The Go CLI turns a result into JSON and back (so every number is a float64, every object a
``map[string]interface {}``) and runs the template, named ``format output``, with sprig's
``TxtFuncMap``. :func:`render` does the same with :mod:`._gotemplate` (the language) and the sprig
functions in :data:`SPRIG`; ``tests/cli/test_gotemplate.py`` holds the Go CLI's outputs it matches.

Differences from Go, on purpose: ``keys`` and ``values`` come in key order (Go's map order is
random); template recursion stops at depth 200 (Go: 100000) and a run after
:data:`._gotemplate.MAX_STEPS` steps; the sprig functions that read the clock, the environment, the
network or randomness, and the crypto, semver, url and some text helpers, are refused by name
(``function "now" is not supported by this oras``). Regular expressions run on Python's ``re``
(Go's RE2 syntax agrees for common patterns; a bad pattern's error is worded by Python).
"""

from __future__ import annotations

import base64
import binascii
import decimal
import hashlib
import json
import math
import re
import zlib
from collections.abc import Callable

import click

from orasx.cli.display._base import JSONValue
from orasx.cli.display._gotemplate import (
    BUILTINS,
    CallError,
    Func,
    execute,
    fmt_v,
    format_float,
    go_quote,
    key_order,
    parse,
    truth,
    type_name,
    unbox,
)
from orasx.cli.display._gotemplate import (
    TemplateError as GoTemplateError,
)

#: The Go CLI's name for the template (it appears in error messages).
NAME = "format output"


class TemplateError(click.UsageError):
    """A template that does not parse or fails to run: ``Error: template: ...``, exit 1.
    ``partial`` is the output written before an execution error (the Go CLI prints it)."""

    def __init__(self, message: str, partial: str = "") -> None:
        super().__init__(message)
        self.partial = partial


def render(template: str, data: JSONValue) -> str:
    """Render ``template`` (Go text/template with sprig) against the document ``data``."""
    try:
        templates = parse(template, NAME, _function_problem)
        return execute(templates, NAME, template, _go_values(data), SPRIG)
    except GoTemplateError as e:
        raise TemplateError(str(e), e.partial) from None


def _go_values(v: object) -> object:
    """The document as Go sees it after its JSON round trip: every number a float64."""
    if isinstance(v, bool) or v is None or isinstance(v, (str, float)):
        return v
    if isinstance(v, int):
        return float(v)
    if isinstance(v, dict):
        return {str(k): _go_values(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_go_values(x) for x in v]
    return str(v)


def _function_problem(name: str) -> str | None:
    if name in SPRIG or name in BUILTINS:
        return None
    if name in _SPRIG_UNSUPPORTED:
        return f"function {go_quote(name)} is not supported by this oras"
    return f"function {go_quote(name)} not defined"


# ---------------------------------------------------------------------------------------------
# Helpers with sprig's (and its cast library's) conversions


#: sprig's strval: a string as it is, anything else as ``%v`` (which is what fmt_v does).
strval = fmt_v


def strslice(v: object) -> list[str]:
    v = unbox(v)
    if isinstance(v, (list, tuple)):
        return [strval(x) for x in v if unbox(x) is not None]
    if v is None:
        return []
    return [strval(v)]


def to_int64(v: object) -> int:
    v = unbox(v)
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return -(1 << 63)
        return int(v)
    if isinstance(v, str):
        s = v
        if re.fullmatch(r"[+-]?[0-9]+\.0*", s):
            s = s[:s.index(".")]
        if re.fullmatch(r"[+-]?0[0-7_]+", s):
            s = s.replace("0", "0o", 1) if s[0] == "0" else s[0] + "0o" + s[2:]
        try:
            n = int(s, 0)
        except ValueError:
            return 0
        return n if -(1 << 63) <= n < (1 << 63) else 0
    return 0


def to_float64(v: object) -> float:
    v = unbox(v)
    if isinstance(v, (bool, int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return 0.0
    return 0.0


def empty(v: object) -> bool:
    """sprig's empty: the values Go's template truth calls false."""
    return not truth(v)


def _as_list(v: object, what: str) -> list[object]:
    """A list argument of a sprig list function; ``what`` says what to do on another type
    (``find first``: ``Cannot find first on type string``; ``=MESSAGE``: MESSAGE + the type)."""
    v = unbox(v)
    if v is None:
        raise CallError("runtime error: invalid memory address or nil pointer dereference")
    if not isinstance(v, (list, tuple)):
        if what.startswith("="):
            raise CallError(what[1:] + _kind_of(v))
        raise CallError(f"Cannot {what} on type {_kind_of(v)}")
    return [unbox(x) for x in v]


def go_json(v: object, indent: str = "", escape_html: bool = True, _level: int = 0) -> str:
    """encoding/json's Marshal (sorted keys, HTML escaping) and MarshalIndent."""
    v = unbox(v)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            raise CallError(f"json: unsupported value: {format_float(v)}")
        a = abs(v)
        if v.is_integer() and 0 < a < 2**53:  # exact: the shortest digits are the integer
            return str(int(v))
        if a != 0 and (a < 1e-6 or a >= 1e21):
            s = format_float(v, "e")
            return re.sub(r"e([-+])0(\d)$", r"e\1\2", s)
        return format_float(v, "f")
    if isinstance(v, str):
        return _json_string(v, escape_html)
    nl = "\n" + indent * (_level + 1) if indent else ""
    end = "\n" + indent * _level if indent else ""
    sep = ": " if indent else ":"
    if isinstance(v, (list, tuple)):
        if not v:
            return "[]"
        return "[" + nl + ("," + nl).join(go_json(x, indent, escape_html, _level + 1)
                                          for x in v) + end + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = sorted(v.items(), key=lambda kv: key_order(str(kv[0])))
        return "{" + nl + ("," + nl).join(
            _json_string(str(k), escape_html) + sep + go_json(x, indent, escape_html, _level + 1)
            for k, x in items) + end + "}"
    return _json_string(str(v), escape_html)


def _json_string(s: str, escape_html: bool) -> str:
    out = json.dumps(s, ensure_ascii=False)  # escapes as Go does: \n \r \t \b \f, else \u00XX
    if escape_html:
        out = out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    out = out.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return _SURROGATE.sub("\\\\ufffd", out)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _must_from_json(s: str) -> object:
    def bad_constant(c: str) -> object:
        raise ValueError(f"invalid character '{c[0]}' looking for beginning of value")

    try:
        return _go_values(json.loads(s, parse_constant=bad_constant))
    except (ValueError, RecursionError) as e:
        raise CallError(str(e)) from None


def _b64dec(s: str) -> str:
    try:
        data = base64.b64decode(s.encode("utf-8", "surrogatepass"), validate=True)
    except (binascii.Error, ValueError):
        bad = next((i for i, c in enumerate(s)
                    if c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
                   None)
        if bad is None:
            bad = len(s) - len(s) % 4 if len(s) % 4 else max(len(s.rstrip("=")) - 1, 0)
        return f"illegal base64 data at input byte {bad}"
    return data.decode("utf-8", "replace")


def _title(s: str) -> str:
    out: list[str] = []
    prev = " "
    for ch in s:
        sep = not (ch.isalnum() or ch == "_") if ord(ch) < 0x80 else ch.isspace()
        prev_sep = (not (prev.isalnum() or prev == "_") if ord(prev) < 0x80 else prev.isspace())
        out.append(ch.upper() if prev_sep and not sep else ch)
        prev = ch
    return "".join(out)


def _dict(*kv: object) -> dict[str, object]:
    out: dict[str, object] = {}
    for i in range(0, len(kv), 2):
        out[strval(kv[i])] = unbox(kv[i + 1]) if i + 1 < len(kv) else ""
    return out


def _set(d: dict[str, object] | None, k: str, v: object) -> dict[str, object]:
    if d is None:
        raise CallError("assignment to entry in nil map")
    d[k] = unbox(v)
    return d


def _uniq(v: object) -> list[object]:
    out: list[object] = []
    for x in _as_list(v, "find uniq"):
        if not any(_deep_equal(x, y) for y in out):
            out.append(x)
    return out


def _first(v: object) -> object:
    lst = _as_list(v, "find first")
    return lst[0] if lst else None


def _last(v: object) -> object:
    lst = _as_list(v, "find last")
    return lst[-1] if lst else None


def _rest(v: object) -> object:
    return _as_list(v, "find rest")[1:]


def _initial(v: object) -> object:
    return _as_list(v, "find initial")[:-1]


def _repeat(n: int, s: str) -> str:
    if n < 0:
        raise CallError("strings: negative Repeat count")
    if len(s) * n > 64 << 20:
        raise CallError("strings: Repeat output too large")
    return s * n


def _div(a: object, b: object) -> int:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise CallError("runtime error: integer divide by zero")
    q = abs(x) // abs(y)
    return q if (x >= 0) == (y >= 0) else -q


def _mod(a: object, b: object) -> int:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise CallError("runtime error: integer divide by zero")
    return x - y * _div(x, y)


def _mul(a: object, *rest: object) -> int:
    v = to_int64(a)
    for b in rest:
        v *= to_int64(b)
    return v


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


def _sprig_slice(v: object, *idx: object) -> object:
    lst = _as_list(v, "=list should be type of slice or array but ")
    if not lst:
        return None
    start = to_int64(idx[0]) if idx else 0
    end = to_int64(idx[1]) if len(idx) > 1 else len(lst)
    if not 0 <= start <= end <= len(lst):
        raise CallError("reflect.Value.Slice: slice index out of bounds")
    return lst[start:end]


def _has(needle: object, hay: object) -> bool:
    n = unbox(needle)
    return any(_deep_equal(n, x) for x in _as_list(hay, "find has"))


def _without(v: object, *omit: object) -> list[object]:
    om = [unbox(o) for o in omit]
    return [x for x in _as_list(v, "find without") if not any(_deep_equal(x, o) for o in om)]


def _until_step(start: int, stop: int, step: int) -> list[int]:
    if (stop < start and step >= 0) or (stop >= start and step <= 0):
        return []
    if abs((stop - start) // step) > 1 << 20:
        raise CallError("untilStep: too many elements")
    return list(range(start, stop, step))


def _seq(*p: int) -> str:
    if len(p) == 1:
        start, end, step = 1, p[0], 1 if p[0] >= 1 else -1
        vals = _until_step(start, end + step, step)
    elif len(p) == 2:
        step = 1 if p[1] >= p[0] else -1
        vals = _until_step(p[0], p[1] + step, step)
    elif len(p) == 3:
        inc = 1
        if p[2] < p[0]:
            inc = -1
            if p[1] > 0:
                return ""
        vals = _until_step(p[0], p[2] + inc, p[1])
    else:
        return ""
    return " ".join(str(v) for v in vals)


# regular expressions: Go's RE2 syntax, run by Python's re (the common subset agrees)

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


def _quiet(fn: Callable[..., object], fallback: object) -> Callable[..., object]:
    def run(*a: object) -> object:
        try:
            return fn(*a)
        except CallError:
            return fallback
    return run


def _deep_equal(a: object, b: object) -> bool:
    """reflect.DeepEqual over Go-typed values (1 and 1.0 differ)."""
    a, b = unbox(a), unbox(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_deep_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_deep_equal(a[k], b[k]) for k in a)
    return a == b


def _kind_of(v: object) -> str:
    v = unbox(v)
    if v is None:
        return "invalid"
    return {"[]interface {}": "slice", "map[string]interface {}": "map"}.get(type_name(v),
                                                                           type_name(v))


def _dig(*args: object) -> object:
    if len(args) < 3:
        raise CallError("dig needs at least three arguments")
    d = unbox(args[-1])
    default = unbox(args[-2])
    if not isinstance(d, dict):
        raise CallError(f"interface conversion: interface {{}} is {type_name(d)}, "
                        "not map[string]interface {}")
    cur: object = d
    for k in args[:-2]:
        if not isinstance(cur, dict) or strval(k) not in cur:
            return default
        cur = cur[strval(k)]
    return cur


def _chunk(size: int, v: object) -> list[object]:
    lst = _as_list(v, "chunk")
    if size <= 0:
        raise CallError("runtime error: makeslice: len out of range")
    return [lst[i:i + size] for i in range(0, len(lst), size)]


def _splitn(sep: str, n: int, s: str) -> dict[str, str]:
    if n == 0:
        parts: list[str] = []
    elif sep == "":
        chars = list(s)
        parts = chars if n < 0 or n >= len(chars) else [*chars[:n - 1], "".join(chars[n - 1:])]
    else:
        parts = s.split(sep) if n < 0 else s.split(sep, n - 1)
    return {f"_{i}": p for i, p in enumerate(parts)}


def _round(a: object, p: int, *r_opt: float) -> float:
    round_on = r_opt[0] if r_opt else 0.5
    val = to_float64(a)
    pow_ = math.pow(10, p)
    digit = pow_ * val
    frac = math.modf(digit)[0]
    return (math.ceil(digit) if frac >= round_on else math.floor(digit)) / pow_


def _decimal_op(op: str) -> Callable[..., float]:
    def run(a: object, *rest: object) -> float:
        ctx = decimal.Context(prec=60)
        acc = decimal.Decimal(repr(to_float64(a)))
        for b in rest:
            d = decimal.Decimal(repr(to_float64(b)))
            if op == "+":
                acc = ctx.add(acc, d)
            elif op == "-":
                acc = ctx.subtract(acc, d)
            elif op == "*":
                acc = ctx.multiply(acc, d)
            else:
                if d == 0:
                    raise CallError("decimal division by 0")
                acc = ctx.divide(acc, d).quantize(decimal.Decimal(1).scaleb(-16),
                                                  rounding=decimal.ROUND_HALF_EVEN, context=ctx)
        return float(acc)
    return run


def _b32dec(s: str) -> str:
    try:
        return base64.b32decode(s.encode("utf-8", "surrogatepass")).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return "illegal base32 data at input byte 0"


_safe_json = _quiet(go_json, "")


def _split(s: str, sep: str) -> list[str]:
    if sep == "":
        return list(s)
    return s.split(sep)


def _replace(s: str, old: str, new: str) -> str:
    if old == "":
        return new + new.join(s) + new if s else new
    return s.replace(old, new)


def _atoi(s: str) -> int:
    if re.fullmatch(r"[+-]?[0-9]+", s) is None:
        return 0
    v = int(s)
    return v if -(1 << 63) <= v < (1 << 63) else 0


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


#: Sprig functions not implemented here: refused by name, not as unknown.
_SPRIG_UNSUPPORTED = frozenset("""
ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate
htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth
initials randAlphaNum randAlpha randAscii randNumeric randSeededNumeric swapcase shuffle
snakecase camelcase kebabcase wrap wrapWith toDecimal randInt deepCopy mustDeepCopy env
expandenv getHostByName dir clean isAbs osBase osClean osDir osExt osIsAbs merge mergeOverwrite
mustMerge mustMergeOverwrite mustChunk bcrypt htpasswd genPrivateKey derivePassword
buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert
genSignedCertWithKey encryptAES decryptAES randBytes uuidv4 semver semverCompare urlParse
urlJoin
""".split())  # noqa: SIM905 - a word list


A = "any"
S = "string"
INT = "int"

#: The sprig functions (sprig.TxtFuncMap) this interpreter has.
SPRIG: dict[str, Func] = {
    "default": Func(lambda d, *g: unbox(d) if not g or empty(g[0]) else unbox(g[0]), (A, A), True),
    "empty": Func(empty, (A,)),
    "coalesce": Func(lambda *v: next((unbox(x) for x in v if not empty(x)), None), (A,), True),
    "all": Func(lambda *v: all(not empty(x) for x in v), (A,), True),
    "any": Func(lambda *v: any(not empty(x) for x in v), (A,), True),
    "ternary": Func(lambda t, f, c: unbox(t) if c else unbox(f), (A, A, "bool")),
    "first": Func(_first, (A,)),
    "last": Func(_last, (A,)),
    "rest": Func(_rest, (A,)),
    "initial": Func(_initial, (A,)),
    "reverse": Func(lambda v: _as_list(v, "find reverse")[::-1], (A,)),
    "append": Func(lambda v, x: [*_as_list(v, "push"), unbox(x)], (A, A)),
    "push": Func(lambda v, x: [*_as_list(v, "push"), unbox(x)], (A, A)),
    "prepend": Func(lambda v, x: [unbox(x), *_as_list(v, "prepend")], (A, A)),
    "uniq": Func(_uniq, (A,)),
    "compact": Func(lambda v: [x for x in _as_list(v, "compact") if not empty(x)], (A,)),
    "has": Func(_has, (A, A)),
    "without": Func(_without, (A, A), True),
    "slice": Func(_sprig_slice, (A, A), True),
    "concat": Func(lambda *ls: [x for v in ls for x in _as_list(v, "concat")], (A,), True),
    "join": Func(lambda sep, v: sep.join(strslice(v)), (S, A)),
    "split": Func(lambda sep, s: {f"_{i}": p for i, p in enumerate(_split(s, sep))}, (S, S)),
    "splitList": Func(lambda sep, s: _split(s, sep), (S, S)),
    "toStrings": Func(strslice, (A,)),
    "sortAlpha": Func(lambda v: sorted(strslice(v), key=key_order)
                      if isinstance(unbox(v), (list, tuple)) else [strval(v)], (A,)),
    "trim": Func(lambda s: s.strip(" \t\n\r\v\f\x85\xa0"), (S,)),
    "trimAll": Func(lambda cut, s: s.strip(cut), (S, S)),
    "trimall": Func(lambda cut, s: s.strip(cut), (S, S)),
    "trimPrefix": Func(lambda p, s: s[len(p):] if s.startswith(p) else s, (S, S)),
    "trimSuffix": Func(lambda p, s: s[:len(s) - len(p)] if p and s.endswith(p) else s, (S, S)),
    "nospace": Func(lambda s: "".join(c for c in s if not c.isspace()), (S,)),
    "upper": Func(lambda s: "".join(c.upper() if len(c.upper()) == 1 else c for c in s), (S,)),
    "lower": Func(lambda s: "".join(c.lower() if len(c.lower()) == 1 else c for c in s), (S,)),
    "title": Func(_title, (S,)),
    "untitle": Func(lambda s: s[:1].lower() + s[1:], (S,)),
    "substr": Func(_sub_str, (INT, INT, S)),
    "trunc": Func(_trunc, (INT, S)),
    "repeat": Func(_repeat, (INT, S)),
    "contains": Func(lambda sub, s: sub in s, (S, S)),
    "hasPrefix": Func(lambda p, s: s.startswith(p), (S, S)),
    "hasSuffix": Func(lambda p, s: s.endswith(p), (S, S)),
    "replace": Func(lambda old, new, s: _replace(s, old, new), (S, S, S)),
    "quote": Func(lambda *v: " ".join(go_quote(strval(x)) for x in v if unbox(x) is not None),
                  (A,), True),
    "squote": Func(lambda *v: " ".join(f"'{fmt_v(x)}'" for x in v if unbox(x) is not None),
                   (A,), True),
    "cat": Func(lambda *v: " ".join(fmt_v(x) for x in v if unbox(x) is not None), (A,), True),
    "indent": Func(lambda n, s: " " * n + s.replace("\n", "\n" + " " * n), (INT, S)),
    "nindent": Func(lambda n, s: "\n" + " " * n + s.replace("\n", "\n" + " " * n), (INT, S)),
    "plural": Func(lambda one, many, n: one if n == 1 else many, (S, S, INT)),
    "toString": Func(strval, (A,)),
    "toJson": Func(lambda v: _safe_json(v, "", True), (A,)),
    "toPrettyJson": Func(lambda v: _safe_json(v, "  ", True), (A,)),
    "toRawJson": Func(lambda v: _safe_json(v, "", False), (A,)),
    "mustToJson": Func(lambda v: go_json(v), (A,)),
    "mustToPrettyJson": Func(lambda v: go_json(v, "  "), (A,)),
    "mustToRawJson": Func(lambda v: go_json(v, "", False), (A,)),
    "fromJson": Func(_quiet(_must_from_json, None), (S,)),
    "list": Func(lambda *v: [unbox(x) for x in v], (A,), True),
    "tuple": Func(lambda *v: [unbox(x) for x in v], (A,), True),
    "dict": Func(_dict, (A,), True),
    "get": Func(lambda d, k: (d or {}).get(k, ""), ("map", S)),
    "set": Func(_set, ("map", S, A)),
    "unset": Func(lambda d, k: (d.pop(k, None), d)[1] if d is not None else d, ("map", S)),
    "hasKey": Func(lambda d, k: k in (d or {}), ("map", S)),
    "pluck": Func(lambda k, *ds: [d[k] for d in ds if d is not None and k in d], (S, "map"),
                  True),
    "keys": Func(lambda *ds: sorted((k for d in ds if d for k in d), key=key_order),
                 ("map",), True),
    "values": Func(lambda d: [d[k] for k in sorted(d or {}, key=key_order)], ("map",)),
    "pick": Func(lambda d, *ks: {k: d[k] for k in ks if d and k in d}, ("map", S), True),
    "omit": Func(lambda d, *ks: {k: v for k, v in (d or {}).items() if k not in ks},
                 ("map", S), True),
    "add": Func(lambda *v: sum(to_int64(x) for x in v), (A,), True),
    "add1": Func(lambda v: to_int64(v) + 1, (A,)),
    "sub": Func(lambda a, b: to_int64(a) - to_int64(b), (A, A)),
    "mul": Func(_mul, (A, A), True),
    "div": Func(_div, (A, A)),
    "mod": Func(_mod, (A, A)),
    "max": Func(lambda a, *r: max([to_int64(a), *(to_int64(x) for x in r)]), (A, A), True),
    "biggest": Func(lambda a, *r: max([to_int64(a), *(to_int64(x) for x in r)]), (A, A), True),
    "min": Func(lambda a, *r: min([to_int64(a), *(to_int64(x) for x in r)]), (A, A), True),
    "int": Func(to_int64, (A,)),
    "int64": Func(to_int64, (A,)),
    "float64": Func(to_float64, (A,)),
    "atoi": Func(_atoi, (S,)),
    "b64enc": Func(lambda s: base64.b64encode(s.encode("utf-8", "surrogatepass")).decode(), (S,)),
    "b64dec": Func(_b64dec, (S,)),
    "sha256sum": Func(lambda s: hashlib.sha256(s.encode("utf-8", "surrogatepass")).hexdigest(),
                      (S,)),
    "sha1sum": Func(lambda s: hashlib.sha1(s.encode("utf-8", "surrogatepass")).hexdigest(),
                    (S,)),
    "until": Func(lambda n: _until_step(0, n, 1 if n >= 0 else -1), (INT,)),
    "untilStep": Func(_until_step, (INT, INT, INT)),
    "seq": Func(_seq, (INT,), True),
    "base": Func(_path_base, (S,)),
    "ext": Func(_path_ext, (S,)),
    "fail": Func(lambda msg: (_ for _ in ()).throw(CallError(msg)), (S,)),
    "hello": Func(lambda: "Hello!", ()),
    "regexMatch": Func(_quiet(_regex_match, False), (S, S)),
    "mustRegexMatch": Func(_regex_match, (S, S)),
    "regexFind": Func(lambda e, s: next((m.group(0) for m in _find_all(_regexp(e), s, 1)), ""),
                      (S, S)),
    "regexFindAll": Func(lambda e, s, n: [m.group(0) for m in _find_all(_regexp(e), s, n)],
                         (S, S, INT)),
    "regexReplaceAll": Func(lambda e, s, r: _regex_replace(e, s, r, False), (S, S, S)),
    "regexReplaceAllLiteral": Func(lambda e, s, r: _regex_replace(e, s, r, True), (S, S, S)),
    "regexSplit": Func(_regex_split, (S, S, INT)),
    "regexQuoteMeta": Func(lambda s: re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", s), (S,)),
    "mustFromJson": Func(_must_from_json, (S,)),
    "deepEqual": Func(_deep_equal, (A, A)),
    "typeOf": Func(type_name, (A,)),
    "typeIs": Func(lambda t, v: t == type_name(v), (S, A)),
    "typeIsLike": Func(lambda t, v: t in (type_name(v), "*" + type_name(v)), (S, A)),
    "kindOf": Func(_kind_of, (A,)),
    "kindIs": Func(lambda k, v: k == _kind_of(v), (S, A)),
    "dig": Func(_dig, (A,), True),
    "chunk": Func(_chunk, (INT, A)),
    "splitn": Func(_splitn, (S, INT, S)),
    "ceil": Func(lambda v: float(math.ceil(to_float64(v))), (A,)),
    "floor": Func(lambda v: float(math.floor(to_float64(v))), (A,)),
    "round": Func(_round, (A, INT, "float"), True),
    "add1f": Func(lambda v: _decimal_op("+")(v, 1.0), (A,)),
    "addf": Func(lambda *v: _decimal_op("+")(0.0, *v), (A,), True),
    "subf": Func(_decimal_op("-"), (A, A), True),
    "mulf": Func(_decimal_op("*"), (A, A), True),
    "divf": Func(_decimal_op("/"), (A, A), True),
    "maxf": Func(lambda a, *r: max([to_float64(a), *(to_float64(x) for x in r)]), (A, A), True),
    "minf": Func(lambda a, *r: min([to_float64(a), *(to_float64(x) for x in r)]), (A, A), True),
    "b32enc": Func(lambda s: base64.b32encode(s.encode("utf-8", "surrogatepass")).decode(), (S,)),
    "b32dec": Func(_b32dec, (S,)),
    "adler32sum": Func(lambda s: str(zlib.adler32(s.encode("utf-8", "surrogatepass"))), (S,)),
}
for _name in ("First", "Rest", "Last", "Initial", "Reverse", "Uniq", "Without", "Has", "Slice",
              "Append", "Push", "Prepend", "Compact", "RegexFind", "RegexFindAll",
              "RegexReplaceAll", "RegexReplaceAllLiteral", "RegexSplit"):
    SPRIG["must" + _name] = SPRIG[_name[0].lower() + _name[1:]]
