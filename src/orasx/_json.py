"""One guarded way to read JSON from the wire or disk: any decode failure is an :class:`OrasError`.

``json.loads`` raises ``ValueError`` for bad text or bad UTF-8 and ``RecursionError`` for documents
nested a few thousand levels deep; callers then assume shapes (``doc.get(...)`` on a list, a number
where a list was expected) that raise ``AttributeError`` or ``TypeError``. These helpers turn all of
that into the error class the caller names, with a one-line message saying what was being read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from orasx.errors import OrasError


def loads(data: bytes | str, what: str, error: type[OrasError]) -> Any:
    """Parse ``data`` (``what`` names it in the message), raising ``error`` on any failure."""
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
