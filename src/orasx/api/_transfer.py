"""``push`` and ``pull``: files to and from registries and OCI layouts.

These take what a user types (references, ``file[:type]`` arguments, ``key=value`` annotations)
and compose the stores, packing and graph copy below them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import stat
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO

from orasx import mediatype
from orasx._copy import (
    PENDING_DIGEST,
    CopyOptions,
    Hooks,
    copy_graph,
    reporting,
    resolve_root,
)
from orasx.api._common import Location, Remote, Union, open_location, write_verified_stream
from orasx.api._snapshot import select_titles
from orasx.content import (
    Readable,
    ReadOnlyStorage,
    ReadOnlyTarget,
    ReferenceFetcher,
    StreamPusher,
    TagLister,
    Target,
    _digestcache,
    tag_all,
)
from orasx.content.cache import BlobCache, CachedTarget
from orasx.content.file import DEFAULT_UNPACK_RATIO, FileStore
from orasx.content.memory import MemoryStore
from orasx.descriptor import CREATED, EMPTY_DESCRIPTOR, TITLE, UNPACK, Descriptor, Platform
from orasx.digest import Digest
from orasx.errors import (
    InvalidInputError,
    InvalidManifestError,
    NotFoundError,
    OrasError,
    with_origin,
)
from orasx.fileref import (
    CONFIG_KEY,
    MANIFEST_KEY,
    parse_annotation_file,
    parse_file_reference,
    title_for,
)
from orasx.manifest import Index, Manifest, parse_manifest
from orasx.pack import ImageSpec, created_timestamp, pack_manifest, source_date_epoch
from orasx.reference import split_tags

MAX_CONFIG_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class PushResult:
    """What :func:`push` pushed. ``reference`` is where, as text (the first tag, or the digest
    when no tag was given); ``location`` is the same, parsed; ``tags``: every tag set."""

    descriptor: Descriptor
    manifest: bytes
    reference: str
    tags: tuple[str, ...]
    location: Location


#: Files at least this big are hashed in parallel with each other.
PARALLEL_HASH_MIN = 8 * 1024 * 1024
#: Files at least this big are, on a first push to a registry, hashed while they are uploaded
#: (read once) instead of hashed first and uploaded after.
UPLOAD_HASHING_MIN = 16 * 1024 * 1024

#: ``upload(path, title, media_type)``: the descriptor of a file it uploaded (hashing it as it
#: went out), or None when the file is to be hashed first and copied as usual.
Uploader = Callable[[str, str, str], "Descriptor | None"]


def add_files(
    store: FileStore,
    files: Sequence[str],
    ann: Mapping[str, Mapping[str, str]],
    *,
    disable_path_validation: bool,
    concurrency: int,
    on_file: Callable[[str], None] | None = None,
    upload: Uploader | None = None,
) -> tuple[list[Descriptor], set[str]]:
    """Check ``path[:type]`` arguments and add them to ``store``, hashing (or packing) them in
    parallel; returns the layer descriptors in argument order and the titles. ``on_file`` is
    told each file's name (the path, cleaned) as it is prepared (the Go CLI's ``Preparing``).
    ``upload``: tried first for each file (see :data:`Uploader`)."""
    items: list[tuple[str, str, str]] = []
    for item in files:
        path, media_type = parse_file_reference(item)
        if os.path.isabs(path) and not disable_path_validation:
            raise InvalidInputError(
                f"{path}: absolute file path detected: use a relative path, or pass "
                "--disable-path-validation if this is intended"
            )
        items.append((path, title_for(path), media_type))

    seen: set[str] = set()

    def prepare(item: tuple[str, str, str]) -> None:
        path, title, _ = item
        if on_file is not None:
            on_file(_clean(path))
        if title in seen:
            raise InvalidInputError(f"{path}: duplicate file name {title!r}")
        seen.add(title)

    def add(item: tuple[str, str, str]) -> Descriptor:
        path, title, media_type = item
        sent = upload(path, title, media_type) if upload is not None else None
        if sent is not None:
            store.add_described(path, sent)
        desc = sent or store.add(title, path, media_type)
        extra = ann.get(path) or ann.get(title)
        return desc.with_annotations({**desc.annotations, **extra}) if extra else desc

    def heavy(item: tuple[str, str, str]) -> bool:
        return os.path.isdir(item[0]) or (os.path.isfile(item[0])
                                          and os.path.getsize(item[0]) >= PARALLEL_HASH_MIN)

    # Threads pay off only for big files (hashlib releases the GIL); small ones are hashed inline.
    if len(items) < 2 or sum(1 for i in items if heavy(i)) < 2:
        layers = []
        for i in items:
            prepare(i)
            layers.append(add(i))
        return layers, seen
    for i in items:
        prepare(i)
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(items)))) as pool:
        return list(pool.map(add, items)), seen


def _clean(path: str) -> str:
    """A path as the Go CLI names it: cleaned, with forward slashes."""
    cleaned = os.path.normpath(path)
    return cleaned if os.path.isabs(cleaned) else cleaned.replace(os.sep, "/")


def _annotations(
    annotations: Mapping[str, str] | None, annotation_file: str | None
) -> dict[str, dict[str, str]]:
    if annotations and annotation_file:
        raise InvalidInputError("--annotation and --annotation-file cannot be used together")
    if annotation_file:
        with open(annotation_file, "rb") as f:
            return parse_annotation_file(f.read(4 * 1024 * 1024))
    return {MANIFEST_KEY: dict(annotations or {})}


def _choose_spec(image_spec: ImageSpec | None, config: str | None, artifact_type: str) -> ImageSpec:
    """As the Go CLI: ``--config`` without ``--artifact-type`` packs image-spec v1.0."""
    if config and not artifact_type:
        if image_spec is None:
            return "v1.0"
        if image_spec == "v1.1":
            raise InvalidInputError(
                "missing artifact type for OCI image-spec v1.1 artifacts: set one with "
                "--artifact-type or use --image-spec v1.0"
            )
    return image_spec or "v1.1"


def push(
    reference: str,
    files: Sequence[str] = (),
    *,
    artifact_type: str = "",
    config: str | None = None,
    annotations: Mapping[str, str] | None = None,
    annotation_file: str | None = None,
    image_spec: ImageSpec | None = None,
    concurrency: int = 5,
    oci_layout: bool = False,
    disable_path_validation: bool = False,
    export_manifest: str | None = None,
    remote: Remote | None = None,
    hooks: Hooks | None = None,
    reproducible: bool = False,
    on_file: Callable[[str], None] | None = None,
    stdin: Readable | None = None,
    stdin_name: str = "stdin",
) -> PushResult:
    """Push files (``path[:media-type]``; directories become tar+gzip layers) as one artifact.

    ``reference`` is ``registry/repo[:tag1,tag2]`` or, with ``oci_layout``, ``dir[:tag]``.
    ``reproducible``: the same inputs give the same manifest digest anywhere: directories are
    packed with sorted entries, no owners and every mtime set to ``SOURCE_DATE_EPOCH`` (or 0),
    and ``org.opencontainers.image.created`` is that time, not the clock's (unless annotated).
    A file argument ``-`` (``-:media-type``) is one layer read from ``stdin``, titled
    ``stdin_name``: its length is unknown, so it is uploaded in chunks hashed as they go out (a
    destination that can: a registry or an OCI layout).
    """
    if concurrency < 1:
        raise InvalidInputError("--concurrency must be at least 1")
    first, extra_tags = split_tags(reference)
    spec = _choose_spec(image_spec, config, artifact_type)
    ann = _annotations(annotations, annotation_file)
    epoch = (source_date_epoch() or 0) if reproducible else None
    if epoch is not None:
        ann.setdefault(MANIFEST_KEY, {}).setdefault(CREATED, created_timestamp(epoch))
    target, location = open_location(first, oci_layout=oci_layout, remote=remote)
    ref = location.ref
    # What the destination holds is asked while the files are hashed (two requests in flight,
    # overlapping connection set-up too).
    probe = ThreadPoolExecutor(max_workers=3)
    held = probe.submit(_blobs_under_tag, target, ref)
    repository = probe.submit(_repository_probe, target)
    held_elsewhere = probe.submit(_blobs_under_another_tag, target, ref, repository)
    probe.shutdown(wait=False)

    def new_repository() -> bool:
        return repository.result()[0]

    streamed = [f for f in files if parse_file_reference(f)[0] == "-"]
    files = [f for f in files if parse_file_reference(f)[0] != "-"]
    uploaded: set[Digest] = set()
    hooks = hooks or Hooks()
    memory = MemoryStore()
    memory.push_bytes(mediatype.OCI_EMPTY, b"{}")
    with FileStore(".", reproducible_mtime=epoch) as store, _EarlyConfig() as early:
        # The config is known before the files: when a big file is hashed while it uploads, the
        # config goes out beside it (not after it, two round trips later). A config error is
        # reported where it always was, after the files.
        try:
            config_desc = _config_descriptor(config, spec, artifact_type, ann.get(CONFIG_KEY),
                                             store, memory)
            config_error: OrasError | None = None
        except OrasError as e:
            config_desc, config_error = None, e
        cfg = config_desc or (EMPTY_DESCRIPTOR if spec != "v1.0" else None)
        if cfg is not None and config_error is None:
            early.arm(cfg.digest, lambda: copy_graph(
                Union(memory, store), target, cfg,
                CopyOptions(concurrency=1, hooks=hooks, assume_missing=new_repository())))
        upload = _upload_while_hashing(target, new_repository, uploaded, hooks, early.begin)
        layers, seen = add_files(store, files, ann, disable_path_validation=disable_path_validation,
                                 concurrency=concurrency, on_file=on_file, upload=upload)
        from_stdin = _push_stdin(target, streamed, stdin, stdin_name, seen, hooks)
        if from_stdin is not None:
            layers.append(from_stdin)
            seen.add(stdin_name)
        known = seen | {MANIFEST_KEY, CONFIG_KEY} | {parse_file_reference(f)[0] for f in files}
        unknown = sorted(k for k in ann if k not in known)
        if unknown:
            raise InvalidInputError(
                f"annotation file names {unknown[0]!r}, which is not among the files pushed"
            )
        if config_error is not None:
            raise config_error
        sent_early = early.wait()  # the config's digest, when it went out beside a big file
        graph_hooks = hooks if sent_early is None else dataclasses.replace(
            hooks, on_skipped=_quiet_for(sent_early, hooks.on_skipped))
        root, raw = pack_manifest(
            layers,
            artifact_type=artifact_type if spec == "v1.1" else "",
            config=config_desc,
            annotations=ann.get(MANIFEST_KEY),
            image_spec=spec,
        )
        if not root.artifact_type and config_desc is not None and spec == "v1.0":
            # As oras-go: a v1.0 manifest's descriptor carries its config type as artifact type.
            root = dataclasses.replace(root, artifact_type=config_desc.media_type)
        opts = CopyOptions(concurrency=concurrency, hooks=graph_hooks,
                           known=held.result() | held_elsewhere.result()
                           | ({from_stdin.digest} if from_stdin else set())
                           | ({sent_early} if sent_early else set()),
                           pushed=frozenset(uploaded), assume_missing=new_repository())
        if not new_repository() and _holds(target, root):
            tag_all(target, root, raw, [ref] if ref and ":" not in ref else [])
        else:
            if not new_repository():  # just asked: the root is missing, not asked again
                opts = dataclasses.replace(opts, absent=frozenset({root.digest}))
            copy_graph(Union(memory, store), target, root, opts, tag=ref or None,
                       root_content=raw)
        tag_all(target, root, raw, extra_tags[1:])
    if export_manifest:
        with open(export_manifest, "wb") as f:
            f.write(raw)
    tags = tuple(t for t in ([ref] if ref and ":" not in ref else []) + extra_tags[1:])
    display = first if ref else f"{first}@{root.digest}"
    return PushResult(root, raw, display, tags,
                      location if ref else location.with_digest(root.digest))


class _EarlyConfig:
    """The config blob pushed in the background once (:meth:`begin`, when :meth:`arm`-ed), while
    big files upload; :meth:`wait` gives its digest once it landed (None: not pushed early). On
    the way out the push is waited for, whatever happened."""

    def __init__(self) -> None:
        self._start: Callable[[], None] | None = None
        self._digest: Digest | None = None
        self._future: Future[None] | None = None
        self._lock = threading.Lock()

    def arm(self, digest: Digest, start: Callable[[], None]) -> None:
        self._digest, self._start = digest, start

    def __enter__(self) -> _EarlyConfig:
        return self

    def __exit__(self, *exc: object) -> None:
        future = self._future
        if future is not None:
            with contextlib.suppress(BaseException):  # its failure is raised by wait()
                future.result()

    def begin(self) -> None:
        with self._lock:
            if self._start is None or self._future is not None:
                return
            pool = ThreadPoolExecutor(max_workers=1)
            self._future = pool.submit(self._start)
            pool.shutdown(wait=False)

    def wait(self) -> Digest | None:
        future = self._future
        if future is None:
            return None
        future.result()
        return self._digest


def _quiet_for(digest: Digest, hook: Callable[[Descriptor], None]) -> Callable[[Descriptor], None]:
    """``hook``, except for ``digest`` (a blob this push sent already and reported)."""
    def call(desc: Descriptor) -> None:
        if desc.digest != digest:
            hook(desc)
    return call


def _upload_while_hashing(target: Target, new_repository: Callable[[], bool],
                          uploaded: set[Digest], hooks: Hooks,
                          on_first: Callable[[], None] = lambda: None) -> Uploader | None:
    """How big files go to a registry on a first push: read once, hashed as they are sent.

    A file is uploaded this way when it is at least :data:`UPLOAD_HASHING_MIN` bytes and its
    digest is not remembered (a remembered one is checked for existence first, as always), and
    either the repository is new or the digest cache is on (a file it never saw is most likely
    new content). Otherwise (None) it is hashed first and the copy checks and sends it. The
    registry checks the digest of what it received; a file that changes while it is sent fails.
    ``on_first`` is called as the first such upload starts.
    """
    if not (isinstance(target, StreamPusher) and isinstance(target, ReferenceFetcher)
            and isinstance(target, TagLister)):
        return None  # local stores: existence is checked without a round trip
    lock = threading.Lock()

    def upload(path: str, title: str, media_type: str) -> Descriptor | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or st.st_size < UPLOAD_HASHING_MIN:
            return None
        if _digestcache.lookup(st) is not None:
            return None
        if not _digestcache.enabled() and not new_repository():
            return None
        media_type = media_type or mediatype.DEFAULT_FILE
        on_first()
        # progress while the digest is unknown: a descriptor with PENDING_DIGEST and the title
        pending = Descriptor(media_type, PENDING_DIGEST, st.st_size, annotations={TITLE: title})
        hooks.on_start(pending)
        with open(path, "rb") as raw:
            desc = target.push_stream(media_type, reporting(raw, pending, hooks), {TITLE: title})
        _digestcache.remember(st, desc.digest)
        with lock:
            uploaded.add(desc.digest)
        return desc

    return upload


def _push_stdin(target: Target, streamed: list[str], stdin: Readable | None, name: str,
                seen: set[str], hooks: Hooks) -> Descriptor | None:
    """The layer read from stdin (``-``), uploaded ahead of the manifest; None without one."""
    if not streamed:
        return None
    if len(streamed) > 1:
        raise InvalidInputError("stdin ('-') can be pushed only once")
    if stdin is None:
        raise InvalidInputError("'-' was given but no stdin stream was passed")
    if not isinstance(target, StreamPusher):
        raise InvalidInputError("this destination cannot take a stream of unknown length")
    if name in seen:
        raise InvalidInputError(f"duplicate file name {name!r}: set another with --stdin-name")
    media_type = parse_file_reference(streamed[0])[1] or mediatype.DEFAULT_FILE
    desc = target.push_stream(media_type, stdin, {TITLE: name})
    hooks.on_copied(desc)
    return desc


def _holds(target: Target, desc: Descriptor) -> bool:
    """Does the destination hold ``desc`` already? The first question of a push to an existing
    repository, as oras-go's (so a registry that cannot be reached or refuses the credentials
    fails here, with Go's words)."""
    try:
        return target.exists(desc)
    except OrasError as e:
        raise with_origin(e, "destination") from None


