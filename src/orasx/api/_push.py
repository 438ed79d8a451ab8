"""``push``: files to a registry or an OCI layout, as pack, plan, copy.

The files are added to a file store (hashed, or packed, in parallel), the manifest is packed, and
the graph is copied to the destination with what the destination's plan learned about it (a
registry plans itself: :class:`~orasx.content.PushPlanner`; other stores are asked as the copy
goes).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from orasx import mediatype
from orasx._copy import CopyOptions, Hooks, copy_graph, reporting
from orasx.api._common import Location, Remote, Union, open_location
from orasx.api._files import (
    add_files,
    check_annotation_names,
    config_descriptor,
    config_reference,
)
from orasx.api._files import named_annotations as merge_annotations
from orasx.content import (
    DestinationFacts,
    PushPlan,
    PushPlanner,
    Readable,
    StreamPusher,
    Target,
    tag_all,
)
from orasx.content.file import FileStore
from orasx.content.memory import MemoryStore
from orasx.descriptor import CREATED, EMPTY_DESCRIPTOR, TITLE, Descriptor
from orasx.digest import Digest
from orasx.errors import InvalidInputError, OrasError, Reason, with_origin
from orasx.fileref import CONFIG_KEY, MANIFEST_KEY, FileLike, FileReference, file_references
from orasx.pack import ImageSpec, created_timestamp, pack_manifest, source_date_epoch
from orasx.reference import LayoutReference, split_tags


@dataclass(frozen=True)
class PushResult:
    """What :func:`push` pushed. ``reference`` is where, as text (the first tag, or the digest
    when no tag was given); ``location`` is the same, parsed; ``tags``: every tag set."""

    descriptor: Descriptor
    manifest: bytes
    reference: str
    tags: tuple[str, ...]
    location: Location


def push(
    reference: str | LayoutReference,
    files: FileLike | Iterable[FileLike] = (),
    *,
    artifact_type: str = "",
    config: FileLike | None = None,
    annotations: Mapping[str, str] | None = None,
    named_annotations: Mapping[str, Mapping[str, str]] | None = None,
    image_spec: ImageSpec = "v1.1",
    concurrency: int = 5,
    oci_layout: bool = False,
    disable_path_validation: bool = False,
    export_manifest: str | os.PathLike[str] | None = None,
    remote: Remote | None = None,
    hooks: Hooks | None = None,
    reproducible: bool = False,
    on_file: Callable[[str], None] | None = None,
    stdin: Readable | None = None,
    stdin_name: str = "stdin",
) -> PushResult:
    """Push files (directories become tar+gzip layers) as one artifact.

    ``reference`` is ``registry/repo[:tag1,tag2]`` or, with ``oci_layout``, ``dir[:tag]`` (or a
    :class:`~orasx.reference.LayoutReference`). ``files``: one file or several, each a
    :class:`~orasx.fileref.FileReference`, ``path[:media-type]`` text or an ``os.PathLike``;
    text and paths that are absolute are refused unless ``disable_path_validation`` (their title
    would name a place on the puller's disk). ``config``: the same, for the config blob.
    ``annotations``: the manifest's; ``named_annotations``: by name, as an annotation file
    gives them (``{"$manifest": {...}, "$config": {...}, "<file>": {...}}``, parsed, e.g. by
    :func:`orasx.fileref.parse_annotation_file`). ``image_spec``: ``"v1.1"`` (default) or
    ``"v1.0"``, as decided by the caller (a v1.1 manifest with a config and no
    ``artifact_type`` is typed by its config).
    ``reproducible``: the same inputs give the same manifest digest anywhere: directories are
    packed with sorted entries, no owners and every mtime set to ``SOURCE_DATE_EPOCH`` (or 0),
    and ``org.opencontainers.image.created`` is that time, not the clock's (unless annotated).
    A file ``-`` (``-:media-type``) is one layer read from ``stdin``, titled ``stdin_name``: its
    length is unknown, so it is uploaded in chunks hashed as they go out (a destination that
    can: a registry or an OCI layout).
    """
    if concurrency < 1:
        raise InvalidInputError(f"concurrency {concurrency}: must be at least 1")
    if artifact_type and not mediatype.is_valid_media_type(artifact_type):
        raise InvalidInputError(f"artifact type {artifact_type!r}: not a media type (type/subtype)",
                                reason=Reason.MEDIA_TYPE_FORM)
    refs = file_references(files, allow_absolute=disable_path_validation)
    cfg_ref = config_reference(config)
    first, extra_tags = split_tags(reference)
    ann = merge_annotations(annotations, named_annotations)
    epoch = (source_date_epoch() or 0) if reproducible else None
    if epoch is not None:
        ann[MANIFEST_KEY].setdefault(CREATED, created_timestamp(epoch))
    target, location = open_location(first, oci_layout=oci_layout, remote=remote)
    ref = location.ref
    hooks = hooks or Hooks()
    streamed = [f for f in refs if f.path == "-"]
    refs = [f for f in refs if f.path != "-"]
    memory = MemoryStore()
    memory.push_bytes(mediatype.OCI_EMPTY, b"{}")
    # What the destination holds is asked while the files are hashed.
    with FileStore(".", reproducible_mtime=epoch) as store, _plan(target, ref, hooks) as plan:
        # The config is known before the files: when a big file is hashed while it uploads, the
        # config goes out beside it (not after it, two round trips later). A config error is
        # reported where it always was, after the files.
        try:
            config_desc = config_descriptor(cfg_ref, image_spec, artifact_type,
                                            ann.get(CONFIG_KEY), store, memory)
            config_error: OrasError | None = None
        except OrasError as e:
            config_desc, config_error = None, e
        cfg = config_desc or (EMPTY_DESCRIPTOR if image_spec != "v1.0" else None)
        if cfg is not None and config_error is None:
            plan.beside_first_upload(lambda: copy_graph(
                Union(memory, store), target, cfg,
                CopyOptions(concurrency=1, hooks=hooks, destination=plan.facts())))
        layers, seen = add_files(store, refs, ann, concurrency=concurrency, on_file=on_file,
                                 upload=plan.upload)
        from_stdin = _push_stdin(target, streamed, stdin, stdin_name, seen, hooks)
        if from_stdin is not None:
            layers.append(from_stdin)
            seen.add(stdin_name)
        check_annotation_names(ann, refs, seen)
        if config_error is not None:
            raise config_error
        # the config, when it went out beside a big file (reported then, not again)
        sent_early = cfg.digest if cfg is not None and plan.started_beside() else None
        graph_hooks = hooks if sent_early is None else dataclasses.replace(
            hooks, on_skipped=_quiet_for(sent_early, hooks.on_skipped))
        root, raw = pack_manifest(
            layers,
            artifact_type=artifact_type if image_spec == "v1.1" else "",
            config=config_desc,
            annotations=ann.get(MANIFEST_KEY),
            image_spec=image_spec,
        )
        if not root.artifact_type and config_desc is not None and image_spec == "v1.0":
            # As oras-go: a v1.0 manifest's descriptor carries its config type as artifact type.
            root = dataclasses.replace(root, artifact_type=config_desc.media_type)
        if plan.holds(root):
            tag_all(target, root, raw, [ref] if ref and ":" not in ref else [])
        else:
            present = frozenset(d for d in (from_stdin and from_stdin.digest, sent_early) if d)
            copy_graph(Union(memory, store), target, root,
                       CopyOptions(concurrency=concurrency, hooks=graph_hooks,
                                   destination=plan.facts(present)),
                       tag=ref or None, root_content=raw)
        tag_all(target, root, raw, extra_tags[1:])
    if export_manifest:
        with open(export_manifest, "wb") as f:
            f.write(raw)
    tags = tuple(t for t in ([ref] if ref and ":" not in ref else []) + extra_tags[1:])
    display = str(first) if ref else f"{first}@{root.digest}"
    return PushResult(root, raw, display, tags,
                      location if ref else location.with_digest(root.digest))


def _plan(target: Target, reference: str, hooks: Hooks) -> PushPlan:
    """The destination's own plan (a registry), or one that asks it as the copy goes."""
    if isinstance(target, PushPlanner):
        def watch(pending: Descriptor, stream: Readable) -> Readable:
            # progress while the digest is unknown: a descriptor with PENDING_DIGEST and the title
            hooks.on_start(pending)
            return reporting(stream, pending, hooks)

        return target.plan_push(reference, watch=watch)
    return _AskingPlan(target)


class _AskingPlan:
    """The plan of a destination that answers existence checks without a round trip (a layout):
    nothing is learned beforehand, nothing is uploaded early."""

    def __init__(self, target: Target) -> None:
        self._target = target
        self._missing: frozenset[Digest] = frozenset()

    def __enter__(self) -> _AskingPlan:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def upload(self, path: str, title: str, media_type: str) -> Descriptor | None:
        return None

    def beside_first_upload(self, start: Callable[[], None]) -> None:
        return None

    def started_beside(self) -> bool:
        return False

    def holds(self, desc: Descriptor) -> bool:
        try:
            found = self._target.exists(desc)
        except OrasError as e:
            raise with_origin(e, "destination") from None
        if not found:
            self._missing = self._missing | {desc.digest}
        return found

    def facts(self, present: frozenset[Digest] = frozenset()) -> DestinationFacts:
        return DestinationFacts(present=present, missing=self._missing)


def _quiet_for(digest: Digest, hook: Callable[[Descriptor], None]) -> Callable[[Descriptor], None]:
    """``hook``, except for ``digest`` (a blob this push sent already and reported)."""
    def call(desc: Descriptor) -> None:
        if desc.digest != digest:
            hook(desc)
    return call


def _push_stdin(target: Target, streamed: list[FileReference], stdin: Readable | None, name: str,
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
        raise InvalidInputError(f"duplicate file name {name!r}", path="-")
    media_type = streamed[0].media_type or mediatype.DEFAULT_FILE
    desc = target.push_stream(media_type, stdin, {TITLE: name})
    hooks.on_copied(desc)
    return desc
