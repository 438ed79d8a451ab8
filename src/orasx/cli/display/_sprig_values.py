"""sprig's value helpers (and its cast library's conversions): to int, float, string and
list as sprig converts them, JSON as Go's ``encoding/json`` writes it, decimal arithmetic."""

from __future__ import annotations

import base64
import binascii
import decimal
import json
import math
import re
from collections.abc import Callable

from orasx.cli.display._gotemplate import CallError, fmt_v, format_float, key_order, truth, type_name, unbox

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


def _atoi(s: str) -> int:
    if re.fullmatch(r"[+-]?[0-9]+", s) is None:
        return 0
    v = int(s)
    return v if -(1 << 63) <= v < (1 << 63) else 0


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
