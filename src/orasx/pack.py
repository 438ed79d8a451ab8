"""Packing manifests the way oras-go's ``PackManifest`` does (image-spec v1.1 and v1.0)."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from orasx import mediatype
from orasx.descriptor import CREATED, EMPTY_DESCRIPTOR, Descriptor, canonical_json
from orasx.errors import InvalidInputError

ImageSpec = Literal["v1.1", "v1.0"]


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds.org), when it is set to a number of seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isascii() and epoch.isdigit() else None


def created_timestamp(epoch: int | None = None) -> str:
    """RFC 3339 time for ``org.opencontainers.image.created``: ``epoch`` (seconds) when given,
    else ``SOURCE_DATE_EPOCH`` when set, else now."""
    if epoch is None:
        epoch = source_date_epoch()
    now = (
        _dt.datetime.fromtimestamp(epoch, tz=_dt.UTC)
        if epoch is not None
        else _dt.datetime.now(tz=_dt.UTC).replace(microsecond=0)
    )
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


def pack_manifest(
    layers: Sequence[Descriptor],
    *,
    artifact_type: str = "",
    config: Descriptor | None = None,
    annotations: Mapping[str, str] | None = None,
    subject: Descriptor | None = None,
    image_spec: ImageSpec = "v1.1",
) -> tuple[Descriptor, bytes]:
    """Build an image manifest; returns its descriptor and exact bytes.

    v1.1: ``artifactType`` defaults to ``application/vnd.unknown.artifact.v1`` unless a non-empty
    config is given; the config defaults to the empty descriptor and an
    empty layer list becomes ``[empty]``. v1.0: no ``artifactType``; the config media type is the
    artifact type (default ``application/vnd.unknown.config.v1+json``) and ``subject`` is refused.
    Both add ``org.opencontainers.image.created`` unless the caller set it.
    """
    ann = dict(annotations or {})
    if CREATED not in ann:
        ann[CREATED] = created_timestamp()
    doc: dict[str, Any] = {"schemaVersion": 2, "mediaType": mediatype.OCI_MANIFEST}
    if image_spec == "v1.1":
        if not artifact_type and (config is None or config.media_type == mediatype.OCI_EMPTY):
            artifact_type = mediatype.DEFAULT_ARTIFACT_TYPE
        cfg = config or EMPTY_DESCRIPTOR
        if artifact_type:
            doc["artifactType"] = artifact_type
        doc["config"] = cfg.to_dict()
        doc["layers"] = [d.to_dict() for d in layers] or [EMPTY_DESCRIPTOR.to_dict()]
    elif image_spec == "v1.0":
        if subject is not None:
            raise InvalidInputError("image-spec v1.0 manifests cannot have a subject: use v1.1")
        if config is not None and artifact_type:
            raise InvalidInputError(
                "an artifact type and a config cannot both be given for image-spec v1.0"
            )
        if config is None:
            config = Descriptor(
                media_type=artifact_type or mediatype.DEFAULT_CONFIG_V1_0,
                digest=EMPTY_DESCRIPTOR.digest,
                size=EMPTY_DESCRIPTOR.size,
            )
        doc["config"] = config.to_dict()
        doc["layers"] = [d.to_dict() for d in layers]
    else:
        raise InvalidInputError(f"unknown image spec {image_spec!r}: use v1.1 or v1.0")
    if subject is not None:
        doc["subject"] = subject.to_dict()
    doc["annotations"] = dict(sorted(ann.items()))  # as Go marshals a map
    raw = canonical_json(doc)
    desc = Descriptor.from_bytes(
        mediatype.OCI_MANIFEST,
        raw,
        artifact_type=str(doc.get("artifactType", "")),
        annotations=ann,
    )
    return desc, raw
