"""The graph copier: children before parents, blobs concurrently, each node once.

A node is its (digest, media type, size), as oras-go's copy tracker keys it: a blob that two
titles name moves once; the other title is reported through ``Hooks.on_duplicate`` after its
manifest landed (and, for a destination that keeps blobs by title, written under that title
too). Non-distributable layers are left out (oras-go's ``removeForeignLayers``).
"""

from __future__ import annotations

import io
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from orasx import mediatype
from orasx._copy._options import MAX_GRAPH_DEPTH, CopyOptions
from orasx._copy._streams import Cancellable, reporting, retry_status
from orasx.content import (
    Readable,
    ReadOnlyStorage,
    ReferencePusher,
    Storage,
    Target,
    fetch_all,
)
from orasx.descriptor import Descriptor
from orasx.digest import Digest
from orasx.errors import (
    CopyError,
    InvalidManifestError,
    OrasError,
    VerificationError,
    with_origin,
)

Identity = tuple[str, str, int]


def identity(desc: Descriptor) -> Identity:
    """What makes two descriptors the same node (titles and other annotations aside)."""
    return (str(desc.digest), desc.media_type, desc.size)


class GraphCopier:
    """Copies graphs from ``src`` to ``dst``; one copier copies each node once, however many of
    the graphs it is given (:meth:`copy_node`) share it."""

    def __init__(self, src: ReadOnlyStorage, dst: Storage, opts: CopyOptions,
                 manifests: dict[Digest, bytes] | None = None) -> None:
        self.src = src
        self.dst = dst
        self.opts = opts
        self.hooks = opts.hooks
        self.pool = ThreadPoolExecutor(max_workers=max(1, opts.small_concurrency()))
        #: Big blobs stay at ``concurrency`` in flight (bandwidth, memory, disk).
        self.big = threading.BoundedSemaphore(max(1, opts.concurrency))
        self.lock = threading.Lock()
        #: node -> (its transfer, None for a manifest or a blob done inline; the title it moved as)
        self.started: dict[Identity, tuple[Future[None] | None, str]] = {}
        self.cancelled = opts.cancel if opts.cancel is not None else threading.Event()
        #: Manifest bytes already in hand (the root, fetched when it was resolved): not fetched.
        self.manifests = manifests if manifests is not None else {}
        #: Manifests to tag as they are pushed (digest -> tag), wherever the walk meets them.
        self.tags: dict[Digest, str] = {}

    def close(self, failed: bool) -> None:
        if failed:
            self.cancelled.set()  # Ctrl-C or a failed blob: stop the others at their next read
        self.pool.shutdown(wait=True, cancel_futures=True)

    def copy_node(self, desc: Descriptor, *, push_as: str | None = None, depth: int = 0) -> None:
        """Copy ``desc`` and everything below it; ``push_as`` tags it as it is pushed."""
        if depth > MAX_GRAPH_DEPTH:
            raise InvalidManifestError(
                f"{desc.digest}: manifests nested more than {MAX_GRAPH_DEPTH} levels deep")
        if push_as is None:
            push_as = self.tags.pop(desc.digest, None)
        # the root first too, as oras-go: a re-push only tags it (a destination known to lack
        # it, a new repository, is not asked)
        if self.opts.destination.holds(desc.digest) is not False and self._exists(desc):
            if push_as is not None and isinstance(self.dst, Target):
                try:
                    self.dst.tag(desc, push_as)
                except OrasError as e:
                    raise with_origin(e, "destination") from None
            self.hooks.on_skipped(desc)
            return
        if not mediatype.is_manifest_like(desc.media_type):
            self._copy_blob(desc)
            return
        raw = self._fetch_manifest(desc)
        children = [c for c in self.opts.find_successors(self.src, desc, raw)
                    if not mediatype.is_foreign_layer(c.media_type)]
        waits: list[Future[None]] = []
        duplicates: list[Descriptor] = []
        for child in children:
            future, duplicate = self._schedule(child, depth + 1)
            if future is not None:
                waits.append(future)
            if duplicate:
                duplicates.append(child)
        for f in waits:
            f.result()
        if self.opts.by_title:
            for dup in duplicates:  # written under its own title too (its bytes moved once)
                if not self._exists(dup):
                    self._transfer(dup)
        self.hooks.on_start(desc)
        self._push(desc, io.BytesIO(raw), push_as)
        for dup in duplicates:
            self.hooks.on_duplicate(dup)
        self.hooks.on_copied(desc)

    def _schedule(self, desc: Descriptor, depth: int) -> tuple[Future[None] | None, bool]:
        """Start ``desc`` (a blob in the pool, a manifest here); returns what to wait for and
        whether ``desc`` is a node already started under another title."""
        key = identity(desc)
        known = self.opts.destination.holds(desc.digest) is True
        is_manifest = mediatype.is_manifest_like(desc.media_type)
        with self.lock:
            prior = self.started.get(key)
            if prior is not None:
                return prior[0], prior[1] != desc.title
            if is_manifest or known:
                self.started[key] = (None, desc.title)
            else:
                fut = self.pool.submit(self._copy_blob_if_missing, desc)
                self.started[key] = (fut, desc.title)
                return fut, False
        if known and not is_manifest:
            self._copy_blob_checked(desc)  # no request to make: reported here, no worker
            return None, False
        self.copy_node(desc, depth=depth)
        return None, False

    def _copy_blob_if_missing(self, desc: Descriptor) -> None:
        if desc.size > self.opts.small_blob_size:
            with self.big:
                self._copy_blob_checked(desc)
        else:
            self._copy_blob_checked(desc)

    def _copy_blob_checked(self, desc: Descriptor) -> None:
        if self.cancelled.is_set():
            raise CopyError("cancelled", origin="destination")
        facts = self.opts.destination
        if desc.digest in facts.sent:
            self.hooks.on_start(desc)
            self.hooks.on_copied(desc)
            return
        if facts.holds(desc.digest) is not False and self._exists(desc):
            self.hooks.on_skipped(desc)
            return
        self._copy_blob(desc)

    def _copy_blob(self, desc: Descriptor) -> None:
        if self.opts.mount is not None:
            try:
                mounted = self.opts.mount(desc)
            except OrasError:
                mounted = False
            if mounted:
                self.hooks.on_mounted(desc)
                return
        self.hooks.on_start(desc)
        self._transfer(desc, after_mount=self.opts.mount is not None)
        self.hooks.on_copied(desc)

    def _transfer(self, desc: Descriptor, *, after_mount: bool = False) -> None:
        """Stream one blob from the source to the destination, retried after transient failures.
        ``after_mount``: the destination declined to mount it; as oras-go's mount falls back to
        reading the source, a failed read is the destination's (``cannot read source blob``)."""
        attempt, began = 0, time.monotonic()
        while True:
            attempt += 1
            if self.cancelled.is_set():
                raise CopyError("cancelled", origin="destination")
            try:
                stream: Readable = self.src.fetch(desc)
            except OrasError as e:
                if after_mount and e.origin is None and e.args:
                    e.args = (f"cannot read source blob: {e.args[0]}", *e.args[1:])
                    raise with_origin(e, "destination") from None
                raise with_origin(e, "source") from None
            stream = reporting(Cancellable(stream, self.cancelled), desc, self.hooks)
            try:
                self._push(desc, stream, None)
                return
            except OrasError as e:
                # The whole blob is tried again (fresh read of the source) after transient
                # failures the HTTP layer could not retry itself: a dropped upload, a corrupt or
                # cut download, a 5xx or 413 on a streamed body. A blob that landed anyway is done.
                status = retry_status(e)
                wait = None if status is False or self.cancelled.is_set() else self.opts.retry.delay(
                    attempt, status=status if isinstance(status, int) else None,
                    elapsed=time.monotonic() - began)
                if wait is None:
                    raise
                if self._exists(desc):
                    return
                if self.cancelled.wait(wait):
                    raise CopyError("cancelled", origin="destination") from None
            finally:
                stream.close()

    def _fetch_manifest(self, desc: Descriptor) -> bytes:
        with self.lock:
            raw = self.manifests.get(desc.digest)
        if raw is not None:
            return raw
        try:
            raw = fetch_all(self.src, desc)
        except OrasError as e:
            raise with_origin(e, "source") from None
        with self.lock:
            self.manifests[desc.digest] = raw
        return raw

    def _exists(self, desc: Descriptor) -> bool:
        if self.opts.destination.holds(desc.digest):
            return True
        try:
            return self.dst.exists(desc)
        except OrasError as e:
            raise with_origin(e, "destination") from None

    def _push(self, desc: Descriptor, content: Readable, push_as: str | None) -> None:
        try:
            if push_as is not None and isinstance(self.dst, ReferencePusher):
                self.dst.push_reference(desc, content, push_as)
            else:
                self.dst.push(desc, content)
                if push_as is not None and isinstance(self.dst, Target):
                    self.dst.tag(desc, push_as)
        except OrasError as e:
            raise with_origin(e, "destination") from None


