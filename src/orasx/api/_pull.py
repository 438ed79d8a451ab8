"""``pull`` and ``pull_to_stream``: the files of an artifact into a directory, or its one file to
a stream, optionally read through the shared cache (``ORAS_CACHE``)."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Literal

from orasx import mediatype
from orasx._copy import CopyOptions, Hooks, copy_graph, resolve_root
from orasx.api._common import Location, Remote, open_location, write_verified_stream
from orasx.api._snapshot import select_titles
from orasx.content import ReadOnlyStorage, ReadOnlyTarget, Target
from orasx.content._members import member_descriptor, members
from orasx.content.cache import BlobCache, CachedTarget
from orasx.content.file import DEFAULT_UNPACK_RATIO, FileStore
from orasx.descriptor import EMPTY_DESCRIPTOR, TITLE, UNPACK, Descriptor, Platform
from orasx.errors import InvalidInputError, InvalidManifestError, Reason
from orasx.fileref import FileLike, file_reference
from orasx.manifest import Index, Manifest, parse_manifest
from orasx.reference import LayoutReference

#: ``cache_dir``: a directory, None for ``$ORAS_CACHE`` (no cache when it is unset or empty),
#: or False / ``""`` for no cache.
CacheDir = str | os.PathLike[str] | Literal[False] | None


def cache_location(cache_dir: CacheDir) -> str | None:
    """The cache directory a pull reads through: ``cache_dir``, or ``$ORAS_CACHE`` when it is
    None (as the ``oras`` command); None: no cache."""
    if cache_dir is None:
        return os.environ.get("ORAS_CACHE") or None
    if cache_dir is False:
        return None
    return os.fspath(cache_dir) or None


def _source(target: Target, location: Location, cache_dir: CacheDir, *,
            offline: bool = False) -> ReadOnlyTarget:
    cache = cache_location(cache_dir)
    if cache is None:
        return target
    return CachedTarget(target, BlobCache(cache), location.name, offline=offline)


@dataclass(frozen=True)
class PulledFile:
    path: str
    descriptor: Descriptor


@dataclass(frozen=True)
class PullResult:
    """What :func:`pull` pulled: the root, where from (``reference`` as text, ``location``
    parsed), the files written and the layers skipped (no title). ``from_cache``: the blobs (and
    the manifests below the root) read from the cache rather than downloaded (empty without a
    cache)."""

    descriptor: Descriptor
    reference: str
    files: tuple[PulledFile, ...]
    skipped: tuple[Descriptor, ...]
    location: Location
    #: Some node had no title (a layer or config skipped, an unnamed manifest or subject walked
    #: into): the Go CLI then prints its skipped-layers hint instead of ``Pulled``.
    unnamed: bool = False
    from_cache: tuple[Descriptor, ...] = ()


def pull(
    reference: str | LayoutReference,
    output: str | os.PathLike[str] = ".",
    *,
    oci_layout: bool = False,
    keep_old_files: bool = False,
    allow_path_traversal: bool = False,
    config: FileLike | None = None,
    platform: Platform | None = None,
    concurrency: int = 3,
    remote: Remote | None = None,
    hooks: Hooks | None = None,
    max_unpack_ratio: float = DEFAULT_UNPACK_RATIO,
    max_unpack_bytes: int | None = None,
    cache_dir: CacheDir = None,
    offline: bool = False,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    on_processing: Callable[[Descriptor], None] | None = None,
    on_unpulled: Callable[[Descriptor], None] | None = None,
    include_subject: bool = False,
) -> PullResult:
    """Pull the files of an artifact into ``output``.

    Layers with an ``org.opencontainers.image.title`` are written under ``output`` (directories
    packed by push are unpacked); every file is verified before it appears. Layers without a title
    are skipped and listed in the result. ``config`` saves the config blob to that path.
    ``max_unpack_ratio``: how many times its compressed size a directory may expand to (at least
    256 MiB; 0: no limit), against decompression bombs; ``max_unpack_bytes``: a limit in bytes
    instead. ``cache_dir``: read through the shared content-addressed cache there: what it holds
    is not downloaded again (``PullResult.from_cache`` lists it), and a pull by digest needs no
    registry; ``offline`` resolves tags from the cache only. Unset (None), it is ``$ORAS_CACHE``
    when that is set, as for the ``oras`` command; ``False`` or ``""``: no cache.
    ``include``/``exclude``: pull only the titles matching one of ``include`` (globs; all when
    empty) and none of ``exclude``. ``on_processing`` is told of each manifest as its children
    are listed (after ``hooks.on_start``); ``on_unpulled`` of each node not pulled because it has
    no title (a non-empty config, an unnamed layer), as the Go CLI's ``Skipped``.
    ``include_subject``: pull the files of the subject too (and its subject's, ...).
    """
    if concurrency < 1:
        raise InvalidInputError(f"concurrency {concurrency}: must be at least 1")
    target, location = open_location(reference, oci_layout=oci_layout, remote=remote,
                                     create=False, need_ref=True)
    source = _source(target, location, cache_dir, offline=offline)
    root, raw = resolve_root(source, location.ref, platform)
    scratch = None  # a private cache for the files picked inside directories, when none is set
    if include and not isinstance(source, CachedTarget) and _picks_members(root, raw, include,
                                                                            exclude):
        scratch = tempfile.mkdtemp(prefix="orasx-members-")
        source = CachedTarget(target, BlobCache(scratch), location.name)
    try:
        return _pull_graph(source, root, raw, location, output, include, exclude, config,
                           keep_old_files, allow_path_traversal, concurrency, hooks,
                           max_unpack_ratio, max_unpack_bytes, on_processing, on_unpulled,
                           include_subject)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _picks_members(root: Descriptor, raw: bytes, include: Sequence[str],
                   exclude: Sequence[str]) -> bool:
    """Does ``include`` leave out a directory layer of the root, whose files it may pick?"""
    node = parse_manifest(root.media_type, raw)
    if not isinstance(node, Manifest):
        return False
    chosen = {id(d) for d in select_titles(node.layers, include, exclude or None)}
    return any(layer.annotations.get(UNPACK) == "true" and id(layer) not in chosen
               for layer in node.layers)


def _pull_graph(source: ReadOnlyTarget, root: Descriptor, raw: bytes, location: Location,
                output: str | os.PathLike[str], include: Sequence[str], exclude: Sequence[str],
                config: FileLike | None, keep_old_files: bool, allow_path_traversal: bool,
                concurrency: int, hooks: Hooks | None, max_unpack_ratio: float,
                max_unpack_bytes: int | None,
                on_processing: Callable[[Descriptor], None] | None,
                on_unpulled: Callable[[Descriptor], None] | None,
                include_subject: bool) -> PullResult:
    ref, name = location.ref, location.name
    skipped: list[Descriptor] = []
    config_path = file_reference(config, allow_absolute=True).path if config else None
    read: list[Descriptor] = []  # below the root (resolved, not fetched)

    unnamed: list[Descriptor] = []

    def successors(src: ReadOnlyStorage, desc: Descriptor, data: bytes) -> list[Descriptor]:
        if on_processing is not None:
            (hooks or Hooks()).on_start(desc)
            on_processing(desc)
        node = parse_manifest(desc.media_type, data)
        if isinstance(node, Index):
            unnamed.extend(m for m in node.manifests if not m.title)
            return list(node.manifests)
        assert isinstance(node, Manifest)
        out: list[Descriptor] = []
        titles: set[str] = set()

        def skip(d: Descriptor) -> None:
            unnamed.append(d)
            if mediatype.is_manifest_like(d.media_type):
                out.append(d)  # unnamed, but its own files are pulled
                return
            skipped.append(d)
            if on_unpulled is not None:
                on_unpulled(d)

        if config_path:
            out.append(node.config.with_annotations({TITLE: config_path}))
            titles.add(config_path)
        elif not node.config.title and not _is_empty_json(node.config, media_type=False):
            skip(node.config)  # as the Go CLI: an unnamed config is a skipped layer
        chosen = {id(d) for d in select_titles(node.layers, include or None, exclude or None)}
        for layer in node.layers:
            title = layer.title
            if not title:
                if not _is_empty_json(layer, media_type=True):
                    skip(layer)
                continue
            if id(layer) not in chosen:
                if include and layer.annotations.get(UNPACK) == "true" and \
                        isinstance(src, CachedTarget) and not (
                            exclude and select_titles([layer], None, exclude) == []):
                    out.extend(_picked_members(src, layer, include, exclude, titles))
                continue
            if title in titles:
                raise InvalidManifestError(f"{desc.digest}: duplicate file name {title!r}")
            titles.add(title)
            out.append(layer)
        if include_subject and node.subject is not None:
            skip(node.subject)
        if isinstance(source, CachedTarget) and all(d.digest != node.config.digest for d in out):
            source.keep_config(node.config)  # the cache holds what each manifest references
        read.extend(out)
        return out

    # The output directory is made by the first file written (none written: none made, as Go).
    cancel = threading.Event()
    with FileStore(
        os.fspath(output), allow_path_traversal=allow_path_traversal, keep_old_files=keep_old_files,
        max_unpack_ratio=max_unpack_ratio, max_unpack_bytes=max_unpack_bytes, cancelled=cancel,
    ) as store:
        opts = CopyOptions(concurrency=concurrency, find_successors=successors,
                           hooks=hooks or Hooks(), cancel=cancel, by_title=True)
        copy_graph(source, store, root, opts, root_content=raw)
        written = store.written
    files = []
    node = parse_manifest(root.media_type, raw)
    layers = node.layers if isinstance(node, Manifest) else ()
    for layer in (*layers, *(d for d in read if d.annotations.get(MEMBER_OF))):
        if layer.title in written:
            files.append(PulledFile(written[layer.title], layer))
    display = f"{name}:{ref}" if ":" not in ref else f"{name}@{ref}"
    if location.digest is not None:  # a digest wins over a tag
        location = location.with_digest(location.digest)
    return PullResult(root, display, tuple(files), tuple(skipped), location,
                      unnamed=bool(unnamed), from_cache=_from_cache(source, read))


#: The annotation a file picked inside a directory layer carries: that layer's digest.
MEMBER_OF = "land.oras.orasx.member-of"


def _picked_members(source: CachedTarget, layer: Descriptor, include: Sequence[str],
                    exclude: Sequence[str], titles: set[str]) -> list[Descriptor]:
    """The regular files inside the directory layer ``layer`` whose paths (the layer's title
    joined with the member's path) match ``include`` and not ``exclude``: each is pulled as a
    file of its own, read from the cache where the layer's one verified read stored it."""
    picked = []
    for member in members(source, layer):
        if member.kind != "file":
            continue
        desc = member_descriptor(layer, member)
        if not select_titles([desc], include, exclude or None) or desc.title in titles:
            continue
        titles.add(desc.title)
        picked.append(desc.with_annotations({**desc.annotations,
                                             MEMBER_OF: str(layer.digest)}))
    return picked


def _from_cache(source: ReadOnlyTarget, read: Sequence[Descriptor]) -> tuple[Descriptor, ...]:
    """What of ``read`` the cache served (what its target did not have to fetch)."""
    if not isinstance(source, CachedTarget):
        return ()
    fetched = {d.digest for d in source.fetched}
    out: dict[object, Descriptor] = {}
    for d in read:
        if d.digest not in fetched:
            out.setdefault(d.digest, d)
    return tuple(out.values())


def _is_empty_json(desc: Descriptor, *, media_type: bool) -> bool:
    """Is ``desc`` the empty JSON ``{}`` (with its media type too, when ``media_type``)?"""
    same = desc.digest == EMPTY_DESCRIPTOR.digest and desc.size == EMPTY_DESCRIPTOR.size
    return same and (not media_type or desc.media_type == EMPTY_DESCRIPTOR.media_type)


def pull_to_stream(
    reference: str | LayoutReference,
    out: IO[bytes],
    *,
    oci_layout: bool = False,
    platform: Platform | None = None,
    remote: Remote | None = None,
    cache_dir: CacheDir = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> PulledFile:
    """Write the one file of an artifact to ``out`` (``oras pull REF -o -``).

    The artifact must have exactly one titled, plain-file layer (after ``include``/``exclude``).
    A file up to 64 MiB is verified before its first byte goes out (spooled in memory, then in a
    private temp file); a larger one goes out as it verifies, and a size or digest mismatch
    raises after what was written (a stream cannot be taken back). ``cache_dir``: as
    :func:`pull`'s.
    """
    target, location = open_location(reference, oci_layout=oci_layout, remote=remote,
                                     create=False, need_ref=True)
    source = _source(target, location, cache_dir)
    root, raw = resolve_root(source, location.ref, platform)
    node = parse_manifest(root.media_type, raw)
    if not isinstance(node, Manifest):
        raise InvalidManifestError(f"{reference}: is an index", reason=Reason.IS_INDEX,
                                   reference=str(reference))
    if isinstance(source, CachedTarget):
        source.keep_config(node.config)  # the cache holds what each manifest references
    files = select_titles(node.layers, include or None, exclude or None)
    if len(files) != 1:
        raise InvalidInputError(
            f"{reference}: has {len(files)} files; writing to stdout needs exactly one",
            reason=Reason.STDOUT_ONE_FILE, reference=str(reference))
    layer = files[0]
    if layer.annotations.get(UNPACK) == "true":
        raise InvalidInputError(f"{reference}: {layer.title!r} is a directory: pull it to a "
                                "directory with -o DIR")
    stream = source.fetch(layer)
    try:
        write_verified_stream(stream, layer.digest, layer.size, out, name=layer.title)
    finally:
        stream.close()
    out.flush()
    return PulledFile("-", layer)
