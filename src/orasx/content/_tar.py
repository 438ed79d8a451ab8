"""Directories as tar+gzip layers: deterministic-enough packing and hostile-proof unpacking."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import posixpath
import stat
import sys
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from orasx.content._paths import clean_title, lexically_inside, within
from orasx.digest import CHUNK_SIZE, Digest
from orasx.errors import CopyError, PathTraversalError, Reason, SizeLimitError, VerificationError


class _HashingWriter:
    """A write-only file that hashes what passes through it to another file."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self.hash = hashlib.sha256()
        self._pos = 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self._pos += len(data)
        return self._out.write(data)

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        self._out.flush()


#: The end-of-archive marker: two zero blocks. We end our tars with it and no record padding, as
#: Go's archive/tar does, because the Go CLI hashes the tar only up to this marker when it checks
#: ``io.deis.oras.content.digest`` (Python's tarfile pads to 10 KiB records, which Go refuses).
_END_OF_ARCHIVE = b"\0" * (2 * tarfile.BLOCKSIZE)


def pack_directory(src: str, prefix: str, out: IO[bytes], *, mtime: int | None = None) -> Digest:
    """Write ``src`` as a gzip-compressed tar to ``out``; entries are ``prefix/...``.

    Entries are sorted; owners are cleared (uid/gid 0, no names); symlinks are stored as links;
    devices, FIFOs and sockets are left out; the gzip header has no name and no time. ``mtime``
    sets every entry's modification time (reproducible packing). Returns the sha256 of the
    *uncompressed* tar.
    """
    with gzip.GzipFile(filename="", fileobj=out, mode="wb", compresslevel=6, mtime=0) as gz:
        hw = _HashingWriter(gz)  # type: ignore[arg-type]
        # Not closed: TarFile.close() would add the record padding; we write the marker ourselves.
        tar = tarfile.TarFile(fileobj=hw, mode="w", format=tarfile.PAX_FORMAT)  # type: ignore[arg-type]
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames.sort()
            rel_dir = os.path.relpath(dirpath, src)
            base = prefix if rel_dir == "." else _join(prefix, rel_dir.replace(os.sep, '/'))
            _add(tar, dirpath, base, mtime)
            for name in sorted(filenames + [d for d in dirnames if os.path.islink(
                    os.path.join(dirpath, d))]):
                _add(tar, os.path.join(dirpath, name), _join(base, name), mtime)
        hw.write(_END_OF_ARCHIVE)
    return Digest.from_hasher(hw.hash)


def _join(base: str, name: str) -> str:
    """``base/name``; a directory pushed as ``.`` has entries named ``name`` (as the Go CLI)."""
    return posixpath.normpath(f"{base}/{name}") if base in (".", "./") else f"{base}/{name}"


def _add(tar: tarfile.TarFile, path: str, arcname: str, mtime: int | None) -> None:
    st = os.lstat(path)
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode) or stat.S_ISLNK(st.st_mode)):
        return
    info = tar.gettarinfo(path, arcname=arcname)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if mtime is not None:
        info.mtime = mtime
    if info.isreg():
        with open(path, "rb") as f:
            tar.addfile(info, f)
    else:
        tar.addfile(info)


class _HashingReader:
    """Hashes what is read through it; can also tell the hash of the first ``n`` bytes read, as
    long as ``n`` falls in the last read or later (enough for the end-of-archive marker)."""

    def __init__(self, src: IO[bytes], limits: Limits | None = None, name: str = "") -> None:
        self._src = src
        self._limits = limits or Limits()
        self._name = name
        self.hash = hashlib.sha256()
        self._pos = 0
        self._before = self.hash.copy()  # the hash before the last read ...
        self._last = b""  # ... and that read's bytes

    def read(self, n: int = -1) -> bytes:
        if self._limits.cancelled():
            raise CopyError("cancelled", origin="destination")
        data = self._src.read(n)
        limit = self._limits.max_bytes
        if limit is not None and self._pos + len(data) > limit:
            raise SizeLimitError(
                f"directory layer {self._name!r} expands to more than {limit} bytes "
                "(a decompression bomb?)", reason=Reason.UNPACK_LIMIT)
        self._before = self.hash.copy()
        self._last = data
        self.hash.update(data)
        self._pos += len(data)
        return data

    def hash_of_first(self, n: int) -> hashlib._Hash | None:
        """The hash of bytes ``[0, n)``, reading on as needed; None when ``n`` is out of reach."""
        while self._pos < n and self.read(CHUNK_SIZE):
            pass
        start = self._pos - len(self._last)
        if not start <= n <= self._pos:
            return None
        h = self._before.copy()
        h.update(self._last[: n - start])
        return h

    def drain(self) -> None:
        while self.read(CHUNK_SIZE):
            pass


