"""An OCI layout tar as ``backup`` writes it and ``restore`` reads it: written from a scratch
layout (:func:`_write_tar`), read in place (:class:`_TarLayout`: blobs are read from the tar where
they are; only ``index.json`` and the manifests it reaches go to a scratch directory). What cannot
be read in place is refused: a compressed archive, a sparse member."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import tarfile
import tempfile
import threading
from collections.abc import Iterator
from typing import BinaryIO

from orasx import mediatype
from orasx._gostr import go_quote
from orasx.api._layout_check import layout_problem
from orasx.content import ReadOnlyTarget
from orasx.content.oci import OCILayoutStore
from orasx.descriptor import Descriptor
from orasx.digest import CHUNK_SIZE, Digest, Readable
from orasx.errors import (
    InvalidInputError,
    NotFoundError,
    Reason,
    SizeLimitError,
)
from orasx.manifest import MAX_MANIFEST_BYTES, Index, parse_manifest


def _write_tar(layout_dir: str, path: str) -> None:
    """The layout's directories and regular files, walked in name order as Go's ``tar.AddFS``
    does: USTAR headers with whole-second times, no padding after the end-of-archive blocks."""
    with open(path, "wb") as f:
        with tarfile.open(fileobj=f, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for rel in _walk(layout_dir):
                full = os.path.join(layout_dir, rel)
                info = tar.gettarinfo(full, arcname=rel)
                info.mtime = int(info.mtime)
                if info.isdir():
                    tar.addfile(info)
                else:
                    with open(full, "rb") as blob:
                        tar.addfile(info, blob)
            end = tar.offset + 2 * tarfile.BLOCKSIZE  # what close() adds before its record padding
        f.truncate(end)


def _walk(root: str, rel: str = "") -> Iterator[str]:
    with os.scandir(os.path.join(root, rel)) as it:
        entries = sorted(it, key=lambda e: e.name)
    for e in entries:
        name = f"{rel}/{e.name}" if rel else e.name
        mode = e.stat(follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            yield name
            yield from _walk(root, name)
        elif stat.S_ISREG(mode):
            yield name


@contextlib.contextmanager
def _open_layout(path: str) -> Iterator[tuple[ReadOnlyTarget, int | None]]:
    """The layout at ``path`` (a directory, or a tar read in place) and, for a tar, its size."""
    try:
        st = os.stat(path)
    except OSError as e:
        err = NotFoundError if isinstance(e, FileNotFoundError) else InvalidInputError
        raise err(f"failed to access input path {go_quote(path)}: stat {path}: "
                  f"{_lower_first(e.strerror or str(e))}", reason=Reason.INPUT_PATH) from None
    if path.endswith(".tar"):
        with _TarLayout.open(path) as layout:
            yield layout, st.st_size
        return
    if not stat.S_ISDIR(st.st_mode):
        if stat.S_ISREG(st.st_mode):
            with open(path, "rb") as f:
                _refuse_compressed(path, f.read(_MAGIC_BYTES))
        raise InvalidInputError(f"{path}: not a directory or a .tar file")
    problem = layout_problem(path)
    if problem:
        raise InvalidInputError(f"failed to prepare OCI store from directory {go_quote(path)}: "
                                f"{problem}", reason=Reason.INPUT_PATH, path=path)
    if not os.path.exists(os.path.join(path, "oci-layout")):  # (Go writes one into it: we don't)
        raise NotFoundError(f"no tags found in OCI layout {go_quote(path)}", reason=Reason.NO_TAGS,
                            path=path)
    yield OCILayoutStore(path, create=False), None


#: The layout files read from a tar (``./`` allowed in front); anything else in it is ignored.
_LAYOUT_MEMBER = re.compile(r"(?:\./)?(oci-layout|index\.json|blobs/sha(?:256|512)/[a-f0-9]{64,128})")


#: Compressed archives by their first bytes: (magic, format, the reason refusing it).
_COMPRESSED = ((b"\x1f\x8b", "gzip", Reason.COMPRESSED_GZIP),
               (b"BZh", "bzip2", Reason.COMPRESSED_BZIP2),
               (b"\xfd7zXZ\x00", "xz", Reason.COMPRESSED_XZ),
               (b"\x28\xb5\x2f\xfd", "zstd", Reason.COMPRESSED_ZSTD))


_MAGIC_BYTES = 6


def _refuse_compressed(path: str, head: bytes) -> None:
    """Refuse a compressed archive (reason ``compressed-<format>``): it cannot be read in place,
    and what it unpacks to is not bounded by its size."""
    for magic, name, reason in _COMPRESSED:
        if head.startswith(magic):
            raise InvalidInputError(f"{go_quote(path)} is {name}-compressed; restore reads an "
                                    "uncompressed tar, in place", reason=reason)


_SEEK_LOCK = threading.Lock()


def _read_at(fd: int, n: int, offset: int) -> bytes:
    """Up to ``n`` bytes at ``offset`` of ``fd``, whoever else reads it (``pread``; a seek and a
    read under a lock where there is none: Windows)."""
    if sys.platform != "win32":
        return os.pread(fd, n, offset)
    with _SEEK_LOCK:
        os.lseek(fd, offset, os.SEEK_SET)
        return os.read(fd, n)


def _blob_name(digest: Digest) -> str:
    return f"blobs/{digest.algorithm}/{digest.encoded}"


class _TarLayout:
    """A layout tar read in place, as oras-go's ``oci.NewFromTar``: a blob is read from the bytes
    of its member in the tar (``pread`` on one open file, so threads share it). Tags and referrers
    come from a scratch layout holding ``oci-layout``, ``index.json`` and the manifests
    ``index.json`` reaches (each at most :data:`MAX_MANIFEST_BYTES` and verified): all a restore
    writes, never more than the tar holds."""

    def __init__(self, path: str, layout: OCILayoutStore, fd: int,
                 members: dict[str, tuple[int, int]]) -> None:
        self.path = path
        self._layout = layout
        self._fd = fd
        self._members = members

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: str) -> Iterator[_TarLayout]:
        with open(path, "rb") as f:
            _refuse_compressed(path, f.read(_MAGIC_BYTES))
            f.seek(0)
            members = _scan_tar(path, f)
            with tempfile.TemporaryDirectory(prefix="orasx-restore-") as tmp:
                layout = _scratch_layout(path, f.fileno(), members, tmp)
                yield cls(path, layout, f.fileno(), members)

    def fetch(self, desc: Descriptor) -> Readable:
        found = self._members.get(_blob_name(desc.digest))
        if found is None:
            raise NotFoundError(f"{desc.digest}: not found in OCI layout {self.path}",
                                reason=Reason.NOT_IN_STORE, path=self.path)
        return _MemberReader(self._fd, *found)

    def exists(self, desc: Descriptor) -> bool:
        return _blob_name(desc.digest) in self._members

    def resolve(self, reference: str) -> Descriptor:
        return self._layout.resolve(reference)

    def tags(self, *, last: str = "", page_size: int = 0) -> list[str]:
        return self._layout.tags(last=last, page_size=page_size)

    def referrers(self, desc: Descriptor, artifact_type: str = "") -> list[Descriptor]:
        return self._layout.referrers(desc, artifact_type)


class _MemberReader:
    """``size`` bytes at ``offset`` of the open file ``fd`` (read with ``pread``: every reader
    keeps its own position)."""

    def __init__(self, fd: int, offset: int, size: int) -> None:
        self._fd = fd
        self._pos = offset
        self._end = offset + size

    def read(self, n: int = -1, /) -> bytes:
        left = self._end - self._pos
        n = left if n < 0 else min(n, left)
        if n <= 0:
            return b""
        data = _read_at(self._fd, min(n, CHUNK_SIZE), self._pos)
        self._pos += len(data)
        return data

    def close(self) -> None:
        self._pos = self._end


def _scan_tar(path: str, f: BinaryIO) -> dict[str, tuple[int, int]]:
    """Where each layout file's bytes are in the tar (offset, size), from its headers alone; a
    sparse member among them is refused (reason ``sparse-member``)."""
    members: dict[str, tuple[int, int]] = {}
    try:
        with tarfile.open(fileobj=f, mode="r:") as tar:
            for m in tar:
                found = _LAYOUT_MEMBER.fullmatch(m.name)
                if found is None:
                    continue
                if m.issparse():
                    raise InvalidInputError(
                        f"tar archive {go_quote(path)}: member {go_quote(m.name)} is a sparse "
                        f"file ({m.size} bytes unpacked), which restore does not read",
                        reason=Reason.SPARSE_MEMBER)
                if m.isreg():
                    members[found.group(1)] = (m.offset_data, m.size)
    except tarfile.TarError as e:
        if str(e) == "empty file":
            return members  # (no oci-layout: refused as such)
        words = "archive/tar: invalid tar header" if "invalid header" in str(e) or \
            "bad checksum" in str(e) else "unexpected EOF"
        raise InvalidInputError(f"{_from_tar(path)}{words}", reason=Reason.INPUT_PATH,
                                path=path) from None
    return members


def _from_tar(path: str) -> str:
    return f"failed to prepare OCI store from tar archive {go_quote(path)}: "


def _scratch_layout(path: str, fd: int, members: dict[str, tuple[int, int]],
                    into: str) -> OCILayoutStore:
    """A layout in ``into`` with the tar's ``oci-layout``, ``index.json`` and the manifests
    ``index.json`` reaches (those whose member matches their descriptor)."""
    for name in ("oci-layout", "index.json"):
        if name not in members:
            continue
        offset, size = members[name]
        if size > MAX_MANIFEST_BYTES:
            raise SizeLimitError(f"tar archive {go_quote(path)}: {name} is {size} bytes, over "
                                 f"the {MAX_MANIFEST_BYTES}-byte limit")
        with open(os.path.join(into, name), "wb") as out:
            out.write(_read_at(fd, size, offset))
    if "oci-layout" not in members:
        raise InvalidInputError(f"{_from_tar(path)}invalid OCI Image Layout: failed to open OCI "
                                "layout file: open oci-layout: file does not exist",
                                reason=Reason.INPUT_PATH, path=path)
    problem = layout_problem(into)
    if problem:
        raise InvalidInputError(_from_tar(path) + problem, reason=Reason.INPUT_PATH, path=path)
    layout = OCILayoutStore(into, create=False)
    todo = layout.manifests()  # index.json's entries: nothing below them is there yet
    seen: set[Digest] = set()
    while todo:
        desc = todo.pop()
        if desc.digest in seen or not mediatype.is_manifest_like(desc.media_type):
            continue
        seen.add(desc.digest)
        found = members.get(_blob_name(desc.digest))
        if found is None or found[1] != desc.size or desc.size > MAX_MANIFEST_BYTES:
            continue  # (a restore that needs it fails on it, naming it)
        raw = _read_at(fd, desc.size, found[0])
        if len(raw) != desc.size or Digest.from_bytes(raw, desc.digest.algorithm) != desc.digest:
            continue
        blob = os.path.join(into, *_blob_name(desc.digest).split("/"))
        os.makedirs(os.path.dirname(blob), exist_ok=True)
        with open(blob, "wb") as out:
            out.write(raw)
        node = parse_manifest(desc.media_type, raw)
        if isinstance(node, Index):
            todo.extend(node.manifests)
    return layout


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]
