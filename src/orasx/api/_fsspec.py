"""An fsspec filesystem for ``oras://`` URLs: read the files of an artifact straight from a registry.

``fsspec.open("oras://localhost:5000/repo:v1/data.csv")`` (or ``repo@sha256:.../data.csv``) opens the
layer titled ``data.csv`` for reading. What a read returns is verified against the layer's digest
and size, as far as a read can be: a file up to ``whole_fetch_limit`` (64 MiB) is fetched whole
and verified before any read of it returns (spooled: in memory, then in a private temp file); a
larger one is read with ranged ``GET``s (seek without downloading it all), and a read that covers
it from its first byte to its last (a whole-file read, or sequential reads to its end) is
verified before its last bytes are returned. A range of a larger file read out of order cannot be
checked against the blob's digest. With ``cache_dir=`` (or ``ORAS_CACHE``), the blob is fetched
once, verified, and read from the cache. ``ls`` lists an artifact's titles with their sizes;
titles that are not plain relative paths (``..``, absolute, ``./``, empty parts, backslashes) are
not listed (a warning is logged) and cannot be opened. Registered through fsspec's
``fsspec.specs`` entry point, so pandas, pyarrow and dask read ``oras://`` URLs directly; install
with ``pip install orasx[fsspec]``.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import IO, Any, Protocol

from fsspec.spec import AbstractBufferedFile, AbstractFileSystem

from orasx._copy import resolve_root
from orasx.api._common import VERIFY_FIRST_LIMIT, Remote, spool_verified
from orasx.content import Fetcher, RangeFetcher, ReadOnlyTarget
from orasx.content.cache import BlobCache, CachedTarget
from orasx.descriptor import UNPACK, Descriptor
from orasx.errors import InvalidInputError, InvalidManifestError, NotFoundError, VerificationError
from orasx.manifest import Manifest, parse_manifest
from orasx.reference import parse_reference
from orasx.registry._ranges import MAX_RANGE
from orasx.registry.auth import Credential
from orasx.registry.remote import Repository

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_BLOCK_SIZE", "OrasFileSystem", "split_url"]

#: How far fsspec reads ahead of a ranged read (its "readahead" cache).
DEFAULT_BLOCK_SIZE = 256 * 1024


def _plain_title(title: str) -> bool:
    """Is ``title`` a plain relative path (``a/b.txt``): no ``..``, ``.`` or empty part, not
    absolute, no backslash or NUL? Only those are files of the filesystem."""
    if not title or "\\" in title or "\x00" in title:
        return False
    return all(part not in ("", ".", "..") for part in title.split("/"))


def split_url(path: str) -> tuple[str, str]:
    """``host/repo:tag/file/path`` (``oras://`` optional) -> (``host/repo:tag``, ``file/path``).

    The reference ends at its tag (``:tag``) or digest (``@alg:hex``); what follows the next ``/`` is
    the file's title.
    """
    path = path.removeprefix("oras://").lstrip("/")
    host, sep, rest = path.partition("/")
    if not sep:
        raise InvalidInputError(f"oras://{path}: expected oras://registry/repository:tag/file")
    at = rest.find("@")
    if at >= 0:
        digest_start = at + 1
        end = rest.find("/", digest_start)
    else:
        colon = rest.find(":")
        if colon < 0:
            raise InvalidInputError(f"oras://{path}: the reference needs a tag or digest")
        end = rest.find("/", colon)
    if end < 0:
        return f"{host}/{rest}", ""
    return f"{host}/{rest[:end]}", rest[end + 1:]


class OrasFileSystem(AbstractFileSystem):  # type: ignore[misc]
    """Files of OCI artifacts as a read-only filesystem (protocol ``oras``).

    Options (fsspec ``storage_options``): ``cache_dir`` (default ``$ORAS_CACHE``, unset: ranged
    reads), ``plain_http`` (None: plain HTTP for localhost only), ``insecure``, ``username``,
    ``password``, ``block_size`` (bytes read ahead of a ranged read, 256 KiB: a 1 MiB read
    fetches about 1.25 MiB), ``whole_fetch_limit`` (a file up to this size, 64 MiB, is fetched
    whole and verified for any read, a ranged one included; 0: ranged reads only, verified only
    when they cover the file from its start to its end). Name a manifest, not an index.
    """

    protocol = "oras"
    root_marker = ""

    def __init__(self, cache_dir: str | None = None, plain_http: bool | None = None,
                 insecure: bool = False, username: str = "", password: str = "",
                 block_size: int = DEFAULT_BLOCK_SIZE,
                 whole_fetch_limit: int = VERIFY_FIRST_LIMIT, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.block_size = block_size
        self.whole_fetch_limit = whole_fetch_limit
        from orasx.registry._http import ClientOptions

        self.cache_dir = cache_dir if cache_dir is not None else os.environ.get("ORAS_CACHE")
        credential = Credential(username=username, password=password) if username else Credential()
        self.remote = Remote(options=ClientOptions(plain_http=plain_http, insecure=insecure),
                             credential=credential)
        self._lock = threading.Lock()
        self._artifacts: dict[str, _Artifact] = {}

    @classmethod
    def _strip_protocol(cls, path: str) -> str:
        return str(path).removeprefix("oras://").rstrip("/")

    # -- artifacts --------------------------------------------------------------------------
    def _artifact(self, reference: str) -> _Artifact:
        with self._lock:
            found = self._artifacts.get(reference)
        if found is not None:
            return found
        parsed = parse_reference(reference)
        repo = Repository(parsed, self.remote.client(parsed.registry))
        source: ReadOnlyTarget = repo
        if self.cache_dir:
            source = CachedTarget(repo, BlobCache(self.cache_dir),
                                  f"{parsed.registry}/{parsed.repository}")
        root, raw = resolve_root(source, parsed.reference)
        node = parse_manifest(root.media_type, raw)
        if not isinstance(node, Manifest):
            raise InvalidManifestError(f"{reference}: is an index: name one of its manifests")
        files = []
        for layer in node.layers:
            if not layer.title:
                continue
            if _plain_title(layer.title):
                files.append(layer)
            else:
                logger.warning("oras://%s: skipping the file titled %r: not a plain relative path",
                               reference, layer.title)
        found = _Artifact(source, repo, tuple(files))
        with self._lock:
            self._artifacts[reference] = found
        return found

    def _layer(self, path: str) -> tuple[ReadOnlyTarget, Repository, Descriptor]:
        reference, title = split_url(path)
        artifact = self._artifact(reference)
        for layer in artifact.files:
            if layer.title == title:
                return artifact.source, artifact.repo, layer
        raise FileNotFoundError(f"oras://{path}: no file titled {title!r} in the artifact")

    @staticmethod
    def _entry(reference: str, layer: Descriptor) -> dict[str, Any]:
        kind = "directory" if layer.annotations.get(UNPACK) == "true" else "file"
        return {"name": f"{reference}/{layer.title}", "size": layer.size, "type": kind,
                "digest": str(layer.digest), "mediaType": layer.media_type}

    # -- fsspec -----------------------------------------------------------------------------
    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        reference, title = split_url(self._strip_protocol(path))
        files = self._artifact(reference).files
        if title:
            entries = [self._entry(reference, layer) for layer in files if layer.title == title]
            if not entries:
                raise FileNotFoundError(f"oras://{path}")
        else:
            entries = [self._entry(reference, layer) for layer in files]
        return entries if detail else [e["name"] for e in entries]

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        reference, title = split_url(self._strip_protocol(path))
        if not title:
            self._artifact(reference)
            return {"name": reference, "size": 0, "type": "directory"}
        _, _, layer = self._layer(self._strip_protocol(path))
        return self._entry(reference, layer)

    def _open(self, path: str, mode: str = "rb", block_size: int | None = None,
              autocommit: bool = True, cache_options: dict[str, Any] | None = None,
              **kwargs: Any) -> Any:
        if mode != "rb":
            raise NotImplementedError("oras:// is read-only")
        source, repo, layer = self._layer(self._strip_protocol(path))
        if layer.annotations.get(UNPACK) == "true":
            raise IsADirectoryError(f"oras://{path}: is a directory layer (use orasx.snapshot)")
        if self.cache_dir:
            assert isinstance(source, CachedTarget)
            return source.open_file(layer)  # a local file from the cache, hashed once
        return _VerifiedFile(self, path, repo, layer, whole_fetch_limit=self.whole_fetch_limit,
                             block_size=block_size or self.block_size, cache_options=cache_options)


class _Artifact:
    """A resolved artifact: where its blobs come from and its files (plain titles only)."""

    def __init__(self, source: ReadOnlyTarget, repo: Repository,
                 files: tuple[Descriptor, ...]) -> None:
        self.source = source
        self.repo = repo
        self.files = files


class _BlobSource(Fetcher, RangeFetcher, Protocol):
    """Where a file's bytes come from: the whole blob, or a range of it."""


class _VerifiedFile(AbstractBufferedFile):  # type: ignore[misc]
    """A layer read as fsspec asks for blocks, verified against its digest and size.

    Up to ``whole_fetch_limit`` bytes, the first read fetches the whole blob into a verified spool
    and every read is served from it. Above, reads are ranged ``GET``s; the bytes read in order
    from offset 0 are hashed as they come, and the read that reaches the end is checked before
    it returns (after a mismatch, every read raises). A range read out of order is not checked.
    """

    def __init__(self, fs: OrasFileSystem, path: str, store: _BlobSource, layer: Descriptor, *,
                 whole_fetch_limit: int, **kwargs: Any) -> None:
        self.store = store
        self.layer = layer
        self._whole_fetch = layer.size <= whole_fetch_limit
        self._spool: IO[bytes] | None = None
        self._hash = layer.digest.hasher()
        self._hashed = 0  # bytes from offset 0 fed to _hash, in order
        self._failed: VerificationError | None = None
        super().__init__(fs, path, mode="rb", size=layer.size,
                         block_size=kwargs.get("block_size") or DEFAULT_BLOCK_SIZE,
                         cache_options=kwargs.get("cache_options"))

    def _fetch_range(self, start: int, end: int) -> bytes:
        if self._failed is not None:
            raise self._failed
        end = min(end, self.layer.size)
        if start >= end:
            return b""
        try:
            if self._whole_fetch:
                return self._from_spool(start, end)
            return self._ranged(start, end)
        except NotFoundError as e:
            raise FileNotFoundError(str(e)) from None
        except VerificationError as e:
            self._failed = e
            raise

    def _from_spool(self, start: int, end: int) -> bytes:
        if self._spool is None:
            stream = self.store.fetch(self.layer)
            try:
                self._spool = spool_verified(stream, self.layer.digest, self.layer.size,
                                             name=f"oras://{self.path}")
            finally:
                stream.close()
        self._spool.seek(start)
        return self._spool.read(end - start)

    def _ranged(self, start: int, end: int) -> bytes:
        data = bytearray()
        while start + len(data) < end:
            offset = start + len(data)
            part = self.store.fetch_range(self.layer, offset, min(MAX_RANGE, end - offset))
            if not part:
                break
            data += part
        if len(data) != end - start:
            raise VerificationError(f"oras://{self.path}: a read of bytes {start}-{end - 1} "
                                    f"got {len(data)} bytes of a {self.layer.size}-byte file")
        self._check_in_order(start, bytes(data))
        return bytes(data)

    def _check_in_order(self, start: int, data: bytes) -> None:
        """Hash what continues the bytes read in order from offset 0; at the end, verify."""
        if not start <= self._hashed < start + len(data):
            return
        self._hash.update(data[self._hashed - start:])
        self._hashed = start + len(data)
        if self._hashed == self.layer.size and self._hash.hexdigest() != self.layer.digest.encoded:
            raise VerificationError(
                f"oras://{self.path}: digest mismatch: expected {self.layer.digest}, got "
                f"{self.layer.digest.algorithm}:{self._hash.hexdigest()}")

    def close(self) -> None:
        super().close()
        if self._spool is not None:
            self._spool.close()
            self._spool = None
