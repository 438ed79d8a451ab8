"""Named files and directories on disk as a store: the source of a push and the sink of a pull."""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import os
import shutil
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import IO

from orasx import mediatype
from orasx._fsutil import atomic_writer, check_free_space, umask_mode
from orasx.content import Readable, _digestcache, _partial
from orasx.content._digestcache import file_digest
from orasx.content._paths import OutputDirs, make_dirs, resolve_write_path, title_parts
from orasx.descriptor import CONTENT_DIGEST, TITLE, UNPACK, Descriptor
from orasx.digest import (
    CopiesVerified,
    DownloadsInPlace,
    hash_file,
    parse_digest,
    verified_as,
    write_verified,
)
from orasx.errors import AlreadyExistsError, InvalidInputError, NotFoundError, Reason, SizeLimitError

log = logging.getLogger(__name__)


def _lstat(path: str, dir_fd: int | None = None) -> os.stat_result | None:
    try:
        return os.stat(path, dir_fd=dir_fd, follow_symlinks=False)
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
        # umask and the directories already made (POSIX: opened, and written relative to).
        self._real_root = ""
        self._new_file_mode: int | None = None
        self._dirs_made: set[str] = set()
        self._dirs = OutputDirs(self.working_dir)

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
        self._dirs.close()

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
        raise NotFoundError(f"{desc.digest}: not found in the file store", reason=Reason.NOT_IN_STORE)

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
        if sys.platform != "win32" and not self.allow_path_traversal:
            # Checked by name, then written relative to directories opened without following
            # links: a directory swapped for a symlink meanwhile cannot redirect the write.
            parts = title_parts(name, allow_root=unpack)
            check_free_space(os.path.join(self.working_dir, *parts), desc.size, name)
            parent_fd = self._dirs.open(parts[:-1], shown=name)
            target = os.path.join(self._dirs.root, *parts)
            if unpack:
                self._push_directory(desc, content, target, (parent_fd, parts[-1] if parts else "."))
            else:
                self._push_file(desc, content, target, parent_fd, parts[-1])
        else:  # Windows (no dir_fd), or titles allowed anywhere (-T): paths
            if not self._real_root:
                self._real_root = os.path.realpath(self.working_dir)
            target = resolve_write_path(
                self.working_dir, name, allow_traversal=self.allow_path_traversal,
                allow_root=unpack, real_root=self._real_root,
            )
            check_free_space(target, desc.size, name)
            parent = target if unpack and target == self._real_root else os.path.dirname(target)
            if parent not in self._dirs_made:
                make_dirs(parent)
                self._dirs_made.add(parent)
            if unpack:
                self._push_directory(desc, content, target, (parent, os.path.basename(target)
                                                             if parent != target else "."))
            else:
                self._push_file(desc, content, target, None, target)
        with self._lock:
            self._written[name] = target

    def _push_file(self, desc: Descriptor, content: Readable, target: str,
                   dir_fd: int | None, base: str) -> None:
        """Write ``desc`` to ``base`` (a name in ``dir_fd``, or the path ``target``)."""
        if self.keep_old_files and _lstat(base, dir_fd) is not None:
            raise AlreadyExistsError(f"{desc.title}: file already exists", reason=Reason.KEEP_OLD_FILES)
        st = _lstat(base, dir_fd)
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise AlreadyExistsError(f"{desc.title}: a directory is in the way of this file")
        old = st if st is not None and stat.S_ISREG(st.st_mode) else None
        if old is None or old.st_size != desc.size or _digestcache.lookup(old) != desc.digest:
            # (else: this file, unchanged since a pull wrote and verified it: nothing to write)
            self._write_file(desc, content, target, old, dir_fd, base)

    def _write_file(self, desc: Descriptor, content: Readable, target: str,
                    old: os.stat_result | None, dir_fd: int | None, base: str) -> None:
        # An overwritten regular file keeps its mode, as the Go CLI does.
        if old is not None:
            mode = stat.S_IMODE(old.st_mode)
        else:
            if self._new_file_mode is None:
                self._new_file_mode = umask_mode()
            mode = self._new_file_mode
        # A big remote blob downloads itself in place (parallel ranges) into a partial file
        # beside the target that the next pull resumes (content/_partial.py).
        if dir_fd is not None and isinstance(content, DownloadsInPlace):
            try:
                placed = _partial.place(content, desc, dir_fd, base, mode)
            except OSError as e:
                raise _named(e, target, desc.size) from None
        else:
            placed = False
        # Not fsynced (as the Go CLI): no index points at a pulled file, and a pull of 200 small
        # files would take about twice as long. Layout blobs and index.json are.
        if not placed:
            with atomic_writer(base, mode=mode, dir_fd=dir_fd, shown=target, size=desc.size,
                               durable=False) as f:
                # a cache entry places itself by a kernel copy, hashing the bytes placed
                if not (isinstance(content, CopiesVerified) and verified_as(content) ==
                        (desc.digest, desc.size) and content.copy_into(f.fileno())) and not (
                        isinstance(content, DownloadsInPlace) and content.download_into(f.fileno())):
                    write_verified(content, desc.digest, desc.size, f, name=desc.title)
        if desc.size >= _digestcache.MIN_SIZE:  # remembered, so the next pull of it writes nothing
            st = _lstat(base, dir_fd)
            if st is not None:
                _digestcache.remember(st, desc.digest)

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

    def _push_directory(self, desc: Descriptor, content: Readable, target: str,
                        at: tuple[int | str, str]) -> None:
        """Verify the layer, unpack it into a staging tree beside ``target`` (``at``: the
        directory that holds it, a descriptor or a path, and its name there; ``"."`` when it is
        that directory) and check it there; only then merge it into ``target`` (nothing in the
        output changes before that)."""
        from orasx.content._merge import merge_tree
        from orasx.content._tar import Limits, unpack_directory

        name = desc.title
        expected = desc.annotations.get(CONTENT_DIGEST)
        parent, base = at
        parent_path = target if base == "." else os.path.dirname(target)
        staging = _make_staging(parent)
        try:
            with _opened_staging(parent, staging) as staged:
                try:
                    with _open_at(staged, "layer.tar.gz", write=True) as f:
                        write_verified(content, desc.digest, desc.size, f, name=name)
                except OSError as e:
                    raise _named(e, target, desc.size) from None
                tree_path, tree_fd = _at(staged, "tree")
                os.mkdir(tree_path, 0o700, dir_fd=tree_fd)
                limit = self.max_unpack_bytes
                if limit is None and self.max_unpack_ratio:
                    limit = max(UNPACK_FLOOR, int(self.max_unpack_ratio * desc.size))
                # (_tar walks the staging tree by its path: private to us, below a directory
                # that another user may be able to rename in)
                tree = os.path.join(parent_path, staging, "tree")
                with _open_at(staged, "layer.tar.gz", write=False) as gz:
                    dirs = unpack_directory(gz, tree, name,
                                            parse_digest(expected) if expected else None,
                                            Limits(limit, self._cancelled.is_set))
                if not any(d.rel == "" for d in dirs):
                    os.chmod(tree_path, umask_mode(0o777), dir_fd=tree_fd)
                merge_tree(staged, "tree", parent, base, dirs, title=name,
                           keep_old_files=self.keep_old_files)
        finally:
            _remove_staging(parent, staging)

    # -- references -------------------------------------------------------------------------
    def resolve(self, reference: str) -> Descriptor:
        with self._lock:
            if reference in self._tags:
                return self._tags[reference]
        raise NotFoundError(f"{reference}: not found in the file store", reason=Reason.NOT_IN_STORE)

    def tag(self, desc: Descriptor, reference: str) -> None:
        with self._lock:
            self._tags[reference] = desc


