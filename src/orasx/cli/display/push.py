"""``oras push``: ``Pushed [registry] REF``, ``ArtifactType``, ``Digest``; or the pushed
manifest's descriptor with ``reference`` and ``referenceAsTags``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orasx.cli.display._base import Document, JSONValue, document, echo, kind

if TYPE_CHECKING:
    from orasx.api import PushResult
    from orasx.cli._options import FormatOptions


class PushHandler:
    def on_pushed(self, result: PushResult) -> None:
        raise NotImplementedError


class TextPushHandler(PushHandler):
    def on_pushed(self, result: PushResult) -> None:
        echo(f"Pushed [{kind(result.location)}] {result.reference}")
        if result.descriptor.artifact_type:
            echo(f"ArtifactType: {result.descriptor.artifact_type}")
        echo(f"Digest: {result.descriptor.digest}")


class DocumentPushHandler(PushHandler):
    def __init__(self, out: Document) -> None:
        self.out = out

    def on_pushed(self, result: PushResult) -> None:
        self.out.write(push_document(result))


def push_document(result: PushResult) -> JSONValue:
    tags: list[JSONValue] = [str(result.location.with_tag(t)) for t in result.tags]
    return {"reference": result.reference, **result.descriptor.to_dict(), "referenceAsTags": tags}


def handler(fmt: FormatOptions) -> PushHandler:
    out = document(fmt)
    return TextPushHandler() if out is None else DocumentPushHandler(out)
