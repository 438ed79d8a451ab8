"""One guarded way to read JSON from the wire or disk: any decode failure is an :class:`OrasError`.

``json.loads`` raises ``ValueError`` for bad text or bad UTF-8 and ``RecursionError`` for documents
nested a few thousand levels deep; callers then assume shapes (``doc.get(...)`` on a list, a number
where a list was expected) that raise ``AttributeError`` or ``TypeError``. These helpers turn all of
that into the error class the caller names, with a one-line message saying what was being read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from itertools import accumulate
from typing import Any

from orasx.errors import OrasError

#: Deeper documents are refused on every Python: where ``json.loads`` stops by itself differs (about
#: 1000 levels up to 3.12; 3.13 parses 8000 and returns a value that recursive code then trips on).
MAX_DEPTH = 1000
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.S)
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _STEP)


def _too_deep(data: bytes | str) -> bool:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:  # the usual case: nothing more to do
        return False
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > MAX_DEPTH


def loads(data: bytes | str, what: str, error: type[OrasError]) -> Any:
    """Parse ``data`` (``what`` names it in the message), raising ``error`` on any failure."""
    if _too_deep(data):
        raise error(f"{what}: JSON nested too deeply")
    try:
        return json.loads(data)
    except RecursionError:
        raise error(f"{what}: JSON nested too deeply") from None
    except (ValueError, TypeError) as e:
        raise error(f"{what}: not valid JSON: {_short(e)}") from None


def load_object(data: bytes | str, what: str, error: type[OrasError]) -> dict[str, Any]:
    """:func:`loads`, which must give a JSON object."""
    doc = loads(data, what, error)
    if not isinstance(doc, dict):
        raise error(f"{what}: expected a JSON object, got {type_name(doc)}")
    return doc


def get_str(doc: Mapping[str, Any], key: str, what: str, error: type[OrasError]) -> str:
    """``doc[key]`` as a string (missing: ``""``); another type raises ``error``."""
    value = doc.get(key, "")
    if not isinstance(value, str):
        raise error(f"{what}: {key!r} is {type_name(value)}, not a string")
    return value


def get_list(doc: Mapping[str, Any], key: str, what: str, error: type[OrasError]) -> list[Any]:
    """``doc[key]`` as a list (missing or null: ``[]``); another type raises ``error``."""
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise error(f"{what}: {key!r} is {type_name(value)}, not a list")
    return value


def type_name(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), "a value")


def _short(e: BaseException) -> str:
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    return text[:120]
