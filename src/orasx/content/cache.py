"""A content-addressed cache shared by every pull: blobs and manifests stored once by digest.

The cache is an OCI image layout (``ORAS_CACHE=DIR``, as the Go CLI's variable, or ``cache_dir=`` in
the library): blobs live under ``blobs/<alg>/<hex>``, and tags a pull has seen are recorded in
``index.json`` as ``registry/repo:tag`` so that ``offline`` resolution can find them. Several
processes and users may share one cache.

Trust (docs/security.md has the whole model): nothing on disk is believed because of where it is.

- Every byte served from the cache is hashed as it is read, against the digest that was asked for;
  a mismatch raises before the last bytes are returned, the entry is dropped, and the copy fetches
  it again from the source. A blob is opened without following a link, checked as the object
  opened (``fstat``: a regular file of the right size), never by a path checked before.
- A new entry is written into an anonymous file (``O_TMPFILE``, where the system has it) while the
  consumer reads it, and linked into place only once its digest verified: an interrupted pull
  leaves nothing behind.
- What is not re-hashed is only what this user verified itself and recorded in
  ``orasx-verified/<uid>/``, a directory only this user can write: the fingerprint (device,
  inode, size, mtime, ctime, from ``fstat`` of the file it hashed) of each file it placed. Snapshots
  use these records to trust the files they already hold.
- Reading a cache never needs write access to it; a cache that cannot take a new blob is bypassed
  with one warning.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import logging
import os
import stat
import tempfile
import threading
from typing import IO

from orasx import mediatype
from orasx.content import ReadOnlyTarget, ReferenceFetcher, fetch_all
from orasx.content._entries import _CachedBlob, _Filling, _NewEntry, blob_key
from orasx.content._trust import TrustRecords, current_uid
from orasx.content.oci import OCILayoutStore
from orasx.descriptor import Descriptor
from orasx.digest import CHUNK_SIZE, Digest, Readable, VerifyingReader, parse_digest, write_verified
from orasx.errors import InvalidDigestError, NotFoundError, OrasError, VerificationError
from orasx.manifest import MAX_MANIFEST_BYTES, detect_media_type

__all__ = ["BlobCache", "CachedTarget", "TrustRecords", "blob_key", "current_uid", "open_cache"]

log = logging.getLogger(__name__)

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted as a blob must not block the open
#: A placeholder digest for an entry whose digest is known only once it is written.
_PENDING = Digest("sha256", "0" * 64)
_NOT_WRITABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


class BlobCache:
    """The cache directory: an :class:`OCILayoutStore` plus this user's trust records."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.trust = TrustRecords(self.root)
        self._lock = threading.Lock()
        #: Entries found damaged in this process that could not be removed: bypassed.
        self._bad: set[Digest] = set()
        self._warned = False
        self.layout: OCILayoutStore | None = None
        try:
            self.layout = OCILayoutStore(self.root)
        except OSError as e:
            if e.errno in (errno.EEXIST, errno.ENOTDIR):  # a file where a directory must be
                raise NotADirectoryError(errno.ENOTDIR, "not a directory",
                                         _not_a_directory(self.root)) from None
            if e.errno not in _NOT_WRITABLE:
                raise
            with contextlib.suppress(NotFoundError):  # read-only: read what is there
                self.layout = OCILayoutStore(self.root, create=False)
            self.warn(f"cache {self.root} is not writable ({e.strerror}): "
                      "pulling without storing into it")

    def warn(self, message: str) -> None:
        """Log ``message`` as a warning, once per cache (the CLI prints it as one line)."""
        with self._lock:
            if self._warned:
                return
            self._warned = True
        log.warning("%s", message)

    def path(self, digest: Digest) -> str:
        return os.path.join(self.root, "blobs", digest.algorithm, digest.encoded)

    # -- reading ----------------------------------------------------------------------------
    def open_blob(self, desc: Descriptor, *,
                  any_size: bool = False) -> tuple[int, os.stat_result] | None:
        """An open descriptor of ``desc``'s entry and its ``fstat`` when the cache holds a regular
        file of the right size there (any size with ``any_size``; not yet hashed); else None,
        the wrong entry dropped."""
        if self.layout is None or desc.digest in self._bad:
            return None
        path = self.path(desc.digest)
        for parent in (os.path.dirname(os.path.dirname(path)), os.path.dirname(path)):
            try:
                if not stat.S_ISDIR(os.lstat(parent).st_mode):  # a link where blobs/ should be
                    self._bad.add(desc.digest)
                    return None
            except FileNotFoundError:
                return None
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError:  # a symlink (ELOOP), or unreadable
            self.drop(desc, None)
            return None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (st.st_size != desc.size and not any_size):
            os.close(fd)
            self.drop(desc, st)
            return None
        return fd, st

    def drop(self, desc: Descriptor, st: os.stat_result | None) -> None:
        """Remove ``desc``'s entry if it is still the object ``st`` describes (any non-regular
        file when None); an entry that cannot be removed is bypassed for the rest of the run."""
        path = self.path(desc.digest)
        try:
            now = os.lstat(path)
            same = (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino) if st is not None \
                else not stat.S_ISREG(now.st_mode)
            if same:
                os.unlink(path)
                log.debug("dropped the damaged cache entry %s", path)
                return
        except FileNotFoundError:
            return
        except OSError:
            pass
        self._bad.add(desc.digest)

    def read_small(self, desc: Descriptor) -> bytes | None:
        """A manifest or config from the cache, hashed against ``desc`` (None when the cache
        does not hold it intact)."""
        opened = self.open_blob(desc)
        if opened is None:
            return None
        fd, st = opened
        with io.FileIO(fd, "rb") as f:
            raw = f.read(MAX_MANIFEST_BYTES + 1)
        if Digest.from_bytes(raw, desc.digest.algorithm) != desc.digest or len(raw) != desc.size:
            self.drop(desc, st)
            return None
        return raw

    # -- writing ----------------------------------------------------------------------------
    def new_entry(self, desc: Descriptor) -> _NewEntry | None:
        """A new entry for ``desc`` to write into (None when the cache cannot take it)."""
        if self.layout is None or desc.digest in self._bad:
            return None
        directory = os.path.dirname(self.path(desc.digest))
        try:
            os.makedirs(directory, exist_ok=True)
            if os.path.islink(directory):
                return None
            return _NewEntry(self, desc, directory)
        except OSError as e:
            self.warn(f"cache {self.root} cannot take new content ({e.strerror}): "
                      "pulling without storing into it")
            return None

    def add_stream(self, stream: Readable, size: int) -> Digest:
        """Hash ``size`` bytes of ``stream`` (sha256) and keep them under that digest (the
        members of a directory layer: content-addressed as every entry); nothing is kept when
        the cache cannot take them. Returns the digest."""
        h = hashlib.sha256()
        entry = self.new_entry(Descriptor(mediatype.DEFAULT_FILE, _PENDING, 0))
        try:
            got = 0
            while got < size and (data := stream.read(min(CHUNK_SIZE, size - got))):
                h.update(data)
                got += len(data)
                if entry is not None:
                    try:
                        entry.write(data)
                    except OSError as e:
                        entry.abort()
                        entry = None
                        self.warn(f"cache {self.root} cannot take new content ({e.strerror})")
            if got != size:
                raise VerificationError(f"a member ended after {got} of {size} bytes")
            digest = Digest.from_hasher(h)
            if entry is not None:
                entry.desc = Descriptor(mediatype.DEFAULT_FILE, digest, size)
                with contextlib.suppress(OSError):
                    entry.commit()
            return digest
        finally:
            if entry is not None:
                entry.abort()

    def add_bytes(self, desc: Descriptor, raw: bytes) -> None:
        """Store ``raw`` (already verified against ``desc``) unless the cache holds it."""
        if self.read_small(desc) is not None:
            return
        entry = self.new_entry(desc)
        if entry is not None:
            try:
                entry.write(raw)
                entry.commit()
            finally:
                entry.abort()


