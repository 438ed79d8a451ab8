"""The streams a copy moves blobs through: counted for progress, stopped on cancel, and which
failures are worth a second try."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

from orasx._copy._options import Hooks, ProgressHook
from orasx.content import Readable
from orasx.descriptor import Descriptor
from orasx.digest import CopiesVerified, Digest, DownloadsInPlace, FileBacked, verified_as
from orasx.errors import (
    CopyError,
    NetworkError,
    OrasError,
    Reason,
    RegistryError,
    VerificationError,
    with_origin,
)


class _Counting:
    """Reports the running byte count of its reads. What the stream declares besides
    (:class:`~orasx.digest.SelfVerifying`, :class:`~orasx.digest.FileBacked`: an upload tells a
    regular file by its ``fileno``) is passed on; a stream without a file raises
    ``io.UnsupportedOperation`` from ``fileno``/``tell``, as ``io`` streams do."""

    def __init__(self, stream: Readable, desc: Descriptor, hook: ProgressHook) -> None:
        self._stream = stream
        self._desc = desc
        self._hook = hook
        self._done = 0

    def read(self, n: int = -1, /) -> bytes:
        data = self._stream.read(n)
        if data:
            self._done += len(data)
            self._hook(self._desc, self._done)
        return data

    @property
    def verifies(self) -> tuple[Digest, int] | None:
        return verified_as(self._stream)

    def copy_into(self, fd: int, /) -> bool:
        """The source's own kernel copy (:class:`~orasx.digest.CopiesVerified`), counted whole."""
        if not isinstance(self._stream, CopiesVerified) or not self._stream.copy_into(fd):
            return False
        self._done = self._desc.size
        self._hook(self._desc, self._done)
        return True

    def download_into(self, fd: int, /, *, have: int = 0,
                      progress: Callable[[int], None] | None = None,
                      checkpoint: Callable[[int], None] | None = None) -> bool:
        """The source's own download in place (:class:`~orasx.digest.DownloadsInPlace`),
        counted as it lands."""
        if not isinstance(self._stream, DownloadsInPlace):
            return False

        def counted(n: int) -> None:
            if progress is not None:
                progress(n)
            if n != self._done:
                self._done = n
                self._hook(self._desc, n)

        return self._stream.download_into(fd, have=have, progress=counted, checkpoint=checkpoint)

    def fileno(self) -> int:
        if not isinstance(self._stream, FileBacked):
            raise io.UnsupportedOperation("fileno")
        return self._stream.fileno()

    def tell(self) -> int:
        if not isinstance(self._stream, FileBacked):
            raise io.UnsupportedOperation("tell")
        return self._stream.tell()

    def close(self) -> None:
        self._stream.close()


def retry_status(e: OrasError) -> int | bool | None:
    """What the retry policy is told about a failed blob: ``None`` for a connection-level
    failure (a dropped upload, a cut or corrupt download, a lost upload session, a 413 or 416 on
    a streamed body), the HTTP status otherwise, ``False`` for an error that is never retried."""
    if isinstance(e, CopyError):
        return False
    if isinstance(e, NetworkError) and e.reason in (Reason.DEADLINE, Reason.TOO_SLOW):
        return False  # a registry that is too slow stays too slow: no second full wait
    if isinstance(e, (NetworkError, VerificationError)):
        return None
    if not isinstance(e, RegistryError):
        return False
    if {"BLOB_UPLOAD_UNKNOWN", "BLOB_UPLOAD_INVALID"} & set(e.codes) or e.status in (413, 416):
        return None
    return e.status


def reporting(stream: Readable, desc: Descriptor, hooks: Hooks) -> Readable:
    """``stream`` reporting its byte count to ``hooks.on_progress`` (when set) as it is read."""
    return stream if hooks.on_progress is None else _Counting(stream, desc, hooks.on_progress)


class Cancellable:
    """Stops a transfer at its next read once the copy is cancelled (Ctrl-C)."""

    def __init__(self, stream: Readable, event: threading.Event) -> None:
        self._stream = stream
        self._event = event

    def read(self, n: int = -1, /) -> bytes:
        if self._event.is_set():
            raise CopyError("cancelled", origin="destination")
        try:
            return self._stream.read(n)
        except OrasError as e:  # the source failed mid-stream (reset, corrupt bytes...)
            raise with_origin(e, "source") from None

    @property
    def verifies(self) -> tuple[Digest, int] | None:
        """What the source stream checks itself against (:class:`orasx.digest.SelfVerifying`)."""
        return verified_as(self._stream)

    def copy_into(self, fd: int, /) -> bool:
        """The source's own kernel copy (:class:`~orasx.digest.CopiesVerified`), when it has one."""
        if self._event.is_set():
            raise CopyError("cancelled", origin="destination")
        if not isinstance(self._stream, CopiesVerified):
            return False
        try:
            return self._stream.copy_into(fd)
        except OrasError as e:
            raise with_origin(e, "source") from None

    def download_into(self, fd: int, /, *, have: int = 0,
                      progress: Callable[[int], None] | None = None,
                      checkpoint: Callable[[int], None] | None = None) -> bool:
        """The source's own download in place (:class:`~orasx.digest.DownloadsInPlace`), stopped
        at its next progress report once the copy is cancelled."""
        if self._event.is_set():
            raise CopyError("cancelled", origin="destination")
        if not isinstance(self._stream, DownloadsInPlace):
            return False

        def checked(n: int) -> None:
            if self._event.is_set():
                raise CopyError("cancelled", origin="destination")
            if progress is not None:
                progress(n)

        try:
            return self._stream.download_into(fd, have=have, progress=checked,
                                              checkpoint=checkpoint)
        except CopyError:
            raise
        except OrasError as e:
            raise with_origin(e, "source") from None

    def close(self) -> None:
        self._stream.close()
