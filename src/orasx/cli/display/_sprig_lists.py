"""sprig's list and dictionary helpers (``first``, ``uniq``, ``dict``, ``dig``, ``seq``...)."""

from __future__ import annotations

from orasx.cli.display._gotemplate import CallError, type_name, unbox
from orasx.cli.display._sprig_values import _as_list, _deep_equal, strval, to_int64


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
