"""``snapshot``: an artifact's files as a read-only directory in the shared cache (the
``huggingface_hub.snapshot_download`` of OCI)."""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from orasx._copy import resolve_root
from orasx._fsutil import cache_home
from orasx.api._common import Remote, open_target
from orasx.content._digestcache import fingerprint
from orasx.content._members import member_descriptor, members
from orasx.content._paths import make_dirs, resolve_write_path
from orasx.content.cache import BlobCache, CachedTarget, blob_key, current_uid
from orasx.content.file import FileStore
from orasx.descriptor import UNPACK, Descriptor, Platform
from orasx.digest import CHUNK_SIZE, Digest
from orasx.errors import InsecurePathError, InvalidManifestError, VerificationError
from orasx.manifest import Index, parse_manifest

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)

__all__ = ["default_cache_dir", "select_titles", "snapshot"]


def default_cache_dir() -> str:
    """``$ORAS_CACHE``, else ``$XDG_CACHE_HOME/orasx``, else ``~/.cache/orasx``."""
    return os.environ.get("ORAS_CACHE") or cache_home()


def select_titles(layers: Sequence[Descriptor], allow: Sequence[str] | None,
                  ignore: Sequence[str] | None) -> list[Descriptor]:
    """The titled layers whose title matches one of ``allow`` (all when None) and none of
    ``ignore`` (shell globs, as ``fnmatch``; ``*`` also matches ``/``)."""
    out = []
    for layer in layers:
        title = layer.title
        if not title:
            continue
        if allow and not any(fnmatch.fnmatchcase(title, p) for p in allow):
            continue
        if ignore and any(fnmatch.fnmatchcase(title, p) for p in ignore):
            continue
        out.append(layer)
    return out


def snapshot(
    reference: str,
    *,
    cache_dir: str | None = None,
    offline: bool = False,
    allow_patterns: Sequence[str] | None = None,
    ignore_patterns: Sequence[str] | None = None,
    platform: Platform | None = None,
    oci_layout: bool = False,
    remote: Remote | None = None,
) -> Path:
    """Resolve ``reference``, fetch into the cache what it lacks, and return a read-only directory
    of the artifact's files (titles as names, directories unpacked).

    The directory is ``<cache>/snapshots/<alg>/<manifest hex>``: the same path for the same
    manifest digest, shared by every process; files selected by later calls are added to it.
    Plain files are hardlinks to the cache entries (hashed once as they are linked) where the
    filesystem allows. ``offline=True`` makes no request: a tag resolves to the digest the cache
    last saw for it. ``allow_patterns``/``ignore_patterns`` select files by title (globs); with
    ``allow_patterns``, files inside a directory layer are picked by their path in it
    (``model/config.json``): the layer is read once through the cache and indexed.
    """
    cache = BlobCache(cache_dir or default_cache_dir())
    target, ref, name = open_target(reference, oci_layout=oci_layout, remote=remote,
                                    create=False, need_ref=True)
    source = CachedTarget(target, cache, name, offline=offline)
    root, raw = resolve_root(source, ref, platform)
    node = parse_manifest(root.media_type, raw)
    if isinstance(node, Index):
        raise InvalidManifestError(
            f"{reference}: is an index: pass a platform to pick one of its manifests")
    source.keep_config(node.config)  # the cache holds what each manifest references
    snap = _snapshot_dir(cache, root.digest)
    placed: list[tuple[Descriptor, str]] = []
    with FileStore(snap) as store:
        for layer in select_titles(node.layers, allow_patterns, ignore_patterns):
            key = f"snapshot-{root.digest.encoded}-{layer.digest.algorithm}-{layer.digest.encoded}"
            dest = resolve_write_path(snap, layer.title, allow_root=layer.annotations.get(UNPACK)
                                      == "true")
            if _intact(cache, key, dest, snap):
                continue
            _remove(dest, snap)
            _place(source, cache, store, layer, dest)
            placed.append((layer, key))
    if allow_patterns:  # files inside directory layers that the patterns pick
        chosen = {id(x) for x in select_titles(node.layers, allow_patterns, ignore_patterns)}
        cached_only = CachedTarget(target, cache, name, offline=True)
        with FileStore(snap) as store:
            for layer in node.layers:
                if (id(layer) in chosen or layer.annotations.get(UNPACK) != "true" or
                        any(fnmatch.fnmatchcase(layer.title, p) for p in ignore_patterns or ())):
                    continue
                for member in members(source, layer):
                    if member.kind != "file":
                        continue
                    desc = member_descriptor(layer, member)
                    if not select_titles([desc], allow_patterns, ignore_patterns):
                        continue
                    key = (f"snapshot-{root.digest.encoded}-{desc.digest.algorithm}-"
                           f"{desc.digest.encoded}-{hashlib.sha256(desc.title.encode()).hexdigest()[:16]}")
                    dest = resolve_write_path(snap, desc.title)
                    if _intact(cache, key, dest, snap):
                        continue
                    _remove(dest, snap)
                    _place(cached_only, cache, store, desc, dest)
                    placed.append((desc, key))
    for layer, key in placed:
        dest = resolve_write_path(snap, layer.title, allow_root=layer.annotations.get(UNPACK)
                                  == "true")
        cache.trust.write(key, _read_only_record(dest, snap))
    return Path(snap)


