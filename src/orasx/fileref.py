"""Files to push as values (:class:`FileReference`), parsed from ``path[:media-type]`` text, and
``key=value`` annotations."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from orasx._json import load_object
from orasx.errors import InvalidInputError

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")

MANIFEST_KEY = "$manifest"
CONFIG_KEY = "$config"


@dataclass(frozen=True)
class FileReference:
    """A file to push: where it is (``path``), its layer media type (``""``: the verb's default)
    and its ``org.opencontainers.image.title`` (``""``: :func:`title_for` the path).

    ``path`` ``-`` is the stream a push reads from its ``stdin`` argument.
    """

    path: str
    media_type: str = ""
    title: str = ""

    def __post_init__(self) -> None:
        path = os.fspath(self.path)
        if not isinstance(path, str):
            raise InvalidInputError(f"{path!r}: a file path must be text, not bytes")
        if not path:
            raise InvalidInputError("empty file path")
        object.__setattr__(self, "path", path)
        if not self.title:
            object.__setattr__(self, "title", title_for(path))


#: What the verbs take as a file: a :class:`FileReference`, ``path[:media-type]`` text, or an
#: ``os.PathLike`` (a path only: its colons are part of the name).
FileLike = FileReference | str | os.PathLike[str]


def parse_file_reference(ref: str, default_type: str = "") -> FileReference:
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
    return FileReference(path, media_type or default_type)


def file_reference(value: FileLike, default_type: str = "", *,
                   allow_absolute: bool = False) -> FileReference:
    """``value`` as a :class:`FileReference`: text is parsed (:func:`parse_file_reference`), a
    path-like object is a path. Text or a path that is absolute is refused unless
    ``allow_absolute`` (its title would name a place on the puller's disk); a
    :class:`FileReference` is taken as it is."""
    if isinstance(value, FileReference):
        ref = value
    elif isinstance(value, str):
        ref = parse_file_reference(value)
    elif isinstance(value, os.PathLike):
        ref = FileReference(os.fspath(value))
    else:
        raise InvalidInputError(
            f"{value!r}: a file is a path, path[:media-type] text or a FileReference")
    if not isinstance(value, FileReference) and not allow_absolute and os.path.isabs(ref.path):
        raise InvalidInputError(f"{ref.path}: absolute file path: its title would name a place "
                                "on the puller's disk")
    if default_type and not ref.media_type:
        ref = FileReference(ref.path, default_type, ref.title)
    return ref


def file_references(values: FileLike | Iterable[FileLike], *,
                    allow_absolute: bool = False) -> list[FileReference]:
    """One file (text, a path or a :class:`FileReference`) or several, as file references."""
    if isinstance(values, (str, os.PathLike, FileReference)):
        values = [values]
    return [file_reference(v, allow_absolute=allow_absolute) for v in values]


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