def _repository_probe(target: Target) -> tuple[bool, str]:
    """Is the repository new (the registry says its tag list is not found: it holds no blob, and
    a push needs no existence check per blob), and one tag it has ('' when none or unknown)?"""
    if not (isinstance(target, ReferenceFetcher) and isinstance(target, TagLister)):
        return False, ""  # local stores answer existence checks without a round trip
    try:
        first = next(iter(target.tags(page_size=1)), None)
    except NotFoundError:
        return True, ""
    except OrasError:
        return False, ""
    return False, first or ""


def _blobs_under_another_tag(target: Target, ref: str,
                             repository: Future[tuple[bool, str]]) -> frozenset[Digest]:
    """Blobs of the manifest of the tag the repository probe found (when it is not ``ref``,
    whose own are asked for already): a push of a new tag of the same files (a release after
    a release) then needs no existence check for them, one GET instead of a HEAD per blob."""
    _, tag = repository.result()
    if not tag or tag == ref:
        return frozenset()
    return _blobs_under_tag(target, tag)


def _blobs_under_tag(target: Target, ref: str) -> frozenset[Digest]:
    """Blobs of the manifest the tag points at now: a registry holds every blob a manifest in
    the repository names, so a re-push needs no existence check for them (one GET instead of a
    HEAD per blob)."""
    if not isinstance(target, ReferenceFetcher) or not ref or ":" in ref:
        return frozenset()
    try:
        desc, raw = target.fetch_reference(ref)
        node = parse_manifest(desc.media_type, raw)
    except OrasError:
        return frozenset()
    if not isinstance(node, Manifest):
        return frozenset()
    return frozenset([node.config.digest, *(layer.digest for layer in node.layers)])


