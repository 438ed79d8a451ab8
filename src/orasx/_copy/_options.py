"""What a copy is told: :class:`CopyOptions`, the progress :class:`Hooks` and which children of a
manifest to copy."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from orasx.content import DestinationFacts, ReadOnlyStorage
from orasx.descriptor import Descriptor, Platform
from orasx.manifest import Index, parse_manifest
from orasx.manifest import successors as manifest_successors
from orasx.retry import RetryPolicy

Hook = Callable[[Descriptor], None]
ProgressHook = Callable[[Descriptor, int], None]
SuccessorFunc = Callable[[ReadOnlyStorage, Descriptor, bytes], list[Descriptor]]

#: The most small blobs moved at once (registries commonly allow 32 or more connections).
MAX_SMALL_CONCURRENCY = 32

#: How deep referrers of referrers are followed.
MAX_REFERRER_DEPTH = 64
#: How deep manifests may nest (an index of indexes of manifests...): real graphs have 2 or 3
#: levels; a hostile one stops here with an error instead of running out of stack.
MAX_GRAPH_DEPTH = 32


def default_successors(_src: ReadOnlyStorage, desc: Descriptor, raw: bytes) -> list[Descriptor]:
    return manifest_successors(desc, raw)


def without_subject(_src: ReadOnlyStorage, desc: Descriptor, raw: bytes) -> list[Descriptor]:
    """Children to copy, without following ``subject`` (for referrers: the subject is there)."""
    node = parse_manifest(desc.media_type, raw)
    if isinstance(node, Index):
        return list(node.manifests)
    return [node.config, *node.layers]


def _noop(_desc: Descriptor) -> None:
    return None


@dataclass(frozen=True)
class Hooks:
    """Progress callbacks (called from worker threads): ``on_start`` before a node moves,
    ``on_copied`` after it verified and landed, ``on_skipped`` when the destination already had
    it, ``on_progress`` with the running byte count as a blob streams. ``on_duplicate``: a
    child of a manifest just copied that did not move itself because the same blob (digest,
    media type, size) moved under another title: the Go CLI's ``Skipped`` (pull: ``Restored``,
    the file written again under its own name)."""

    on_start: Hook = _noop
    on_copied: Hook = _noop
    on_skipped: Hook = _noop
    on_mounted: Hook = _noop
    on_progress: ProgressHook | None = None
    on_duplicate: Hook = _noop


#: :data:`PENDING_DIGEST` (from :mod:`orasx.content`) is the digest hooks see for a blob whose
#: digest is not known yet (a big file hashed while it uploads): ``on_start`` and
#: ``on_progress`` get a descriptor with it and the blob's title; the real descriptor follows
#: (``on_start``, ``on_copied``) once the bytes are sent.

#: One blob is tried up to 3 times in all (each try reads the source afresh).
BLOB_RETRY = RetryPolicy(max_attempts=3, base_delay=0.2, max_delay=2.0, max_total=60.0)


@dataclass(frozen=True)
class CopyOptions:
    """Options for :func:`copy_graph`, :func:`copy` and :func:`copy_referrers`.

    ``concurrency``: blobs moved at once (default 3). ``find_successors``: which children of a
    manifest to copy (default: all, subject included; non-distributable layers are always left
    out, as oras-go does). ``hooks``: progress callbacks.
    ``platform`` (:func:`copy` only): copy the manifest of an index that matches it.
    ``referrers`` (:func:`copy` only): copy the referrers of the root too, recursively.
    ``retry``: how often, and after how long, a blob that failed transiently is copied again.
    ``destination``: what the caller knows the destination holds or lacks (no request asks it
    again; see :class:`~orasx.content.DestinationFacts`). ``by_title``: the destination keeps
    blobs by title (a file store): a blob under two titles is written under each.
    """

    concurrency: int = 3
    #: Blobs up to this size are moved with more in flight (:meth:`small_concurrency`): a
    #: small blob costs round trips, not bandwidth.
    small_blob_size: int = 4 * 1024 * 1024
    find_successors: SuccessorFunc = default_successors
    hooks: Hooks = Hooks()
    #: Try to mount a blob instead of copying it; returns True when the destination has it now.
    #: Unset, :func:`copy` asks a destination that is a :class:`~orasx.content.Mounter`.
    mount: Callable[[Descriptor], bool] | None = None
    destination: DestinationFacts = field(default_factory=DestinationFacts)
    platform: Platform | None = None
    referrers: bool = False
    retry: RetryPolicy = field(default=BLOB_RETRY)
    #: Set by the copy when it stops (a failure, Ctrl-C); a caller's event lets a destination
    #: that works on its own (a file store unpacking a directory) stop too.
    cancel: threading.Event | None = None
    by_title: bool = False

    def small_concurrency(self) -> int:
        """Small blobs in flight: 8 times ``concurrency``, at most 32 (and never fewer than
        ``concurrency``); the HTTP layer backs off on 429 with the registry's Retry-After."""
        return max(self.concurrency, min(MAX_SMALL_CONCURRENCY, 8 * self.concurrency))
