"""Graph copy between any two stores: the engine under push, pull, copy, backup and restore.

:func:`copy_graph` moves the graph under a root descriptor; :func:`copy` resolves a reference first
(narrowed to a platform), tags the root and, with ``CopyOptions.referrers``, copies the referrers
too (oras-go's ``Copy`` and ``ExtendedCopy``); :func:`copy_referrers` copies only the referrers.
Failures keep their own error class with ``origin`` set to the side that failed.
"""

from __future__ import annotations

import dataclasses
import io
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from orasx import mediatype
from orasx._json import loads
from orasx.content import (
    PENDING_DIGEST,
    DestinationFacts,
    Mounter,
    Readable,
    ReadOnlyStorage,
    ReadOnlyTarget,
    ReferenceFetcher,
    ReferencePusher,
    ReferrerLister,
    Storage,
    Target,
    fetch_all,
    tag_all,
)
from orasx.descriptor import Descriptor, Platform
from orasx.digest import CopiesVerified, Digest, DownloadsInPlace, FileBacked, verified_as
from orasx.errors import (
    CopyError,
    InvalidInputError,
    InvalidManifestError,
    NetworkError,
    NotFoundError,
    OrasError,
    Reason,
    RegistryError,
    VerificationError,
    with_origin,
)
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

__all__ = [
    "MAX_GRAPH_DEPTH",
    "MAX_REFERRER_DEPTH",
    "PENDING_DIGEST",
    "CopyOptions",
    "DestinationFacts",
    "Hooks",
    "ReferencePusher",
    "copy",
    "copy_graph",
    "copy_referrers",
    "default_successors",
    "reporting",
    "resolve_root",
    "select_platform",
    "without_subject",
]


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
    it, ``on_progress`` with the running byte count as a blob streams."""

    on_start: Hook = _noop
    on_copied: Hook = _noop
    on_skipped: Hook = _noop
    on_mounted: Hook = _noop
    on_progress: ProgressHook | None = None


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
    manifest to copy (default: all, subject included). ``hooks``: progress callbacks.
    ``platform`` (:func:`copy` only): copy the manifest of an index that matches it.
    ``referrers`` (:func:`copy` only): copy the referrers of the root too, recursively.
    ``retry``: how often, and after how long, a blob that failed transiently is copied again.
    ``destination``: what the caller knows the destination holds or lacks (no request asks it
    again; see :class:`~orasx.content.DestinationFacts`).
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

    def small_concurrency(self) -> int:
        """Small blobs in flight: 8 times ``concurrency``, at most 32 (and never fewer than
        ``concurrency``); the HTTP layer backs off on 429 with the registry's Retry-After."""
        return max(self.concurrency, min(MAX_SMALL_CONCURRENCY, 8 * self.concurrency))


class _Counting:
    """Reports the running byte count of its reads. What the stream declares besides
    (:class:`~orasx.digest.SelfVerifying`, :class:`~orasx.digest.FileBacked`: an upload tells a
    regular file by its ``fileno``) is passed on; a stream without a file raises
    ``io.UnsupportedOperation`` from ``fileno``/``tell``, as ``io`` streams do."""

    def __init__(self, stream: Readable, desc: Descriptor, hook: ProgressHook) -> None:
        self._stream = stream
        self._desc = desc
        self._hook = hook
        self._done = 0

    def read(self, n: int = -1, /) -> bytes:
        data = self._stream.read(n)
        if data:
            self._done += len(data)
            self._hook(self._desc, self._done)
        return data

    @property
    def verifies(self) -> tuple[Digest, int] | None:
        return verified_as(self._stream)

    def copy_into(self, fd: int, /) -> bool:
        """The source's own kernel copy (:class:`~orasx.digest.CopiesVerified`), counted whole."""
        if not isinstance(self._stream, CopiesVerified) or not self._stream.copy_into(fd):
            return False
        self._done = self._desc.size
        self._hook(self._desc, self._done)
        return True

    def download_into(self, fd: int, /, *, have: int = 0,
                      progress: Callable[[int], None] | None = None,
                      checkpoint: Callable[[int], None] | None = None) -> bool:
        """The source's own download in place (:class:`~orasx.digest.DownloadsInPlace`),
        counted as it lands."""
        if not isinstance(self._stream, DownloadsInPlace):
            return False

        def counted(n: int) -> None:
            if progress is not None:
                progress(n)
            if n != self._done:
                self._done = n
                self._hook(self._desc, n)

        return self._stream.download_into(fd, have=have, progress=counted, checkpoint=checkpoint)

    def fileno(self) -> int:
        if not isinstance(self._stream, FileBacked):
            raise io.UnsupportedOperation("fileno")
        return self._stream.fileno()

    def tell(self) -> int:
        if not isinstance(self._stream, FileBacked):
            raise io.UnsupportedOperation("tell")
        return self._stream.tell()

    def close(self) -> None:
        self._stream.close()


