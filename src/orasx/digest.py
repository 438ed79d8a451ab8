"""Content digests: parsing, hashing, and a reader that verifies size and digest while it streams."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Protocol, runtime_checkable

from orasx.errors import InvalidDigestError, VerificationError

if TYPE_CHECKING:
    from hashlib import _Hash

_ENCODED = {"sha256": re.compile(r"[a-f0-9]{64}"), "sha512": re.compile(r"[a-f0-9]{128}")}

#: Bytes per read when streaming blobs (large reads keep Python overhead off the hot path).
CHUNK_SIZE = 1 << 20


class Readable(Protocol):
    """A byte stream: ``read(n)`` returns at most ``n`` bytes, ``b""`` at the end."""

    def read(self, n: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class SelfVerifying(Protocol):
    """A stream that checks itself: ``verifies`` is the ``(digest, size)`` its bytes are hashed
    against as they are read, and a mismatch raises :class:`VerificationError` before the last
    bytes are returned (a cache entry read back). A :class:`VerifyingReader` for the same digest
    and size does not hash it a second time."""

    @property
    def verifies(self) -> tuple[Digest, int] | None: ...


@runtime_checkable
class CopiesVerified(SelfVerifying, Protocol):
    """A :class:`SelfVerifying` stream over a file that can place its bytes into another open
    file itself (a kernel copy), hashing the bytes it placed in the same pass:
    ``copy_into(fd)`` returns True once ``fd`` (an empty file) holds them, verified; False when
    it cannot (nothing written: read it as usual); a mismatch raises
    :class:`VerificationError` (the caller discards ``fd``). A cached pull places blobs so."""

    def copy_into(self, fd: int, /) -> bool: ...


@runtime_checkable
class DownloadsInPlace(Protocol):
    """A stream of a big remote blob that can also download itself into an open file, by
    positional writes (``os.pwrite``) from several connections at once, hashing the bytes in
    order as the written prefix grows: ``download_into(fd, have=n)`` keeps the first ``n`` bytes
    already in ``fd`` (hashed again, not fetched: a resumed download), writes the rest at their
    offsets and returns True once the first ``size`` bytes of ``fd`` are the blob, verified; False
    when it cannot (nothing written: read it as a stream). A mismatch raises
    :class:`VerificationError` (the caller discards ``fd``). ``progress(n)``: bytes in place so
    far, called every fraction of a second from the calling thread (it may raise to stop the
    download: Ctrl-C); ``checkpoint(n)``: the first ``n`` bytes are written (what a later resume
    may keep). A pull into a file store places big blobs so (``os.pwrite``: POSIX only)."""

    def download_into(self, fd: int, /, *, have: int = 0,
                      progress: Callable[[int], None] | None = None,
                      checkpoint: Callable[[int], None] | None = None) -> bool: ...


@runtime_checkable
class FileBacked(Protocol):
    """A stream over an open file (``io`` semantics): ``fileno()`` and ``tell()``, either of
    which may raise ``OSError`` (``io.UnsupportedOperation``) when there is no file after all. An
    upload tells a regular file read from its start this way (its size is known from ``fstat``,
    and it is read once, hashed as it goes out)."""

    def fileno(self) -> int: ...

    def tell(self) -> int: ...


def verified_as(stream: object) -> tuple[Digest, int] | None:
    """What ``stream`` declares it verifies itself against (see :class:`SelfVerifying`)."""
    value = getattr(stream, "verifies", None)
    return value if isinstance(value, tuple) else None


@dataclass(frozen=True, order=True)
class Digest:
    """A validated ``algorithm:encoded`` digest; only sha256 and sha512 are accepted."""

    algorithm: str
    encoded: str

    def __post_init__(self) -> None:
        pattern = _ENCODED.get(self.algorithm)
        if pattern is None:
            raise InvalidDigestError(
                f"unsupported digest algorithm {self.algorithm!r}: use sha256 or sha512"
            )
        if not pattern.fullmatch(self.encoded):
            raise InvalidDigestError(
                f"invalid digest {self.algorithm}:{self.encoded[:140]!r}: "
                f"expected {self.algorithm}: followed by lower-case hex of the right length"
            )

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.encoded}"

    def hasher(self) -> _Hash:
        """A fresh hash object of this digest's algorithm."""
        return hashlib.new(self.algorithm)

    @classmethod
    def from_bytes(cls, data: bytes, algorithm: str = "sha256") -> Digest:
        return cls(algorithm, hashlib.new(algorithm, data).hexdigest())

    @classmethod
    def from_hasher(cls, h: _Hash) -> Digest:
        return cls(h.name, h.hexdigest())


