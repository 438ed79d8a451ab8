"""The files inside a directory layer, read through the cache.

A directory is pushed as one tar+gzip layer. To list and open what is inside it without
unpacking it anywhere, the layer is read once through the cache (hashed as it is read, as every
cache read) and walked by the safe tar rules (:func:`~orasx.content._tar.index_directory`: no
entry outside, no link out); each regular file is stored in the cache under its own digest (a
content-addressed entry like any other, hashed whenever it is read), and the index of the
members (path, kind, size, digest) is stored as a cache entry too. Which index belongs to which
layer is recorded in this user's trust records (``members-<alg>-<hex>``: only this user can
write them), so an index planted by someone else is never used: without this user's record the
layer is read and indexed again. Where the cache cannot keep anything, the index lives in this
process only.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import threading
from collections import OrderedDict
from typing import IO, Any

from orasx import mediatype
from orasx.content._tar import Member, index_directory
from orasx.content.cache import CachedTarget
from orasx.descriptor import CONTENT_DIGEST, Descriptor
from orasx.digest import CHUNK_SIZE, Digest, parse_digest
from orasx.errors import InvalidDigestError, NotFoundError, VerificationError

__all__ = ["Member", "member_descriptor", "members", "open_member"]

#: The largest index read back (a layer of about a million files).
MAX_INDEX_BYTES = 256 << 20
_INDEX_MEDIA_TYPE = "application/vnd.orasx.members.v1+json"
_memory: OrderedDict[tuple[str, Digest], tuple[Member, ...]] = OrderedDict()
_memory_lock = threading.Lock()
_MEMORY_ENTRIES = 64


def _key(layer: Descriptor) -> str:
    return f"members-{layer.digest.algorithm}-{layer.digest.encoded}"


def member_descriptor(layer: Descriptor, member: Member) -> Descriptor:
    """The cache entry of a member file (its own digest and size)."""
    assert member.digest is not None
    return Descriptor(mediatype.DEFAULT_FILE, member.digest, member.size,
                      annotations={"org.opencontainers.image.title":
                                   f"{layer.title.rstrip('/')}/{member.path}"
                                   if layer.title not in (".", "./", "") else member.path})


def members(source: CachedTarget, layer: Descriptor, *, rebuild: bool = False) -> tuple[Member, ...]:
    """The members of the directory layer ``layer``: this user's recorded index, else one
    verified read of the layer (its files stored in the cache as they go by)."""
    if not rebuild:
        with _memory_lock:
            found = _memory.get((source.cache.root, layer.digest))
        if found is not None:
            return found
        recorded = _recorded(source, layer)
        if recorded is not None:
            _remember(source, layer, recorded)
            return recorded
    built = _build(source, layer)
    _remember(source, layer, built)
    raw = json.dumps({"layer": str(layer.digest), "members": [_to_json(m) for m in built]},
                     separators=(",", ":")).encode()
    desc = Descriptor.from_bytes(_INDEX_MEDIA_TYPE, raw)
    cache = source.cache
    cache.add_stream(io.BytesIO(raw), len(raw))
    opened = cache.open_blob(desc)
    if opened is not None:  # kept: recorded as this user's index of the layer
        os.close(opened[0])
        cache.trust.write(_key(layer), [f"{desc.digest} {desc.size}"])
    return built


def open_member(source: CachedTarget, layer: Descriptor, member: Member) -> IO[bytes]:
    """A seekable file of ``member``'s bytes (a file of ``layer``), hashed before it is
    returned; a missing or damaged entry makes the layer be read (and indexed) again."""
    desc = member_descriptor(layer, member)
    for attempt in (1, 2):
        opened = source.cache.open_blob(desc)
        if opened is not None:
            os.close(opened[0])
            try:
                return _offline(source).open_file(desc)
            except (NotFoundError, VerificationError):
                if attempt == 2:
                    raise
        elif attempt == 2:
            break
        members(source, layer, rebuild=True)
    return _extract_one(source, layer, member)


def _offline(source: CachedTarget) -> CachedTarget:
    """The same cache, asking the registry nothing (a member is no blob of the registry)."""
    return CachedTarget(source.source, source.cache, source.name, offline=True)


def _extract_one(source: CachedTarget, layer: Descriptor, member: Member) -> IO[bytes]:
    """``member``'s bytes straight from the layer into a private spool (a cache that cannot
    keep them), hashed against the indexed digest."""
    spool = tempfile.TemporaryFile()
    found: list[Digest] = []

    def keep(path: str, stream: IO[bytes], size: int) -> Digest:
        h = Digest("sha256", "0" * 64).hasher()
        while data := stream.read(CHUNK_SIZE):
            h.update(data)
            if path == member.path and not found:
                spool.write(data)
        digest = Digest.from_hasher(h)
        if path == member.path:
            found.append(digest)
        return digest

    try:
        _walk(source, layer, keep)
        if not found or found[0] != member.digest:
            raise VerificationError(f"{layer.title}/{member.path}: not the indexed content")
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _build(source: CachedTarget, layer: Descriptor) -> tuple[Member, ...]:
    def keep(_path: str, stream: IO[bytes], size: int) -> Digest:
        return source.cache.add_stream(stream, size)

    return tuple(_walk(source, layer, keep))


def _walk(source: CachedTarget, layer: Descriptor, keep: Any) -> list[Member]:
    expected = layer.annotations.get(CONTENT_DIGEST)
    for attempt in (1, 2):
        stream = source.fetch(layer)
        try:
            found = index_directory(stream, layer.title, parse_digest(expected) if expected  # type: ignore[arg-type]
                                    else None, keep)
            while stream.read(CHUNK_SIZE):  # to its end: the layer's digest is checked there
                pass
            return found
        except VerificationError:
            if attempt == 2 or source.offline:
                raise
        finally:
            stream.close()
    raise AssertionError("unreachable")


def _recorded(source: CachedTarget, layer: Descriptor) -> tuple[Member, ...] | None:
    lines = source.cache.trust.lines(_key(layer))
    if not lines:
        return None
    try:
        digest_text, _, size_text = lines[-1].partition(" ")
        desc = Descriptor(_INDEX_MEDIA_TYPE, parse_digest(digest_text), int(size_text))
    except (InvalidDigestError, ValueError):
        return None
    if desc.size > MAX_INDEX_BYTES:
        return None
    try:
        with _offline(source).open_file(desc) as f:
            doc = json.loads(f.read(MAX_INDEX_BYTES))
        if doc.get("layer") != str(layer.digest):
            return None
        return tuple(_from_json(m) for m in doc["members"])
    except (NotFoundError, VerificationError, ValueError, KeyError, TypeError, InvalidDigestError):
        return None


def _remember(source: CachedTarget, layer: Descriptor, found: tuple[Member, ...]) -> None:
    key = (source.cache.root, layer.digest)
    with _memory_lock:
        _memory[key] = found
        _memory.move_to_end(key)
        while len(_memory) > _MEMORY_ENTRIES:
            _memory.popitem(last=False)


def _to_json(m: Member) -> dict[str, Any]:
    out: dict[str, Any] = {"path": m.path, "kind": m.kind}
    if m.kind == "file":
        out.update(size=m.size, digest=str(m.digest))
    if m.kind == "link":
        out["target"] = m.target
    return out


def _from_json(d: dict[str, Any]) -> Member:
    kind = d["kind"]
    if kind not in ("file", "dir", "link") or not isinstance(d["path"], str):
        raise ValueError(f"a member of kind {kind!r}")
    if kind == "file":
        return Member(d["path"], kind, int(d["size"]), parse_digest(d["digest"]))
    return Member(d["path"], kind, target=str(d.get("target", "")))