def _retry_status(e: OrasError) -> int | bool | None:
    """What the retry policy is told about a failed blob: ``None`` for a connection-level
    failure (a dropped upload, a cut or corrupt download, a lost upload session, a 413 or 416 on
    a streamed body), the HTTP status otherwise, ``False`` for an error that is never retried."""
    if isinstance(e, CopyError):
        return False
    if isinstance(e, NetworkError) and e.reason in (Reason.DEADLINE, Reason.TOO_SLOW):
        return False  # a registry that is too slow stays too slow: no second full wait
    if isinstance(e, (NetworkError, VerificationError)):
        return None
    if not isinstance(e, RegistryError):
        return False
    if {"BLOB_UPLOAD_UNKNOWN", "BLOB_UPLOAD_INVALID"} & set(e.codes) or e.status in (413, 416):
        return None
    return e.status


def reporting(stream: Readable, desc: Descriptor, hooks: Hooks) -> Readable:
    """``stream`` reporting its byte count to ``hooks.on_progress`` (when set) as it is read."""
    return stream if hooks.on_progress is None else _Counting(stream, desc, hooks.on_progress)


class _Cancellable:
    """Stops a transfer at its next read once the copy is cancelled (Ctrl-C)."""

    def __init__(self, stream: Readable, event: threading.Event) -> None:
        self._stream = stream
        self._event = event

    def read(self, n: int = -1, /) -> bytes:
        if self._event.is_set():
            raise CopyError("cancelled", origin="destination")
        try:
            return self._stream.read(n)
        except OrasError as e:  # the source failed mid-stream (reset, corrupt bytes...)
            raise with_origin(e, "source") from None

    @property
    def verifies(self) -> tuple[Digest, int] | None:
        """What the source stream checks itself against (:class:`orasx.digest.SelfVerifying`)."""
        return verified_as(self._stream)

    def copy_into(self, fd: int, /) -> bool:
        """The source's own kernel copy (:class:`~orasx.digest.CopiesVerified`), when it has one."""
        if self._event.is_set():
            raise CopyError("cancelled", origin="destination")
        if not isinstance(self._stream, CopiesVerified):
            return False
        try:
            return self._stream.copy_into(fd)
        except OrasError as e:
            raise with_origin(e, "source") from None

    def download_into(self, fd: int, /, *, have: int = 0,
                      progress: Callable[[int], None] | None = None,
                      checkpoint: Callable[[int], None] | None = None) -> bool:
        """The source's own download in place (:class:`~orasx.digest.DownloadsInPlace`), stopped
        at its next progress report once the copy is cancelled."""
        if self._event.is_set():
            raise CopyError("cancelled", origin="destination")
        if not isinstance(self._stream, DownloadsInPlace):
            return False

        def checked(n: int) -> None:
            if self._event.is_set():
                raise CopyError("cancelled", origin="destination")
            if progress is not None:
                progress(n)

        try:
            return self._stream.download_into(fd, have=have, progress=checked,
                                              checkpoint=checkpoint)
        except CopyError:
            raise
        except OrasError as e:
            raise with_origin(e, "source") from None

    def close(self) -> None:
        self._stream.close()


