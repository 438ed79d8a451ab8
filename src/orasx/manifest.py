"""Manifests and indexes: parsed views that keep the exact bytes they came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orasx import mediatype
from orasx._json import get_list, load_object
from orasx.descriptor import Descriptor
from orasx.errors import InvalidManifestError, Reason

#: The largest manifest or other metadata document read from anywhere (the spec's minimum).
MAX_MANIFEST_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Manifest:
    """An image manifest (OCI or Docker schema 2)."""

    media_type: str
    config: Descriptor
    layers: tuple[Descriptor, ...]
    raw: bytes = field(repr=False)
    artifact_type: str = ""
    subject: Descriptor | None = None
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Index:
    """An image index (OCI) or manifest list (Docker)."""

    media_type: str
    manifests: tuple[Descriptor, ...]
    raw: bytes = field(repr=False)
    artifact_type: str = ""
    subject: Descriptor | None = None
    annotations: Mapping[str, str] = field(default_factory=dict)


def _load(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_MANIFEST_BYTES:
        raise InvalidManifestError(f"manifest is {len(raw)} bytes, over the 4 MiB limit")
    return load_object(raw, "manifest", InvalidManifestError)


def _descriptors(doc: Mapping[str, Any], key: str) -> tuple[Descriptor, ...]:
    return tuple(Descriptor.from_dict(d) for d in get_list(doc, key, "manifest",
                                                            InvalidManifestError))


def parse_manifest(media_type: str, raw: bytes) -> Manifest | Index:
    """Parse ``raw`` as the document ``media_type`` says; refuse ambiguous or mismatched content."""
    doc = _load(raw)
    declared = doc.get("mediaType")
    if declared is not None and declared != media_type:
        raise InvalidManifestError(
            f"manifest declares mediaType {declared!r} but was served as {media_type!r}"
        )
    if "layers" in doc and "manifests" in doc:
        raise InvalidManifestError("manifest is ambiguous: it has both 'layers' and 'manifests'")
    subject = Descriptor.from_dict(doc["subject"]) if doc.get("subject") else None
    annotations = doc.get("annotations") or {}
    if not isinstance(annotations, dict):
        raise InvalidManifestError("manifest annotations are not an object")
    artifact_type = str(doc.get("artifactType", ""))
    if mediatype.is_index(media_type):
        return Index(
            media_type=media_type,
            manifests=_descriptors(doc, "manifests"),
            raw=raw,
            artifact_type=artifact_type,
            subject=subject,
            annotations=annotations,
        )
    if mediatype.is_manifest(media_type):
        if "config" not in doc:
            raise InvalidManifestError("manifest has no config descriptor")
        return Manifest(
            media_type=media_type,
            config=Descriptor.from_dict(doc["config"]),
            layers=_descriptors(doc, "layers"),
            raw=raw,
            artifact_type=artifact_type,
            subject=subject,
            annotations=annotations,
        )
    raise InvalidManifestError(f"{media_type!r} is not a manifest or index media type")


def artifact_type_of(node: Manifest | Index) -> str:
    """The effective artifact type (image-spec v1.1): ``artifactType``, else a manifest's config
    media type; what the referrers API lists and ``--artifact-type`` filters match."""
    if node.artifact_type:
        return node.artifact_type
    return node.config.media_type if isinstance(node, Manifest) else ""


def referrer_entry(desc: Descriptor, raw: bytes) -> Descriptor:
    """How the manifest ``desc`` (bytes ``raw``) is listed among referrers: media type, digest,
    size, its annotations and effective artifact type."""
    node = parse_manifest(desc.media_type, raw)
    return Descriptor(desc.media_type, desc.digest, desc.size,
                      annotations=dict(node.annotations), artifact_type=artifact_type_of(node))


def successors(desc: Descriptor, raw: bytes) -> list[Descriptor]:
    """The descriptors a node points to (config and layers, or child manifests, plus subject)."""
    if not mediatype.is_manifest_like(desc.media_type):
        return []
    m = parse_manifest(desc.media_type, raw)
    out: list[Descriptor] = []
    if m.subject is not None:
        out.append(m.subject)
    if isinstance(m, Manifest):
        out.append(m.config)
        out.extend(m.layers)
    else:
        out.extend(m.manifests)
    return out


def detect_media_type(raw: bytes) -> str:
    """Guess a manifest's media type from its content (for ``manifest push`` without a type)."""
    doc = _load(raw)
    mt = doc.get("mediaType")
    if isinstance(mt, str) and mt:
        return mt
    if "manifests" in doc:
        return mediatype.OCI_INDEX
    if "config" in doc or "layers" in doc:
        return mediatype.OCI_MANIFEST
    raise InvalidManifestError("cannot tell the manifest's media type",
                               reason=Reason.MEDIA_TYPE_UNKNOWN)
