"""A content-addressed cache shared by every pull: blobs and manifests stored once by digest.

The cache is an OCI image layout (``ORAS_CACHE=DIR``, as the Go CLI's variable, or ``cache_dir=`` in
the library): blobs live under ``blobs/<alg>/<hex>``, written through a verified temp file and an
atomic rename, and tags a pull has seen are recorded in ``index.json`` as ``registry/repo:tag`` so
that ``offline`` resolution can find them. Several processes may share one cache: writes of the
same content race harmlessly (same bytes, atomic renames) and ``index.json`` changes under the
layout's file lock.

A blob is verified (size and digest) when it enters the cache; a fingerprint of the file
(inode, size, mtime, ctime) is kept beside it in ``orasx-verified/``. A later use trusts the file
only while that fingerprint holds, and hashes it again otherwise (a pulled file hardlinked to the
cache and edited in place changes it), dropping a file that no longer matches.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading

from orasx import mediatype
from orasx._fsutil import atomic_writer
from orasx.content import ReadOnlyTarget, ReferenceFetcher, fetch_all
from orasx.content.oci import OCILayoutStore
from orasx.descriptor import Descriptor
from orasx.digest import Readable, hash_file
from orasx.errors import InvalidDigestError, NotFoundError, OrasError

__all__ = ["CachedTarget", "VerifiedFile", "open_cache"]


class VerifiedFile(io.FileIO):
    """A cached blob opened for reading, known to match its descriptor: a destination may link or
    copy ``verified_path`` instead of reading and hashing the stream again."""

    def __init__(self, path: str) -> None:
        super().__init__(path, "rb")
        self.verified_path = path


def _fingerprint(st: os.stat_result) -> str:
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


class BlobCache:
    """The cache directory: an :class:`OCILayoutStore` plus the verification fingerprints."""

    def __init__(self, root: str) -> None:
        self.layout = OCILayoutStore(root)
        self.root = self.layout.root
        self._lock = threading.Lock()

    def _marker(self, desc: Descriptor) -> str:
        return os.path.join(self.root, "orasx-verified", desc.digest.algorithm,
                            desc.digest.encoded)

    def _path(self, desc: Descriptor) -> str:
        return os.path.join(self.root, "blobs", desc.digest.algorithm, desc.digest.encoded)

    def _mark(self, desc: Descriptor, path: str) -> None:
        marker = self._marker(desc)
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        with atomic_writer(marker) as f:
            f.write(_fingerprint(os.stat(path)).encode())

    def verified_path(self, desc: Descriptor) -> str | None:
        """The path of ``desc``'s blob when the cache holds it intact, else None."""
        path = self._path(desc)
        try:
            st = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            return None
        if st.st_size != desc.size:
            return None
        try:
            with open(self._marker(desc), "rb") as f:
                if f.read(200).decode(errors="replace") == _fingerprint(st):
                    return path
        except FileNotFoundError:
            pass
        digest, size = hash_file(path, desc.digest.algorithm)  # changed since: check it again
        if digest != desc.digest or size != desc.size:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)  # a damaged entry is dropped and fetched again
            return None
        self._mark(desc, path)
        return path

    def add(self, desc: Descriptor, content: Readable) -> str:
        """Store ``content`` (verified while it is written) and return its path."""
        self.layout.push(desc, content)
        path = self._path(desc)
        self._mark(desc, path)
        return path


class CachedTarget:
    """``source`` read through a :class:`BlobCache`: what the cache holds is served from disk
    without a request; what it lacks is fetched once, verified into the cache and served from
    there. ``name`` (``registry/repo``) keys the tags recorded for ``offline`` use; with
    ``offline=True`` nothing is asked of ``source``."""

    def __init__(self, source: ReadOnlyTarget, cache: BlobCache, name: str, *,
                 offline: bool = False) -> None:
        self.source = source
        self.cache = cache
        self.name = name
        self.offline = offline
        #: Blobs and manifests this target had to fetch from the source (cache misses).
        self.fetched: list[Descriptor] = []
        self._lock = threading.Lock()

    # -- ReadOnlyStorage --------------------------------------------------------------------
    def fetch(self, desc: Descriptor) -> Readable:
        path = self.cache.verified_path(desc)
        if path is None:
            if self.offline:
                raise NotFoundError(f"{desc.digest}: not in the cache {self.cache.root} "
                                    "(offline)")
            stream = self.source.fetch(desc)
            try:
                path = self.cache.add(desc, stream)
            finally:
                stream.close()
            with self._lock:
                self.fetched.append(desc)
        return VerifiedFile(path)

    def exists(self, desc: Descriptor) -> bool:
        if self.cache.verified_path(desc) is not None:
            return True
        return not self.offline and self.source.exists(desc)

    # -- ReadOnlyTarget ---------------------------------------------------------------------
    def resolve(self, reference: str) -> Descriptor:
        return self.fetch_reference(reference)[0]

    def fetch_reference(self, reference: str) -> tuple[Descriptor, bytes]:
        """A digest the cache holds is answered from it (the registry may be down); a tag is
        resolved by the source (and recorded), or, offline, from what the cache last saw."""
        is_digest = ":" in reference
        if is_digest or self.offline:
            key = reference if is_digest else f"{self.name}:{reference}"
            try:
                desc = self.cache.layout.resolve(key)
                if self.cache.verified_path(desc) is not None:
                    return desc, fetch_all(self.cache.layout, desc)
            except (NotFoundError, InvalidDigestError):
                pass
            if self.offline:
                raise NotFoundError(f"{self.name}:{reference}: not in the cache "
                                    f"{self.cache.root}: pull it once online")
        if isinstance(self.source, ReferenceFetcher):
            desc, raw = self.source.fetch_reference(reference)
        else:
            desc = self.source.resolve(reference)
            raw = fetch_all(self.source, desc)
        if self.cache.verified_path(desc) is None:
            self.cache.add(desc, io.BytesIO(raw))
        if not is_digest and mediatype.is_manifest_like(desc.media_type):
            with contextlib.suppress(OrasError):
                self.cache.layout.tag(desc, f"{self.name}:{reference}")
        return desc, raw


def open_cache(path: str) -> BlobCache:
    """The cache at ``path`` (created when missing)."""
    return BlobCache(path)
