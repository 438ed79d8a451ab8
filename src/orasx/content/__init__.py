"""The storage protocols every store implements, and helpers over them.

A store is a content-addressed graph of descriptors. :class:`Fetcher`, :class:`Pusher`,
:class:`Resolver` and :class:`Tagger` are the capabilities; :class:`Storage` and :class:`Target`
compose them. Memory, OCI layout, file and remote stores all satisfy :class:`Target`. The optional
capabilities (:class:`Deleter`, :class:`TagLister`, :class:`ReferrerLister`,
:class:`ReferenceFetcher`, :class:`ReferencePusher`, :class:`BlobDescriber`, :class:`Mounter`,
:class:`PushPlanner`)
are what callers check for, as oras-go's ``content`` and ``registry`` interfaces; never a
concrete class.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, runtime_checkable

from orasx.content._plan import (
    PENDING_DIGEST,
    DestinationFacts,
    PushPlan,
    PushPlanner,
    UploadWatcher,
)
from orasx.descriptor import Descriptor
from orasx.digest import Digest, Readable, write_verified
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
class Deleter(Protocol):
    def delete(self, desc: Descriptor) -> None:
        """Remove ``desc`` (a blob or a manifest and its tags). Raises NotFoundError."""
        ...


@runtime_checkable
class TagLister(Protocol):
    def tags(self, *, last: str = "", page_size: int = 0) -> Iterable[str]:
        """The store's tags in order, those after ``last`` only when it is given; ``page_size``
        asks a paginated store for pages of that many (0: its default)."""
        ...


@runtime_checkable
class ReferrerLister(Protocol):
    def referrers(self, desc: Descriptor, artifact_type: str = "") -> list[Descriptor]:
        """Manifests whose ``subject`` is ``desc`` (of ``artifact_type`` only, when given)."""
        ...


@runtime_checkable
class ReferenceFetcher(Protocol):
    def fetch_reference(self, reference: str) -> tuple[Descriptor, bytes]:
        """Resolve a tag or digest and fetch the manifest's bytes in one step (a registry's
        ``GET /manifests``), verified against the descriptor."""
        ...


@runtime_checkable
class ReferencePusher(Protocol):
    def push_reference(self, desc: Descriptor, content: Readable, reference: str) -> None:
        """Push a manifest and tag it in one step (a registry's ``PUT /manifests/<tag>``)."""
        ...


@runtime_checkable
class BlobDescriber(Protocol):
    def blob_descriptor(self, digest: Digest) -> Descriptor:
        """The descriptor (size) of the blob ``digest`` without fetching it. Raises NotFoundError."""
        ...


@runtime_checkable
class RangeFetcher(Protocol):
    def fetch_range(self, desc: Descriptor, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes of the blob ``desc`` from ``offset`` (a registry's ranged
        ``GET``). Not digest-checked: only the whole blob can be."""
        ...


@runtime_checkable
class StreamPusher(Protocol):
    def push_stream(self, media_type: str, stream: Readable,
                    annotations: dict[str, str] | None = None) -> Descriptor:
        """Store everything ``stream`` gives (length and digest unknown until it ends) as one
        blob, hashing while it is written or uploaded; return its descriptor."""
        ...


@runtime_checkable
class Mounter(Protocol):
    def mount_from(self, source: object) -> Callable[[Descriptor], bool] | None:
        """How to mount blobs of ``source`` into this store without copying them (a registry's
        cross-repository mount), or None when ``source`` cannot be mounted from."""
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


@runtime_checkable
class BlobStore(Storage, BlobDescriber, Deleter, Protocol):
    """A store whose blobs can be described and deleted by digest (registries, OCI layouts)."""


@runtime_checkable
class ManifestDeleter(Target, Deleter, Protocol):
    """A target whose manifests can be deleted (registries, OCI layouts)."""


def tag_all(target: Target, desc: Descriptor, raw: bytes, tags: Iterable[str], *,
            concurrency: int = 1) -> None:
    """Point each of ``tags`` at the manifest ``desc`` (whose bytes are ``raw``); a store that
    pushes references (a registry) gets one ``PUT`` per tag, others a ``tag`` call; up to
    ``concurrency`` tags are set at once."""
    def one(t: str) -> None:
        if isinstance(target, ReferencePusher):
            target.push_reference(desc, io.BytesIO(raw), t)
        else:
            target.tag(desc, t)

    todo = list(tags)
    if concurrency <= 1 or len(todo) <= 1:
        for t in todo:
            one(t)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(concurrency, len(todo))) as pool:
        for future in [pool.submit(one, t) for t in todo]:
            future.result()  # the first failure, in the order the tags were given


def push_tagged(target: Target, desc: Descriptor, raw: bytes, tags: Sequence[str]) -> None:
    """Push the manifest ``raw`` and point ``tags`` at it (the first in the same request where
    the store can)."""
    if tags and isinstance(target, ReferencePusher):
        target.push_reference(desc, io.BytesIO(raw), tags[0])
        tag_all(target, desc, raw, tags[1:])
    else:
        target.push(desc, io.BytesIO(raw))
        tag_all(target, desc, raw, tags)


def read_all(stream: Readable, desc: Descriptor, *, limit: int = MAX_MANIFEST_BYTES) -> bytes:
    """Read and verify a whole (small) blob; refuse one whose descriptor exceeds ``limit``."""
    if desc.size > limit:
        raise SizeLimitError(
            f"{desc.digest}: {desc.size} bytes is over the {limit}-byte limit for metadata"
        )
    out = io.BytesIO()
    write_verified(stream, desc.digest, desc.size, out)
    return out.getvalue()


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
    "PENDING_DIGEST",
    "BlobDescriber",
    "BlobStore",
    "Deleter",
    "DestinationFacts",
    "Fetcher",
    "ManifestDeleter",
    "Mounter",
    "PushPlan",
    "PushPlanner",
    "Pusher",
    "RangeFetcher",
    "ReadOnlyStorage",
    "ReadOnlyTarget",
    "Readable",
    "ReferenceFetcher",
    "ReferencePusher",
    "ReferrerLister",
    "Resolver",
    "Storage",
    "StreamPusher",
    "TagLister",
    "Tagger",
    "Target",
    "UploadWatcher",
    "fetch_all",
    "push_tagged",
    "read_all",
    "tag_all",
]
