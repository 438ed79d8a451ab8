"""What the output handlers share: the document writers (json, go-template) and the Go CLI's
closing lines."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, TypeAlias

from orasx.cli._safe import block

if TYPE_CHECKING:
    from orasx.api import Location
    from orasx.cli._options import FormatOptions, TargetOptions
    from orasx.descriptor import Descriptor
    from orasx.digest import Digest

#: What a document is made of (what ``json.loads`` gives).
JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"

__all__ = [
    "Document",
    "JSONDocument",
    "JSONValue",
    "TemplateDocument",
    "TextDeleteHandler",
    "compact_json",
    "document",
    "done",
    "echo",
    "kind",
    "write_content",
]


def echo(message: str = "", *, nl: bool = True, err: bool = False) -> None:
    """Print text that may carry registry-supplied strings (on stdout, or stderr with ``err``):
    control characters are shown as escapes, never sent to the terminal raw."""
    stream = sys.stderr if err else sys.stdout
    stream.write(block(message) + ("\n" if nl else ""))
    stream.flush()


class Document:
    """How a document format prints a result's document."""

    def write(self, doc: JSONValue) -> None:
        raise NotImplementedError


class JSONDocument(Document):
    """``--format json``: the document as indented JSON."""

    def write(self, doc: JSONValue) -> None:
        echo(json.dumps(doc, indent=2))


class TemplateDocument(Document):
    """``--format go-template``: the document through the template, nothing added."""

    def __init__(self, template: str) -> None:
        self.template = template

    def write(self, doc: JSONValue) -> None:
        from orasx.cli.display._template import TemplateError, render  # only when asked for

        try:
            text = render(self.template, doc)
        except TemplateError as e:
            echo(e.partial, nl=False)  # Go streams what ran before the error
            raise
        echo(text, nl=False)


def document(fmt: FormatOptions) -> Document | None:
    """The writer of a document format; None for text (and a command's own text forms)."""
    if fmt.kind == "json":
        return JSONDocument()
    if fmt.kind == "go-template":
        return TemplateDocument(fmt.template)
    return None


def kind(location: Location) -> str:
    """``oci-layout`` or ``registry``, as the Go CLI's messages say where something is."""
    return "oci-layout" if location.oci_layout else "registry"


def done(verb: str, kind: str, reference: str, digest: Digest) -> None:
    """The Go CLI's closing lines: ``<Verb> [registry|oci-layout] REF`` and ``Digest: D``."""
    echo(f"{verb} [{kind}] {reference}")
    echo(f"Digest: {digest}")


def compact_json(desc: Descriptor) -> str:
    """A descriptor as one line of JSON (``--descriptor``)."""
    return json.dumps(desc.to_dict(), separators=(",", ":"))


def write_content(path: str | None, data: bytes) -> None:
    """Content (a manifest, a config) to ``path``, or to stdout for None or ``-``."""
    from orasx._fsutil import atomic_writer, umask_mode

    if path and path != "-":
        with atomic_writer(path, mode=umask_mode()) as f:
            f.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


class TextDeleteHandler:
    """``manifest delete`` and ``blob delete``: ``Deleted [registry] REF`` and the digest."""

    def __init__(self, target: TargetOptions) -> None:
        self.target = target

    def on_deleted(self, desc: Descriptor) -> None:
        done("Deleted", self.target.kind, self.target.reference, desc.digest)
