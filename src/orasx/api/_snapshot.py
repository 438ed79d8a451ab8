"""``snapshot``: an artifact's files as a read-only directory in the shared cache (the
``huggingface_hub.snapshot_download`` of OCI)."""

from __future__ import annotations

import contextlib
import fnmatch
import os
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path

from orasx._copy import resolve_root
from orasx.api._common import Remote, open_target
from orasx.content.cache import BlobCache, CachedTarget
from orasx.content.file import FileStore
from orasx.descriptor import UNPACK, Descriptor, Platform
from orasx.errors import InvalidManifestError
from orasx.manifest import Index, parse_manifest

__all__ = ["default_cache_dir", "select_titles", "snapshot"]


def default_cache_dir() -> str:
    """``$ORAS_CACHE``, else ``$XDG_CACHE_HOME/orasx``, else ``~/.cache/orasx``."""
    explicit = os.environ.get("ORAS_CACHE")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "orasx")


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


def _read_only(path: str) -> None:
    """Clear the write bits of every file below ``path`` (directories stay writable by their
    owner, so that later snapshots of other files of the same manifest can add to them)."""
    for dirpath, _dirnames, filenames in os.walk(path):
        for name in filenames:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            if stat.S_ISREG(st.st_mode) and st.st_mode & 0o222:
                os.chmod(full, stat.S_IMODE(st.st_mode) & ~0o222)


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
    Plain files are hardlinks to the verified cache entries (no copy, no re-hash) where the
    filesystem allows. ``offline=True`` makes no request: a tag resolves to the digest the cache
    last saw for it. ``allow_patterns``/``ignore_patterns`` select files by title (globs).
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
    snap = os.path.join(cache.root, "snapshots", root.digest.algorithm, root.digest.encoded)
    os.makedirs(snap, exist_ok=True)
    with FileStore(snap) as store:
        for layer in select_titles(node.layers, allow_patterns, ignore_patterns):
            if _placed(snap, layer):
                continue
            stream = source.fetch(layer)
            try:
                verified = getattr(stream, "verified_path", None)
                if verified and layer.annotations.get(UNPACK) != "true" and \
                        _link(verified, snap, layer.title):
                    continue
                store.push(layer, stream)
            finally:
                stream.close()
    _read_only(snap)
    return Path(snap)


def _placed(snap: str, layer: Descriptor) -> bool:
    path = os.path.join(snap, *layer.title.replace("\\", "/").split("/"))
    return layer.title not in (".", "./") and os.path.lexists(path)


def _link(src: str, snap: str, title: str) -> bool:
    """Hardlink the cache entry ``src`` to ``title`` in the snapshot (atomically); False when the
    title is not a plain relative name or links are not possible (then the caller copies)."""
    from orasx.content._paths import resolve_write_path

    dest = resolve_write_path(snap, title)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = os.path.join(os.path.dirname(dest), f".orasx-link-{secrets.token_hex(8)}")
    try:
        os.link(src, tmp)
    except OSError:
        return False
    try:
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return True
