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

import fnmatch
import logging
import os
import re
import threading
from collections.abc import Callable
from typing import Any

from fsspec.spec import AbstractFileSystem

from orasx._copy import resolve_root
from orasx.api._common import VERIFY_FIRST_LIMIT, Remote
from orasx.api._fsspec_files import (
    DEFAULT_BLOCK_SIZE,
    SHARED_BLOBS,
    OrasFileNotFoundError,
    VerifiedFile,
)
from orasx.api._snapshot import default_cache_dir
from orasx.content import ReadOnlyTarget
from orasx.content._members import Member, members, open_member
from orasx.content.cache import BlobCache, CachedTarget
from orasx.descriptor import UNPACK, Descriptor
from orasx.errors import InvalidInputError, InvalidManifestError, NotFoundError
from orasx.manifest import Manifest, parse_manifest
from orasx.reference import parse_reference
from orasx.registry.auth import Credential
from orasx.registry.remote import Repository

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_BLOCK_SIZE", "OrasFileNotFoundError", "OrasFileSystem", "split_url"]



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
    ``password`` (this process only: see below), ``registry_config`` (docker-style config
    files, default ``$DOCKER_CONFIG/config.json``), ``block_size`` (bytes read ahead of a ranged
    read, 256 KiB), ``whole_fetch_limit`` (a file up to this size, 64 MiB, is fetched whole and
    verified for any read, and kept for this process's next reads of it; 0: ranged reads only,
    verified only when they cover the file from its start to its end). Name a manifest, not an
    index.

    A tag is resolved to its manifest digest once: ``glob`` answers with paths that name the
    digest (``repo@sha256:.../file``), so a dataset read from those paths (Dask, pyarrow, in
    any number of processes) reads one version even if the tag moves meanwhile; ``ls``,
    ``find`` and ``info`` of a tag resolve it again at the artifact's top (the start of a
    read), every other call reuses the digest it resolved last. Pickled (Dask sends the
    filesystem to its workers), the filesystem carries its options and those digests, never
    ``username``/``password``: a worker finds credentials in its own docker config.
    """

    protocol = "oras"
    root_marker = ""

    def __init__(self, cache_dir: str | None = None, plain_http: bool | None = None,
                 insecure: bool = False, username: str = "", password: str = "",
                 block_size: int = DEFAULT_BLOCK_SIZE,
                 whole_fetch_limit: int = VERIFY_FIRST_LIMIT,
                 registry_config: tuple[str, ...] | list[str] = (),
                 pins: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.block_size = block_size
        self.whole_fetch_limit = whole_fetch_limit
        from orasx.registry._http import ClientOptions

        self.cache_dir = cache_dir if cache_dir is not None else os.environ.get("ORAS_CACHE")
        credential = Credential(username=username, password=password) if username else Credential()
        self._explicit_credential = bool(username or password)
        self.remote = Remote(options=ClientOptions(plain_http=plain_http, insecure=insecure),
                             credential=credential, registry_config=tuple(registry_config))
        self._lock = threading.Lock()
        self._artifacts: dict[str, _Artifact] = {}
        #: tag reference -> the manifest digest it was resolved to (sent to workers)
        self._pins: dict[str, str] = dict(pins or {})
        self._given_pins = frozenset(self._pins)
        self._blobs = SHARED_BLOBS  # by digest, for every filesystem of this process

    def __reduce__(self) -> tuple[Any, ...]:
        """Options and pins, never a password (a worker reads its own docker config)."""
        options = {k: v for k, v in self.storage_options.items()
                   if k not in ("username", "password")}
        if self._explicit_credential:
            logger.warning("oras://: the username and password given stay in this process; "
                           "other processes (Dask workers) use their docker config (oras login)")
        with self._lock:
            options["pins"] = dict(self._pins)
        return (_rebuild, (type(self), self.storage_args, options))

    def to_dict(self, *, include_password: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = super().to_dict(include_password=include_password)
        if not include_password:
            out.pop("username", None)
        return out

    @classmethod
    def _strip_protocol(cls, path: str) -> str:
        return str(path).removeprefix("oras://").rstrip("/")

    def invalidate_cache(self, path: str | None = None) -> None:
        """Forget what was resolved (tags are resolved again at the next call)."""
        with self._lock:
            self._artifacts.clear()
            self._pins = {k: v for k, v in self._pins.items() if k in self._given_pins}

    # -- artifacts --------------------------------------------------------------------------
    def _artifact(self, reference: str, *, refresh: bool = False) -> _Artifact:
        parsed = parse_reference(reference)
        tagged = parsed.digest is None
        with self._lock:
            if tagged and refresh and reference not in self._given_pins:
                self._pins.pop(reference, None)
            pinned = self._pins.get(reference) if tagged else str(parsed.digest)
            found = self._artifacts.get(pinned or reference)
        if found is not None:
            return found
        repo = Repository(parsed, self.remote.client(parsed.registry))
        source: ReadOnlyTarget = repo
        name = f"{parsed.registry}/{parsed.repository}"
        cache_dir = self.cache_dir
        if cache_dir:
            source = CachedTarget(repo, BlobCache(cache_dir), name)

        def cached() -> CachedTarget:  # directory members are read through a cache, always
            if isinstance(source, CachedTarget):
                return source
            return CachedTarget(repo, BlobCache(default_cache_dir()), name)
        try:
            root, raw = resolve_root(source, pinned or parsed.reference)
        except NotFoundError as e:
            raise OrasFileNotFoundError(f"oras://{reference}: {e}", reason=e.reason) from None
        node = parse_manifest(root.media_type, raw)
        if not isinstance(node, Manifest):
            raise InvalidManifestError(f"{reference}: is an index: name one of its manifests")
        files = []
        for layer in node.layers:
            if not layer.title:
                continue
            if _plain_title(layer.title) or (layer.title in (".", "./")
                                             and layer.annotations.get(UNPACK) == "true"):
                files.append(layer)
            else:
                logger.warning("oras://%s: skipping the file titled %r: not a plain relative path",
                               reference, layer.title)
        found = _Artifact(source, repo, cached, str(root.digest), tuple(files))
        with self._lock:
            if tagged:
                self._pins[reference] = found.digest
            self._artifacts[found.digest] = found
        return found

    def _pinned_name(self, reference: str, artifact: _Artifact) -> str:
        parsed = parse_reference(reference)
        return f"{parsed.registry}/{parsed.repository}@{artifact.digest}"

    def _lookup(self, path: str, *, refresh: bool = False) -> tuple[str, _Artifact, str,
                                                                    dict[str, Any] | None]:
        """(reference, artifact, title, entry or None: the artifact's top)."""
        reference, title = split_url(self._strip_protocol(path))
        artifact = self._artifact(reference, refresh=refresh and not title)
        if not title:
            return reference, artifact, "", None
        entry = artifact.entry(title)
        if entry is None:
            raise OrasFileNotFoundError(f"oras://{reference}/{title}: no such file in the artifact")
        return reference, artifact, title, entry

    @staticmethod
    def _named(reference: str, entry: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in entry.items() if not k.startswith("_")}
        out["name"] = f"{reference}/{entry['name']}"
        return out

    # -- fsspec -----------------------------------------------------------------------------
    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        reference, artifact, title, entry = self._lookup(path, refresh=True)
        if entry is not None and entry["type"] != "directory":
            out = [self._named(reference, entry)]
        else:
            out = [self._named(reference, e) for e in artifact.children(title)]
        return out if detail else [e["name"] for e in out]

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        reference, artifact, _title, entry = self._lookup(path)
        if entry is None:
            return {"name": reference, "size": 0, "type": "directory", "digest": artifact.digest}
        return self._named(reference, entry)

    def find(self, path: str, maxdepth: int | None = None, withdirs: bool = False,
             detail: bool = False, **kwargs: Any) -> Any:
        reference, artifact, title, entry = self._lookup(path, refresh=True)
        if entry is not None and entry["type"] != "directory":
            found = [entry]
        else:
            found = [e for e in artifact.below(title, maxdepth)
                     if withdirs or e["type"] != "directory"]
            if withdirs and entry is not None:
                found.insert(0, entry)
        named = {e["name"]: e for e in (self._named(reference, x) for x in found)}
        return named if detail else sorted(named)

    def glob(self, path: str, maxdepth: int | None = None, **kwargs: Any) -> Any:
        """The files matching ``path`` (``*`` within a name, ``**`` across names), named by the
        manifest digest the tag resolved to: a read of them is pinned to that version."""
        detail = kwargs.pop("detail", False)
        reference, pattern = split_url(self._strip_protocol(path))
        if not any(c in pattern for c in "*?["):
            try:
                entry = self.info(path)
            except FileNotFoundError:
                return {} if detail else []
            return {entry["name"]: entry} if detail else [entry["name"]]
        from fsspec.utils import glob_translate

        artifact = self._artifact(reference, refresh=True)
        regex = re.compile(glob_translate(pattern))
        pinned = self._pinned_name(reference, artifact)
        out = {}
        for e in artifact.below("", None, pattern=pattern):
            if regex.match(e["name"]):
                named = self._named(pinned, e)
                out[named["name"]] = named
        return out if detail else sorted(out)

    def _open(self, path: str, mode: str = "rb", block_size: int | None = None,
              autocommit: bool = True, cache_options: dict[str, Any] | None = None,
              **kwargs: Any) -> Any:
        if mode != "rb":
            raise NotImplementedError("oras:// is read-only")
        _reference, artifact, _title, entry = self._lookup(path)
        if entry is None or entry["type"] == "directory":
            raise IsADirectoryError(f"oras://{path}: is a directory")
        if "_member" in entry:
            return open_member(artifact.cached, entry["_layer"], entry["_member"])
        layer: Descriptor = entry["_layer"]
        if self.cache_dir:
            return artifact.cached.open_file(layer)  # a local file from the cache, hashed once
        return VerifiedFile(self, path, artifact.repo, layer,
                            whole_fetch_limit=self.whole_fetch_limit, blobs=self._blobs,
                            block_size=block_size or self.block_size, cache_options=cache_options)


def _rebuild(cls: type[OrasFileSystem], args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> OrasFileSystem:
    return cls(*args, **kwargs)


class _Artifact:
    """A resolved artifact: where its blobs come from, its digest, and its files by path (plain
    titles; the members of directory layers, listed once they are asked for)."""

    def __init__(self, source: ReadOnlyTarget, repo: Repository,
                 cached: Callable[[], CachedTarget], digest: str,
                 files: tuple[Descriptor, ...]) -> None:
        self.source = source
        self.repo = repo
        self._cached = cached
        self._cached_target: CachedTarget | None = None
        self.digest = digest
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = {}
        self._unread: dict[str, Descriptor] = {}  # directory layers not yet indexed
        for layer in files:
            title = layer.title.rstrip("/")
            if layer.annotations.get(UNPACK) == "true":
                title = "" if title in (".", "") else title
                self._unread[title] = layer
                if title:
                    self._add(title, "directory", layer)
            else:
                self._add(title, "file", layer)

    @property
    def cached(self) -> CachedTarget:
        if self._cached_target is None:
            self._cached_target = self._cached()
        return self._cached_target

    def _add(self, path: str, kind: str, layer: Descriptor, member: Member | None = None) -> None:
        parts = path.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            if parent not in self._entries:
                self._entries[parent] = {"name": parent, "size": 0, "type": "directory"}
        entry: dict[str, Any] = {"name": path, "type": kind, "_layer": layer}
        if member is not None:
            entry.update(size=member.size, digest=str(member.digest), _member=member)
        else:
            entry.update(size=layer.size, digest=str(layer.digest), mediaType=layer.media_type)
        if kind == "directory":
            entry["size"] = 0
        self._entries[path] = entry

    def _index(self, prefix: str, pattern: str | None = None) -> None:
        """Index the directory layers that may hold paths below ``prefix`` (or matching
        ``pattern``)."""
        with self._lock:
            todo = [(t, layer) for t, layer in self._unread.items()
                    if _may_hold(t, prefix, pattern)]
        for top, layer in todo:
            listed = members(self.cached, layer)
            with self._lock:
                if self._unread.pop(top, None) is None:
                    continue
                for m in listed:
                    path = f"{top}/{m.path}" if top else m.path
                    if m.kind == "file" and _plain_title(path):
                        self._add(path, "file", layer, m)
                    elif m.kind == "dir" and _plain_title(path):
                        self._entries.setdefault(path, {"name": path, "size": 0,
                                                        "type": "directory"})

    def entry(self, path: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._entries.get(path)
        if found is not None and (found["type"] != "directory" or "_layer" not in found):
            return found
        self._index(path)
        with self._lock:
            return self._entries.get(path)

    def children(self, path: str) -> list[dict[str, Any]]:
        self._index(path)
        prefix = f"{path}/" if path else ""
        with self._lock:
            return [e for name, e in sorted(self._entries.items())
                    if name.startswith(prefix) and "/" not in name[len(prefix):]]

    def below(self, path: str, maxdepth: int | None,
              pattern: str | None = None) -> list[dict[str, Any]]:
        self._index(path, pattern)
        prefix = f"{path}/" if path else ""
        with self._lock:
            return [e for name, e in sorted(self._entries.items())
                    if name.startswith(prefix) and name != path and
                    (maxdepth is None or name[len(prefix):].count("/") < maxdepth)]


def _may_hold(top: str, prefix: str, pattern: str | None) -> bool:
    """Can the directory layer at ``top`` hold a path below ``prefix`` matching ``pattern``?"""
    if pattern is not None:
        if "**" in pattern:
            return True
        depth = pattern.count("/")
        tparts = top.split("/") if top else []
        return depth > len(tparts) - 1 and all(
            fnmatch.fnmatchcase(t, p) for t, p in zip(tparts, pattern.split("/"), strict=False))
    if not prefix or not top:
        return True
    return prefix == top or prefix.startswith(top + "/") or top.startswith(prefix + "/")
