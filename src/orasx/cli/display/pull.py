"""``oras pull``: the skipped-layers hint, ``Pulled [registry] REF`` and ``Digest``; or the
files pulled, each with its descriptor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orasx.cli.display._base import Document, JSONValue, document, echo, kind

if TYPE_CHECKING:
    from orasx.api import PullResult
    from orasx.cli._options import FormatOptions


class PullHandler:
    def on_pulled(self, result: PullResult) -> None:
        raise NotImplementedError


class TextPullHandler(PullHandler):
    """``requested``: the reference as the user typed it (for the ``oras copy`` hint)."""

    def __init__(self, requested: str) -> None:
        self.requested = requested

    def on_pulled(self, result: PullResult) -> None:
        if result.skipped or result.unnamed:
            echo('Skipped pulling layers without file name in "org.opencontainers.image.title"')
            echo(f"Use 'oras copy {self.requested} --to-oci-layout <layout-dir>' to pull all "
                 "layers.")
            return  # Go prints no Pulled/Digest lines then
        echo(f"Pulled [{kind(result.location)}] {result.reference}")
        echo(f"Digest: {result.descriptor.digest}")


class DocumentPullHandler(PullHandler):
    def __init__(self, out: Document) -> None:
        self.out = out

    def on_pulled(self, result: PullResult) -> None:
        self.out.write(pull_document(result))


def pull_document(result: PullResult) -> JSONValue:
    """Go's: a directory layer's ``path`` ends with the path separator."""
    import os

    from orasx.descriptor import UNPACK

    files: list[JSONValue] = [
        {"path": f.path + (os.sep if f.descriptor.annotations.get(UNPACK) == "true"
                           and not f.path.endswith(os.sep) else ""),
         "reference": str(result.location.with_digest(f.descriptor.digest)),
         **f.descriptor.to_dict()}
        for f in result.files
    ]
    reference = str(result.location.with_digest(result.descriptor.digest))
    return {"reference": reference, "files": files}


def handler(fmt: FormatOptions, requested: str) -> PullHandler:
    out = document(fmt)
    return TextPullHandler(requested) if out is None else DocumentPullHandler(out)
