"""What ``push``, ``attach`` and the other graph commands check before the library runs, in the Go
CLI's words and order: file paths, annotations, platforms, references, tags, ``--concurrency``.

The Go CLI checks its options first (absolute paths, then ``--annotation``/``--annotation-file``,
then ``--platform``), then, when it runs, that the reference names a tag or digest, then the
files as it prepares them. Each flag is parsed here once, into the values the library takes
(file references, annotation mappings), with the Go CLI's checks and words.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orasx._gostr import go_quote
from orasx.errors import InvalidInputError, InvalidReferenceError

if TYPE_CHECKING:
    from orasx.api import Location
    from orasx.cli._cobra import GoUsageError
    from orasx.cli._options import TargetOptions
    from orasx.descriptor import Platform
    from orasx.fileref import FileReference

__all__ = [
    "Annotations",
    "PreparedFiles",
    "check_config_file",
    "check_file_paths",
    "check_tags",
    "concurrency",
    "config_file",
    "load_annotations",
    "missing_reference",
    "os_error_text",
    "parse_annotation_flags",
    "platform_flag",
    "require_reference",
    "stat_error",
]

ANNOTATION_DOC = "https://oras.land/docs/how_to_guides/manifest_annotations"
#: oras-go's concurrency when it is given as 0 or less.
DEFAULT_CONCURRENCY = 3
#: An annotation file larger than this is left for the library to refuse.
_ANNOTATION_FILE_LIMIT = 4 * 1024 * 1024



def concurrency(value: int) -> int:
    """``--concurrency``: 0 or less means oras-go's default, as in the Go CLI."""
    return value if value > 0 else DEFAULT_CONCURRENCY


# -- file paths ---------------------------------------------------------------------------------


def _file_reference(item: str, default_type: str = "") -> FileReference:
    from orasx.fileref import parse_file_reference

    try:
        return parse_file_reference(item, default_type)
    except InvalidInputError:
        raise InvalidInputError(f"found empty file path in {go_quote(item)}") from None


def check_file_paths(files: Sequence[str], *, disable_path_validation: bool,
                     ) -> list[FileReference]:
    """``path[:type]`` arguments, parsed (once) into the file references the library takes:
    an empty path, or absolute paths (unless ``--disable-path-validation``), all named in one
    error, as the Go CLI."""
    refs = [_file_reference(item) for item in files]
    absolute = [r.path for r in refs if not disable_path_validation and os.path.isabs(r.path)]
    if absolute:
        raise InvalidInputError(
            "absolute file path detected. If it's intentional, use --disable-path-validation "
            f"flag to skip this check: {', '.join(absolute)}")
    return refs


def stat_error(path: str) -> InvalidInputError | None:
    """Go's ``stat /abs/path: no such file or directory`` when ``path`` cannot be stat'ed."""
    try:
        os.stat(path)
    except OSError as e:
        return InvalidInputError(f"stat {os.path.abspath(path)}: {os_error_text(e)}")
    return None


def os_error_text(e: OSError) -> str:
    """An ``OSError``'s reason as Go's syscall errors word it (``no such file or directory``)."""
    reason = e.strerror or str(e)
    return reason[:1].lower() + reason[1:]


def config_file(config: str | None) -> FileReference | None:
    """``--config PATH[:TYPE]``, parsed once (typed ``application/vnd.unknown.config.v1+json``
    unless it says otherwise); None when not given."""
    if not config:
        return None
    from orasx.fileref import parse_file_reference
    from orasx.mediatype import DEFAULT_CONFIG_V1_0

    return parse_file_reference(config, DEFAULT_CONFIG_V1_0)


def check_config_file(config: FileReference | None) -> None:
    """``--config PATH[:TYPE]``: Go's ``stat`` error when ``PATH`` is not there."""
    if config is None:
        return
    missing = stat_error(config.path)
    if missing is not None:
        raise missing


class PreparedFiles:
    """The ``on_file`` callback of push and attach: prints ``Preparing NAME`` as the Go CLI does
    as it loads each file, then fails as it does for a name given twice (``NAME: duplicate
    name``) or a file that is not there (``stat /abs/NAME: no such file or directory``)."""

    def __init__(self, note: Callable[[str], None]) -> None:
        self.note = note
        self.seen: set[str] = set()

    def __call__(self, name: str) -> None:
        self.note(f"Preparing {name}")
        if name in self.seen:
            raise InvalidInputError(f"{name}: duplicate name")
        self.seen.add(name)
        error = stat_error(name)
        if error is not None:
            raise error


# -- annotations --------------------------------------------------------------------------------


def _annotation_file_error(path: str) -> InvalidInputError:
    return InvalidInputError(
        f"invalid annotation json file: failed to load annotations from {path}\n"
        "Annotation file doesn't match the required format. Please refer to the document at "
        f"{ANNOTATION_DOC}")


def _is_annotation_map(doc: object) -> bool:
    """Does ``doc`` decode as Go's ``map[string]map[string]string`` (nulls allowed)?"""
    if doc is None:
        return True
    if not isinstance(doc, dict):
        return False
    for values in doc.values():
        if values is None:
            continue
        if not isinstance(values, dict) or not all(
                v is None or isinstance(v, str) for v in values.values()):
            return False
    return True