def _member_path(name: str, prefix: str) -> str:
    """The entry's path relative to the unpacked directory; refuses anything outside ``prefix``."""
    norm = name.replace("\\", "/")
    while norm.startswith("./"):
        norm = norm[2:]
    norm = norm.rstrip("/")
    if norm == prefix or (not prefix and norm in (".", "")):
        return ""
    if not prefix:  # a directory pushed as ".": every entry is relative to the top
        if not lexically_inside(norm):
            raise PathTraversalError(f"tar entry {name!r} would be written outside the directory")
        return norm
    if not norm.startswith(prefix + "/"):
        raise PathTraversalError(f"tar entry {name!r} is outside the directory {prefix!r}")
    rel = norm[len(prefix) + 1 :]
    if not lexically_inside(rel):
        raise PathTraversalError(f"tar entry {name!r} would be written outside {prefix!r}")
    return rel


#: The standard library's own check of an entry (Python 3.11.4+, 3.12+). Only a second opinion: our
#: checks above and below refuse everything it refuses, so 3.11.0-3.11.3 are just as safe.
_DATA_FILTER: Callable[[tarfile.TarInfo, str], tarfile.TarInfo] | None = getattr(
    tarfile, "data_filter", None)
_FILTER_ERROR: type[Exception] = getattr(tarfile, "FilterError", tarfile.TarError)
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # Windows has none; O_EXCL below refuses any existing name
#: Whether this platform can set a symlink's own times (not Windows); files are set either way.
_UTIME_NOFOLLOW = os.utime in os.supports_follow_symlinks
_LINK_NOFOLLOW = os.link in os.supports_follow_symlinks


def _second_opinion(member: tarfile.TarInfo, real_dest: str) -> None:
    if _DATA_FILTER is None:
        return
    try:
        _DATA_FILTER(member, real_dest)
    except _FILTER_ERROR as e:
        raise PathTraversalError(f"tar entry {member.name!r} refused: {e}") from None


def _target(real_dest: str, rel: str, name: str) -> str:
    """``real_dest/rel`` with this platform's separators, refused unless lexically below
    ``real_dest`` (on Windows a component such as ``C:x`` would restart the path, and ``a:b``
    names a stream of ``a``)."""
    parts = [p for p in rel.split("/") if p]
    if sys.platform == "win32" and any(":" in p for p in parts):
        raise PathTraversalError(f"tar entry {name!r} has a name Windows cannot hold")
    path = os.path.normpath(os.path.join(real_dest, *parts))
    if not within(path, real_dest):
        raise PathTraversalError(f"tar entry {name!r} would be written outside the directory")
    return path


def _ensure_dirs(root: str, rel_dir: str) -> str:
    """Create ``rel_dir`` below ``root`` refusing to pass through anything but real directories."""
    path = root
    for part in [p for p in rel_dir.split("/") if p]:
        path = os.path.join(path, part)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            os.mkdir(path, 0o700)
            continue
        if not stat.S_ISDIR(st.st_mode):
            raise PathTraversalError(
                f"tar entry path goes through {os.path.relpath(path, root)!r}, "
                "which is not a directory (a symlink or file)"
            )
    return path


def _clear(path: str) -> None:
    """Remove a non-directory at ``path`` so the entry replaces it rather than writing through."""
    with contextlib.suppress(FileNotFoundError):
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            os.unlink(path)


@dataclass(frozen=True)
class DirEntry:
    """A directory of an unpacked layer: its path relative to the top, mode and mtime."""

    rel: str
    mode: int
    mtime: float


class Limits:
    """Bounds on unpacking a layer: ``max_bytes`` of tar (headers and contents, after
    decompression) and ``cancelled``, checked between entries and between chunks."""

    def __init__(self, max_bytes: int | None = None,
                 cancelled: Callable[[], bool] | None = None) -> None:
        self.max_bytes = max_bytes
        self.cancelled = cancelled or (lambda: False)