class CachedTarget:
    """``source`` read through a :class:`BlobCache`: what the cache holds is served from disk
    without a request (hashed as it is read); what it lacks is fetched once, written into the
    cache as it streams and placed there once verified. ``name`` (``registry/repo``) keys the
    tags recorded for ``offline`` use; with ``offline=True`` nothing is asked of ``source``."""

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
        opened = self.cache.open_blob(desc)
        if opened is not None:
            return _CachedBlob(self.cache, desc, *opened)
        if self.offline:
            raise NotFoundError(f"{desc.digest}: not in the cache {self.cache.root} (offline)")
        stream = self.source.fetch(desc)
        with self._lock:
            self.fetched.append(desc)
        try:
            entry = self.cache.new_entry(desc)
        except BaseException:
            stream.close()
            raise
        return _Filling(stream, desc, entry)

    def open_file(self, desc: Descriptor) -> IO[bytes]:
        """A seekable file of ``desc``'s bytes, hashed once before it is returned: the cache
        entry itself when it is this user's (or root's) own, read-only file, else a private
        temporary copy made while hashing (another user could change their file later)."""
        for attempt in (1, 2):
            stream = self.fetch(desc)
            try:
                while stream.read(CHUNK_SIZE):
                    pass
            except VerificationError:
                if attempt == 2 or self.offline:
                    raise
                continue
            finally:
                stream.close()
            opened = self.cache.open_blob(desc)
            if opened is None:  # a cache that could not take it: a private verified copy
                return self._private_copy(desc)
            fd, st = opened
            if st.st_uid in (0, current_uid()) and not st.st_mode & 0o222:
                with io.FileIO(fd, "rb", closefd=False) as check:
                    try:
                        reader = VerifyingReader(check, desc.digest, desc.size)
                        while reader.read(CHUNK_SIZE):
                            pass
                    except VerificationError:
                        os.close(fd)
                        self.cache.drop(desc, st)
                        continue
                os.lseek(fd, 0, os.SEEK_SET)
                return open(fd, "rb", closefd=True)
            os.close(fd)
            return self._private_copy(desc)
        raise VerificationError(f"{desc.digest}: the cache entry changed while it was read")

    def _private_copy(self, desc: Descriptor) -> IO[bytes]:
        spool = tempfile.TemporaryFile()
        stream = self.fetch(desc)
        try:
            write_verified(stream, desc.digest, desc.size, spool)
        except BaseException:
            spool.close()
            raise
        finally:
            stream.close()
        spool.seek(0)
        return spool

    def keep_config(self, config: Descriptor) -> None:
        """Store a manifest's config in the cache too (a pull does not read it), so that every
        manifest the cache holds has its config: ``skopeo`` and ``umoci`` read it from the layout.
        Inline ``data`` and the empty ``{}`` cost nothing; another config costs one small fetch
        (none offline). Never fatal: the pull does not need it."""
        cache = self.cache
        if cache.layout is None or config.size > MAX_MANIFEST_BYTES:
            return
        opened = cache.open_blob(config)
        if opened is not None:
            os.close(opened[0])
            return
        raw = config.data if config.data is not None else (b"{}" if config.size == 2 else None)
        if raw is not None and (len(raw) != config.size or
                                Digest.from_bytes(raw, config.digest.algorithm) != config.digest):
            raw = None
        if raw is None:
            if self.offline:
                return
            try:
                raw = fetch_all(self.source, config)  # verified against the descriptor
            except OrasError as e:
                log.debug("cache: config %s not stored: %s", config.digest, e)
                return
        cache.add_bytes(config, raw)

    def exists(self, desc: Descriptor) -> bool:
        opened = self.cache.open_blob(desc)
        if opened is not None:
            os.close(opened[0])
            return True
        return not self.offline and self.source.exists(desc)

    # -- ReadOnlyTarget ---------------------------------------------------------------------
    def resolve(self, reference: str) -> Descriptor:
        return self.fetch_reference(reference)[0]

    def _from_cache(self, reference: str, is_digest: bool) -> tuple[Descriptor, bytes] | None:
        layout = self.cache.layout
        if layout is None:
            return None
        try:
            if is_digest:  # by digest alone: no index.json entry is asked what it names
                digest = parse_digest(reference)
                opened = self.cache.open_blob(Descriptor(mediatype.OCI_MANIFEST, digest, 0),
                                              any_size=True)
                if opened is None:
                    return None
                os.close(opened[0])
                desc = Descriptor(mediatype.OCI_MANIFEST, digest, opened[1].st_size)
            else:
                desc = layout.resolve(f"{self.name}:{reference}")
        except (NotFoundError, InvalidDigestError, OSError):
            return None
        raw = self.cache.read_small(desc)
        if raw is None:
            return None
        if is_digest:
            desc = Descriptor(detect_media_type(raw), desc.digest, desc.size)
        return desc, raw

    def fetch_reference(self, reference: str) -> tuple[Descriptor, bytes]:
        """A digest the cache holds is answered from it (the registry may be down); a tag is
        resolved by the source (and recorded), or, offline, from what the cache last saw."""
        is_digest = ":" in reference
        if is_digest or self.offline:
            found = self._from_cache(reference, is_digest)
            if found is not None:
                return found
            if self.offline:
                raise NotFoundError(f"{self.name}:{reference}: not in the cache "
                                    f"{self.cache.root}: pull it once online")
        if isinstance(self.source, ReferenceFetcher):
            desc, raw = self.source.fetch_reference(reference)
        else:
            desc = self.source.resolve(reference)
            raw = fetch_all(self.source, desc)
        if is_digest and str(desc.digest) != reference:
            raise VerificationError(f"{reference}: the source answered with {desc.digest}")
        if Digest.from_bytes(raw, desc.digest.algorithm) != desc.digest or len(raw) != desc.size:
            raise VerificationError(f"{self.name}@{desc.digest}: content does not match its "
                                    "digest")
        self.cache.add_bytes(desc, raw)
        layout = self.cache.layout
        if not is_digest and layout is not None and mediatype.is_manifest_like(desc.media_type):
            try:
                layout.tag(desc, f"{self.name}:{reference}")
            except OrasError as e:  # the tag is a convenience for offline use: never fatal
                log.debug("cache: tag %s:%s not recorded: %s", self.name, reference, e)
            except OSError as e:
                if e.errno not in _NOT_WRITABLE:
                    raise
        return desc, raw


def _not_a_directory(path: str) -> str:
    """The first existing part of ``path`` (from the top down) that is not a directory: the one
    in the way of creating it (what ``mkdir -p`` reports)."""
    parts = []
    head = path
    while head and head != os.path.dirname(head):
        parts.append(head)
        head = os.path.dirname(head)
    for p in reversed(parts):
        if os.path.lexists(p) and not os.path.isdir(p):
            return p
    return path


def open_cache(path: str) -> BlobCache:
    """The cache at ``path`` (created when missing and possible)."""
    return BlobCache(path)
