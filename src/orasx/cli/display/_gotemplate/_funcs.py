"""Template functions: the :class:`Func` type, Go's comparison and truth rules, and the
builtins (``and or not len index slice print printf println eq ne lt le gt ge html js urlquery
call``)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from orasx.cli.display._gotemplate._fmt import _is_print, sprint, sprintf, sprintln, type_name
from orasx.cli.display._gotemplate._values import Boxed, unbox

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