@contextlib.contextmanager
def _reading(gz: IO[bytes], prefix: str, limits: Limits,
             verb: str) -> Iterator[tuple[_HashingReader, tarfile.TarFile]]:
    """The tar+gzip ``gz`` opened as a stream of members (hashed as it is read, within
    ``limits``); any error of the archive becomes a :class:`VerificationError` naming the layer."""
    reader = _HashingReader(gzip.GzipFile(fileobj=gz, mode="rb"), limits,  # type: ignore[arg-type]
                            prefix)
    try:
        tar = tarfile.open(fileobj=reader, mode="r|", bufsize=CHUNK_SIZE)  # type: ignore[call-overload]
    except tarfile.TarError as e:
        raise VerificationError(f"directory layer {prefix!r} is not a valid tar+gzip: {e}") from None
    try:
        yield reader, tar
    except tarfile.TarError as e:
        raise VerificationError(f"directory layer {prefix!r} is not a valid tar: {e}") from None
    except (EOFError, OSError, gzip.BadGzipFile) as e:
        if isinstance(e, PathTraversalError):
            raise
        raise VerificationError(f"directory layer {prefix!r} could not be {verb}: {e}") from None
    finally:
        tar.close()


def _end(reader: _HashingReader, tar: tarfile.TarFile) -> hashlib._Hash | None:
    """Read to the end; the hash of the tar up to its end-of-archive marker. Tars from the Go
    CLI and from us are digested up to that marker; older orasx tars were digested with the
    record padding after it: both are accepted."""
    marked = reader.hash_of_first(tar.offset + len(_END_OF_ARCHIVE))
    reader.drain()
    return marked


def _check_content_digest(reader: _HashingReader, marked: hashlib._Hash | None,
                          expected: Digest | None, prefix: str) -> None:
    """The uncompressed tar must hash to ``expected`` (up to its end-of-archive marker, or
    whole)."""
    if expected is None:
        return
    if marked is not None and Digest.from_hasher(marked) == expected:
        return
    got = Digest.from_hasher(reader.hash)
    if got != expected:
        raise VerificationError(
            f"directory layer {prefix!r}: content digest mismatch: expected {expected}, got {got}")


def unpack_directory(
    gz: IO[bytes], dest: str, prefix: str, expected: Digest | None,
    limits: Limits | None = None,
) -> list[DirEntry]:
    """Extract a tar+gzip layer packed with ``prefix`` into the empty directory ``dest``.

    Every entry must lie below ``prefix`` (a ``prefix`` of ``.`` or ``""`` means the top); nothing
    is written through a symlink; symlink targets must stay inside ``dest``; hardlinks must name a
    regular file already extracted; devices, FIFOs and sockets are skipped. Files, links and
    directories get the archive's mode (setuid/setgid/sticky dropped) and mtime. ``expected`` is
    checked against the uncompressed tar. Returns the directories in archive order. On any error
    the caller removes ``dest``. ``limits`` stops a decompression bomb (:class:`SizeLimitError`)
    and a cancelled pull (:class:`CopyError`) mid-way.
    """
    limits = limits or Limits()
    prefix = clean_title(prefix)
    real_dest = os.path.realpath(dest)
    links: list[str] = []
    dirs: list[DirEntry] = []
    with _reading(gz, prefix, limits, "unpacked") as (reader, tar):
        for member in tar:
            if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
                continue  # devices, FIFOs, sockets
            rel = _member_path(member.name, prefix)
            _target(real_dest, rel, member.name)
            _second_opinion(member, real_dest)
            parent_rel, _, base = rel.rpartition("/")
            if member.isdir():
                _ensure_dirs(real_dest, rel)
                dirs.append(DirEntry(rel, (member.mode & 0o777) | 0o700, float(member.mtime)))
                continue
            if not base:
                raise PathTraversalError(f"tar entry {member.name!r} is not a directory")
            parent = _ensure_dirs(real_dest, parent_rel)
            path = os.path.join(parent, base)
            if os.path.isdir(path) and not os.path.islink(path):
                raise PathTraversalError(f"tar entry {member.name!r} would replace a directory")
            _clear(path)
            if member.isreg():
                src = tar.extractfile(member)
                assert src is not None
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o600)
                with os.fdopen(fd, "wb") as f:
                    while data := src.read(CHUNK_SIZE):  # the reader below checks the limits
                        f.write(data)
                    if sys.platform != "win32":
                        os.fchmod(f.fileno(), member.mode & 0o777)
                if sys.platform == "win32":  # only the read-only bit exists there
                    os.chmod(path, member.mode & 0o777)
                os.utime(path, (member.mtime, member.mtime), follow_symlinks=not _UTIME_NOFOLLOW)
            elif member.issym():
                target = member.linkname
                lexical = os.path.join(parent_rel, target) if parent_rel else target
                if os.path.isabs(target) or not (lexically_inside(lexical) or
                                                  os.path.normpath(lexical) == "."):
                    raise PathTraversalError(
                        f"tar entry {member.name!r} is a symlink to {target!r}, outside the directory"
                    )
                os.symlink(target, path)
                if _UTIME_NOFOLLOW:
                    os.utime(path, (member.mtime, member.mtime), follow_symlinks=False)
                links.append(path)
            else:  # hardlink: the target is an archive path of a file extracted before
                src_rel = _member_path(member.linkname, prefix)
                src_path = _target(real_dest, src_rel, member.linkname)
                _check_no_symlink(real_dest, src_rel)
                if not stat.S_ISREG(os.lstat(src_path).st_mode):
                    raise PathTraversalError(
                        f"tar entry {member.name!r} hardlinks to {member.linkname!r}, "
                        "which is not a regular file in the directory"
                    )
                os.link(src_path, path, follow_symlinks=not _LINK_NOFOLLOW)
        marked = _end(reader, tar)
    # After the whole tree exists, every symlink must still resolve inside (defeats link chains).
    for link in links:
        if not within(os.path.realpath(link), real_dest):
            raise PathTraversalError(
                f"symlink {os.path.relpath(link, real_dest)!r} resolves outside the directory"
            )
    _check_content_digest(reader, marked, expected, prefix)
    for d in reversed(dirs):
        path = os.path.join(real_dest, *[p for p in d.rel.split("/") if p])
        os.chmod(path, d.mode)
        os.utime(path, (d.mtime, d.mtime))
    return dirs