def _secure(path: str) -> bool:
    """Can only this user (or root) change what ``path`` (a real path) names? Each directory from
    ``/`` down must be owned by this user or root and be writable by no one else, or sticky."""
    uid = current_uid()
    current = path
    while True:
        try:
            st = os.lstat(current)
        except OSError:
            return False
        if st.st_uid not in (0, uid):
            return False
        if st.st_mode & 0o022 and not (stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX):
            return False
        parent = os.path.dirname(current)
        if parent == current:
            return True
        current = parent


def _snapshot_dir(cache: BlobCache, digest: Digest) -> str:
    """``<cache>/snapshots/<alg>/<hex>``, made private to this user (0755, never group- or
    world-writable); in a cache others can write, a directory of this user's own instead."""
    parts = ("snapshots", digest.algorithm, digest.encoded)
    for base in (os.path.realpath(cache.root), _own_snapshots_base()):
        with contextlib.suppress(OSError):
            os.makedirs(base, mode=0o700, exist_ok=True)
        path = base
        for part in parts:
            path = os.path.join(path, part)
            with contextlib.suppress(FileExistsError, PermissionError):
                os.mkdir(path, 0o755)
                os.chmod(path, 0o755)  # whatever the umask: nobody else may write here
        if _secure(path):
            return path
    raise InsecurePathError(
        f"{path}: snapshots need a directory only this user can write: make the cache's "
        "directories writable by their owner only (chmod go-w), or use a cache of your own")


def _own_snapshots_base() -> str:
    return os.path.join(cache_home(), f"snapshots-{current_uid()}")


def _intact(cache: BlobCache, key: str, dest: str, snap: str) -> bool:
    """Is every file this user placed for a layer at ``dest`` still the object it verified?"""
    recorded = cache.trust.lines(key)
    if not recorded:
        return False
    for line in recorded:
        fp, _, rel = line.partition(" ")
        path = os.path.join(snap, rel)
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
        except OSError:
            return False
        try:
            if fingerprint(os.fstat(fd)) != fp:
                return False
        finally:
            os.close(fd)
    return True


def _remove(dest: str, snap: str) -> None:
    """Clear whatever is at ``dest`` (never ``snap`` itself), so the layer is placed afresh."""
    if dest == snap:
        return  # a directory pushed as '.': merged into the snapshot's root
    with contextlib.suppress(FileNotFoundError):
        st = os.lstat(dest)
        if stat.S_ISDIR(st.st_mode):
            for dirpath, _dirs, _files in os.walk(dest):
                os.chmod(dirpath, 0o755)
            shutil.rmtree(dest)
        else:
            os.unlink(dest)


def _place(source: CachedTarget, cache: BlobCache, store: FileStore, layer: Descriptor,
           dest: str) -> None:
    """Put ``layer`` at ``dest``: a plain file is a hardlink to its cache entry where that entry
    is this user's own on the same filesystem (hashed first), else a verified copy."""
    if layer.annotations.get(UNPACK) != "true" and _link(source, cache, layer, dest):
        return
    stream = source.fetch(layer)
    try:
        store.push(layer, stream)
    finally:
        stream.close()


def _fetch_into_cache(source: CachedTarget, layer: Descriptor) -> None:
    """Read ``layer`` through the cache, hashing it (bit rot under unchanged metadata is caught
    here); a damaged entry is dropped and fetched once more from the source."""
    for attempt in (1, 2):
        stream = source.fetch(layer)
        try:
            while stream.read(CHUNK_SIZE):
                pass
            return
        except VerificationError:
            if attempt == 2 or source.offline:
                raise
        finally:
            stream.close()


def _link(source: CachedTarget, cache: BlobCache, layer: Descriptor, dest: str) -> bool:
    _fetch_into_cache(source, layer)
    opened = cache.open_blob(layer)
    if opened is None:
        return False
    fd, st = opened
    try:
        parent = os.path.dirname(dest)
        make_dirs(parent)  # (no recursion: a title may be thousands of levels deep)
        if st.st_uid != current_uid() or st.st_dev != os.stat(parent).st_dev:
            return False  # another user's inode: they could change it under the snapshot
        if not cache.trust.holds(blob_key(layer.digest), st):
            return False  # not the entry just verified: copy it, hashing as it copies
        tmp = os.path.join(parent, f".orasx-link-{secrets.token_hex(8)}")
        try:
            os.link(cache.path(layer.digest), tmp, follow_symlinks=False)
        except OSError:
            return False
        try:
            linked = os.lstat(tmp)
            if (linked.st_dev, linked.st_ino) != (st.st_dev, st.st_ino):
                os.unlink(tmp)  # the entry was replaced in between
                return False
            os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        cache.trust.add(blob_key(layer.digest), [os.fstat(fd)])  # the link changed its ctime
        return True
    finally:
        os.close(fd)


def _read_only_record(dest: str, snap: str) -> list[str]:
    """Clear the write bits of the files at ``dest`` (a file or a tree) and return their record
    lines (``fingerprint relative-path``), taken from ``fstat`` after the change."""
    paths = [dest]
    if os.path.isdir(dest) and not os.path.islink(dest):
        paths = [os.path.join(d, f) for d, _dirs, files in os.walk(dest) for f in files]
    lines = []
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                continue
            if st.st_mode & 0o222 and sys.platform != "win32":
                os.fchmod(fd, stat.S_IMODE(st.st_mode) & ~0o222)
                st = os.fstat(fd)
            lines.append(f"{fingerprint(st)} {os.path.relpath(path, snap)}")
        finally:
            os.close(fd)
    return lines
