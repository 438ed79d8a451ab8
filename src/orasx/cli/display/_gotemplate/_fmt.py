"""Go's ``fmt`` over template values: ``%v`` (``map[a:1 b:2]``, ``[x y]``, ``1e+06``),
``print``/``println`` and ``printf``'s verbs."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

from orasx._gostr import go_quote
from orasx.cli.display._gotemplate._values import unbox


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