def _read_annotation_file(path: str) -> tuple[dict[str, dict[str, str]], bytes]:
    """The Go CLI's reading of ``--annotation-file``: one JSON value (what follows it is not
    read) of the shape ``{"$manifest": {...}, "file": {...}}``; anything else is its one error.
    Returns it with the bytes read (once)."""
    try:
        with open(path, "rb") as f:
            data = f.read(_ANNOTATION_FILE_LIMIT + 1)
    except OSError:
        raise _annotation_file_error(path) from None
    if len(data) > _ANNOTATION_FILE_LIMIT:
        return {}, data  # refused in the library's words (:meth:`Annotations.named`)
    text = data.decode("utf-8", errors="replace").lstrip(" \t\r\n")
    try:
        doc, _ = json.JSONDecoder(parse_constant=_no_constant).raw_decode(text)
    except ValueError:
        raise _annotation_file_error(path) from None
    if not _is_annotation_map(doc):
        raise _annotation_file_error(path)
    out: dict[str, dict[str, str]] = {}
    for name, values in (doc or {}).items():
        out[str(name)] = {str(k): str(v or "") for k, v in (values or {}).items()}
    return out, data


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def parse_annotation_flags(items: Sequence[str]) -> dict[str, str]:
    """``-a key=value`` flags, with the Go CLI's errors for a missing ``=`` or a repeated key."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise InvalidInputError(
                "annotation value doesn't match the required format\n"
                'Please use the correct format in the flag: --annotation "key=value"')
        if key in out:
            raise InvalidInputError(f"duplicate annotation key: {key}, ")
        out[key] = value
    return out


@dataclass(frozen=True)
class Annotations:
    """``-a key=value`` flags and ``--annotation-file``, read once: ``manifest`` (the flags),
    ``from_file`` (the file's entries as the Go CLI reads them) and the file's bytes."""

    manifest: dict[str, str]
    from_file: Mapping[str, Mapping[str, str]]
    data: bytes | None = None

    def named(self) -> dict[str, dict[str, str]] | None:
        """The file's entries as the library takes them: its schema (string values only, one
        JSON object of at most 4 MiB) refuses in its own words what the Go CLI's reading lets
        through; None without a file."""
        if self.data is None:
            return None
        from orasx.fileref import parse_annotation_file

        return parse_annotation_file(self.data[:_ANNOTATION_FILE_LIMIT])


def load_annotations(items: Sequence[str], annotation_file: str | None) -> Annotations:
    """``-a key=value`` flags and ``--annotation-file``, checked as the Go CLI checks them."""
    if items and annotation_file:
        raise InvalidInputError("`--annotation` and `--annotation-file` cannot be both specified")
    from_file, data = _read_annotation_file(annotation_file) if annotation_file else ({}, None)
    return Annotations(parse_annotation_flags(items), from_file, data)


# -- platforms, references, tags ----------------------------------------------------------------


def platform_flag(value: str | None) -> Platform | None:
    """``--platform``/``--artifact-platform`` as the Go CLI reads it (None when not given)."""
    from orasx.api._platform import parse_platform_flag

    return parse_platform_flag(value or "")


def require_reference(target: TargetOptions, *, missing_hint: str = "") -> Location:
    """The reference, parsed; the Go CLI's usage error when it names no tag or digest.
    ``missing_hint`` goes before the advice (attach without files: the reference may be
    missing)."""
    location = target.location()
    if location.ref:
        return location
    if target.oci_layout and not os.path.exists(location.name):
        return location  # the library reports the missing layout first, as the Go CLI does
    raise missing_reference(go_quote(target.reference), hint=missing_hint)


def missing_reference(quoted: str, *, digest_only: bool = False, hint: str = "") -> GoUsageError:
    """The Go CLI's usage error for the reference ``quoted`` (as the message shows it) when it
    names no tag or digest (``digest_only``: no digest), with the command's usage line;
    ``hint`` goes before the advice."""
    from orasx.cli._command import GoUsageError, current, use_line

    if digest_only:
        what, form = "no digest specified", '"<name>@<digest>"'
    else:
        what, form = "no tag or digest specified", '"<name>:<tag>" or "<name>@<digest>"'
    invocation = current()
    assert invocation is not None, "a command is running"
    path = invocation.path
    return GoUsageError(
        f"{quoted}: {what}\n"
        f"Usage: {use_line(invocation)}\n"
        f'{hint}Please specify a reference in the form of {form}. '
        f'Run "oras {path} -h" for more options and examples')


def check_tags(tags: Sequence[str]) -> None:
    """Tags for a registry: Go's ``invalid reference: invalid tag "T"`` (prefixed with
    ``failed to tag T:`` when several are given)."""
    from orasx.reference import is_valid_tag

    for t in tags:
        if not is_valid_tag(t):
            message = f"invalid reference: invalid tag {go_quote(t)}"
            raise InvalidReferenceError(
                f"failed to tag {t}: {message}" if len(tags) > 1 else message)
