"""An OCI image layout directory (``oci-layout``, ``index.json``, ``blobs/<alg>/<hex>``) as a store.

Safe for concurrent writers, processes and threads alike: every read-modify-write of ``index.json``
(tag, untag, delete, pushing a manifest, creating the layout) runs under an exclusive ``flock`` on the
layout's ``ingest/`` directory (the directory oras-go keeps for uploads, empty at rest: the lock leaves
no file behind, so the tree is the one the Go CLI writes) plus a per-process thread lock for it,
re-reads ``index.json`` under the lock and replaces it atomically (temp file + rename), so readers
never need the lock and never see a torn file. Where a directory cannot be locked (NFS emulates
``flock`` with POSIX locks, which need a file open for writing), ``ingest/.orasx.lock`` is locked
instead. Blobs are content-addressed and written temp file + rename outside the lock; two writers of
one blob both succeed. Other tools that write the same layout do not take our lock.

``index.json`` holds what oras-go's store writes (a new layout starts with an empty one): each
manifest pushed or tagged is listed with its descriptor as given (its annotations and artifact type
too), ``org.opencontainers.image.ref.name`` added for a tag; a manifest a tag moves away from, or
that is untagged, stays listed without a name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
import threading
from collections.abc import Callable
from typing import Any

from orasx import mediatype
from orasx._fsutil import atomic_writer, check_free_space, read_capped, umask_mode
from orasx._json import load_object
from orasx.content import Readable
from orasx.content._lock import exclusive
from orasx.descriptor import Descriptor, canonical_json
from orasx.digest import CHUNK_SIZE, Digest, parse_digest, write_verified
from orasx.errors import (
    InvalidDigestError,
    InvalidManifestError,
    NotFoundError,
    Reason,
    VerificationError,
)
from orasx.manifest import (
    MAX_MANIFEST_BYTES,
    Index,
    detect_media_type,
    parse_manifest,
    referrer_entry,
)
from orasx.reference import LayoutReference as LayoutReference  # re-exported

REF_NAME = "org.opencontainers.image.ref.name"
_LAYOUT = b'{"imageLayoutVersion":"1.0.0"}'

_Entries = list[dict[str, Any]]

class OCILayoutStore:
    """Read and write an OCI image layout directory; tags live in ``index.json``."""

    def __init__(self, root: str, *, create: bool = True) -> None:
        self.root = os.path.abspath(root)
        self._index_path = os.path.join(self.root, "index.json")
        self._lock = threading.Lock()  # guards the cached parse of index.json below
        self._index_raw: bytes | None = None  # index.json as last read (None: no such file) ...
        self._index: _Entries = []  # ... and its entries
        #: referrers by subject, for the index.json bytes they were found under
        self._referrers: tuple[bytes | None, dict[Digest, list[Descriptor]]] | None = None
        layout = os.path.join(self.root, "oci-layout")
        if not os.path.exists(layout):
            if not create:
                raise NotFoundError(f"{root}: not an OCI image layout (no oci-layout file)")
            os.makedirs(self.root, exist_ok=True)
            with exclusive(self.root):  # many processes may create one layout at once
                if not os.path.exists(layout):
                    # an empty index.json first, as oras-go writes one (oci-layout marks it done)
                    self._update_index_locked(
                        lambda entries: None if os.path.exists(self._index_path) else [])
                    with atomic_writer(layout) as f:
                        f.write(_LAYOUT)
        self._entries()  # validate index.json up front

    # -- index.json -------------------------------------------------------------------------
    def _entries(self) -> _Entries:
        """The entries of ``index.json`` as it is on disk now (parsed again only if it changed).

        No lock needed: writers replace the file atomically. The list is shared; never mutate it.
        """
        raw: bytes | None
        try:
            raw = read_capped(self._index_path, MAX_MANIFEST_BYTES)
        except FileNotFoundError:
            raw = None  # a new layout: no tags yet
        with self._lock:
            if raw == self._index_raw:
                return self._index
        entries = [] if raw is None else self._parse_index(raw)
        with self._lock:
            self._index_raw, self._index = raw, entries
        return entries

    def _parse_index(self, raw: bytes) -> _Entries:
        path = self._index_path
        doc = load_object(raw, path, InvalidManifestError)
        manifests = doc.get("manifests")
        if not isinstance(manifests, list):
            raise InvalidManifestError(f"{path}: has no 'manifests' list")
        for m in manifests:
            Descriptor.from_dict(m)  # validate every entry up front
        return manifests

    def _update_index(self, change: Callable[[_Entries], _Entries | None]) -> None:
        """Read-modify-write ``index.json`` under the layout's lock.

        ``change`` gets the entries as they are on disk now and returns the new list (a new object)
        or ``None`` for no change; it runs under the lock, so it may also check blobs.
        """
        with exclusive(self.root):
            self._update_index_locked(change)

    def _update_index_locked(self, change: Callable[[_Entries], _Entries | None]) -> None:
        new = change(self._entries())
        if new is None:
            return
        doc = {"schemaVersion": 2, "mediaType": mediatype.OCI_INDEX, "manifests": new}
        raw = canonical_json(doc)
        with atomic_writer(self._index_path, mode=umask_mode()) as f:
            f.write(raw)
        with self._lock:
            self._index_raw, self._index = raw, new

    # -- blobs ------------------------------------------------------------------------------
    def _blob_path(self, desc: Descriptor) -> str:
        return os.path.join(self.root, "blobs", desc.digest.algorithm, desc.digest.encoded)

    def fetch(self, desc: Descriptor) -> Readable:
        path = self._blob_path(desc)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            raise NotFoundError(f"{desc.digest}: not found in OCI layout {self.root}",
                                reason=Reason.NOT_IN_STORE, path=self.root) from None
        if not stat.S_ISREG(st.st_mode):
            raise InvalidManifestError(
                f"{path}: blob is not a regular file (symlinks are refused in layouts)"
            )
        return open(path, "rb", buffering=0)

    def blob_descriptor(self, digest: Digest) -> Descriptor:
        """Describe a blob known only by its digest (its size on disk)."""
        probe = Descriptor("application/octet-stream", digest, 0)
        if not self.exists(probe):
            raise NotFoundError(f"{digest}: blob not found in {self.root}", reason=Reason.NOT_IN_STORE)
        return Descriptor(probe.media_type, digest, os.path.getsize(self._blob_path(probe)))

    def exists(self, desc: Descriptor) -> bool:
        try:
            return stat.S_ISREG(os.lstat(self._blob_path(desc)).st_mode)
        except FileNotFoundError:
            return False

    def push(self, desc: Descriptor, content: Readable) -> None:
        path = self._blob_path(desc)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if not self.exists(desc):
            check_free_space(path, desc.size, str(desc.digest))
            with atomic_writer(path, mode=umask_mode(0o444)) as f:
                write_verified(content, desc.digest, desc.size, f)
        if mediatype.is_manifest_like(desc.media_type):
            entry = _strip_ref(desc).to_dict()  # as given: oras-go lists its annotations too

            def add(index: _Entries) -> _Entries | None:
                if any(m.get("digest") == str(desc.digest) for m in index):
                    return None
                if not self.exists(desc):  # a concurrent delete won: list no missing manifest
                    raise NotFoundError(f"{desc.digest}: deleted from OCI layout {self.root} "
                                        "while being pushed", path=self.root)
                return [*index, entry]

            self._update_index(add)

    def push_stream(self, media_type: str, stream: Readable,
                    annotations: dict[str, str] | None = None) -> Descriptor:
        """Store a stream of unknown length as a blob: written to a temp file while it is hashed,
        renamed to its digest's path when it ends."""
        blobs = os.path.join(self.root, "blobs", "sha256")
        os.makedirs(blobs, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=blobs, prefix=".orasx-", suffix=".tmp")
        try:
            hasher = hashlib.sha256()
            size = 0
            with os.fdopen(fd, "wb") as f:
                while data := stream.read(CHUNK_SIZE):
                    hasher.update(data)
                    f.write(data)
                    size += len(data)
            digest = Digest.from_hasher(hasher)
            os.chmod(tmp, umask_mode(0o444))
            os.replace(tmp, os.path.join(blobs, digest.encoded))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return Descriptor(media_type, digest, size, annotations=dict(annotations or {}))

    # -- references -------------------------------------------------------------------------
    def resolve(self, reference: str) -> Descriptor:
        """A tag by its ``ref.name`` entry (as ``index.json`` lists it, annotations included); a
        digest by digest alone (an entry named like a digest is never taken for it), as a plain
        descriptor (media type, digest, size), as oras-go's layout resolves them."""
        index = self._entries()
        digest = None
        if reference.startswith(("sha256:", "sha512:")):
            # no digest: a name, as oras-go's layout looks it up (and finds nothing)
            with contextlib.suppress(InvalidDigestError):
                digest = parse_digest(reference)
        if digest is None:  # a tag, or a name with a ':'
            for m in index:
                if (m.get("annotations") or {}).get(REF_NAME) == reference:
                    return Descriptor.from_dict(m)  # the entry as listed, as oras-go's store
        else:
            for m in index:
                if m.get("digest") == reference:  # oras-go: a plain descriptor for a digest
                    entry = Descriptor.from_dict(m)
                    return Descriptor(entry.media_type, entry.digest, entry.size)
            probe = Descriptor(mediatype.OCI_MANIFEST, digest, 0)
            path = self._blob_path(probe)
            if self.exists(probe):
                raw = read_capped(path, MAX_MANIFEST_BYTES)
                try:
                    media_type = detect_media_type(raw)
                except InvalidManifestError:  # a blob, as oras-go's layout resolves one
                    media_type = "application/octet-stream"
                found = Descriptor(media_type, Digest.from_bytes(raw, digest.algorithm), len(raw))
                if found.digest != digest:
                    raise VerificationError(f"{path}: holds content of digest {found.digest}, not "
                                            f"{digest}: the layout is damaged")
                return found
        raise NotFoundError(f"{reference}: not found in OCI layout {self.root}",
                            reason=Reason.NOT_IN_STORE, path=self.root)

    def tag(self, desc: Descriptor, reference: str) -> None:
        missing = NotFoundError(f"{desc.digest}: cannot tag content the layout does not hold")
        if not self.exists(desc):
            raise missing
        # the descriptor as given, its annotations too, named (as oras-go's store writes it)
        entry = desc.with_annotations({**desc.annotations, REF_NAME: reference}).to_dict()

        def retag(index: _Entries) -> _Entries | None:
            if not self.exists(desc):  # again under the lock: a delete may have come first
                raise missing
            kept = []
            moved = []
            for m in index:
                ann = m.get("annotations") or {}
                if ann.get(REF_NAME) == reference:
                    moved.append(m)
                    continue
                if m.get("digest") == str(desc.digest) and REF_NAME not in ann:
                    continue  # the untagged entry is replaced by the tagged one
                kept.append(m)
            kept.append(entry)
            kept.extend(_unnamed(moved, kept))
            return None if kept == index else kept

        self._update_index(retag)

    def tags(self, *, last: str = "", page_size: int = 0) -> list[str]:
        """Tags in ``index.json``, sorted; only those after ``last`` when it is given."""
        names = {(m.get("annotations") or {}).get(REF_NAME) for m in self._entries()}
        return sorted(n for n in names if isinstance(n, str) and n and (not last or n > last))

    def untag(self, reference: str) -> None:
        def drop(index: _Entries) -> _Entries | None:
            kept = [m for m in index if (m.get("annotations") or {}).get(REF_NAME) != reference]
            if len(kept) == len(index):
                return None
            removed = [m for m in index if (m.get("annotations") or {}).get(REF_NAME) == reference]
            return [*kept, *_unnamed(removed, kept)]

        self._update_index(drop)

    def delete(self, desc: Descriptor) -> None:
        """Remove a blob or manifest (and its ``index.json`` entries)."""
        missing = NotFoundError(f"{desc.digest}: not found in OCI layout {self.root}",
                                reason=Reason.NOT_IN_STORE, path=self.root)
        if not self.exists(desc):
            raise missing

        def drop(index: _Entries) -> _Entries | None:
            if not self.exists(desc):  # again under the lock: another delete may have come first
                raise missing
            kept = [m for m in index if m.get("digest") != str(desc.digest)]
            return None if len(kept) == len(index) else kept

        with exclusive(self.root):
            # The index entries go first: a crash in between leaves an unreferenced blob, never a
            # tag that points at nothing.
            self._update_index_locked(drop)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._blob_path(desc))

    def manifests(self) -> list[Descriptor]:
        """Every manifest reachable from ``index.json`` (children of indexes included)."""
        seen: dict[str, Descriptor] = {}
        todo = [_strip_ref(Descriptor.from_dict(m)) for m in self._entries()]
        while todo:
            d = todo.pop()
            if str(d.digest) in seen or not mediatype.is_manifest_like(d.media_type):
                continue
            seen[str(d.digest)] = d
            if mediatype.is_index(d.media_type) and self.exists(d):
                raw = read_capped(self._blob_path(d), MAX_MANIFEST_BYTES)
                node = parse_manifest(d.media_type, raw)
                if isinstance(node, Index):
                    todo.extend(node.manifests)
        return list(seen.values())

    def referrers(self, desc: Descriptor, artifact_type: str = "") -> list[Descriptor]:
        """Manifests in the layout whose ``subject`` is ``desc``."""
        return [e for e in self._referrers_by_subject().get(desc.digest, [])
                if not artifact_type or e.artifact_type == artifact_type]

    def _referrers_by_subject(self) -> dict[Digest, list[Descriptor]]:
        """Every manifest with a subject, by subject: read once per state of ``index.json`` (a
        restore asks for the referrers of each tag, twice)."""
        self._entries()
        with self._lock:
            key, cached = self._index_raw, self._referrers
        if cached is not None and cached[0] == key:
            return cached[1]
        found: dict[Digest, list[Descriptor]] = {}
        for d in self.manifests():
            if not self.exists(d):
                continue
            raw = read_capped(self._blob_path(d), MAX_MANIFEST_BYTES)
            node = parse_manifest(d.media_type, raw)
            if node.subject is not None:
                found.setdefault(node.subject.digest, []).append(referrer_entry(d, raw))
        with self._lock:
            self._referrers = (key, found)
        return found

    @classmethod
    def from_tar(cls, tar_path: str, into: str) -> OCILayoutStore:
        """Open a layout packed as a tar file, unpacked into the empty directory ``into``.

        Only ``oci-layout``, ``index.json`` and ``blobs/<alg>/<hex>`` regular files are taken.
        """
        import tarfile

        allowed = re.compile(r"(?:\./)?(oci-layout|index\.json|blobs/sha(?:256|512)/[a-f0-9]{64,128})")
        try:
            with tarfile.open(tar_path, "r:*") as tar:
                for member in tar:
                    m = allowed.fullmatch(member.name)
                    if not m or not member.isreg():
                        continue
                    dest = os.path.join(into, *m.group(1).split("/"))
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    src = tar.extractfile(member)
                    assert src is not None
                    with open(dest, "wb") as f:
                        while data := src.read(CHUNK_SIZE):
                            f.write(data)
        except tarfile.TarError as e:
            raise InvalidManifestError(f"{tar_path}: not a readable OCI layout tar: {e}") from None
        return cls(into, create=False)


def _unnamed(entries: _Entries, others: _Entries) -> _Entries:
    """``entries`` whose tag went away, without their name, for the manifests ``others`` do not
    list (oras-go keeps listing a manifest it holds when its last tag moves or is removed)."""
    listed = {m.get("digest") for m in others}
    out: _Entries = []
    for m in entries:
        if m.get("digest") in listed:
            continue
        listed.add(m.get("digest"))
        out.append(_strip_ref(Descriptor.from_dict(m)).to_dict())
    return out


def _strip_ref(desc: Descriptor) -> Descriptor:
    ann = {k: v for k, v in desc.annotations.items() if k != REF_NAME}
    return desc.with_annotations(ann)
