"""``oras blob``: fetch, push, delete (see ``_base``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orasx.cli.display._base import Document, compact_json, document, done, echo

if TYPE_CHECKING:
    from orasx.cli._options import FormatOptions, TargetOptions
    from orasx.descriptor import Descriptor


class BlobFetchHandler:
    def on_fetched(self, desc: Descriptor) -> None:
        raise NotImplementedError


class TextBlobFetchHandler(BlobFetchHandler):
    """Nothing (the blob went to ``-o``), or its descriptor with ``--descriptor``."""

    def __init__(self, *, descriptor: bool) -> None:
        self.descriptor = descriptor

    def on_fetched(self, desc: Descriptor) -> None:
        if self.descriptor:
            echo(compact_json(desc))


class DocumentBlobFetchHandler(BlobFetchHandler):
    def __init__(self, out: Document, reference: str) -> None:
        self.out = out
        self.reference = reference

    def on_fetched(self, desc: Descriptor) -> None:
        self.out.write({"reference": self.reference, **desc.to_dict()})


def fetch_handler(fmt: FormatOptions, target: TargetOptions, *,
                  descriptor: bool) -> BlobFetchHandler:
    out = document(fmt)
    if out is None:
        return TextBlobFetchHandler(descriptor=descriptor)
    return DocumentBlobFetchHandler(out, target.reference)


class BlobPushHandler:
    def on_pushed(self, desc: Descriptor) -> None:
        raise NotImplementedError


def _name(target: TargetOptions) -> str:
    """The repository (or layout) part of ``NAME[@DIGEST]``."""
    return target.reference.split("@")[0]


class TextBlobPushHandler(BlobPushHandler):
    """``Pushed [registry] NAME@DIGEST`` and the digest, or the descriptor (``--descriptor``)."""

    def __init__(self, target: TargetOptions, *, descriptor: bool) -> None:
        self.target = target
        self.descriptor = descriptor

    def on_pushed(self, desc: Descriptor) -> None:
        if self.descriptor:
            echo(compact_json(desc))
            return
        done("Pushed", self.target.kind, f"{_name(self.target)}@{desc.digest}", desc.digest)


class DocumentBlobPushHandler(BlobPushHandler):
    def __init__(self, out: Document, target: TargetOptions) -> None:
        self.out = out
        self.target = target

    def on_pushed(self, desc: Descriptor) -> None:
        self.out.write({"reference": f"{_name(self.target)}@{desc.digest}", **desc.to_dict()})


def push_handler(fmt: FormatOptions, target: TargetOptions, *,
                 descriptor: bool) -> BlobPushHandler:
    out = document(fmt)
    if out is None:
        return TextBlobPushHandler(target, descriptor=descriptor)
    return DocumentBlobPushHandler(out, target)
