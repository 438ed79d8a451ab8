"""``oras blob``: fetch, push, delete, as the Go CLI prints them (see ``_base``; delete shares
``manifest.DeleteHandler``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orasx.cli.display._base import echo
from orasx.cli.display.manifest import print_descriptor

if TYPE_CHECKING:
    from orasx.cli._options import TargetOptions
    from orasx.descriptor import Descriptor


class BlobFetchHandler:
    """Nothing (the blob went to ``-o``), or its descriptor with ``--descriptor`` (one line
    without a newline, or indented with ``--pretty``)."""

    def __init__(self, *, descriptor: bool, pretty: bool = False) -> None:
        self.descriptor = descriptor
        self.pretty = pretty

    def on_fetched(self, desc: Descriptor) -> None:
        if self.descriptor:
            print_descriptor(desc, pretty=self.pretty)


def fetch_handler(*, descriptor: bool, pretty: bool = False) -> BlobFetchHandler:
    return BlobFetchHandler(descriptor=descriptor, pretty=pretty)


class BlobPushHandler:
    """``Pushed: [registry] REF`` (the reference as typed: with the digest only when it had one)
    and ``Digest: D``, or only the descriptor (``--descriptor``)."""

    def __init__(self, target: TargetOptions, *, descriptor: bool, pretty: bool = False) -> None:
        self.target = target
        self.descriptor = descriptor
        self.pretty = pretty

    def on_pushed(self, desc: Descriptor) -> None:
        if self.descriptor:
            print_descriptor(desc, pretty=self.pretty)
            return
        echo(f"Pushed: [{self.target.kind}] {self.target.reference}")
        echo(f"Digest: {desc.digest}")


def push_handler(target: TargetOptions, *, descriptor: bool,
                 pretty: bool = False) -> BlobPushHandler:
    return BlobPushHandler(target, descriptor=descriptor, pretty=pretty)
