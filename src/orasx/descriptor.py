"""Descriptors and platforms (OCI image spec), as frozen values that round-trip through JSON dicts."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from orasx.digest import Digest, parse_digest
from orasx.errors import InvalidInputError, InvalidManifestError

TITLE = "org.opencontainers.image.title"
CREATED = "org.opencontainers.image.created"
UNPACK = "io.deis.oras.content.unpack"
CONTENT_DIGEST = "io.deis.oras.content.digest"

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Platform:
    os: str
    architecture: str
    variant: str = ""
    os_version: str = ""

    def to_dict(self) -> dict[str, str]:
        d = {"architecture": self.architecture, "os": self.os}
        if self.os_version:
            d["os.version"] = self.os_version
        if self.variant:
            d["variant"] = self.variant
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Platform:
        return cls(
            os=str(d.get("os", "")),
            architecture=str(d.get("architecture", "")),
            variant=str(d.get("variant", "")),
            os_version=str(d.get("os.version", "")),
        )

    def matches(self, want: Platform) -> bool:
        """Does this platform satisfy ``want`` (empty fields of ``want`` match anything)?"""
        return (
            self.os == want.os
            and self.architecture == want.architecture
            and (not want.variant or self.variant == want.variant)
            and (not want.os_version or self.os_version == want.os_version)
        )

    def __str__(self) -> str:
        s = f"{self.os}/{self.architecture}"
        if self.variant:
            s += f"/{self.variant}"
        if self.os_version:
            s += f":{self.os_version}"
        return s


def parse_platform(s: str, *, default_architecture: str = "") -> Platform:
    """``os[/arch[/variant]][:os_version]`` -> :class:`Platform`, read as the Go CLI reads
    ``--platform``: split at the first ``:``, an empty variant is none (``linux/amd64/``), and
    ``os`` alone takes ``default_architecture`` (``""``: an architecture is required). Raises
    :class:`~orasx.errors.InvalidInputError` in the Go CLI's words."""
    body, _, os_version = s.partition(":")
    parts = body.split("/")
    if len(parts) > 3:
        quoted = json.dumps(s, ensure_ascii=False)
        raise InvalidInputError(
            f"failed to parse platform {quoted}: expected format os[/arch[/variant]]")
    arch = parts[1] if len(parts) > 1 else default_architecture
    if not parts[0]:
        raise InvalidInputError("invalid platform: OS cannot be empty")
    if not arch:
        raise InvalidInputError("invalid platform: Architecture cannot be empty")
    return Platform(parts[0], arch, parts[2] if len(parts) > 2 else "", os_version)


#: The largest size a descriptor may state (Go's int64, what every registry and oras-go use).
MAX_SIZE = 2**63 - 1


@dataclass(frozen=True)
class Descriptor:
    """An OCI content descriptor. ``data`` holds embedded content, if any."""

    media_type: str
    digest: Digest
    size: int
    annotations: Mapping[str, str] = field(default_factory=lambda: _EMPTY, compare=False)
    artifact_type: str = ""
    data: bytes | None = field(default=None, compare=False)
    platform: Platform | None = None
    urls: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.size < 0:
            raise InvalidInputError(f"descriptor {self.digest}: negative size {self.size}")
        if not isinstance(self.annotations, MappingProxyType):
            object.__setattr__(self, "annotations", MappingProxyType(dict(self.annotations)))

    def __hash__(self) -> int:
        return hash((self.media_type, self.digest, self.size))

    @property
    def title(self) -> str:
        return self.annotations.get(TITLE, "")

    def with_annotations(self, annotations: Mapping[str, str]) -> Descriptor:
        return replace(self, annotations=MappingProxyType(dict(annotations)))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "mediaType": self.media_type,
            "digest": str(self.digest),
            "size": self.size,
        }
        if self.urls:
            d["urls"] = list(self.urls)
        if self.annotations:
            d["annotations"] = dict(sorted(self.annotations.items()))  # Go marshals maps sorted
        if self.data is not None:
            d["data"] = base64.b64encode(self.data).decode()
        if self.platform is not None:
            d["platform"] = self.platform.to_dict()
        if self.artifact_type:
            d["artifactType"] = self.artifact_type
        return d

    @classmethod
    def from_dict(cls, d: Any) -> Descriptor:
        if not isinstance(d, Mapping):
            raise InvalidManifestError("descriptor is not a JSON object")
        try:
            media_type = d["mediaType"]
            size = d["size"]
            if not isinstance(d["digest"], str):
                raise InvalidManifestError("descriptor has a malformed digest")
            digest = parse_digest(d["digest"])
        except KeyError as e:
            raise InvalidManifestError(f"descriptor lacks {e.args[0]!r}") from None
        if not isinstance(media_type, str) or not isinstance(size, int) or isinstance(size, bool):
            raise InvalidManifestError("descriptor has a malformed mediaType or size")
        if size < 0:
            raise InvalidManifestError(f"descriptor {digest} has a negative size")
        if size > MAX_SIZE:
            raise InvalidManifestError(f"descriptor {digest} has an impossible size {size}")
        annotations = d.get("annotations") or {}
        if not isinstance(annotations, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in annotations.items()
        ):
            raise InvalidManifestError(f"descriptor {digest} has malformed annotations")
        data = None
        if "data" in d:
            try:
                data = base64.b64decode(d["data"], validate=True)
            except (ValueError, TypeError):
                raise InvalidManifestError(f"descriptor {digest} has malformed data") from None
        platform = d.get("platform")
        urls = d.get("urls") or ()
        if not isinstance(urls, list | tuple) or not all(isinstance(u, str) for u in urls):
            raise InvalidManifestError(f"descriptor {digest} has malformed urls")
        if platform is not None and not isinstance(platform, Mapping):
            raise InvalidManifestError(f"descriptor {digest} has a malformed platform")
        return cls(
            media_type=media_type,
            digest=digest,
            size=size,
            annotations=annotations,
            artifact_type=str(d.get("artifactType", "")),
            data=data,
            platform=Platform.from_dict(platform) if isinstance(platform, Mapping) else None,
            urls=tuple(str(u) for u in urls),
        )

    @classmethod
    def from_bytes(cls, media_type: str, content: bytes, **kwargs: Any) -> Descriptor:
        """The descriptor of ``content`` (sha256)."""
        return cls(media_type, Digest.from_bytes(content), len(content), **kwargs)


EMPTY_JSON = b"{}"
EMPTY_DESCRIPTOR = Descriptor(
    media_type="application/vnd.oci.empty.v1+json",
    digest=Digest.from_bytes(EMPTY_JSON),
    size=2,
    data=EMPTY_JSON,
)


def canonical_json(obj: Any) -> bytes:
    """Compact JSON as the Go encoder writes it (no spaces, no HTML escaping differences)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
