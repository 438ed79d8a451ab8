"""Media-type constants and predicates (OCI image spec and Docker schema 2)."""

from __future__ import annotations

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


def strip_parameters(content_type: str) -> str:
    """``application/json; charset=utf-8`` -> ``application/json``."""
    return content_type.split(";", 1)[0].strip()
