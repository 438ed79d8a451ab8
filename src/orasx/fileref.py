"""Command-line file arguments: ``path[:media-type]`` and ``key=value`` annotations."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping

from orasx._json import load_object
from orasx.errors import InvalidInputError

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")

MANIFEST_KEY = "$manifest"
CONFIG_KEY = "$config"


def parse_file_reference(ref: str, default_type: str = "") -> tuple[str, str]:
    """Split ``path[:type]`` on the last colon; ``C:\\x`` drive letters and ``name:`` are handled.

    A trailing colon means the name itself contains a colon and the type is the default.
    """
    start = 2 if _WINDOWS_DRIVE.match(ref) else 0
    i = ref.rfind(":", start)
    if i < 0:
        path, media_type = ref, ""
    else:
        path, media_type = ref[:i], ref[i + 1 :]
    if not path:
        raise InvalidInputError(f"found an empty file path in {ref!r}: use path[:media-type]")
    return path, media_type or default_type


def title_for(path: str) -> str:
    """The ``org.opencontainers.image.title`` for a path: cleaned, with forward slashes."""
    if _WINDOWS_DRIVE.match(path):
        return path.replace("\\", "/")
    return posixpath.normpath(path.replace("\\", "/")) if path else path


def parse_annotations(items: Iterable[str]) -> dict[str, str]:
    """``key=value`` strings -> dict; duplicates and missing ``=`` are errors."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidInputError(f"invalid annotation {item!r}: use key=value")
        if key in out:
            raise InvalidInputError(f"duplicate annotation key {key!r}")
        out[key] = value
    return out


def parse_annotation_file(data: bytes) -> dict[str, dict[str, str]]:
    """The ``--annotation-file`` schema: ``{"$manifest": {...}, "$config": {...}, "file": {...}}``."""
    doc = load_object(data, "annotation file", InvalidInputError)
    out: dict[str, dict[str, str]] = {}
    for name, values in doc.items():
        if not isinstance(values, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            raise InvalidInputError(
                f"annotation file entry {name!r} must map string keys to string values"
            )
        out[str(name)] = dict(values)
    return out
