"""Graph copy between any two stores: the engine under push, pull, copy, backup and restore.

:func:`copy_graph` moves the graph under a root descriptor; :func:`copy` resolves a reference first
(narrowed to a platform), tags the root and, with ``CopyOptions.referrers``, copies the referrers
too (oras-go's ``Copy`` and ``ExtendedCopyGraph``); :func:`extended_copy` copies a graph with its
referrers and :func:`copy_referrers` only the referrers. Failures keep their own error class with
``origin`` set to the side that failed.

The modules: ``_options`` (what a copy is told), ``_streams`` (counted, cancellable transfers),
``_graph`` (the copier), ``_extended`` (referrers, walked up to their roots).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from orasx._copy._extended import extended_copy, find_roots
from orasx._copy._graph import copy_graph, run_copy, seed
from orasx._copy._options import (
    BLOB_RETRY,
    MAX_GRAPH_DEPTH,
    MAX_REFERRER_DEPTH,
    MAX_SMALL_CONCURRENCY,
    CopyOptions,
    Hook,
    Hooks,
    ProgressHook,
    SuccessorFunc,
    default_successors,
    without_subject,
)
from orasx._copy._streams import reporting
from orasx._json import loads
from orasx.content import (
    PENDING_DIGEST,
    DestinationFacts,
    Mounter,
    ReadOnlyStorage,
    ReadOnlyTarget,
    ReferenceFetcher,
    ReferencePusher,
    ReferrerLister,
    Storage,
    Target,
    fetch_all,
    tag_all,
)
from orasx.descriptor import Descriptor, Platform
from orasx.errors import InvalidInputError, InvalidManifestError, NotFoundError, OrasError, with_origin
from orasx.manifest import Index, parse_manifest

__all__ = [
    "BLOB_RETRY",
    "MAX_GRAPH_DEPTH",
    "MAX_REFERRER_DEPTH",
    "MAX_SMALL_CONCURRENCY",
    "PENDING_DIGEST",
    "CopyOptions",
    "DestinationFacts",
    "Hook",
    "Hooks",
    "ProgressHook",
    "ReferencePusher",
    "SuccessorFunc",
    "copy",
    "copy_graph",
    "copy_referrers",
    "default_successors",
    "extended_copy",
    "reporting",
    "resolve_root",
    "select_platform",
    "without_subject",
]


def select_platform(
    source: ReadOnlyStorage, desc: Descriptor, raw: bytes, platform: Platform
) -> tuple[Descriptor, bytes]:
    """The child of an index that matches ``platform`` (a manifest is checked via its config)."""
    node = parse_manifest(desc.media_type, raw)
    if isinstance(node, Index):
        for child in node.manifests:
            if child.platform is not None and child.platform.matches(platform):
                return child, fetch_all(source, child)
        raise NotFoundError(f"{desc.digest}: not found: no matching manifest was found in the "
                            "manifest list")
    doc = loads(fetch_all(source, node.config), f"config {node.config.digest}",
                InvalidManifestError)
    if isinstance(doc, dict) and Platform.from_dict(doc).matches(platform):
        return desc, raw
    raise NotFoundError(f"{desc.digest}: the manifest is not for platform {platform}")


def resolve_root(
    target: ReadOnlyTarget, ref: str, platform: Platform | None = None
) -> tuple[Descriptor, bytes]:
    """The manifest ``ref`` names in ``target`` and its bytes (one request where the store is a
    :class:`~orasx.content.ReferenceFetcher`), narrowed to ``platform``."""
    if not ref:
        raise InvalidInputError("a tag or digest is required, e.g. localhost:5000/repo:v1")
    if isinstance(target, ReferenceFetcher):
        desc, raw = target.fetch_reference(ref)
    else:
        desc = target.resolve(ref)
        raw = fetch_all(target, desc)
    if platform is not None:
        desc, raw = select_platform(target, desc, raw, platform)
    return desc, raw


def copy_referrers(
    src: ReadOnlyStorage, dst: Storage, root: Descriptor, options: CopyOptions | None = None,
    *, root_content: bytes | None = None,
) -> list[Descriptor]:
    """Copy the referrers of ``root`` (and of an index's manifests), and theirs, up to
    :data:`MAX_REFERRER_DEPTH` levels, each with what it refers to; returns the referrers found.
    A source that cannot list referrers (not a :class:`~orasx.content.ReferrerLister`) has none."""
    opts = options or CopyOptions()
    if not isinstance(src, ReferrerLister):
        return []
    manifests = seed(root, root_content)
    raw = manifests.get(root.digest)
    if raw is None:
        raw = manifests[root.digest] = fetch_all(src, root)
    roots, found = find_roots(src, root, raw)
    if found:
        run_copy(src, dst, [r for r in roots if r.digest != root.digest], opts, manifests, {})
    return found


def copy(
    src: ReadOnlyTarget,
    src_ref: str,
    dst: Target,
    dst_ref: str = "",
    options: CopyOptions | None = None,
    *,
    tags: Sequence[str] = (),
) -> Descriptor:
    """Resolve ``src_ref`` in ``src`` (narrowed to ``options.platform``), copy its graph to
    ``dst``, tag it ``dst_ref`` and each of ``tags``, and with ``options.referrers`` copy its
    referrers too. ``dst_ref`` defaults to ``src_ref`` when that is a tag (a digest reference
    copies untagged). Returns the root descriptor.

    Blobs are mounted instead of copied where the destination can (a registry mounting from
    another repository of the same registry with the same credentials).
    """
    opts = options or CopyOptions()
    try:
        root, raw = resolve_root(src, src_ref, opts.platform)
    except OrasError as e:
        raise with_origin(e, "source") from None
    if opts.mount is None and isinstance(dst, Mounter):
        mount = dst.mount_from(src)
        if mount is not None:
            opts = dataclasses.replace(opts, mount=mount)
    tag = dst_ref or ("" if ":" in src_ref else src_ref)
    if opts.referrers:
        extended_copy(src, dst, root, opts, tag=tag or None, root_content=raw)
    else:
        run_copy(src, dst, [root], opts, {root.digest: raw}, {root.digest: tag} if tag else {})
    try:
        tag_all(dst, root, raw, [t for t in tags if t and t != tag])
    except OrasError as e:
        raise with_origin(e, "destination") from None
    return root