def _config_descriptor(
    config: str | None,
    spec: ImageSpec,
    artifact_type: str,
    annotations: Mapping[str, str] | None,
    store: FileStore,
    memory: MemoryStore,
) -> Descriptor | None:
    """The manifest's config: the user's file, ``{}`` typed as the artifact (v1.0), or empty."""
    if config:
        path, media_type = parse_file_reference(config, mediatype.DEFAULT_CONFIG_V1_0)
        if os.path.isfile(path):
            desc = store.add(CONFIG_KEY, path, media_type)
        else:  # /dev/null, a pipe: small by nature, read once into memory
            try:
                with open(path, "rb") as f:
                    data = f.read(MAX_CONFIG_BYTES + 1)
            except OSError as e:
                raise InvalidInputError(f"{path}: cannot read config: {e.strerror}") from None
            if len(data) > MAX_CONFIG_BYTES:
                raise InvalidInputError(f"{path}: config is larger than 4 MiB")
            desc = memory.push_bytes(media_type, data)
        return desc.with_annotations(annotations or {})
    if spec == "v1.0":
        desc = memory.push_bytes(artifact_type or mediatype.DEFAULT_CONFIG_V1_0, b"{}")
        return desc.with_annotations(annotations or {})
    if annotations:
        return EMPTY_DESCRIPTOR.with_annotations(annotations)
    return None


