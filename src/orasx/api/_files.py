"""Files into a push: file references added to a file store (hashed, or packed, in parallel), the
config, and the annotations keyed by name (``$manifest``, ``$config``, a file)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from orasx import mediatype
from orasx.content.file import FileStore
from orasx.content.memory import MemoryStore
from orasx.descriptor import EMPTY_DESCRIPTOR, Descriptor
from orasx.errors import InvalidInputError
from orasx.fileref import CONFIG_KEY, MANIFEST_KEY, FileLike, FileReference, file_reference
from orasx.pack import ImageSpec

MAX_CONFIG_BYTES = 4 * 1024 * 1024
#: Files at least this big are hashed in parallel with each other.
PARALLEL_HASH_MIN = 8 * 1024 * 1024

#: ``upload(path, title, media_type)``: the descriptor of a file it uploaded (hashing it as it
#: went out), or None when the file is to be hashed first and copied as usual.
Uploader = Callable[[str, str, str], "Descriptor | None"]


def named_annotations(annotations: Mapping[str, str] | None,
                      named: Mapping[str, Mapping[str, str]] | None) -> dict[str, dict[str, str]]:
    """One mapping by name: ``named`` (``{"$manifest": {...}, "$config": {...}, "<file>":
    {...}}``) with the manifest's ``annotations`` over its ``$manifest`` entry."""
    out = {str(k): dict(v) for k, v in (named or {}).items()}
    if annotations:
        out[MANIFEST_KEY] = {**out.get(MANIFEST_KEY, {}), **annotations}
    out.setdefault(MANIFEST_KEY, {})
    return out


def check_annotation_names(ann: Mapping[str, object], files: Iterable[FileReference],
                           titles: Iterable[str]) -> None:
    """Every name the annotations give is ``$manifest``, ``$config``, or a file pushed."""
    known = {MANIFEST_KEY, CONFIG_KEY, *titles, *(f.path for f in files)}
    unknown = sorted(k for k in ann if k not in known)
    if unknown:
        raise InvalidInputError(
            f"annotation file names {unknown[0]!r}, which is not among the files pushed")


def add_files(
    store: FileStore,
    files: Sequence[FileReference],
    ann: Mapping[str, Mapping[str, str]],
    *,
    concurrency: int,
    on_file: Callable[[str], None] | None = None,
    upload: Uploader | None = None,
) -> tuple[list[Descriptor], set[str]]:
    """Add ``files`` to ``store``, hashing (or packing) them in parallel; returns the layer
    descriptors in argument order and the titles. ``on_file`` is told each file's name (the
    path, cleaned) as it is prepared (the Go CLI's ``Preparing``). ``upload``: tried first for
    each file (see :data:`Uploader`)."""
    seen: set[str] = set()

    def prepare(item: FileReference) -> None:
        if on_file is not None:
            on_file(_clean(item.path))
        if item.title in seen:
            raise InvalidInputError(f"{item.path}: duplicate file name {item.title!r}")
        seen.add(item.title)

    def add(item: FileReference) -> Descriptor:
        path, title, media_type = item.path, item.title, item.media_type
        sent = upload(path, title, media_type) if upload is not None else None
        if sent is not None:
            store.add_described(path, sent)
        desc = sent or store.add(title, path, media_type)
        extra = ann.get(path) or ann.get(title)
        return desc.with_annotations({**desc.annotations, **extra}) if extra else desc

    def heavy(item: FileReference) -> bool:
        return os.path.isdir(item.path) or (os.path.isfile(item.path)
                                            and os.path.getsize(item.path) >= PARALLEL_HASH_MIN)

    # Threads pay off only for big files (hashlib releases the GIL); small ones are hashed inline.
    if len(files) < 2 or sum(1 for i in files if heavy(i)) < 2:
        layers = []
        for i in files:
            prepare(i)
            layers.append(add(i))
        return layers, seen
    for i in files:
        prepare(i)
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(files)))) as pool:
        return list(pool.map(add, files)), seen


def _clean(path: str) -> str:
    """A path as the Go CLI names it: cleaned, with forward slashes."""
    cleaned = os.path.normpath(path)
    return cleaned if os.path.isabs(cleaned) else cleaned.replace(os.sep, "/")


def config_reference(config: FileLike | None) -> FileReference | None:
    """The config file as a reference (typed ``application/vnd.unknown.config.v1+json`` unless
    it says otherwise); absolute paths are fine for a config (it has no title)."""
    if config is None or config == "":
        return None
    return file_reference(config, mediatype.DEFAULT_CONFIG_V1_0, allow_absolute=True)


def config_descriptor(
    config: FileReference | None,
    spec: ImageSpec,
    artifact_type: str,
    annotations: Mapping[str, str] | None,
    store: FileStore,
    memory: MemoryStore,
) -> Descriptor | None:
    """The manifest's config: the user's file, ``{}`` typed as the artifact (v1.0), or empty."""
    if config is not None:
        path = config.path
        media_type = config.media_type or mediatype.DEFAULT_CONFIG_V1_0
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
