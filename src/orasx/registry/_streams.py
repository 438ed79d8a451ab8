"""Uploads hashed while they are sent: the digest is computed from the bytes that go out.

``POST`` opens a session, the content is sent as ``PATCH`` requests with their ``Content-Range``,
and the final ``PUT ?digest=`` names the digest only the sender knows by then. The registry checks
it against what it received, so nothing is stored under a wrong name.

Two kinds of source:

- a stream of unknown length (a pipe): read in pieces of :data:`STREAM_CHUNK`, one ``PATCH`` each;
- a regular file (its size known from ``fstat``): read once, never hashed beforehand. Up to
  :data:`~orasx.registry._uploads.CHUNKED_THRESHOLD` it goes as one streamed ``PATCH``; bigger
  files go as ``PATCH`` chunks whose session is saved after each one (keyed by the file's identity,
  as the digest is not known yet), so a failed push continues where it stopped. The file must not
  change while it is sent: its size, inode and modification time are compared before and after,
  and a changed file fails the upload before the ``PUT`` (the session is cancelled).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import stat
from collections.abc import Iterator
from typing import Any

from orasx.descriptor import Descriptor
from orasx.digest import CHUNK_SIZE, Digest, FileBacked, Readable
from orasx.errors import OrasError, RegistryError, VerificationError
from orasx.registry._errors import registry_error
from orasx.registry._http import Client
from orasx.registry._uploads import (
    CHUNK_BYTES,
    CHUNKED_THRESHOLD,
    UploadState,
    finish_upload,
    patch_chunk,
    upload_offset,
)
from orasx.registry._urls import RepositoryURLs, join_url

log = logging.getLogger("orasx.registry.remote")

#: How much of a stream of unknown length one PATCH carries (held in memory while it is sent).
STREAM_CHUNK = 8 * 1024 * 1024


def push_stream(client: Client, urls: RepositoryURLs, scopes: tuple[str, ...], media_type: str,
                stream: Readable, annotations: dict[str, str] | None = None) -> Descriptor:
    """Upload everything ``stream`` gives as one blob; return its descriptor."""
    st = _regular_file(stream)
    if st is not None:
        return _push_file(client, urls, scopes, media_type, stream, st, annotations)
    what = f"{urls.registry}/{urls.name}: upload from a stream"
    url = _open_session(client, urls, scopes, what)
    hasher = hashlib.sha256()
    offset = 0
    while chunk := _read_chunk(stream):
        hasher.update(chunk)
        url = patch_chunk(client, url, scopes, offset, len(chunk), chunk, what, urls.registry)
        offset += len(chunk)
    digest = Digest.from_hasher(hasher)
    finish_upload(client, url, scopes, digest, what, urls.registry)
    return Descriptor(media_type, digest, offset, annotations=dict(annotations or {}))


def _regular_file(stream: Readable) -> os.stat_result | None:
    """The ``fstat`` of ``stream`` when it is a regular file read from its start, else None."""
    if not isinstance(stream, FileBacked):
        return None
    try:
        st = os.fstat(stream.fileno())
        if not stat.S_ISREG(st.st_mode) or stream.tell() != 0:
            return None
    except (OSError, ValueError):
        return None
    return st


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _push_file(client: Client, urls: RepositoryURLs, scopes: tuple[str, ...], media_type: str,
               f: Any, st: os.stat_result, annotations: dict[str, str] | None) -> Descriptor:
    title = (annotations or {}).get("org.opencontainers.image.title") or getattr(f, "name", "")
    what = f"{urls.registry}/{urls.name}: {title}" if title else f"{urls.registry}/{urls.name}"
    key = "file:" + ":".join(str(n) for n in (*_identity(st), st.st_ctime_ns))
    hasher = hashlib.sha256()
    size = st.st_size
    chunked = size >= CHUNKED_THRESHOLD
    state = UploadState(urls.registry, urls, key)
    offset, url = 0, ""
    saved = UploadState.load(urls.registry, urls, key) if chunked else None
    if saved is not None:
        done = upload_offset(client, saved.url, scopes)
        if done is None or done == 0 or done > size:
            saved.clear()
        else:
            log.info("%s: continuing an upload session at byte %d", what, done)
            _hash_prefix(f, hasher, done, what)  # what the registry holds: hashed, not sent
            offset, url = done, saved.url
    if not url:
        url = _open_session(client, urls, scopes, what)
    try:
        while offset < size:
            length = min(CHUNK_BYTES if chunked else size, size - offset)
            body = _hashed_pieces(f, hasher, length, what)
            url = patch_chunk(client, url, scopes, offset, length, body, what, urls.registry)
            offset += length
            if chunked:
                state.save(url, offset)
        if f.read(1) or _identity(os.fstat(f.fileno())) != _identity(st):
            raise VerificationError(f"{what}: the file changed while it was uploaded")
    except VerificationError:
        state.clear()
        _cancel(client, url, scopes)
        raise
    digest = Digest.from_hasher(hasher)
    try:
        finish_upload(client, url, scopes, digest, what, urls.registry)
    finally:
        state.clear()
    return Descriptor(media_type, digest, size, annotations=dict(annotations or {}))


def _hash_prefix(f: Any, hasher: Any, n: int, what: str) -> None:
    while n > 0:
        data = f.read(min(n, CHUNK_SIZE))
        if not data:
            raise VerificationError(f"{what}: the file changed while it was uploaded")
        hasher.update(data)
        n -= len(data)


def _hashed_pieces(f: Any, hasher: Any, n: int, what: str) -> Iterator[bytes]:
    """The next ``n`` bytes of ``f`` in 1 MiB pieces, hashed as they are read; a file that
    ends early fails the request (the registry is never sent fewer bytes than announced)."""
    while n > 0:
        data = f.read(min(n, CHUNK_SIZE))
        if not data:
            raise VerificationError(f"{what}: the file changed while it was uploaded (it is "
                                    "shorter than it was)")
        hasher.update(data)
        n -= len(data)
        yield data


def _open_session(client: Client, urls: RepositoryURLs, scopes: tuple[str, ...],
                  what: str) -> str:
    resp = client.request("POST", urls.uploads(), headers={"Content-Length": "0"}, body=b"",
                          scopes=scopes, metadata=True)  # a bodiless request: the metadata deadline
    if resp.status != 202:
        raise registry_error(resp, "POST", what, urls.registry)
    location = resp.header("Location")
    resp.discard()
    if not location:
        raise RegistryError(f"{what}: registry started an upload without a Location")
    return join_url(resp.url, location, f"{what}: the upload Location")


def _cancel(client: Client, url: str, scopes: tuple[str, ...]) -> None:
    """Cancel an upload session (best effort: an abandoned one expires on the registry)."""
    with contextlib.suppress(OrasError):
        client.request("DELETE", url, scopes=scopes, metadata=True).discard()


def _read_chunk(stream: Readable) -> bytes:
    parts: list[bytes] = []
    size = 0
    while size < STREAM_CHUNK:
        data = stream.read(STREAM_CHUNK - size)
        if not data:
            break
        parts.append(data)
        size += len(data)
    return b"".join(parts)