def parse_digest(s: str) -> Digest:
    """Parse ``sha256:<64 hex>`` (or sha512); raise :class:`InvalidDigestError` otherwise."""
    if not isinstance(s, str) or ":" not in s:
        raise InvalidDigestError(f"invalid digest {str(s)[:140]!r}: expected 'sha256:<hex>'")
    algorithm, _, encoded = s.partition(":")
    return Digest(algorithm, encoded)


def hash_file(path: str, algorithm: str = "sha256") -> tuple[Digest, int]:
    """Digest and size of a file, read in large chunks."""
    h = hashlib.new(algorithm)
    size = 0
    with open(path, "rb") as f:
        buf = bytearray(CHUNK_SIZE)
        view = memoryview(buf)
        while n := f.readinto(buf):
            h.update(view[:n])
            size += n
    return Digest.from_hasher(h), size


class VerifyingReader:
    """Wraps a stream; reads at most ``size`` bytes, hashing them, and verifies at the end.

    ``read()`` raises :class:`VerificationError` when the stream ends early, has trailing data, or
    its bytes do not hash to ``digest``. Call :meth:`verify` after the last read to be sure the whole
    body was checked (it also detects trailing data).
    """

    def __init__(self, stream: Readable, digest: Digest, size: int, *, name: str = "") -> None:
        if size < 0:
            raise VerificationError(f"{name or digest}: negative size {size}")
        self._stream = stream
        self._digest = digest
        self._size = size
        self._remaining = size
        # A stream already checking these bytes against this digest is not hashed twice.
        self._hash = None if verified_as(stream) == (digest, size) else digest.hasher()
        self._name = name or str(digest)
        self._verified = False

    @property
    def digest(self) -> Digest:
        return self._digest

    @property
    def size(self) -> int:
        return self._size

    @property
    def verifies(self) -> tuple[Digest, int]:
        return (self._digest, self._size)

    @property
    def verified(self) -> bool:
        """True once every byte was read and matched."""
        return self._verified

    def read(self, n: int = -1) -> bytes:
        if self._remaining <= 0:
            self.verify()
            return b""
        want = self._remaining if n is None or n < 0 else min(n, self._remaining)
        want = min(want, CHUNK_SIZE * 8)
        data = self._stream.read(want)
        if not data:
            raise VerificationError(
                f"{self._name}: content ended after {self._size - self._remaining} of "
                f"{self._size} bytes"
            )
        self._remaining -= len(data)
        if self._hash is not None:
            self._hash.update(data)
        if self._remaining == 0:
            self.verify()
        return data

    def verify(self) -> None:
        """Check that exactly ``size`` bytes were read, nothing follows, and the digest matches."""
        if self._verified:
            return
        if self._remaining > 0:
            raise VerificationError(
                f"{self._name}: content ended after {self._size - self._remaining} of "
                f"{self._size} bytes"
            )
        if self._stream.read(1):
            raise VerificationError(f"{self._name}: content is longer than its size {self._size}")
        if self._hash is None:  # the stream checked it before its last bytes came
            self._verified = True
            return
        got = self._hash.hexdigest()
        if got != self._digest.encoded:
            raise VerificationError(
                f"{self._name}: digest mismatch: expected {self._digest}, "
                f"got {self._digest.algorithm}:{got}"
            )
        self._verified = True

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


def write_verified(stream: Readable, digest: Digest, size: int, out: IO[bytes], *,
                   name: str = "") -> None:
    """Copy ``stream`` to ``out`` checking it against ``digest`` and ``size``; raises
    :class:`~orasx.errors.VerificationError` (after writing what came) when it does not match.
    The caller makes ``out`` visible only when this returns."""
    reader = VerifyingReader(stream, digest, size, name=name)
    while data := reader.read(CHUNK_SIZE):
        out.write(data)
    reader.verify()
