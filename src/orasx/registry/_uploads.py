"""Blob uploads: one ``PUT``, or resumable chunks whose session survives the process.

Small blobs go in one ``POST`` + ``PUT``; big ones (or all, once a registry answered 413 to a
single ``PUT``) as ``PATCH`` chunks. After each chunk the session's URL and offset are saved in
the user's cache (:class:`UploadState`), so a retry or a later run continues the session.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Iterator

from orasx._fsutil import cache_home
from orasx.content import Readable
from orasx.descriptor import Descriptor
from orasx.digest import CHUNK_SIZE, Digest, VerifyingReader
from orasx.errors import NetworkError, RegistryError
from orasx.registry import auth
from orasx.registry._errors import registry_error
from orasx.registry._http import Client
from orasx.registry._urls import RepositoryURLs, header_int, join_url, origin, url_problem, with_digest

log = logging.getLogger("orasx.registry.remote")

#: Blobs at least this big are uploaded in chunks (resumable); smaller ones in one PUT.
CHUNKED_THRESHOLD = 256 * 1024 * 1024
#: Chunk size for chunked uploads (raised to the registry's ``OCI-Chunk-Min-Length``).
CHUNK_BYTES = 64 * 1024 * 1024
#: The largest ``OCI-Chunk-Min-Length`` we follow (a chunk is streamed, but a registry asking
#: for terabyte chunks is asking for one PUT).
MAX_CHUNK_MIN_LENGTH = 1 << 40


class Uploader:
    """Uploads blobs to the repository at ``urls`` (on registry host ``host``)."""

    def __init__(self, client: Client, urls: RepositoryURLs, host: str) -> None:
        self.client = client
        self.urls = urls
        self.host = host
        self.scopes = (auth.repository_scope(urls.name, "pull", "push"),)
        self.chunked_threshold = CHUNKED_THRESHOLD
        self.chunk_size = CHUNK_BYTES
        #: set once the registry refused a single PUT (413): chunks from then on.
        self.always_chunked = False

    def push(self, desc: Descriptor, content: Readable) -> None:
        what = self.urls.ref(desc.digest)
        reader = VerifyingReader(content, desc.digest, desc.size, name=what)
        chunked = self.always_chunked or desc.size >= self.chunked_threshold
        session = UploadState.load(self.host, self.urls, desc.digest) if chunked else None
        if session is not None and self._resume(desc, reader, session, what):
            return
        resp = self.client.request(
            "POST", self.urls.uploads(), headers={"Content-Length": "0"},
            body=b"", scopes=self.scopes, metadata=True,
        )
        if resp.status == 201:  # some registries answer that they already have it
            resp.discard()
            return
        if resp.status != 202:
            raise registry_error(resp, "POST", what, self.urls.registry)
        location = resp.header("Location")
        min_chunk = resp.header("OCI-Chunk-Min-Length")
        resp.discard()
        if not location:
            raise RegistryError(f"{what}: registry started an upload without a Location")
        url = join_url(resp.url, location, f"{what}: the upload Location")
        if chunked:
            try:
                wanted = header_int(min_chunk) or 0
            except ValueError:
                wanted = 0  # a hint only: an unreadable one is ignored
            size = max(self.chunk_size, min(wanted, MAX_CHUNK_MIN_LENGTH))
            self._upload_chunks(desc, reader, url, 0, size, what)
            return
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(desc.size)}
        resp = self.client.request("PUT", with_digest(url, desc.digest), headers=headers,
                                   body=_chunks(reader), scopes=self.scopes)
        if resp.status == 413:
            # A registry or proxy refused the single PUT: use chunks from now on (the copy
            # retries this blob).
            self.always_chunked = True
        if resp.status not in (201, 204, 200):
            raise registry_error(resp, "PUT", what, self.urls.registry)
        resp.discard()

    def _upload_chunks(self, desc: Descriptor, reader: VerifyingReader, url: str, offset: int,
                       size: int, what: str) -> None:
        """Stream the rest of the blob from ``offset`` as PATCH chunks of ``size``, then PUT.

        Chunks stream from the source (memory stays bounded). After each chunk the session's URL
        and offset are saved, so that a retry of this blob, or a later run, asks the session where
        it stands (``GET`` -> ``Range``) and continues from there instead of starting over.
        """
        state = UploadState(self.host, self.urls, desc.digest)
        registry = self.urls.registry
        try:
            while offset < desc.size:
                length = min(size, desc.size - offset)
                url = patch_chunk(self.client, url, self.scopes, offset, length,
                                  _limited_chunks(reader, length), what, registry)
                offset += length
                state.save(url, offset)
            reader.verify()
            finish_upload(self.client, url, self.scopes, desc.digest, what, registry)
        except RegistryError:
            state.clear()  # the registry refused the session (a network error keeps it)
            raise
        state.clear()

    def _resume(self, desc: Descriptor, reader: VerifyingReader, session: UploadState,
                what: str) -> bool:
        """Continue an upload an earlier run left; False when the session is gone."""
        done = upload_offset(self.client, session.url, self.scopes)
        if done is None or done > desc.size or done == 0:
            session.clear()
            return False
        log.info("%s: continuing an upload session at byte %d", what, done)
        left = done
        while left:  # hash what the registry already has, without sending it again
            data = reader.read(min(left, CHUNK_SIZE))
            if not data:
                return False
            left -= len(data)
        self._upload_chunks(desc, reader, session.url, done, self.chunk_size, what)
        return True


def upload_offset(client: Client, url: str, scopes: tuple[str, ...]) -> int | None:
    """Bytes the upload session at ``url`` holds (``GET`` -> 204 ``Range: 0-N``); None when the
    session is gone or unreadable."""
    try:
        resp = client.request("GET", url, scopes=scopes, metadata=True)
    except NetworkError:
        return None
    rng = resp.header("Range")
    resp.discard()
    if resp.status not in (204, 202, 200):
        return None
    m = re.fullmatch(r"(?:bytes=)?0-([0-9]{1,19})", rng.strip())
    if not m or m.group(1) == "0":
        return 0  # Distribution reports an empty session as "0-0"
    return int(m.group(1)) + 1


class UploadState:
    """Where a chunked upload stands, in the user's cache, so a later run can continue it.

    ``~/.cache/orasx/uploads/<hash of registry, repository and digest>.json`` holds the session
    URL and offset; entries older than a day are ignored and removed. A session is named by the
    blob's digest or, for an upload hashed while it is sent (the digest is known only at the end),
    by the identity of the file being sent (``file:`` + device, inode, size and times).
    """

    MAX_AGE = 24 * 3600

    def __init__(self, host: str, urls: RepositoryURLs, digest: Digest | str) -> None:
        key = hashlib.sha256(f"{host}/{urls.name}@{digest}".encode()).hexdigest()
        self.path = os.path.join(cache_home(), "uploads", key[:32] + ".json")
        self.url = ""

    @classmethod
    def load(cls, host: str, urls: RepositoryURLs, digest: Digest | str) -> UploadState | None:
        """The saved session for this blob, if there is a fresh one on the repository's origin."""
        state = cls(host, urls, digest)
        try:
            st = os.stat(state.path)
            if time.time() - st.st_mtime > cls.MAX_AGE:
                state.clear()
                return None
            with open(state.path) as f:
                doc = json.load(f)
        except (OSError, ValueError, RecursionError):
            return None
        url = doc.get("url") if isinstance(doc, dict) else None
        if not isinstance(url, str) or url_problem(url) or origin(url) != origin(urls.base):
            state.clear()
            return None
        state.url = url
        return state

    def save(self, url: str, offset: int) -> None:
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            tmp = self.path + ".tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump({"url": url, "offset": offset}, f)
            os.replace(tmp, self.path)
        except OSError:
            pass  # resuming later is a convenience; the upload itself goes on

    def clear(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.path)


