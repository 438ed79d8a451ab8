"""Media-type constants and predicates (OCI image spec and Docker schema 2)."""

from __future__ import annotations

import re

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"

DEFAULT_ARTIFACT_TYPE = "application/vnd.unknown.artifact.v1"
DEFAULT_CONFIG_V1_0 = "application/vnd.unknown.config.v1+json"
DEFAULT_FILE = OCI_LAYER_TAR
DEFAULT_DIRECTORY = OCI_LAYER_TAR_GZIP

MANIFEST_TYPES = (OCI_MANIFEST, DOCKER_MANIFEST)
INDEX_TYPES = (OCI_INDEX, DOCKER_MANIFEST_LIST)
ALL_MANIFEST_TYPES = (*MANIFEST_TYPES, *INDEX_TYPES)


def is_manifest(media_type: str) -> bool:
    """An image manifest (OCI or Docker schema 2)."""
    return media_type in MANIFEST_TYPES


def is_index(media_type: str) -> bool:
    """An image index or Docker manifest list."""
    return media_type in INDEX_TYPES


def is_manifest_like(media_type: str) -> bool:
    """Anything fetched from ``/manifests/`` rather than ``/blobs/``."""
    return media_type in ALL_MANIFEST_TYPES


#: Layers a registry need not hold (Windows base images): clients fetch them from their ``urls``.
FOREIGN_LAYER_TYPES = (
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
)


def is_foreign_layer(media_type: str) -> bool:
    """A non-distributable layer: copies leave it out, as oras-go's (its ``urls`` say where it is)."""
    return media_type in FOREIGN_LAYER_TYPES


#: RFC 6838's ``type/subtype`` without parameters, as the Go CLI checks ``--artifact-type``
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}")


def is_valid_media_type(media_type: str) -> bool:
    """``type/subtype`` (RFC 6838 names, no parameters): what the Go CLI accepts as an artifact
    type (``--artifact-type "bad type"`` is refused: ``bad type: invalid media type``)."""
    return bool(_MEDIA_TYPE.fullmatch(media_type))


def strip_parameters(content_type: str) -> str:
    """``application/json; charset=utf-8`` -> ``application/json``."""
    return content_type.split(";", 1)[0].strip()