@dataclass(frozen=True)
class PulledFile:
    path: str
    descriptor: Descriptor


@dataclass(frozen=True)
class PullResult:
    """What :func:`pull` pulled: the root, where from (``reference`` as text, ``location``
    parsed), the files written and the layers skipped (no title)."""

    descriptor: Descriptor
    reference: str
    files: tuple[PulledFile, ...]
    skipped: tuple[Descriptor, ...]
    location: Location
    #: Some node had no title (a layer or config skipped, an unnamed manifest or subject walked
    #: into): the Go CLI then prints its skipped-layers hint instead of ``Pulled``.
    unnamed: bool = False


def pull(
    reference: str,
    output: str = ".",
    *,
    oci_layout: bool = False,
    keep_old_files: bool = False,
    allow_path_traversal: bool = False,
    config: str | None = None,
    platform: Platform | None = None,
    concurrency: int = 3,
    remote: Remote | None = None,
    hooks: Hooks | None = None,
    max_unpack_ratio: float = DEFAULT_UNPACK_RATIO,
    max_unpack_bytes: int | None = None,
    cache_dir: str | None = None,
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
    instead. ``cache_dir``: read through the shared
    content-addressed cache there (``ORAS_CACHE``): what it holds is not downloaded again, and a
    pull by digest needs no registry; ``offline`` resolves tags from the cache only.
    ``include``/``exclude``: pull only the titles matching one of ``include`` (globs; all when
    empty) and none of ``exclude``. ``on_processing`` is told of each manifest as its children
    are listed (after ``hooks.on_start``); ``on_unpulled`` of each node not pulled because it has
    no title (a non-empty config, an unnamed layer), as the Go CLI's ``Skipped``.
    ``include_subject``: pull the files of the subject too (and its subject's, ...).
    """
    if concurrency < 1:
        raise InvalidInputError("--concurrency must be at least 1")
    target, location = open_location(reference, oci_layout=oci_layout, remote=remote,
                                     create=False, need_ref=True)
    ref, name = location.ref, location.name
    source: ReadOnlyTarget = target
    if cache_dir:
        source = CachedTarget(target, BlobCache(cache_dir), name, offline=offline)
    root, raw = resolve_root(source, ref, platform)
    skipped: list[Descriptor] = []
    config_path = parse_file_reference(config)[0] if config else None

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
                continue
            if title in titles:
                raise InvalidManifestError(f"{desc.digest}: duplicate file name {title!r}")
            titles.add(title)
            out.append(layer)
        if include_subject and node.subject is not None:
            skip(node.subject)
        return out

    # The output directory is made by the first file written (none written: none made, as Go).
    cancel = threading.Event()
    with FileStore(
        output, allow_path_traversal=allow_path_traversal, keep_old_files=keep_old_files,
        max_unpack_ratio=max_unpack_ratio, max_unpack_bytes=max_unpack_bytes, cancelled=cancel,
    ) as store:
        opts = CopyOptions(concurrency=concurrency, find_successors=successors,
                           hooks=hooks or Hooks(), cancel=cancel)
        copy_graph(source, store, root, opts, root_content=raw)
        written = store.written
    files = []
    node = parse_manifest(root.media_type, raw)
    layers = node.layers if isinstance(node, Manifest) else ()
    for layer in layers:
        if layer.title in written:
            files.append(PulledFile(written[layer.title], layer))
    display = f"{name}:{ref}" if ":" not in ref else f"{name}@{ref}"
    if location.digest is not None:  # a digest wins over a tag
        location = location.with_digest(location.digest)
    return PullResult(root, display, tuple(files), tuple(skipped), location,
                      unnamed=bool(unnamed))


def _is_empty_json(desc: Descriptor, *, media_type: bool) -> bool:
    """Is ``desc`` the empty JSON ``{}`` (with its media type too, when ``media_type``)?"""
    same = desc.digest == EMPTY_DESCRIPTOR.digest and desc.size == EMPTY_DESCRIPTOR.size
    return same and (not media_type or desc.media_type == EMPTY_DESCRIPTOR.media_type)


def pull_to_stream(
    reference: str,
    out: IO[bytes],
    *,
    oci_layout: bool = False,
    platform: Platform | None = None,
    remote: Remote | None = None,
    cache_dir: str | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> PulledFile:
    """Write the one file of an artifact to ``out`` (``oras pull REF -o -``).

    The artifact must have exactly one titled, plain-file layer (after ``include``/``exclude``).
    A file up to 64 MiB is verified before its first byte goes out (spooled in memory, then in a
    private temp file); a larger one goes out as it verifies, and a size or digest mismatch
    raises after what was written (a stream cannot be taken back).
    """
    target, location = open_location(reference, oci_layout=oci_layout, remote=remote,
                                     create=False, need_ref=True)
    source: ReadOnlyTarget = target
    if cache_dir:
        source = CachedTarget(target, BlobCache(cache_dir), location.name)
    root, raw = resolve_root(source, location.ref, platform)
    node = parse_manifest(root.media_type, raw)
    if not isinstance(node, Manifest):
        raise InvalidManifestError(f"{reference}: is an index: pass --platform to pick a manifest")
    files = select_titles(node.layers, include or None, exclude or None)
    if len(files) != 1:
        raise InvalidInputError(
            f"{reference}: has {len(files)} files; writing to stdout needs exactly one "
            "(select one with --include, or pull to a directory with -o DIR)")
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