def _chunks(reader: VerifyingReader) -> Iterator[bytes]:
    while data := reader.read(CHUNK_SIZE):
        yield data
    reader.verify()


def _limited_chunks(reader: VerifyingReader, n: int) -> Iterator[bytes]:
    """The next ``n`` bytes of ``reader`` as 1 MiB pieces."""
    while n > 0:
        data = reader.read(min(n, CHUNK_SIZE))
        if not data:
            return
        n -= len(data)
        yield data


def patch_chunk(client: Client, url: str, scopes: tuple[str, ...], offset: int, length: int,
                body: bytes | Iterator[bytes], what: str, registry: str) -> str:
    """PATCH ``length`` bytes (``body``) at ``offset`` of an upload session; returns the
    session's next URL. A refusal raises the registry's error."""
    headers = {"Content-Type": "application/octet-stream", "Content-Length": str(length)}
    if length:
        headers["Content-Range"] = f"{offset}-{offset + length - 1}"
    resp = client.request("PATCH", url, headers=headers, body=body, scopes=scopes)
    if resp.status not in (202, 204, 201):
        raise registry_error(resp, "PATCH", what, registry)
    location = resp.header("Location")
    resp.discard()
    return join_url(resp.url, location, f"{what}: the upload Location") if location else url


def finish_upload(client: Client, url: str, scopes: tuple[str, ...], digest: Digest, what: str,
                  registry: str) -> None:
    """Close the upload session at ``url`` with ``PUT ?digest=`` (the registry checks the bytes
    it holds against ``digest``); a refusal raises the registry's error."""
    resp = client.request("PUT", with_digest(url, digest), headers={"Content-Length": "0"},
                          body=b"", scopes=scopes)
    if resp.status not in (201, 204, 200):
        raise registry_error(resp, "PUT", what, registry)
    resp.discard()