def _make_staging(parent: int | str) -> str:
    """A new private directory in ``parent`` (a descriptor or a path); its name."""
    if isinstance(parent, str):
        return os.path.basename(tempfile.mkdtemp(dir=parent, prefix=".orasx-unpack-"))
    for _ in range(100):
        name = f".orasx-unpack-{os.urandom(6).hex()}"
        try:
            os.mkdir(name, 0o700, dir_fd=parent)
            return name
        except FileExistsError:
            continue
    raise FileExistsError(f"no unused staging name in {parent}")


@contextlib.contextmanager
def _opened_staging(parent: int | str, name: str) -> Iterator[int | str]:
    """The staging directory as merge_tree takes it: opened from ``parent`` (POSIX)."""
    if isinstance(parent, str) or sys.platform == "win32":
        yield os.path.join(str(parent), name)
        return
    fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
    try:
        yield fd
    finally:
        os.close(fd)


def _at(d: int | str, name: str) -> tuple[str, int | None]:
    return (name, d) if isinstance(d, int) else (os.path.join(d, name), None)


def _open_at(d: int | str, name: str, *, write: bool) -> IO[bytes]:
    """``name`` in the directory ``d``, never through a link; ``write``: a new file."""
    path, dir_fd = _at(d, name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL if write else os.O_RDONLY
    if sys.platform != "win32":
        flags |= os.O_NOFOLLOW | os.O_CLOEXEC
    else:
        flags |= os.O_BINARY
    return os.fdopen(os.open(path, flags, 0o600, dir_fd=dir_fd), "wb" if write else "rb")


def _remove_staging(parent: int | str, name: str) -> None:
    if isinstance(parent, str):
        shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
    else:
        shutil.rmtree(name, ignore_errors=True, dir_fd=parent)


def _named(e: OSError, target: str, size: int) -> Exception:
    """``e`` about the user's ``target`` (not our staging file); a full disk with the size."""
    if e.errno == errno.ENOSPC:
        return SizeLimitError(f"{target}: no space left on device: needs {size} bytes",
                              reason=Reason.DISK_SPACE)
    return type(e)(e.errno, e.strerror, target)
