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


class TextIndexHandler(ManifestPushHandler):
    """``index create`` (``Pushed REF``) and ``index update`` (``Updated REF``)."""

    def __init__(self, verb: str, reference: str) -> None:
        self.verb = verb
        self.reference = reference

    def on_pushed(self, desc: Descriptor) -> None:
        echo(f"{self.verb} {self.reference}")
        echo(f"Digest: {desc.digest}")


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


def index_create_handler(fmt: FormatOptions, target: TargetOptions) -> ManifestPushHandler:
    out = document(fmt)
    if out is None:
        return TextIndexHandler("Pushed", target.reference)
    return DocumentManifestPushHandler(out, target.reference.split(",")[0])


def index_update_handler(fmt: FormatOptions, target: TargetOptions) -> ManifestPushHandler:
    out = document(fmt)
    if out is None:
        return TextIndexHandler("Updated", target.reference)
    return DocumentManifestPushHandler(out, target.reference)
