"""``oras manifest``: fetch, fetch-config, push, delete (see ``_base``), index create/update."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from orasx.cli.display._base import (
    Document,
    JSONValue,
    compact_json,
    document,
    done,
    echo,
    write_content,
)

if TYPE_CHECKING:
    from orasx.cli._options import FormatOptions, TargetOptions
    from orasx.descriptor import Descriptor


# -- fetch --------------------------------------------------------------------------------------


class FetchHandler:
    def on_fetched(self, desc: Descriptor, content: bytes) -> None:
        raise NotImplementedError


class TextFetchHandler(FetchHandler):
    """The descriptor (``--descriptor``, indented with ``--pretty``), or the manifest on stdout
    (as fetched, or indented with ``--pretty``) unless ``-o`` saved it."""

    def __init__(self, *, descriptor: bool, pretty: bool, output: str | None) -> None:
        self.descriptor = descriptor
        self.pretty = pretty
        self.output = output

    def on_fetched(self, desc: Descriptor, content: bytes) -> None:
        if self.descriptor:
            if self.pretty:
                echo(json.dumps(desc.to_dict(), indent=2))
            else:
                echo(compact_json(desc))
        elif not self.output:
            if self.pretty:
                echo(json.dumps(json.loads(content), indent=2))
            else:
                write_content(None, content)


class DocumentFetchHandler(FetchHandler):
    def __init__(self, out: Document) -> None:
        self.out = out

    def on_fetched(self, desc: Descriptor, content: bytes) -> None:
        parsed: JSONValue = json.loads(content)
        self.out.write({**desc.to_dict(), "content": parsed})


def fetch_handler(fmt: FormatOptions, *, descriptor: bool, pretty: bool,
                  output: str | None) -> FetchHandler:
    out = document(fmt)
    if out is None:
        return TextFetchHandler(descriptor=descriptor, pretty=pretty, output=output)
    return DocumentFetchHandler(out)


# -- fetch-config -------------------------------------------------------------------------------


class FetchConfigHandler:
    def on_fetched(self, desc: Descriptor, content: bytes) -> None:
        raise NotImplementedError


class TextFetchConfigHandler(FetchConfigHandler):
    """The config's descriptor (``--descriptor``), or the config to ``-o`` (stdout by default)."""

    def __init__(self, *, descriptor: bool, output: str | None) -> None:
        self.descriptor = descriptor
        self.output = output

    def on_fetched(self, desc: Descriptor, content: bytes) -> None:
        if self.descriptor:
            echo(compact_json(desc))
            return
        write_content(self.output, content)


class DocumentFetchConfigHandler(FetchConfigHandler):
    def __init__(self, out: Document) -> None:
        self.out = out

    def on_fetched(self, desc: Descriptor, content: bytes) -> None:
        self.out.write(desc.to_dict())


def fetch_config_handler(fmt: FormatOptions, *, descriptor: bool,
                         output: str | None) -> FetchConfigHandler:
    out = document(fmt)
    if out is None:
        return TextFetchConfigHandler(descriptor=descriptor, output=output)
    return DocumentFetchConfigHandler(out)


# -- push, index create, index update -----------------------------------------------------------


class ManifestPushHandler:
    """``manifest push``, ``index create`` and ``index update``: what was pushed, where."""

    def on_pushed(self, desc: Descriptor) -> None:
        raise NotImplementedError


class TextManifestPushHandler(ManifestPushHandler):
    """``manifest push``: ``Pushed [registry] REF`` and the digest."""

    def __init__(self, target: TargetOptions) -> None:
        self.target = target

    def on_pushed(self, desc: Descriptor) -> None:
        done("Pushed", self.target.kind, self.target.reference, desc.digest)


class IndexHandler:
    """``index create`` and ``index update``: each step as it happens, then the result."""

    def on_event(self, event: str, text: str) -> None:
        return None

    def on_pushed(self, desc: Descriptor, tags: list[str]) -> None:
        raise NotImplementedError


class TextIndexHandler(IndexHandler):
    """Go's lines: ``Fetching  v1``, ``Fetched   DIGEST v1``, ``Packed    SHORT TYPE`` (or
    ``Updated   DIGEST``), ``Pushed    [registry] REF``, ``Tagged T`` per extra tag and
    ``Digest``."""

    def __init__(self, target: TargetOptions, reference: str, output: str | None = None) -> None:
        self.target = target
        self.reference = reference
        self.output = output  # -o: written there, not pushed ('-': stdout carries only that)

    def on_event(self, event: str, text: str) -> None:
        if self.output != "-":
            echo(f"{event:<9} {text}")

    def on_pushed(self, desc: Descriptor, tags: list[str]) -> None:
        from orasx.api import locate

        if self.output:
            if self.output != "-":
                echo(f"Digest: {desc.digest}")
            return
        echo(f"{'Pushed':<9} [{self.target.kind}] {self.reference}")
        try:
            first = locate(self.reference, oci_layout=self.target.oci_layout).tag
        except ValueError:
            first = None
        for t in tags:
            if t != first:
                echo(f"Tagged {t}")
        echo(f"Digest: {desc.digest}")


class DocumentIndexHandler(IndexHandler):
    def __init__(self, out: Document, reference: str) -> None:
        self.out = out
        self.reference = reference

    def on_pushed(self, desc: Descriptor, tags: list[str]) -> None:
        self.out.write({"reference": self.reference, **desc.to_dict()})


class DocumentManifestPushHandler(ManifestPushHandler):
    """The descriptor with ``reference``: the first of the tags the user gave."""

    def __init__(self, out: Document, reference: str) -> None:
        self.out = out
        self.reference = reference

    def on_pushed(self, desc: Descriptor) -> None:
        self.out.write({"reference": self.reference, **desc.to_dict()})


def push_handler(fmt: FormatOptions, target: TargetOptions) -> ManifestPushHandler:
    out = document(fmt)
    if out is None:
        return TextManifestPushHandler(target)
    return DocumentManifestPushHandler(out, target.reference.split(",")[0])


def index_create_handler(fmt: FormatOptions, target: TargetOptions,
                         output: str | None = None) -> IndexHandler:
    from orasx.reference import split_tags

    out = document(fmt)
    first = split_tags(target.reference)[0]
    if out is None:
        return TextIndexHandler(target, first, output)
    return DocumentIndexHandler(out, first)


def index_update_handler(fmt: FormatOptions, target: TargetOptions,
                         output: str | None = None) -> IndexHandler:
    out = document(fmt)
    if out is None:
        return TextIndexHandler(target, target.reference, output)
    return DocumentIndexHandler(out, target.reference)


# -- delete (manifest delete, blob delete) ------------------------------------------------------


class DeleteHandler:
    """``Deleted [registry] REF`` (no digest line, as the Go CLI), or ``Missing REF`` when
    ``-f`` met nothing to delete."""

    def __init__(self, target: TargetOptions) -> None:
        self.target = target

    def on_deleted(self, desc: Descriptor) -> None:
        echo(f"Deleted [{self.target.kind}] {self.target.reference}")

    def on_missing(self) -> None:
        echo(f"Missing {self.target.reference}")

