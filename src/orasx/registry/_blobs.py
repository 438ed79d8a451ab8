"""The blob store of a remote repository: fetch (resumed downloads), describe, exists, push,
delete and cross-repository mount (oras-go's ``blobStore``)."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable

from orasx.content import Readable
from orasx.descriptor import Descriptor
from orasx.digest import CHUNK_SIZE, Digest
from orasx.errors import (
    InvalidManifestError,
    NetworkError,
    NotFoundError,
    OrasError,
    Reason,
    VerificationError,
)
from orasx.registry import auth
from orasx.registry._errors import expect_content, expect_deleted, registry_error
from orasx.registry._http import Client, Response
from orasx.registry._rangedget import RangedDownload
from orasx.registry._uploads import Uploader
from orasx.registry._urls import RepositoryURLs, join_url

log = logging.getLogger("orasx.registry.remote")

#: How long (in stall windows) a blob found too slow is not requested again by the same store.
SLOW_MEMORY_WINDOWS = 10


class BlobStore:
    """The blobs of the repository at ``urls``, reached through ``client``."""

    def __init__(self, client: Client, urls: RepositoryURLs, host: str) -> None:
        self.client = client
        self.urls = urls
        self.pull_scopes = (auth.repository_scope(urls.name, "pull"),)
        self.push_scopes = (auth.repository_scope(urls.name, "pull", "push"),)
        self.uploader = Uploader(client, urls, host)
        #: blobs served too slowly on two connections in a row: digest -> (until, message).
        self._too_slow: dict[Digest, tuple[float, str]] = {}

    def fetch(self, desc: Descriptor) -> Readable:
        """Open a blob; a dropped or stalled download continues where it stopped.

        A blob the registry served under the minimum rate on two connections in a row is not
        asked for again for ``SLOW_MEMORY_WINDOWS`` stall windows: a third slow transfer (the
        copy engine retries failed blobs) would cost two more windows and end the same way.
        """
        url = self.urls.blob(desc.digest)
        headers = {"Accept": "*/*", "Accept-Encoding": "identity"}
        what = self.urls.ref(desc.digest)
        slow = self._too_slow.get(desc.digest)
        if slow is not None and time.monotonic() < slow[0]:
            raise NetworkError(slow[1], reason=Reason.TOO_SLOW)
        options = self.client.options
        if options.range_connections > 0 and desc.size >= options.range_threshold:
            # A big blob: read as one stream (opened on the first read), or downloaded into a
            # file by parallel ranges when the destination asks (DownloadsInPlace).
            download = RangedDownload(self.client, url, headers, self.pull_scopes, what,
                                      self.urls.registry, desc, options.range_connections)
            return RangedBlob(lambda resp: self._open(desc, url, headers, what, resp), download)
        return self._open(desc, url, headers, what)

    def _open(self, desc: Descriptor, url: str, headers: dict[str, str], what: str,
              resp: Response | None = None) -> Readable:
        """The blob as a resuming stream (``resp``: the response to its GET, when sent)."""
        if resp is None:
            resp = self.client.request("GET", url, headers=headers, scopes=self.pull_scopes)
        try:
            expect_content(resp, what, self.urls.registry, desc.size)
        except NotFoundError:  # oras-go names a blob fetched by descriptor by its digest alone
            raise NotFoundError(f"{desc.digest}: not found", reference=what) from None
        header_digest = resp.header("Docker-Content-Digest")
        if header_digest and header_digest != str(desc.digest):
            resp.close()
            raise VerificationError(
                f"{what}: registry says the content is {header_digest}, expected {desc.digest}"
            )
        return self._resuming(desc, url, headers, what, resp)

    def _resuming(self, desc: Descriptor, url: str, headers: dict[str, str], what: str,
                  resp: Response) -> ResumingBody:
        options = self.client.options

        def reopen(offset: int) -> Response:
            return self._reopen(url, headers, offset, what)

        def too_slow(message: str) -> None:
            until = time.monotonic() + SLOW_MEMORY_WINDOWS * options.stall_window
            self._too_slow[desc.digest] = (until, message)

        return ResumingBody(resp, reopen, what, stall_window=options.stall_window,
                            stall_min_bytes=options.stall_min_bytes, on_too_slow=too_slow)

    def _reopen(self, url: str, headers: dict[str, str], offset: int, what: str) -> Response:
        """``GET`` the blob again from byte ``offset``: a 206, or a 200 with the whole blob."""
        resp = self.client.request("GET", url, headers={**headers, "Range": f"bytes={offset}-"},
                                   scopes=self.pull_scopes)
        if resp.status not in (206, 200):
            raise registry_error(resp, "GET", what, self.urls.registry)
        return resp

    def describe(self, digest: Digest) -> Descriptor:
        """Describe a blob known only by its digest (``HEAD``: its size)."""
        what = self.urls.ref(digest)
        resp = self.client.request("HEAD", self.urls.blob(digest), scopes=self.pull_scopes,
                                   metadata=True)
        resp.discard()
        if resp.status == 404:
            raise NotFoundError(f"{what}: not found", reference=what)
        if resp.status != 200:
            raise registry_error(resp, "HEAD", what, self.urls.registry)
        size = resp.content_length(what)
        if size is None:
            raise InvalidManifestError(f"{digest}: the registry did not say the blob's size")
        return Descriptor("application/octet-stream", digest, size)

    def exists(self, desc: Descriptor) -> bool:
        resp = self.client.request("HEAD", self.urls.blob(desc.digest), headers={},
                                   scopes=self.pull_scopes, metadata=True)
        resp.discard()
        if resp.status == 200:
            return True
        if resp.status == 404:
            return False
        raise registry_error(resp, "HEAD", self.urls.ref(desc.digest), self.urls.registry)

    def push(self, desc: Descriptor, content: Readable) -> None:
        self.uploader.push(desc, content)

    def delete(self, desc: Descriptor) -> None:
        what = self.urls.ref(desc.digest)
        resp = self.client.request("DELETE", self.urls.blob(desc.digest),
                                   scopes=(auth.repository_scope(self.urls.name, "delete"),),
                                   metadata=True)
        expect_deleted(resp, what, self.urls.registry)

    def mount(self, desc: Descriptor, from_repository: str) -> bool:
        """Cross-repository mount (``POST ?mount=&from=``); False when the registry declined."""
        scopes = (*self.push_scopes, auth.repository_scope(from_repository, "pull"))
        resp = self.client.request("POST", self.urls.mount(desc.digest, from_repository),
                                   headers={"Content-Length": "0"}, body=b"", scopes=scopes,
                                   metadata=True)
        status = resp.status
        location = resp.header("Location")
        resp.discard()
        if status == 201:
            return True
        if status == 202 and location:
            # Declined: cancel the upload session it opened instead.
            with contextlib.suppress(OrasError):
                url = join_url(resp.url, location, f"{self.urls.ref(desc.digest)}: the upload "
                               "Location")
                self.client.request("DELETE", url, scopes=self.push_scopes,
                                    metadata=True).discard()
            return False
        return False


class RangedBlob:
    """A big blob (:class:`~orasx.digest.DownloadsInPlace`): read, it is one resuming stream,
    opened on the first read; ``download_into`` fetches it into a file by parallel ranges
    instead (nothing is requested until one of them is called)."""

    def __init__(self, open_stream: Callable[[Response | None], Readable],
                 download: RangedDownload) -> None:
        self._open = open_stream
        self._download = download
        self._stream: Readable | None = None
        self._declined = False

    def read(self, n: int = -1, /) -> bytes:
        if self._stream is None:
            whole, self._download.whole = self._download.whole, None
            self._stream = self._open(whole)
        return self._stream.read(n)

    def download_into(self, fd: int, /, *, have: int = 0,
                      progress: Callable[[int], None] | None = None,
                      checkpoint: Callable[[int], None] | None = None) -> bool:
        if self._stream is not None or self._declined or sys.platform == "win32":
            return False  # read as a stream (or no positional writes here)
        placed = self._download.run(fd, have, progress, checkpoint)
        self._declined = not placed  # a registry that does not honour Range: read instead
        return placed

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
        elif self._download.whole is not None:
            self._download.whole.close()


class ResumingBody:
    """A blob download that continues with ``Range: bytes=N-`` after a dropped connection.

    ``reopen(offset)`` asks for the blob again from ``offset``: a 206 continues; a 200 (ranges
    refused) starts over and the first ``offset`` bytes of the new body are skipped: the content
    is addressed by its digest, so they are the same bytes, and the reader above still verifies
    the digest of the whole.

    The transfer must keep a minimum rate: fewer than ``stall_min_bytes`` in ``stall_window``
    seconds is a stall. A stall is treated as a dropped connection (a new one may well be fast)
    once; if the resumed connection stalls too before it kept the rate for a whole window, the
    registry is slow, not the connection: the download fails (``reason=Reason.TOO_SLOW``) instead of
    trickling through ``MAX_RESUMES`` more windows, and ``on_too_slow(message)`` is told.
    """

    MAX_RESUMES = 8
    #: stalls in a row (no window at the minimum rate between them) that end the download.
    MAX_STALLS_IN_A_ROW = 2

    def __init__(self, resp: Response, reopen: Callable[[int], Response], what: str, *,
                 stall_window: float, stall_min_bytes: int,
                 on_too_slow: Callable[[str], None] | None = None) -> None:
        self._resp = resp
        self._reopen = reopen
        self._what = what
        self._offset = 0
        self._resumes = 0
        self._window = stall_window
        self._min_bytes = stall_min_bytes
        self._window_start = time.monotonic()
        self._window_bytes = 0
        self._stalls = 0  # in a row
        self._on_too_slow = on_too_slow

    def read(self, n: int = -1, /) -> bytes:
        while True:
            try:
                data = self._resp.read(n)
                self._check_stall(len(data))
            except NetworkError as e:
                if e.reason is Reason.TOO_SLOW:
                    self._resp.close()
                    raise
                self._resume(e)
                continue
            self._offset += len(data)
            return data

    def _check_stall(self, got: int) -> None:
        self._window_bytes += got
        now = time.monotonic()
        if now - self._window_start < self._window:
            return
        slow = self._window_bytes < self._min_bytes and got > 0
        self._window_start, self._window_bytes = now, 0
        if not slow:
            self._stalls = 0
            return
        self._stalls += 1
        rate = f"under {self._min_bytes} bytes in {self._window:g} s"
        if self._stalls >= self.MAX_STALLS_IN_A_ROW:
            message = (f"{self._what}: transfer too slow: {rate}, on {self._stalls} connections "
                       "in a row")
            if self._on_too_slow is not None:
                self._on_too_slow(message)
            raise NetworkError(message, reason=Reason.TOO_SLOW)
        raise NetworkError(f"{self._what}: transfer stalled ({rate})")

    def _resume(self, cause: Exception) -> None:
        self._resp.close()
        self._resumes += 1
        if self._resumes > self.MAX_RESUMES:
            raise NetworkError(f"{self._what}: download failed after {self.MAX_RESUMES} resumes: "
                               f"{cause}") from None
        log.info("resuming %s at byte %d after: %s", self._what, self._offset, cause)
        resp = self._reopen(self._offset)
        self._window_start, self._window_bytes = time.monotonic(), 0
        if resp.status == 206:
            self._resp = resp
            return
        skip = self._offset  # ranges refused: start over, dropping what we already have
        while skip:
            chunk = resp.read(min(skip, CHUNK_SIZE))
            if not chunk:
                resp.close()
                raise NetworkError(f"{self._what}: body ended while restarting the download")
            skip -= len(chunk)
            try:
                self._check_stall(len(chunk))
            except NetworkError:
                resp.close()
                raise
        self._resp = resp

    def close(self) -> None:
        self._resp.close()
