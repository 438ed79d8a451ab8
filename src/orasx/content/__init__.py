"""The storage protocols every store implements, and helpers over them.

A store is a content-addressed graph of descriptors. :class:`Fetcher`, :class:`Pusher`,
:class:`Resolver` and :class:`Tagger` are the capabilities; :class:`Storage` and :class:`Target`
compose them. Memory, OCI layout, file and remote stores all satisfy :class:`Target`.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from orasx.descriptor import Descriptor
from orasx.digest import Digest, Readable, VerifyingReader
from orasx.errors import SizeLimitError
from orasx.manifest import MAX_MANIFEST_BYTES


@runtime_checkable
class Fetcher(Protocol):
    def fetch(self, desc: Descriptor) -> Readable:
        """Open the content of ``desc``; the caller closes the stream. Raises NotFoundError."""
        ...


@runtime_checkable
class Pusher(Protocol):
    def push(self, desc: Descriptor, content: Readable) -> None:
        """Store ``content``, verifying it against ``desc``; nothing is visible unless it verified."""
        ...


@runtime_checkable
class Resolver(Protocol):
    def resolve(self, reference: str) -> Descriptor:
        """The descriptor a tag or digest points to. Raises NotFoundError."""
        ...


@runtime_checkable
class Tagger(Protocol):
    def tag(self, desc: Descriptor, reference: str) -> None:
        """Point ``reference`` (a tag) at the manifest ``desc``, which the store must hold."""
        ...


@runtime_checkable
class ReadOnlyStorage(Fetcher, Protocol):
    def exists(self, desc: Descriptor) -> bool: ...


@runtime_checkable
class Storage(ReadOnlyStorage, Pusher, Protocol):
    pass


@runtime_checkable
class ReadOnlyTarget(ReadOnlyStorage, Resolver, Protocol):
    pass


@runtime_checkable
class Target(Storage, Resolver, Tagger, Protocol):
    pass


def read_all(stream: Readable, desc: Descriptor, *, limit: int = MAX_MANIFEST_BYTES) -> bytes:
    """Read and verify a whole (small) blob; refuse one whose descriptor exceeds ``limit``."""
    if desc.size > limit:
        raise SizeLimitError(
            f"{desc.digest}: {desc.size} bytes is over the {limit}-byte limit for metadata"
        )
    reader = VerifyingReader(stream, desc.digest, desc.size)
    chunks = []
    while data := reader.read(1 << 20):
        chunks.append(data)
    reader.verify()
    return b"".join(chunks)


def fetch_all(fetcher: Fetcher, desc: Descriptor, *, limit: int = MAX_MANIFEST_BYTES) -> bytes:
    """Fetch and verify a small blob (a manifest or config) into memory."""
    if desc.size > limit:  # before anything is opened or allocated
        raise SizeLimitError(
            f"{desc.digest}: {desc.size} bytes is over the {limit}-byte limit for metadata"
        )
    if (desc.data is not None and len(desc.data) == desc.size
            and Digest.from_bytes(desc.data, desc.digest.algorithm) == desc.digest):
        return desc.data  # embedded content needs no fetch
    stream = fetcher.fetch(desc)
    try:
        return read_all(stream, desc, limit=limit)
    finally:
        stream.close()


__all__ = [
    "Fetcher",
    "Pusher",
    "ReadOnlyStorage",
    "ReadOnlyTarget",
    "Readable",
    "Resolver",
    "Storage",
    "Tagger",
    "Target",
    "fetch_all",
    "read_all",
]
