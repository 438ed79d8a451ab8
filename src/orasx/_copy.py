"""Graph copy between any two stores: the engine under push, pull and copy."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from orasx import mediatype
from orasx.content import Readable, ReadOnlyStorage, ReadOnlyTarget, Storage, Target, fetch_all
from orasx.descriptor import Descriptor
from orasx.digest import Digest
from orasx.errors import (
    CopyError,
    NetworkError,
    OrasError,
    RegistryError,
    VerificationError,
    with_origin,
)
from orasx.manifest import successors as manifest_successors

Hook = Callable[[Descriptor], None]
ProgressHook = Callable[[Descriptor, int], None]
SuccessorFunc = Callable[[ReadOnlyStorage, Descriptor, bytes], list[Descriptor]]


@runtime_checkable
class ReferencePusher(Protocol):
    """A store that can push a manifest and tag it in one step (a registry's ``PUT /manifests``)."""

    def push_reference(self, desc: Descriptor, content: Readable, reference: str) -> None: ...


def default_successors(_src: ReadOnlyStorage, desc: Descriptor, raw: bytes) -> list[Descriptor]:
    return manifest_successors(desc, raw)


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


@dataclass(frozen=True)
class CopyOptions:
    """Options for :func:`copy_graph` and :func:`copy`.

    ``concurrency``: blobs moved at once (default 3). ``find_successors``: which children of a
    manifest to copy (default: all, subject included). ``hooks``: progress callbacks.
    """

    concurrency: int = 3
    find_successors: SuccessorFunc = default_successors
    hooks: Hooks = Hooks()
    #: Try to mount a blob instead of copying it; returns True when the destination has it now.
    mount: Callable[[Descriptor], bool] | None = None
    #: Digests the caller knows the destination holds (no existence check is made for them).
    known: frozenset[Digest] = frozenset()


class _Counting:
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

    def close(self) -> None:
        self._stream.close()


#: How often one blob is tried in all (each try reads the source afresh).
MAX_BLOB_ATTEMPTS = 3


def _transient(e: OrasError) -> bool:
    cause = e
    if isinstance(cause, (NetworkError, VerificationError)):
        return True
    if not isinstance(cause, RegistryError):
        return False
    if {"BLOB_UPLOAD_UNKNOWN", "BLOB_UPLOAD_INVALID"} & set(cause.codes):
        return True  # the upload session is gone: start a new one
    return cause.status in (408, 413, 416, 429, 500, 502, 503, 504)


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

    def close(self) -> None:
        self._stream.close()


class _GraphCopier:
    def __init__(self, src: ReadOnlyStorage, dst: Storage, opts: CopyOptions) -> None:
        self.src = src
        self.dst = dst
        self.opts = opts
        self.hooks = opts.hooks
        self.pool = ThreadPoolExecutor(max_workers=max(1, opts.concurrency))
        self.lock = threading.Lock()
        self.started: dict[tuple[str, str], Future[None] | None] = {}
        self.cancelled = threading.Event()

    def _key(self, desc: Descriptor) -> tuple[str, str]:
        return (str(desc.digest), desc.title)

    def copy_node(self, desc: Descriptor, *, push_as: str | None = None) -> None:
        """Copy ``desc`` and everything below it; ``push_as`` tags the root as it is pushed."""
        if push_as is None and self._exists(desc):
            self.hooks.on_skipped(desc)
            return
        if mediatype.is_manifest_like(desc.media_type):
            raw = self._fetch_manifest(desc)
            children = self.opts.find_successors(self.src, desc, raw)
            futures = [f for c in children if (f := self._schedule(c)) is not None]
            for f in futures:
                f.result()
            self.hooks.on_start(desc)
            self._push(desc, io.BytesIO(raw), push_as)
            self.hooks.on_copied(desc)
        else:
            self._copy_blob(desc)

    def _schedule(self, desc: Descriptor) -> Future[None] | None:
        key = self._key(desc)
        with self.lock:
            if key in self.started:
                return self.started[key]
            if mediatype.is_manifest_like(desc.media_type):
                self.started[key] = None
            else:
                fut = self.pool.submit(self._copy_blob_if_missing, desc)
                self.started[key] = fut
                return fut
        self.copy_node(desc)
        return None

    def _copy_blob_if_missing(self, desc: Descriptor) -> None:
        if self._exists(desc):
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
        attempt = 0
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
                if (attempt >= MAX_BLOB_ATTEMPTS or not _transient(e) or self.cancelled.is_set()
                        or isinstance(e, CopyError)):
                    raise
                if self._exists(desc):
                    break
                time.sleep(min(2.0, 0.2 * 2 ** (attempt - 1)))
            finally:
                stream.close()
        self.hooks.on_copied(desc)

    def _fetch_manifest(self, desc: Descriptor) -> bytes:
        try:
            return fetch_all(self.src, desc)
        except OrasError as e:
            raise with_origin(e, "source") from None

    def _exists(self, desc: Descriptor) -> bool:
        if desc.digest in self.opts.known:
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
    *, tag: str | None = None,
) -> None:
    """Copy the graph under ``root`` from ``src`` to ``dst``, children before parents.

    Blobs move concurrently (``options.concurrency``); content the destination already has is
    skipped; every byte is verified by the destination before it becomes visible. ``tag`` names
    the root in the destination as it is pushed.
    """
    copier = _GraphCopier(src, dst, options or CopyOptions())
    try:
        copier.copy_node(root, push_as=tag)
    except BaseException:
        copier.cancelled.set()  # Ctrl-C or a failed blob: stop the others at their next read
        raise
    finally:
        copier.pool.shutdown(wait=True, cancel_futures=True)


def copy(
    src: ReadOnlyTarget,
    src_ref: str,
    dst: Target,
    dst_ref: str = "",
    options: CopyOptions | None = None,
) -> Descriptor:
    """Resolve ``src_ref`` in ``src``, copy its graph to ``dst`` and tag it ``dst_ref``.

    ``dst_ref`` defaults to ``src_ref``. Returns the root descriptor.
    """
    try:
        root = src.resolve(src_ref)
    except OrasError as e:
        raise with_origin(e, "source") from None
    copy_graph(src, dst, root, options, tag=dst_ref or src_ref)
    return root
