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
    """``Pushed [registry] REF``, ``Tagged T`` per extra tag, ``ArtifactType`` (a v1.0
    manifest's config type) and ``Digest``."""

    def __init__(self, requested: str = "") -> None:
        self.requested = requested

    def on_pushed(self, result: PushResult) -> None:
        # Go names the reference as typed, up to its first tag ("repo" when untagged).
        echo(f"Pushed [{kind(result.location)}] {self.requested or result.reference}")
        for t in result.tags:
            if t != result.location.tag:
                echo(f"Tagged {t}")
        if result.descriptor.artifact_type:
            echo(f"ArtifactType: {result.descriptor.artifact_type}")
        echo(f"Digest: {result.descriptor.digest}")


class DocumentPushHandler(PushHandler):
    def __init__(self, out: Document, by_digest: bool = False) -> None:
        self.out = out
        self.by_digest = by_digest

    def on_pushed(self, result: PushResult) -> None:
        self.out.write(push_document(result, by_digest=self.by_digest))


def push_document(result: PushResult, *, by_digest: bool = False) -> JSONValue:
    """Go's: ``reference`` is ``name@digest``; ``referenceAsTags`` each tag set, sorted: ``name:``
    alone when the reference named no tag, null when it named a digest (``by_digest``)."""
    reference = str(result.location.with_digest(result.descriptor.digest))
    name = reference.rpartition("@")[0]
    tags: JSONValue = None if by_digest and not result.tags else [
        f"{name}:{t}" for t in sorted(result.tags) or [""]]
    return {"reference": reference, **result.descriptor.to_dict(), "referenceAsTags": tags}


def handler(fmt: FormatOptions, requested: str = "") -> PushHandler:
    """``requested``: the reference as typed (its extra tags are cut)."""
    from orasx.reference import split_tags

    out = document(fmt)
    if out is not None:
        return DocumentPushHandler(out, by_digest="@" in requested)
    return TextPushHandler(split_tags(requested)[0] if requested else "")