class _GraphCopier:
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
        self.started: dict[tuple[str, str], Future[None] | None] = {}
        self.cancelled = opts.cancel if opts.cancel is not None else threading.Event()
        #: Manifest bytes already in hand (the root, fetched when it was resolved): not fetched.
        self.manifests = manifests if manifests is not None else {}

    def _key(self, desc: Descriptor) -> tuple[str, str]:
        return (str(desc.digest), desc.title)

    def copy_node(self, desc: Descriptor, *, push_as: str | None = None, depth: int = 0) -> None:
        """Copy ``desc`` and everything below it; ``push_as`` tags the root as it is pushed."""
        if depth > MAX_GRAPH_DEPTH:
            raise InvalidManifestError(
                f"{desc.digest}: manifests nested more than {MAX_GRAPH_DEPTH} levels deep")
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
        if mediatype.is_manifest_like(desc.media_type):
            raw = self._fetch_manifest(desc)
            children = self.opts.find_successors(self.src, desc, raw)
            futures = [f for c in children if (f := self._schedule(c, depth + 1)) is not None]
            for f in futures:
                f.result()
            self.hooks.on_start(desc)
            self._push(desc, io.BytesIO(raw), push_as)
            self.hooks.on_copied(desc)
        else:
            self._copy_blob(desc)

    def _schedule(self, desc: Descriptor, depth: int) -> Future[None] | None:
        key = self._key(desc)
        known = self.opts.destination.holds(desc.digest) is True
        with self.lock:
            if key in self.started:
                return self.started[key]
            if mediatype.is_manifest_like(desc.media_type) or known:
                self.started[key] = None
            else:
                fut = self.pool.submit(self._copy_blob_if_missing, desc)
                self.started[key] = fut
                return fut
        if known and not mediatype.is_manifest_like(desc.media_type):
            self._copy_blob_checked(desc)  # no request to make: reported here, no worker
            return None
        self.copy_node(desc, depth=depth)
        return None

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
        attempt, began = 0, time.monotonic()
        while True:
            attempt += 1
            if self.cancelled.is_set():
                raise CopyError("cancelled", origin="destination")
            try:
                stream: Readable = self.src.fetch(desc)
            except OrasError as e:
                raise with_origin(e, "source") from None
            stream = reporting(_Cancellable(stream, self.cancelled), desc, self.hooks)
            try:
                self._push(desc, stream, None)
                break
            except OrasError as e:
                # The whole blob is tried again (fresh read of the source) after transient
                # failures the HTTP layer could not retry itself: a dropped upload, a corrupt or
                # cut download, a 5xx or 413 on a streamed body. A blob that landed anyway is done.
                status = _retry_status(e)
                wait = None if status is False or self.cancelled.is_set() else self.opts.retry.delay(
                    attempt, status=status if isinstance(status, int) else None,
                    elapsed=time.monotonic() - began)
                if wait is None:
                    raise
                if self._exists(desc):
                    break
                if self.cancelled.wait(wait):
                    raise CopyError("cancelled", origin="destination") from None
            finally:
                stream.close()
        self.hooks.on_copied(desc)

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
    _copy_graph(src, dst, root, options or CopyOptions(), tag, _seed(root, root_content))


def _seed(root: Descriptor, raw: bytes | None) -> dict[Digest, bytes]:
    if raw is None:
        return {}
    if Descriptor.from_bytes(root.media_type, raw).digest != root.digest or len(raw) != root.size:
        raise VerificationError(f"{root.digest}: the root content given does not match it")
    return {root.digest: raw}


def _copy_graph(src: ReadOnlyStorage, dst: Storage, root: Descriptor, opts: CopyOptions,
                tag: str | None, manifests: dict[Digest, bytes]) -> None:
    copier = _GraphCopier(src, dst, opts, manifests)
    try:
        copier.copy_node(root, push_as=tag)
    except BaseException:
        copier.cancelled.set()  # Ctrl-C or a failed blob: stop the others at their next read
        raise
    finally:
        copier.pool.shutdown(wait=True, cancel_futures=True)


def select_platform(
    source: ReadOnlyStorage, desc: Descriptor, raw: bytes, platform: Platform
) -> tuple[Descriptor, bytes]:
    """The child of an index that matches ``platform`` (a manifest is checked via its config)."""
    node = parse_manifest(desc.media_type, raw)
    if isinstance(node, Index):
        for child in node.manifests:
            if child.platform is not None and child.platform.matches(platform):
                return child, fetch_all(source, child)
        raise NotFoundError(f"{desc.digest}: not found: no matching manifest was found in the "
                            "manifest list")
    doc = loads(fetch_all(source, node.config), f"config {node.config.digest}",
                InvalidManifestError)
    if isinstance(doc, dict) and Platform.from_dict(doc).matches(platform):
        return desc, raw
    raise NotFoundError(f"{desc.digest}: the manifest is not for platform {platform}")


