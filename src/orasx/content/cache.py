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
import io
import logging
import os
import secrets
import stat
import sys
import tempfile
import threading
from collections.abc import Iterable
from typing import IO

from orasx import mediatype
from orasx._fsutil import umask_mode
from orasx.content import ReadOnlyTarget, ReferenceFetcher, fetch_all
from orasx.content._digestcache import fingerprint
from orasx.content.oci import OCILayoutStore
from orasx.descriptor import Descriptor
from orasx.digest import CHUNK_SIZE, Digest, Readable, VerifyingReader, parse_digest, write_verified
from orasx.errors import InvalidDigestError, NotFoundError, OrasError, VerificationError
from orasx.manifest import MAX_MANIFEST_BYTES, detect_media_type

__all__ = ["BlobCache", "CachedTarget", "TrustRecords", "current_uid", "open_cache"]

log = logging.getLogger(__name__)

TRUST_DIR = "orasx-verified"
#: Fingerprints kept per record (a blob and the snapshot copies of it).
MAX_FINGERPRINTS = 16
#: The most of a record read (a snapshot's unpacked directory lists each of its files).
MAX_RECORD_BYTES = 16 << 20

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted as a blob must not block the open
_TMPFILE = getattr(os, "O_TMPFILE", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NOT_WRITABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def current_uid() -> int:
    """This process's effective user id (0 where the platform has none)."""
    if sys.platform == "win32":
        return 0
    return os.geteuid()


def _private_dir(path: str, *, create: bool) -> int | None:
    """A descriptor of the directory ``path`` when it is this user's own and nobody else can
    write it (opened without following a link); None when it is missing or anyone else's."""
    if create:
        with contextlib.suppress(OSError):
            os.makedirs(path, mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
    except OSError:
        return None
    st = os.fstat(fd)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != current_uid() or st.st_mode & 0o022:
        os.close(fd)
        return None
    return fd


class TrustRecords:
    """Fingerprints of files this user hashed itself, kept in ``<cache>/orasx-verified/<uid>/``.

    The directory is used only when it is owned by this user and writable by no one else: then
    every record in it was written by this user (or root). A record binds a key (a digest) to the
    exact objects verified: a file whose ``fstat`` fingerprint is in the record has not been
    written, linked or replaced since (each of those changes the inode, mtime or ctime, and ctime
    cannot be set back). Where the directory cannot be had, nothing is trusted and all is hashed.
    """

    def __init__(self, root: str) -> None:
        self.path = os.path.join(root, TRUST_DIR, str(current_uid()))
        self._lock = threading.Lock()

    def lines(self, key: str) -> list[str]:
        """The lines recorded under ``key`` (none when it or the directory is not trustworthy)."""
        fd = _private_dir(self.path, create=False)
        if fd is None:
            return []
        try:
            rfd = os.open(key, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _NONBLOCK, dir_fd=fd)
        except (OSError, NotImplementedError):
            return []
        finally:
            os.close(fd)
        with io.FileIO(rfd, "rb") as f:
            st = os.fstat(rfd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != current_uid():
                return []
            text = f.read(MAX_RECORD_BYTES).decode("utf-8", errors="replace")
        return [line for line in text.splitlines() if line]

    def holds(self, key: str, st: os.stat_result) -> bool:
        """Is ``st`` (from ``fstat`` of an opened file) an object recorded under ``key``?"""
        return fingerprint(st) in self.lines(key)

    def add(self, key: str, stats: Iterable[os.stat_result], *, replace: bool = False) -> None:
        """Record the fingerprints of ``stats`` under ``key`` (after the last few already there,
        unless ``replace``)."""
        self.write(key, [fingerprint(st) for st in stats], replace=replace)

    def write(self, key: str, new: list[str], *, replace: bool = True) -> None:
        """Record ``new`` lines under ``key`` (replacing what was there, unless ``replace`` is
        False: then after the last few lines already there)."""
        with self._lock:
            fd = _private_dir(self.path, create=True)
            if fd is None:
                return
            try:
                old = [] if replace else [x for x in self.lines(key) if x not in new]
                lines = [*old[-MAX_FINGERPRINTS:], *new]
                tmp = f".{key}.{secrets.token_hex(6)}"
                try:
                    wfd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC,
                                  0o600, dir_fd=fd)
                    with io.FileIO(wfd, "wb") as f:
                        f.write("".join(f"{line}\n" for line in lines).encode())
                    os.replace(tmp, key, src_dir_fd=fd, dst_dir_fd=fd)
                except (OSError, NotImplementedError):
                    with contextlib.suppress(OSError, NotImplementedError):
                        os.unlink(tmp, dir_fd=fd)
            finally:
                os.close(fd)


def blob_key(digest: Digest) -> str:
    return f"{digest.algorithm}-{digest.encoded}"


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


class _NewEntry:
    """A cache entry being written: an anonymous file (``O_TMPFILE``) where the system has one,
    else a named temp file; :meth:`commit` makes it visible, :meth:`abort` (or a killed process,
    for the anonymous file) leaves nothing."""

    def __init__(self, cache: BlobCache, desc: Descriptor, directory: str) -> None:
        self.cache = cache
        self.desc = desc
        self.directory = directory
        self.tmp: str | None = None
        self.fd = -1
        if _TMPFILE and os.path.isdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                self.fd = os.open(directory, _TMPFILE | os.O_RDWR | _CLOEXEC, 0o600)
        if self.fd < 0:
            self.tmp = os.path.join(directory, f".orasx-{secrets.token_hex(8)}.tmp")
            self.fd = os.open(self.tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC,
                              0o600)
        self.file = io.FileIO(self.fd, "r+b", closefd=True)

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def commit(self) -> None:
        """Make the (verified) entry visible under its digest and record that this user
        verified it."""
        final = self.cache.path(self.desc.digest)
        os.fsync(self.fd)
        if sys.platform != "win32":
            os.fchmod(self.fd, umask_mode(0o444))
        if self.tmp is None:  # link the anonymous file under a temp name, then rename over
            name = f".orasx-{secrets.token_hex(8)}.tmp"
            dfd = os.open(self.directory, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
            try:  # a dir_fd makes this linkat(AT_SYMLINK_FOLLOW), which links the open file
                os.link(f"/proc/self/fd/{self.fd}", name, dst_dir_fd=dfd, follow_symlinks=True)
            finally:
                os.close(dfd)
            self.tmp = os.path.join(self.directory, name)
        else:
            self.file.close()
            self.file = io.FileIO(self.tmp, "rb")
        os.replace(self.tmp, final)
        self.tmp = None
        _fsync_dir(self.directory)
        self.cache.trust.add(blob_key(self.desc.digest), [os.fstat(self.file.fileno())],
                             replace=True)

    def abort(self) -> None:
        """Forget the entry unless committed (safe to call after :meth:`commit`)."""
        self.file.close()
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            self.tmp = None


def _fsync_dir(path: str) -> None:
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | _CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _CachedBlob(VerifyingReader):
    """A cache entry read back, hashed as it is read: a mismatch drops the entry and raises
    before the last bytes are returned (the copy then fetches it again from the source)."""

    def __init__(self, cache: BlobCache, desc: Descriptor, fd: int, st: os.stat_result) -> None:
        super().__init__(io.FileIO(fd, "rb", closefd=True), desc.digest, desc.size,
                         name=f"{desc.digest} (cache entry {cache.path(desc.digest)})")
        self._cache = cache
        self._desc = desc
        self._st = st

    def read(self, n: int = -1) -> bytes:
        try:
            return super().read(n)
        except VerificationError as e:
            self._cache.drop(self._desc, self._st)
            log.warning("%s: dropped; it is fetched again", e)
            raise


class _Filling:
    """The source's stream for a cache miss: verified as the consumer reads it and written into a
    new cache entry at the same time; the entry is placed once the whole blob verified, and
    vanishes if the stream is closed before (Ctrl-C, a failed destination)."""

    def __init__(self, stream: Readable, desc: Descriptor, entry: _NewEntry | None) -> None:
        self._reader = VerifyingReader(stream, desc.digest, desc.size)
        self._entry = entry

    @property
    def verifies(self) -> tuple[Digest, int]:
        return self._reader.verifies

    def read(self, n: int = -1, /) -> bytes:
        data = self._reader.read(n)
        entry = self._entry
        if entry is not None:
            try:
                if data:
                    entry.write(data)
                if self._reader.verified:
                    self._entry = None
                    try:
                        entry.commit()
                    finally:
                        entry.abort()
            except OSError as e:
                self._entry = None
                entry.abort()
                entry.cache.warn(f"cache {entry.cache.root} cannot take new content "
                                 f"({e.strerror}): pulling without storing into it")
        return data

    def close(self) -> None:
        if self._entry is not None:
            self._entry.abort()
            self._entry = None
        self._reader.close()


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


def open_cache(path: str) -> BlobCache:
    """The cache at ``path`` (created when missing and possible)."""
    return BlobCache(path)
