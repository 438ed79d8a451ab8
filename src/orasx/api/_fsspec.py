"""An fsspec filesystem for ``oras://`` URLs: read the files of an artifact straight from a registry.

``fsspec.open("oras://localhost:5000/repo:v1/data.csv")`` (or ``repo@sha256:.../data.csv``) opens the
layer titled ``data.csv`` for reading. Without a cache, reads are ranged ``GET``s (seek without
downloading the whole blob; the bytes of a range cannot be digest-checked). With ``cache_dir=`` (or
``ORAS_CACHE``), the blob is fetched once, verified, and read from the cache. ``ls`` lists an
artifact's titles with their sizes. Registered through fsspec's ``fsspec.specs`` entry point, so
pandas, pyarrow and dask read ``oras://`` URLs directly; install with ``pip install orasx[fsspec]``.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from fsspec.spec import AbstractBufferedFile, AbstractFileSystem

from orasx._copy import resolve_root
from orasx.api._common import Remote
from orasx.content import RangeFetcher, ReadOnlyTarget
from orasx.content.cache import BlobCache, CachedTarget
from orasx.descriptor import UNPACK, Descriptor
from orasx.errors import InvalidInputError, InvalidManifestError, NotFoundError
from orasx.manifest import Manifest, parse_manifest
from orasx.reference import parse_reference
from orasx.registry.auth import Credential
from orasx.registry.remote import Repository

__all__ = ["DEFAULT_BLOCK_SIZE", "OrasFileSystem", "split_url"]

#: How far fsspec reads ahead of a ranged read (its "readahead" cache).
DEFAULT_BLOCK_SIZE = 256 * 1024


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
    fetches about 1.25 MiB). Name a manifest, not an index.
    """

    protocol = "oras"
    root_marker = ""

    def __init__(self, cache_dir: str | None = None, plain_http: bool | None = None,
                 insecure: bool = False, username: str = "", password: str = "",
                 block_size: int = DEFAULT_BLOCK_SIZE, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.block_size = block_size
        from orasx.registry._http import ClientOptions

        self.cache_dir = cache_dir if cache_dir is not None else os.environ.get("ORAS_CACHE")
        credential = Credential(username=username, password=password) if username else Credential()
        self.remote = Remote(options=ClientOptions(plain_http=plain_http, insecure=insecure),
                             credential=credential)
        self._lock = threading.Lock()
        self._artifacts: dict[str, tuple[ReadOnlyTarget, Repository, Manifest]] = {}

    @classmethod
    def _strip_protocol(cls, path: str) -> str:
        return str(path).removeprefix("oras://").rstrip("/")

    # -- artifacts --------------------------------------------------------------------------
    def _artifact(self, reference: str) -> tuple[ReadOnlyTarget, Repository, Manifest]:
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
        with self._lock:
            self._artifacts[reference] = (source, repo, node)
        return source, repo, node

    def _layer(self, path: str) -> tuple[ReadOnlyTarget, Repository, Descriptor]:
        reference, title = split_url(path)
        source, repo, node = self._artifact(reference)
        for layer in node.layers:
            if layer.title == title:
                return source, repo, layer
        raise FileNotFoundError(f"oras://{path}: no file titled {title!r} in the artifact")

    @staticmethod
    def _entry(reference: str, layer: Descriptor) -> dict[str, Any]:
        kind = "directory" if layer.annotations.get(UNPACK) == "true" else "file"
        return {"name": f"{reference}/{layer.title}", "size": layer.size, "type": kind,
                "digest": str(layer.digest), "mediaType": layer.media_type}

    # -- fsspec -----------------------------------------------------------------------------
    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        reference, title = split_url(self._strip_protocol(path))
        _, _, node = self._artifact(reference)
        if title:
            entries = [self._entry(reference, layer) for layer in node.layers
                       if layer.title == title]
            if not entries:
                raise FileNotFoundError(f"oras://{path}")
        else:
            entries = [self._entry(reference, layer) for layer in node.layers if layer.title]
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
            return source.fetch(layer)  # a verified local file from the cache
        return _RangedFile(self, path, repo, layer, block_size=block_size or self.block_size,
                           cache_options=cache_options)


class _RangedFile(AbstractBufferedFile):  # type: ignore[misc]
    """A layer read with ranged requests as fsspec asks for blocks."""

    def __init__(self, fs: OrasFileSystem, path: str, store: RangeFetcher, layer: Descriptor,
                 **kwargs: Any) -> None:
        self.store = store
        self.layer = layer
        super().__init__(fs, path, mode="rb", size=layer.size,
                         block_size=kwargs.get("block_size") or DEFAULT_BLOCK_SIZE,
                         cache_options=kwargs.get("cache_options"))

    def _fetch_range(self, start: int, end: int) -> bytes:
        end = min(end, self.layer.size)
        if start >= end:
            return b""
        try:
            return self.store.fetch_range(self.layer, start, end - start)
        except NotFoundError as e:
            raise FileNotFoundError(str(e)) from None