def seed(root: Descriptor, raw: bytes | None) -> dict[Digest, bytes]:
    """The manifests a copy starts with: ``root``'s bytes, checked against it."""
    if raw is None:
        return {}
    if Descriptor.from_bytes(root.media_type, raw).digest != root.digest or len(raw) != root.size:
        raise VerificationError(f"{root.digest}: the root content given does not match it")
    return {root.digest: raw}


def copy_graph(
    src: ReadOnlyStorage, dst: Storage, root: Descriptor, options: CopyOptions | None = None,
    *, tag: str | None = None, root_content: bytes | None = None,
) -> None:
    """Copy the graph under ``root`` from ``src`` to ``dst``, children before parents.

    Blobs move concurrently (``options.concurrency``); content the destination already has is
    skipped; every byte is verified by the destination before it becomes visible. ``tag`` names
    the root in the destination as it is pushed. ``root_content``: the root's bytes, when the
    caller has them already (they are verified against ``root`` and not fetched again).
    """
    run_copy(src, dst, [root], options or CopyOptions(), seed(root, root_content),
             {root.digest: tag} if tag else {})


def run_copy(src: ReadOnlyStorage, dst: Storage, roots: list[Descriptor], opts: CopyOptions,
             manifests: dict[Digest, bytes], tags: dict[Digest, str]) -> dict[Digest, str]:
    """Copy the graphs under ``roots`` with one copier (each node once); ``tags``: manifests to
    tag as they are pushed. Returns the tags no walk reached (their manifests were not visited:
    a referrer above them was there already)."""
    copier = GraphCopier(src, dst, opts, manifests)
    copier.tags = dict(tags)
    failed = True
    try:
        for root in roots:
            copier.copy_node(root)
        failed = False
    finally:
        copier.close(failed)
    return copier.tags
