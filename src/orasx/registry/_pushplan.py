"""How a push to a registry plans around what the repository holds (:class:`RegistryPushPlan`).

While the files are hashed, up to three requests ask the repository what it holds: the manifest
the tag points at now, whether the repository is new (its tag list is not found), and the
manifest of another tag it has. A registry holds every blob a manifest in the repository names,
so those blobs need no existence check (one GET instead of a HEAD per blob), and a new
repository needs none at all. On a first push, a big file is read once: hashed while it uploads
(:func:`~orasx.registry._streams.push_stream`), and the config goes out beside the first such
file instead of two round trips after it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from orasx import mediatype
from orasx.content import (
    PENDING_DIGEST,
    DestinationFacts,
    ReferenceFetcher,
    StreamPusher,
    TagLister,
    UploadWatcher,
    _digestcache,
)
from orasx.descriptor import TITLE, Descriptor
from orasx.digest import Digest
from orasx.errors import NotFoundError, OrasError, with_origin
from orasx.manifest import Manifest, parse_manifest

if TYPE_CHECKING:
    from concurrent.futures import Future

#: Files at least this big are, on a first push to a registry, hashed while they are uploaded
#: (read once) instead of hashed first and uploaded after.
UPLOAD_HASHING_MIN = 16 * 1024 * 1024


class Repository(ReferenceFetcher, TagLister, StreamPusher, Protocol):
    """What a plan asks of the repository (:class:`~orasx.registry.remote.Repository`)."""

    def exists(self, desc: Descriptor) -> bool: ...


class RegistryPushPlan:
    """A :class:`~orasx.content.PushPlan` for one push to a registry repository."""

    def __init__(self, repository: Repository, reference: str,
                 watch: UploadWatcher | None = None) -> None:
        self._repository = repository
        self._watch = watch
        from concurrent.futures import ThreadPoolExecutor  # (only a push needs threads here)

        probe = ThreadPoolExecutor(max_workers=3)
        self._held = probe.submit(_blobs_under_tag, repository, reference)
        self._probe = probe.submit(_repository_probe, repository)
        self._held_elsewhere = probe.submit(_blobs_under_another_tag, repository, reference,
                                            self._probe)
        probe.shutdown(wait=False)
        self._lock = threading.Lock()
        self._uploaded: set[Digest] = set()
        self._missing: set[Digest] = set()
        self._start: Callable[[], None] | None = None
        self._beside: Future[None] | None = None

    def __enter__(self) -> RegistryPushPlan:
        return self

    def __exit__(self, *exc: object) -> None:
        future = self._beside
        if future is not None:
            with contextlib.suppress(BaseException):  # its failure is raised by started_beside()
                future.result()

    @property
    def new_repository(self) -> bool:
        """Is the repository new (it holds no blob: no existence check is needed)?"""
        return self._probe.result()[0]

    def upload(self, path: str, title: str, media_type: str) -> Descriptor | None:
        """A file at least :data:`UPLOAD_HASHING_MIN` bytes whose digest is not remembered (a
        remembered one is checked for existence first, as always) goes out now, hashed as it is
        sent, when the repository is new or the digest cache is on (a file it never saw is most
        likely new content). The registry checks the digest of what it received; a file that
        changes while it is sent fails."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or st.st_size < UPLOAD_HASHING_MIN:
            return None
        if _digestcache.lookup(st) is not None:
            return None
        if not _digestcache.enabled() and not self.new_repository:
            return None
        media_type = media_type or mediatype.DEFAULT_FILE
        self._begin_beside()
        pending = Descriptor(media_type, PENDING_DIGEST, st.st_size, annotations={TITLE: title})
        with open(path, "rb") as raw:
            stream = self._watch(pending, raw) if self._watch is not None else raw
            desc = self._repository.push_stream(media_type, stream, {TITLE: title})
        _digestcache.remember(st, desc.digest)
        with self._lock:
            self._uploaded.add(desc.digest)
        return desc

    def beside_first_upload(self, start: Callable[[], None]) -> None:
        self._start = start

    def _begin_beside(self) -> None:
        with self._lock:
            if self._start is None or self._beside is not None:
                return
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(max_workers=1)
            self._beside = pool.submit(self._start)
            pool.shutdown(wait=False)

    def started_beside(self) -> bool:
        future = self._beside
        if future is None:
            return False
        future.result()
        return True

    def holds(self, desc: Descriptor) -> bool:
        """The first question of a push to an existing repository, as oras-go's (so a registry
        that cannot be reached or refuses the credentials fails here, with Go's words); a new
        repository holds nothing."""
        if self.new_repository:
            return False
        try:
            found = self._repository.exists(desc)
        except OrasError as e:
            raise with_origin(e, "destination") from None
        if not found:
            with self._lock:
                self._missing.add(desc.digest)
        return found

    def facts(self, present: frozenset[Digest] = frozenset()) -> DestinationFacts:
        with self._lock:
            sent, missing = frozenset(self._uploaded), frozenset(self._missing)
        return DestinationFacts(
            present=present | self._held.result() | self._held_elsewhere.result(),
            sent=sent, missing=missing, empty=self.new_repository)


def _repository_probe(repository: Repository) -> tuple[bool, str]:
    """Is the repository new (the registry says its tag list is not found), and one tag it has
    (``""`` when none or unknown)?"""
    try:
        first = next(iter(repository.tags(page_size=1)), None)
    except NotFoundError:
        return True, ""
    except OrasError:
        return False, ""
    return False, first or ""


def _blobs_under_another_tag(repository: Repository, ref: str,
                             probe: Future[tuple[bool, str]]) -> frozenset[Digest]:
    """Blobs of the manifest of the tag the repository probe found (when it is not ``ref``,
    whose own are asked for already): a push of a new tag of the same files (a release after
    a release) then needs no existence check for them."""
    _, tag = probe.result()
    if not tag or tag == ref:
        return frozenset()
    return _blobs_under_tag(repository, tag)


def _blobs_under_tag(repository: Repository, ref: str) -> frozenset[Digest]:
    """Blobs of the manifest the tag points at now (none for a digest or no reference)."""
    if not ref or ":" in ref:
        return frozenset()
    try:
        desc, raw = repository.fetch_reference(ref)
        node = parse_manifest(desc.media_type, raw)
    except OrasError:
        return frozenset()
    if not isinstance(node, Manifest):
        return frozenset()
    return frozenset([node.config.digest, *(layer.digest for layer in node.layers)])
