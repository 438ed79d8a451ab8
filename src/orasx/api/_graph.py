"""Graph verbs: ``resolve``, ``tag``, ``attach``, ``discover`` and ``copy``."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orasx import mediatype
from orasx._copy import (
    MAX_REFERRER_DEPTH,
    CopyOptions,
    Hooks,
    copy_graph,
    resolve_root,
    without_subject,
)
from orasx._copy import copy as copy_target
from orasx.api._common import Location, Remote, Union, locate, open_location, open_target
from orasx.api._files import add_files, config_descriptor, config_reference
from orasx.api._files import named_annotations as merge_annotations
from orasx.api._resolve import resolve as resolve  # (in its own module: `oras resolve` is light)
from orasx.content import Mounter, ReferrerLister, Target, tag_all
from orasx.content.file import FileStore
from orasx.content.memory import MemoryStore
from orasx.descriptor import Descriptor, Platform
from orasx.errors import InvalidInputError, Reason, SizeLimitError
from orasx.fileref import CONFIG_KEY, MANIFEST_KEY, FileLike, file_references
from orasx.pack import pack_manifest
from orasx.reference import LayoutReference, split_tags

REF_NAME = "org.opencontainers.image.ref.name"

__all__ = ["MAX_REFERRER_DEPTH", "AttachResult", "CopyResult", "Endpoint", "ReferrerNode", "attach",
           "copy", "discover", "resolve", "tag"]


#: The most referrers ``discover`` collects in all (breadth times depth), against endless graphs.
MAX_DISCOVER_NODES = 4096


def referrers_of(store: Target, desc: Descriptor, artifact_type: str = "") -> list[Descriptor]:
    """Referrers of ``desc`` in a store that can list them (registries and layouts)."""
    return store.referrers(desc, artifact_type) if isinstance(store, ReferrerLister) else []


def tag(
    reference: str | LayoutReference, tags: Sequence[str], *, oci_layout: bool = False,
    remote: Remote | None = None, concurrency: int = 5,
) -> Descriptor:
    """Point each of ``tags`` at the manifest ``reference`` names (up to ``concurrency`` at once)."""
    if not tags:
        raise InvalidInputError("no tags given: oras tag REF TAG [TAG...]")
    target, ref, _ = open_target(reference, oci_layout=oci_layout, remote=remote, create=False)
    desc, raw = resolve_root(target, ref)
    for t in tags:
        split_tags(f"x/y:{t}")
    tag_all(target, desc, raw, tags, concurrency=concurrency)
    return desc


@dataclass(frozen=True)
class AttachResult:
    """The referrer :func:`attach` pushed, its subject, and where the subject is (``location``:
    the repository or layout the referrer was pushed to)."""

    descriptor: Descriptor
    subject: Descriptor
    manifest: bytes
    location: Location


def attach(
    subject: str | LayoutReference,
    files: FileLike | Iterable[FileLike] = (),
    *,
    artifact_type: str,
    annotations: Mapping[str, str] | None = None,
    named_annotations: Mapping[str, Mapping[str, str]] | None = None,
    export_manifest: str | os.PathLike[str] | None = None,
    platform: Platform | None = None,
    concurrency: int = 5,
    oci_layout: bool = False,
    disable_path_validation: bool = False,
    remote: Remote | None = None,
    hooks: Hooks | None = None,
    on_file: Callable[[str], None] | None = None,
    config: FileLike | None = None,
) -> AttachResult:
    """Attach files (or only annotations) to ``subject`` as an image-spec v1.1 referrer.
    ``files``, ``annotations``, ``named_annotations`` and ``disable_path_validation`` are as
    :func:`~orasx.api.push`'s. ``on_file`` is told the name of each file as it is prepared;
    ``config`` is a config file for the referrer instead of the empty one."""
    if not artifact_type:
        raise InvalidInputError("an artifact type is required to attach an artifact")
    refs = file_references(files, allow_absolute=disable_path_validation)
    cfg_ref = config_reference(config)
    ann = merge_annotations(annotations, named_annotations)
    if not refs and not ann.get(MANIFEST_KEY):
        raise InvalidInputError("nothing to attach: give files or manifest annotations")
    target, location = open_location(subject, oci_layout=oci_layout, remote=remote, create=False)
    subject_desc, _ = resolve_root(target, location.ref, platform)
    if location.oci_layout and location.tag and platform is None and REF_NAME not in \
            subject_desc.annotations:
        # Go's layout resolves a tag to its index.json entry, ref.name included.
        subject_desc = subject_desc.with_annotations(
            {**subject_desc.annotations, REF_NAME: location.tag})
    with FileStore(".") as store:
        layers, _ = add_files(store, refs, ann, concurrency=concurrency, on_file=on_file)
        if not mediatype.is_valid_media_type(artifact_type):  # as oras-go's packing: nothing sent
            raise InvalidInputError(f"artifact type {artifact_type!r}: not a media type (type/subtype)",
                                    reason=Reason.MEDIA_TYPE_FORM)
        memory = MemoryStore()
        memory.push_bytes(mediatype.OCI_EMPTY, b"{}")
        config_desc = config_descriptor(cfg_ref, "v1.1", artifact_type, ann.get(CONFIG_KEY),
                                        store, memory)
        # The subject is the descriptor as resolved, as the Go CLI's: an index's entry keeps its
        # platform and artifact type, a layout's index.json entry its annotations.
        root, raw = pack_manifest(layers, artifact_type=artifact_type, config=config_desc,
                                  annotations=ann.get(MANIFEST_KEY), subject=subject_desc)
        copy_graph(Union(memory, store), target, root,
                   CopyOptions(concurrency=concurrency, hooks=hooks or Hooks(),
                               find_successors=without_subject), root_content=raw)
    if export_manifest:
        with open(export_manifest, "wb") as f:
            f.write(raw)
    return AttachResult(root, subject_desc, raw, location)


@dataclass
class ReferrerNode:
    descriptor: Descriptor
    referrers: list[ReferrerNode] = field(default_factory=list)

    def to_dict(self, repo: str) -> dict[str, Any]:
        d: dict[str, Any] = {"reference": f"{repo}@{self.descriptor.digest}",
                             **self.descriptor.to_dict()}
        d["referrers"] = [r.to_dict(repo) for r in self.referrers]
        return d


def discover(
    reference: str | LayoutReference,
    *,
    artifact_type: str = "",
    depth: int = 0,
    platform: Platform | None = None,
    oci_layout: bool = False,
    remote: Remote | None = None,
) -> tuple[ReferrerNode, str]:
    """The referrers graph of ``reference`` (``depth`` 0 = unlimited, capped at 64 levels)."""
    target, ref, name = open_target(reference, oci_layout=oci_layout, remote=remote,
                                    create=False)
    root_desc, _ = resolve_root(target, ref, platform)
    root = ReferrerNode(root_desc)
    limit = min(depth or MAX_REFERRER_DEPTH, MAX_REFERRER_DEPTH)
    seen = {root_desc.digest}

    def walk(node: ReferrerNode, level: int) -> None:
        if level >= limit:
            return
        for r in referrers_of(target, node.descriptor, artifact_type):
            if r.digest in seen:
                continue  # cycles and repeats
            seen.add(r.digest)
            if len(seen) > MAX_DISCOVER_NODES:
                raise SizeLimitError(
                    f"{reference}: more than {MAX_DISCOVER_NODES} referrers in the graph, over "
                    "the limit", reason=Reason.GRAPH_LIMIT, reference=str(reference))
            node.referrers.append(ReferrerNode(r))
        for child in node.referrers:  # a node's referrers are all counted before any is walked
            walk(child, level + 1)

    walk(root, 0)
    return root, name


@dataclass(frozen=True)
class Endpoint:
    """One side of a copy: a reference and how to open it."""

    reference: str | LayoutReference
    oci_layout: bool = False
    remote: Remote = field(default_factory=Remote)


def _copy_untagged(src: Target, src_ref: str, dst: Target, opts: CopyOptions) -> Descriptor:
    """Copy what ``src_ref`` names to ``dst`` by digest (no tag), with its referrers if asked."""
    from orasx._copy import extended_copy
    from orasx.errors import OrasError, with_origin

    try:
        root, raw = resolve_root(src, src_ref, opts.platform)
    except OrasError as e:
        raise with_origin(e, "source") from None
    if isinstance(dst, Mounter) and opts.mount is None:
        mount = dst.mount_from(src)
        if mount is not None:
            opts = dataclasses.replace(opts, mount=mount)
    if opts.referrers:
        extended_copy(src, dst, root, opts, root_content=raw)
    else:
        copy_graph(src, dst, root, opts, root_content=raw)
    return root


@dataclass(frozen=True)
class CopyResult:
    """What :func:`copy` copied: the root, the tags set at the destination, and where the source
    and the destination are. Unpacks as the ``(root, tags)`` pair ``copy`` used to return."""

    descriptor: Descriptor
    tags: tuple[str, ...]
    source: Location
    destination: Location

    def __iter__(self) -> Iterator[Descriptor | list[str]]:
        return iter((self.descriptor, list(self.tags)))


def copy(
    source: Endpoint,
    destination: Endpoint,
    *,
    recursive: bool = False,
    platform: Platform | None = None,
    concurrency: int = 3,
    hooks: Hooks | None = None,
    tag_as_source: bool = True,
) -> CopyResult:
    """Copy an artifact (and, with ``recursive``, its referrers) between registries and layouts.

    The destination reference may name several tags (``repo:a,b``) and defaults to the source's
    tag. Blobs stream from source to destination; within one registry and with the same
    credentials they are mounted instead of copied. Returns the root and the tags set.
    ``tag_as_source=False``: a destination without a tag gets the manifest untagged (the Go
    CLI's ``cp``), not tagged as the source.
    """
    src, src_location = open_location(source.reference, oci_layout=source.oci_layout,
                                      remote=source.remote, create=False)
    src_ref = src_location.ref
    first, extra = split_tags(destination.reference)
    new_layout = ""
    if destination.oci_layout:
        path = locate(first, oci_layout=True).name
        new_layout = "" if os.path.lexists(path) else os.path.abspath(path)
    dst, dst_location = open_location(first, oci_layout=destination.oci_layout,
                                      remote=destination.remote)
    dst_ref = dst_location.ref
    tag = dst_ref or ("" if ":" in src_ref or not tag_as_source else src_ref)
    opts = CopyOptions(concurrency=concurrency, hooks=hooks or Hooks(), platform=platform,
                       referrers=recursive)
    try:
        root = copy_target(src, src_ref, dst, tag, opts, tags=extra[1:]) \
            if tag or tag_as_source else _copy_untagged(src, src_ref, dst, opts)
    except BaseException:
        if new_layout:  # a layout this copy made holds nothing whole: not left half made
            shutil.rmtree(new_layout, ignore_errors=True)
        raise
    tags = ([tag] if tag else []) + [t for t in extra[1:] if t and t != tag]
    return CopyResult(root, tuple(tags), src_location, dst_location)
