"""Named files and directories on disk as a store: the source of a push and the sink of a pull."""

from __future__ import annotations

import io
import logging
import os
import shutil
import stat
import tempfile
import threading
from typing import IO

from orasx import mediatype
from orasx._fsutil import atomic_writer, check_free_space, copy_file_into, umask_mode
from orasx.content import Readable, _digestcache
from orasx.content._digestcache import file_digest
from orasx.content._paths import resolve_write_path
from orasx.descriptor import CONTENT_DIGEST, TITLE, UNPACK, Descriptor
from orasx.digest import hash_file, parse_digest, write_verified
from orasx.errors import AlreadyExistsError, InvalidInputError, NotFoundError

log = logging.getLogger(__name__)


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None

#: A directory layer may expand to this many times its compressed size by default ...
DEFAULT_UNPACK_RATIO = 100.0
#: ... and always to this many bytes.
UNPACK_FLOOR = 256 * 1024 * 1024

#: Unnamed content (manifests, configs) is kept in memory up to this size, then on disk.
_SPOOL_LIMIT = 4 * 1024 * 1024


class FileStore:
    """Files named by their ``org.opencontainers.image.title``, below ``working_dir``.

    As a source, :meth:`add` registers files and directories (directories are packed as
    tar+gzip). As a destination, :meth:`push` writes a titled blob to its file (via a verified
    temp file renamed into place) or unpacks a directory layer; unnamed blobs (manifests, configs)
    are kept aside in temporary storage. Call :meth:`close` (or use ``with``) to remove temp files.
    """

    def __init__(
        self,
        working_dir: str = ".",
        *,
        allow_path_traversal: bool = False,
        keep_old_files: bool = False,
        max_unpack_ratio: float = DEFAULT_UNPACK_RATIO,
        max_unpack_bytes: int | None = None,
        cancelled: threading.Event | None = None,
        reproducible_mtime: int | None = None,
    ) -> None:
        """``max_unpack_ratio``: a directory layer may expand to this many times its compressed
        size (at least :data:`UNPACK_FLOOR` bytes); 0 lifts the limit. ``max_unpack_bytes``, when
        set, is the limit in bytes instead. ``cancelled``: an event
        that stops an extraction in progress (the copy's cancel event). ``reproducible_mtime``:
        directories added for pushing are packed with this mtime on every entry."""
        self.working_dir = os.path.abspath(working_dir)
        self.allow_path_traversal = allow_path_traversal
        self.keep_old_files = keep_old_files
        self.max_unpack_ratio = max_unpack_ratio
        self.max_unpack_bytes = max_unpack_bytes
        self._cancelled = cancelled or threading.Event()
        self.reproducible_mtime = reproducible_mtime
        self._lock = threading.Lock()
        self._sources: dict[str, str] = {}  # digest -> path of a file added for pushing
        self._spool: dict[str, IO[bytes]] = {}
        self._tags: dict[str, Descriptor] = {}
        self._written: dict[str, str] = {}  # title -> path written by this store
        self._tmpdir: str | None = None
        # Per pull, not per file (hundreds of small files): the resolved output directory, the
        # umask and the directories already made.
        self._real_root = ""
        self._new_file_mode: int | None = None
        self._dirs_made: set[str] = set()

    def __enter__(self) -> FileStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            for f in self._spool.values():
                f.close()
            self._spool.clear()
            if self._tmpdir is not None:
                shutil.rmtree(self._tmpdir, ignore_errors=True)
                self._tmpdir = None

    @property
    def written(self) -> dict[str, str]:
        """Titles written by this store so far, mapped to their absolute paths."""
        with self._lock:
            return dict(self._written)

    # -- as a source ------------------------------------------------------------------------
    def add(self, name: str, path: str, media_type: str = "") -> Descriptor:
        """Register the file or directory at ``path`` under the title ``name``."""
        if os.path.isdir(path):
            return self._add_directory(name, path, media_type or mediatype.DEFAULT_DIRECTORY)
        if not os.path.isfile(path):
            raise InvalidInputError(f"{path}: no such file or directory")
        digest, size = file_digest(path)
        with self._lock:
            self._sources[str(digest)] = path
        return Descriptor(
            media_type or mediatype.DEFAULT_FILE, digest, size, annotations={TITLE: name}
        )

    def add_described(self, path: str, desc: Descriptor) -> None:
        """Register the file at ``path`` as the content of ``desc`` (already hashed: a file
        uploaded while it was hashed)."""
        with self._lock:
            self._sources[str(desc.digest)] = path

    def _add_directory(self, name: str, path: str, media_type: str) -> Descriptor:
        from orasx.content._tar import pack_directory  # (directories only: tarfile, gzip)

        with self._lock:
            if self._tmpdir is None:
                self._tmpdir = tempfile.mkdtemp(prefix="orasx-push-")
            tmpdir = self._tmpdir
        fd, gz_path = tempfile.mkstemp(dir=tmpdir, suffix=".tar.gz")
        with os.fdopen(fd, "wb") as out:
            tar_digest = pack_directory(path, name, out, mtime=self.reproducible_mtime)
        digest, size = hash_file(gz_path)
        with self._lock:
            self._sources[str(digest)] = gz_path
        return Descriptor(
            media_type,
            digest,
            size,
            annotations={TITLE: name, UNPACK: "true", CONTENT_DIGEST: str(tar_digest)},
        )

    def fetch(self, desc: Descriptor) -> Readable:
        key = str(desc.digest)
        with self._lock:
            path = self._sources.get(key)
            spooled = self._spool.get(key)
            if spooled is not None:
                spooled.seek(0)
                data = spooled.read()
        if path is not None:
            return open(path, "rb", buffering=0)
        if spooled is not None:
            return io.BytesIO(data)
        raise NotFoundError(f"{desc.digest}: not found in the file store", reason="not-in-store")

    def exists(self, desc: Descriptor) -> bool:
        key = str(desc.digest)
        with self._lock:
            if desc.title and desc.title in self._written:
                return True
            return key in self._spool or key in self._sources

    # -- as a destination -------------------------------------------------------------------
    def push(self, desc: Descriptor, content: Readable) -> None:
        name = desc.title
        if not name:
            self._push_unnamed(desc, content)
            return
        unpack = desc.annotations.get(UNPACK) == "true"
        if not self._real_root:
            self._real_root = os.path.realpath(self.working_dir)
        target = resolve_write_path(
            self.working_dir, name, allow_traversal=self.allow_path_traversal, allow_root=unpack,
            real_root=self._real_root,
        )
        check_free_space(target, desc.size, name)
        if unpack:  # -k is checked per entry: a directory merges into an existing one
            self._push_directory(desc, content, target)
        else:
            if self.keep_old_files and os.path.lexists(target):
                raise AlreadyExistsError(f"{name}: file already exists", reason="keep-old-files")
            parent = os.path.dirname(target)
            if parent not in self._dirs_made:
                os.makedirs(parent, exist_ok=True)
                self._dirs_made.add(parent)
            st = _lstat(target)
            if st is not None and stat.S_ISDIR(st.st_mode):
                raise AlreadyExistsError(f"{name}: a directory is in the way of this file")
            old = st if st is not None and stat.S_ISREG(st.st_mode) else None
            if old is None or old.st_size != desc.size or _digestcache.lookup(old) != desc.digest:
                # (else: this file, unchanged since a pull wrote and verified it: nothing to write)
                self._write_file(desc, content, target, old)
        with self._lock:
            self._written[name] = target

    def _write_file(self, desc: Descriptor, content: Readable, target: str,
                    old: os.stat_result | None) -> None:
        # An overwritten regular file keeps its mode, as the Go CLI does.
        if old is not None:
            mode = stat.S_IMODE(old.st_mode)
        else:
            if self._new_file_mode is None:
                self._new_file_mode = umask_mode()
            mode = self._new_file_mode
        verified = getattr(content, "verified_path", None)
        with atomic_writer(target, mode=mode) as f:
            if verified:  # a cache entry checked against this digest: copied in the kernel
                copy_file_into(verified, f)
            else:
                write_verified(content, desc.digest, desc.size, f, name=desc.title)
        if desc.size >= _digestcache.MIN_SIZE:  # remembered, so the next pull of it writes nothing
            _digestcache.remember(os.stat(target), desc.digest)

    def _push_unnamed(self, desc: Descriptor, content: Readable) -> None:
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_LIMIT)
        try:
            write_verified(content, desc.digest, desc.size, spool)
        except BaseException:
            spool.close()
            raise
        with self._lock:
            old = self._spool.pop(str(desc.digest), None)
            self._spool[str(desc.digest)] = spool
        if old is not None:
            old.close()

    def _push_directory(self, desc: Descriptor, content: Readable, target: str) -> None:
        """Verify the layer, unpack it into a staging tree beside ``target`` and check it there;
        only then merge it into ``target`` (nothing in the output changes before that)."""
        from orasx.content._merge import merge_tree
        from orasx.content._tar import Limits, unpack_directory

        name = desc.title
        expected = desc.annotations.get(CONTENT_DIGEST)
        root = os.path.realpath(self.working_dir)
        parent = target if target == root else os.path.dirname(target)
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(dir=parent, prefix=".orasx-unpack-")
        try:
            gz_path = os.path.join(staging, "layer.tar.gz")
            with open(gz_path, "wb") as f:
                write_verified(content, desc.digest, desc.size, f, name=name)
            tree = os.path.join(staging, "tree")
            os.mkdir(tree, 0o700)
            limit = self.max_unpack_bytes
            if limit is None and self.max_unpack_ratio:
                limit = max(UNPACK_FLOOR, int(self.max_unpack_ratio * desc.size))
            with open(gz_path, "rb") as gz:
                dirs = unpack_directory(gz, tree, name, parse_digest(expected) if expected else None,
                                        Limits(limit, self._cancelled.is_set))
            if not any(d.rel == "" for d in dirs):
                os.chmod(tree, umask_mode(0o777))
            merge_tree(tree, target, dirs, title=name, keep_old_files=self.keep_old_files)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # -- references -------------------------------------------------------------------------
    def resolve(self, reference: str) -> Descriptor:
        with self._lock:
            if reference in self._tags:
                return self._tags[reference]
        raise NotFoundError(f"{reference}: not found in the file store", reason="not-in-store")

    def tag(self, desc: Descriptor, reference: str) -> None:
        with self._lock:
            self._tags[reference] = desc
