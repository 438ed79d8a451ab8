"""Manifest, blob and repository verbs: fetch, push, delete, index create/update, tags, catalog."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, cast

from orasx import mediatype
from orasx._copy import Hooks, reporting, resolve_root
from orasx._fsutil import atomic_writer, check_free_space, umask_mode
from orasx._json import loads
from orasx.api._common import Remote, locate, open_target, write_verified_stream
from orasx.content import (
    BlobStore,
    ManifestDeleter,
    ReadOnlyTarget,
    TagLister,
    Target,
    fetch_all,
    push_tagged,
)
from orasx.descriptor import Descriptor, Platform, canonical_json
from orasx.digest import CHUNK_SIZE, Digest, hash_file, parse_digest, write_verified
from orasx.errors import (
    InvalidDigestError,
    InvalidInputError,
    InvalidManifestError,
    NotFoundError,
    Reason,
)
from orasx.manifest import (
    MAX_MANIFEST_BYTES,
    Index,
    Manifest,
    detect_media_type,
    parse_manifest,
)
from orasx.reference import (
    LayoutReference,
    is_go_digest,
    parse_reference,
    reference_problem,
    split_tags,
)
from orasx.registry.remote import Registry

if TYPE_CHECKING:
    from orasx.api._pull import CacheDir


def _through_cache(target: ReadOnlyTarget, name: str, cache_dir: CacheDir) -> ReadOnlyTarget:
    """``target`` read through the shared cache (``cache_dir``; None: ``$ORAS_CACHE``, as
    :func:`~orasx.api.pull`'s), which is created here; ``target`` itself without one."""
    from orasx.api._pull import cache_location

    cache = cache_location(cache_dir)
    if cache is None:
        return target
    from orasx.content.cache import BlobCache, CachedTarget

    return CachedTarget(target, BlobCache(cache), name)


def fetch_manifest(
    reference: str | LayoutReference, *, oci_layout: bool = False, remote: Remote | None = None,
    platform: Platform | None = None, cache_dir: CacheDir = None,
) -> tuple[Descriptor, bytes]:
    """The manifest ``reference`` names and its bytes, read through the shared cache
    (``cache_dir``, as :func:`~orasx.api.pull`'s: None is ``$ORAS_CACHE``, False none)."""
    target, ref, name = open_target(reference, oci_layout=oci_layout, remote=remote,
                                    create=False)
    return resolve_root(_through_cache(target, name, cache_dir), ref, platform)


def fetch_config(
    reference: str | LayoutReference, *, oci_layout: bool = False, remote: Remote | None = None,
    platform: Platform | None = None, cache_dir: CacheDir = None,
) -> tuple[Descriptor, bytes]:
    """A manifest's config descriptor and bytes, read through the shared cache (``cache_dir``:
    as :func:`fetch_manifest`'s)."""
    target, ref, name = open_target(reference, oci_layout=oci_layout, remote=remote,
                                    create=False)
    source = _through_cache(target, name, cache_dir)
    desc, raw = resolve_root(source, ref, platform)
    node = parse_manifest(desc.media_type, raw)
    if not isinstance(node, Manifest):
        raise InvalidManifestError(f"{reference}: is an index, which has no config",
                                   reason=Reason.IS_INDEX, reference=str(reference))
    return node.config, fetch_all(source, node.config, limit=MAX_MANIFEST_BYTES)


def push_manifest(
    reference: str | LayoutReference, data: bytes, *, media_type: str = "", oci_layout: bool = False,
    remote: Remote | None = None,
) -> tuple[Descriptor, list[str]]:
    """Push manifest bytes as given (no re-encoding) and tag them."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise InvalidManifestError("manifest is over the 4 MiB limit")
    media_type = media_type or detect_media_type(data)
    parse_manifest(media_type, data)  # refuse what is not a manifest of that type
    first, extra = split_tags(reference)
    target, ref, _ = open_target(first, oci_layout=oci_layout, remote=remote)
    desc = Descriptor.from_bytes(media_type, data)
    if ref and ":" in ref and parse_digest(ref) != desc.digest:
        raise InvalidInputError(f"{reference}: the manifest's digest is {desc.digest}")
    tags = [ref] if ref and ":" not in ref else []
    tags += extra[1:]
    push_tagged(target, desc, data, tags)
    return desc, tags


def delete_manifest(
    reference: str | LayoutReference, *, oci_layout: bool = False, remote: Remote | None = None,
) -> Descriptor:
    target, ref, _ = open_target(reference, oci_layout=oci_layout, remote=remote, create=False,
                                 need_ref=True)
    if not isinstance(target, ManifestDeleter):
        raise InvalidInputError(f"{reference}: this store cannot delete manifests")
    desc = target.resolve(ref)
    target.delete(desc)
    return desc


def _blob_target(reference: str | LayoutReference, oci_layout: bool, remote: Remote | None,
                 create: bool = False) -> tuple[BlobStore, str]:
    """The target as a store that can also describe and delete blobs by digest."""
    target, ref, _ = open_target(reference, oci_layout=oci_layout, remote=remote, create=create)
    if not isinstance(target, BlobStore):
        raise InvalidInputError(f"{reference}: this store cannot address blobs by digest")
    return target, ref


def fetch_blob(
    reference: str | LayoutReference, output: str | IO[bytes] | None, *, oci_layout: bool = False,
    remote: Remote | None = None, hooks: Hooks | None = None, cache_dir: CacheDir = None,
) -> Descriptor:
    """Fetch ``name@digest``; a file output appears only after the digest verified, and a stream
    gets no byte of a blob up to 64 MiB before it verified (larger ones stream as they verify).
    The blob is read through the shared cache (``cache_dir``: as :func:`fetch_manifest`'s)."""
    target, ref = _blob_target(reference, oci_layout, remote)
    if ":" not in ref:
        raise InvalidInputError(f"{reference}: a blob reference needs a digest: name@sha256:...",
                                reason=Reason.BLOB_NEEDS_DIGEST, reference=str(reference))
    source = _through_cache(cast("ReadOnlyTarget", target),
                            locate(reference, oci_layout=oci_layout).name, cache_dir)
    digest = _blob_digest(ref, reference, oci_layout)
    desc = target.blob_descriptor(digest)
    if output is None:
        return desc
    hooks = hooks or Hooks()
    hooks.on_start(desc)
    stream = reporting(source.fetch(desc), desc, hooks)
    try:
        if isinstance(output, str):
            check_free_space(output, desc.size, str(desc.digest))
            with atomic_writer(output, mode=umask_mode()) as f:
                write_verified(stream, desc.digest, desc.size, f)
        else:
            # A stream (stdout) cannot be taken back: a blob up to VERIFY_FIRST_LIMIT verifies
            # before its first byte; a larger one goes out as it verifies and a bad one raises.
            write_verified_stream(stream, desc.digest, desc.size, output)
    finally:
        stream.close()
    hooks.on_copied(desc)
    return desc


def push_blob(
    reference: str | LayoutReference, source: str | IO[bytes], *, size: int = -1, media_type: str = "",
    oci_layout: bool = False, remote: Remote | None = None, hooks: Hooks | None = None,
) -> Descriptor:
    """Push a file (or a stream: spooled to a temp file to learn its digest) as a blob."""
    hooks = hooks or Hooks()
    target, ref = _blob_target(reference, oci_layout, remote, create=True)
    media_type = media_type or "application/octet-stream"
    tmp = None
    try:
        if isinstance(source, str):
            path = source
        else:
            fd, tmp = tempfile.mkstemp(prefix="orasx-blob-")
            n = 0
            with os.fdopen(fd, "wb") as f:
                while data := source.read(CHUNK_SIZE):
                    f.write(data)
                    n += len(data)
            if size >= 0 and n != size:
                raise InvalidInputError(f"stdin gave {n} bytes, not the {size} bytes given",
                                        reason=Reason.SIZE_MISMATCH)
            path = tmp
        digest, actual = hash_file(path)
        if size >= 0 and actual != size:
            raise InvalidInputError(f"{path}: is {actual} bytes, not the {size} bytes given",
                                    reason=Reason.SIZE_MISMATCH, path=path)
        if ref and ":" in ref and parse_digest(ref) != digest:
            raise InvalidInputError(f"{reference}: the content's digest is {digest}")
        desc = Descriptor(media_type, digest, actual)
        if target.exists(desc):
            hooks.on_skipped(desc)
            return desc
        hooks.on_start(desc)
        with open(path, "rb", buffering=0) as f:
            target.push(desc, reporting(f, desc, hooks))
        hooks.on_copied(desc)
        return desc
    finally:
        if tmp:
            os.unlink(tmp)


def delete_blob(reference: str | LayoutReference, *, oci_layout: bool = False,
                remote: Remote | None = None) -> Descriptor:
    target, ref = _blob_target(reference, oci_layout, remote)
    if ":" not in ref:
        raise InvalidInputError(f"{reference}: a blob reference needs a digest: name@sha256:...",
                                reason=Reason.BLOB_NEEDS_DIGEST, reference=str(reference))
    desc = target.blob_descriptor(_blob_digest(ref, reference, oci_layout))
    target.delete(desc)
    return desc


def _blob_digest(ref: str, reference: str | LayoutReference, oci_layout: bool) -> Digest:
    """``ref`` as a digest; in an OCI layout, one that does not parse names no blob there (as
    oras-go's layout looks it up): not found."""
    try:
        return parse_digest(ref)
    except InvalidDigestError:
        if not (oci_layout or isinstance(reference, LayoutReference)):
            raise
        raise NotFoundError(f"{ref}: not found in the OCI layout",
                            reason=Reason.NOT_IN_STORE) from None


def repo_tags(
    reference: str | LayoutReference, *, last: str = "", exclude_digest_tags: bool = False,
    oci_layout: bool = False, remote: Remote | None = None,
    on_filter: Callable[[Digest], None] | None = None,
) -> list[str]:
    """Tags of a repository in the order the store lists them (``last``: start after this tag,
    as the store understands it); with ``repo:tag`` or ``repo@digest``, only those on that
    manifest (``on_filter`` is told its digest before the tags are checked one by one)."""
    target, ref, _ = open_target(reference, oci_layout=oci_layout, remote=remote, create=False)
    if not isinstance(target, TagLister):
        raise InvalidInputError(f"{reference}: this store cannot list tags")
    # a digest is taken as given (Go lists no tags for an unknown one); anything else is resolved
    want = None
    if ref:
        try:
            want = parse_digest(ref)
        except InvalidInputError:
            want = resolve_root(target, ref)[0].digest
    if want is not None and on_filter is not None:
        on_filter(want)
    tags = list(target.tags(last=last))
    if want is not None:
        tags = [t for t in tags if _resolves_to(target, t, want)]
    if exclude_digest_tags:
        tags = [t for t in tags if not _is_digest_tag(t)]
    return tags


def _resolves_to(target: Target, tag: str, digest: Digest) -> bool:
    try:
        return target.resolve(tag).digest == digest
    except NotFoundError:
        return False


def _is_digest_tag(tag: str) -> bool:
    """A tag that is a digest with ``-`` for ``:`` (``sha256-<hex>``, what the referrers tag
    schema writes), as the Go CLI's ``--exclude-digest-tags`` tells them (no suffix)."""
    return is_go_digest(tag.replace("-", ":", 1))


def repo_ls(registry: str, *, last: str = "", remote: Remote | None = None) -> list[str]:
    """Repositories of a registry (``host[/namespace]``), sorted as the registry lists them."""
    host, _, namespace = registry.partition("/")
    if namespace.rstrip("/"):  # as oras: a namespace is checked as a repository reference
        problem = reference_problem(registry.rstrip("/"))
        if problem:
            raise InvalidInputError(f"could not parse repository path: invalid reference: {problem}")
        if ":" in namespace or "@" in namespace:
            raise InvalidInputError(
                "could not parse repository path: tags or digests should not be provided")
    remote = remote or Remote()
    reg = Registry(host, remote.client(host))
    names = sorted(n for n in reg.repositories(last=last) if not last or n > last)
    if namespace:
        prefix = namespace.rstrip("/") + "/"
        names = [n[len(prefix):] for n in names if n.startswith(prefix)]
    return names


#: ``(event, text)``: what an index verb does as it goes, for the Go CLI's lines
#: (``Fetching``, ``Fetched``, ``Added``, ``Merged``, ``Removed``, ``Packed``, ``Updated``).
IndexEvent = Callable[[str, str], None]


def _noop_event(_event: str, _text: str) -> None:
    return None


def _fetched_child(target: Target, source: str, on_event: IndexEvent) -> Descriptor:
    on_event("Fetching", source)
    child = _child(target, source)
    on_event("Fetched", _named(child.digest, source))
    return child


def _named(digest: Digest, source: str) -> str:
    """``DIGEST SOURCE``, or just the digest when the source was one (the Go CLI's lines)."""
    return source if source == str(digest) else f"{digest} {source}"


def index_create(
    reference: str | LayoutReference, sources: Sequence[str], *, annotations: Mapping[str, str] | None = None,
    artifact_type: str = "", oci_layout: bool = False, remote: Remote | None = None,
    on_event: IndexEvent | None = None, push: bool = True,
) -> tuple[Descriptor, bytes, list[str]]:
    """Create an image index of the manifests ``sources`` name (tags or digests in the repo).
    ``on_event`` is told each step (``Fetching``/``Fetched`` per source, ``Packed``).
    ``push=False``: only build it (the CLI's ``-o``, which writes it instead, as Go's)."""
    event = on_event or _noop_event
    first, extra = split_tags(reference)
    target, ref, _ = open_target(first, oci_layout=oci_layout, remote=remote)
    children = [_fetched_child(target, s, event) for s in sources]
    return _push_index(target, ref, extra, children, annotations, artifact_type,
                       on_packed=lambda d: event("Packed", f"{d.digest.encoded[:12]} {d.media_type}"),
                       push=push)


def index_update(
    reference: str | LayoutReference, *, add: Sequence[str] = (), merge: Sequence[str] = (),
    remove: Sequence[str] = (), tags: Sequence[str] = (),
    annotations: Mapping[str, str] | None = None, artifact_type: str | None = None,
    oci_layout: bool = False, remote: Remote | None = None,
    on_event: IndexEvent | None = None, push: bool = True,
) -> tuple[Descriptor, bytes, list[str]]:
    """Add manifests to, merge other indexes into, or remove manifests (by digest) from an
    index. ``on_event`` is told each step (``Fetching``/``Fetched``, ``Added``, ``Merged``,
    ``Removed``, ``Updated``). ``push=False``: only build it."""
    event = on_event or _noop_event
    target, ref, _ = open_target(reference, oci_layout=oci_layout, remote=remote, create=False)
    removals: list[Digest] = []
    for s in remove:
        try:  # as the Go CLI: a manifest is removed by its digest only
            removals.append(parse_digest(s))
        except InvalidInputError:
            raise InvalidInputError(f"remove: {s} is not a digest") from None
    event("Fetching", ref)
    desc, raw = resolve_root(target, ref)
    node = parse_manifest(desc.media_type, raw) if mediatype.is_index(desc.media_type) else None
    if not isinstance(node, Index):
        raise InvalidManifestError(f"{ref} is not an index")
    event("Fetched", _named(desc.digest, ref))
    # The Go CLI's order: remove (from the index as it was), add, merge; nothing is deduplicated.
    children = [m for m in node.manifests if m.digest not in removals]
    for d in dict.fromkeys(removals):
        if all(m.digest != d for m in node.manifests):
            raise InvalidInputError(f"{d} does not exist in the index {ref}")
        event("Removed", str(d))
    for s in add:
        c = _fetched_child(target, s, event)
        children.append(c)
        event("Added", _named(c.digest, s))
    for s in merge:
        event("Fetching", s)
        other_desc, other_raw = resolve_root(target, _in_repo(s))
        if not mediatype.is_index(other_desc.media_type):
            raise InvalidManifestError(f"{s} is not an index")
        event("Fetched", _named(other_desc.digest, s))
        other = parse_manifest(other_desc.media_type, other_raw)
        assert isinstance(other, Index)
        children += other.manifests
        event("Merged", _named(other_desc.digest, s))
    ann = dict(node.annotations)
    ann.update(annotations or {})
    at = node.artifact_type if artifact_type is None else artifact_type
    new_tags = ([ref] if ref and ":" not in ref else []) + list(tags)
    return _push_index(target, "", ["", *new_tags] if new_tags else [], children, ann, at,
                       on_packed=lambda d: event("Updated", str(d.digest)), push=push)


def _in_repo(source: str) -> str:
    """A source is a tag or digest in the repository; a full reference is cut down to that."""
    return parse_reference(source).reference if "/" in source else source


def _child(target: Target, source: str) -> Descriptor:
    desc, raw = resolve_root(target, _in_repo(source))
    if not mediatype.is_manifest_like(desc.media_type):
        raise InvalidManifestError(f"{source} is not a manifest")
    node = parse_manifest(desc.media_type, raw)
    # As the Go CLI: an entry names the artifact type the manifest or index declares (not a
    # config media type), and an image's platform is read from its config whatever the config's
    # media type; a config that is not JSON, or names neither os nor architecture, gives none.
    artifact_type = node.artifact_type
    platform = None
    if isinstance(node, Manifest) and desc.media_type in mediatype.MANIFEST_TYPES:
        if node.config.size > MAX_MANIFEST_BYTES:
            raise InvalidManifestError(f"config size {node.config.size} exceeds MaxBytes "
                                       f"{MAX_MANIFEST_BYTES}: size exceeds limit")
        platform = _config_platform(fetch_all(target, node.config, limit=MAX_MANIFEST_BYTES))
    return Descriptor(desc.media_type, desc.digest, desc.size, platform=platform,
                      artifact_type=artifact_type)


def _config_platform(raw: bytes) -> Platform | None:
    """The platform an image config names (its ``os``, ``architecture``...), or None."""
    try:
        cfg = loads(raw, "config", InvalidManifestError)
    except (ValueError, InvalidManifestError):
        return None
    if not isinstance(cfg, dict):
        return None
    keys = ("os", "architecture", "variant", "os.version")
    if any(k in cfg and not isinstance(cfg[k], str) for k in keys):
        return None  # Go's json.Unmarshal into a Platform fails: no platform
    if not cfg.get("os") and not cfg.get("architecture"):
        return None
    return Platform.from_dict(cfg)


def _push_index(
    target: Target, ref: str, extra: list[str], children: list[Descriptor],
    annotations: Mapping[str, str] | None, artifact_type: str,
    on_packed: Callable[[Descriptor], None] | None = None, push: bool = True,
) -> tuple[Descriptor, bytes, list[str]]:
    # As the Go CLI: no created annotation is added, so the same inputs give the same digest.
    ann = dict(annotations or {})
    doc: dict[str, object] = {"schemaVersion": 2, "mediaType": mediatype.OCI_INDEX}
    if artifact_type:
        doc["artifactType"] = artifact_type
    doc["manifests"] = [c.to_dict() for c in children]
    if ann:
        doc["annotations"] = ann
    raw = canonical_json(doc)
    desc = Descriptor.from_bytes(mediatype.OCI_INDEX, raw, artifact_type=artifact_type)
    if on_packed is not None:
        on_packed(desc)
    tags = ([ref] if ref and ":" not in ref else []) + [t for t in extra[1:] if t]
    if push:
        push_tagged(target, desc, raw, tags)
    return desc, raw, tags