def _check_no_symlink(root: str, rel: str) -> None:
    path = root
    for part in rel.split("/"):
        path = os.path.join(path, part)
        if os.path.islink(path):
            raise PathTraversalError(f"hardlink target {rel!r} goes through a symlink")


@dataclass(frozen=True)
class Member:
    """An entry of a directory layer: ``path`` relative to the layer's top, ``kind`` (``file``,
    ``dir`` or ``link``: a symlink, its ``target`` inside the layer), the ``size`` and ``digest``
    of a file's content (a hardlink: its target's)."""

    path: str
    kind: str
    size: int = 0
    digest: Digest | None = None
    target: str = ""


def index_directory(
    gz: IO[bytes], prefix: str, expected: Digest | None,
    store: Callable[[str, IO[bytes], int], Digest], limits: Limits | None = None,
) -> list[Member]:
    """The members of a tar+gzip layer packed with ``prefix``, by the rules of
    :func:`unpack_directory` (every entry below ``prefix``, symlinks and hardlinks inside, devices
    skipped) without writing a tree: each regular file is handed to ``store(path, stream, size)``,
    which returns its digest. ``expected`` is checked against the uncompressed tar."""
    limits = limits or Limits()
    prefix = clean_title(prefix)
    found: dict[str, Member] = {}
    with _reading(gz, prefix, limits, "read") as (reader, tar):
        for member in tar:
            if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
                continue
            rel = _member_path(member.name, prefix)
            _target("/", rel, member.name)
            _second_opinion(member, "/")
            parent_rel = rel.rpartition("/")[0]
            for ancestor in _ancestors(parent_rel):
                if found.get(ancestor, Member(ancestor, "dir")).kind != "dir":
                    raise PathTraversalError(f"tar entry {member.name!r} goes through "
                                             f"{ancestor!r}, which is not a directory")
            if member.isdir():
                if rel:
                    found[rel] = Member(rel, "dir")
                continue
            if not rel or found.get(rel, Member(rel, "file")).kind == "dir":
                raise PathTraversalError(f"tar entry {member.name!r} would replace a directory")
            if member.isreg():
                src = tar.extractfile(member)
                assert src is not None
                found[rel] = Member(rel, "file", member.size, store(rel, src, member.size))
            elif member.issym():
                lexical = posixpath.join(parent_rel, member.linkname) if parent_rel \
                    else member.linkname
                if os.path.isabs(member.linkname) or not (lexically_inside(lexical) or
                                                          posixpath.normpath(lexical) == "."):
                    raise PathTraversalError(f"tar entry {member.name!r} is a symlink to "
                                             f"{member.linkname!r}, outside the directory")
                found[rel] = Member(rel, "link", target=posixpath.normpath(lexical))
            else:
                src_rel = _member_path(member.linkname, prefix)
                linked = found.get(src_rel)
                if linked is None or linked.kind != "file":
                    raise PathTraversalError(f"tar entry {member.name!r} hardlinks to "
                                             f"{member.linkname!r}, which is not a regular file "
                                             "in the directory")
                found[rel] = Member(rel, "file", linked.size, linked.digest)
        marked = _end(reader, tar)
    _check_content_digest(reader, marked, expected, prefix)
    return list(found.values())


def _ancestors(rel_dir: str) -> list[str]:
    parts = [p for p in rel_dir.split("/") if p]
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