def resolve_root(
    target: ReadOnlyTarget, ref: str, platform: Platform | None = None
) -> tuple[Descriptor, bytes]:
    """The manifest ``ref`` names in ``target`` and its bytes (one request where the store is a
    :class:`~orasx.content.ReferenceFetcher`), narrowed to ``platform``."""
    if not ref:
        raise InvalidInputError("a tag or digest is required, e.g. localhost:5000/repo:v1")
    if isinstance(target, ReferenceFetcher):
        desc, raw = target.fetch_reference(ref)
    else:
        desc = target.resolve(ref)
        raw = fetch_all(target, desc)
    if platform is not None:
        desc, raw = select_platform(target, desc, raw, platform)
    return desc, raw


def copy_referrers(
    src: ReadOnlyStorage, dst: Storage, root: Descriptor, options: CopyOptions | None = None,
    *, root_content: bytes | None = None,
) -> list[Descriptor]:
    """Copy the referrers of ``root`` (and of an index's manifests), and theirs, up to
    :data:`MAX_REFERRER_DEPTH` levels; returns the referrers copied. A source that cannot list
    referrers (not a :class:`~orasx.content.ReferrerLister`) has none."""
    opts = options or CopyOptions()
    if not isinstance(src, ReferrerLister):
        return []
    manifests = _seed(root, root_content)
    referrer_opts = CopyOptions(concurrency=opts.concurrency, hooks=opts.hooks, mount=opts.mount,
                                find_successors=without_subject, retry=opts.retry)
    seen = {root.digest}
    copied: list[Descriptor] = []
    todo = [(root, 0)]
    while todo:
        node, level = todo.pop()
        if level >= MAX_REFERRER_DEPTH:
            continue
        raw = manifests.get(node.digest)
        if raw is None:
            raw = fetch_all(src, node)
            manifests[node.digest] = raw
        subjects = [node]
        parsed = parse_manifest(node.media_type, raw)
        if isinstance(parsed, Index):
            subjects += list(parsed.manifests)
        for subject in subjects:
            try:
                found = src.referrers(subject)
            except OrasError as e:
                raise with_origin(e, "source") from None
            for r in found:
                if r.digest in seen:
                    continue
                seen.add(r.digest)
                # as the referrers listing gives it (artifactType, annotations), as oras-go's
                # ExtendedCopyGraph does: an OCI layout's index.json keeps them
                _copy_graph(src, dst, r, referrer_opts, None, manifests)
                copied.append(r)
                todo.append((r, level + 1))
    return copied


def copy(
    src: ReadOnlyTarget,
    src_ref: str,
    dst: Target,
    dst_ref: str = "",
    options: CopyOptions | None = None,
    *,
    tags: Sequence[str] = (),
) -> Descriptor:
    """Resolve ``src_ref`` in ``src`` (narrowed to ``options.platform``), copy its graph to
    ``dst``, tag it ``dst_ref`` and each of ``tags``, and with ``options.referrers`` copy its
    referrers too. ``dst_ref`` defaults to ``src_ref`` when that is a tag (a digest reference
    copies untagged). Returns the root descriptor.

    Blobs are mounted instead of copied where the destination can (a registry mounting from
    another repository of the same registry with the same credentials).
    """
    opts = options or CopyOptions()
    try:
        root, raw = resolve_root(src, src_ref, opts.platform)
    except OrasError as e:
        raise with_origin(e, "source") from None
    if opts.mount is None and isinstance(dst, Mounter):
        mount = dst.mount_from(src)
        if mount is not None:
            opts = dataclasses.replace(opts, mount=mount)
    tag = dst_ref or ("" if ":" in src_ref else src_ref)
    manifests = {root.digest: raw}
    _copy_graph(src, dst, root, opts, tag or None, manifests)
    try:
        tag_all(dst, root, raw, [t for t in tags if t and t != tag])
    except OrasError as e:
        raise with_origin(e, "destination") from None
    if opts.referrers:
        copy_referrers(src, dst, root, opts, root_content=raw)
    return root
