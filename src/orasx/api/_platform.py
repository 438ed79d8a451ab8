"""Platforms as users type them (``--platform``, ``--artifact-platform``) and the config blob of an
artifact pushed for a platform.

The Go CLI's rules: ``os[/arch[/variant]][:os_version]``, split at the first ``:``; an ``os`` alone
means this machine's architecture (Go's ``GOARCH`` name); an empty ``os`` or ``arch`` and more than
three ``/`` parts are errors. An artifact pushed for a platform gets as its config the platform as
JSON (``{"architecture":"amd64","os":"linux"}``), typed ``application/vnd.oci.image.config.v1+json``.
"""

from __future__ import annotations

import json

from orasx import mediatype
from orasx._gostr import go_json_escapes
from orasx.descriptor import Platform, parse_platform

__all__ = ["IMAGE_CONFIG", "host_architecture", "parse_platform_flag", "platform_config"]

#: The media type of a platform config (``ocispec.MediaTypeImageConfig``).
IMAGE_CONFIG = mediatype.OCI_CONFIG

#: ``platform.machine()`` -> Go's ``GOARCH``.
_GOARCH = {
    "x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64",
    "i386": "386", "i486": "386", "i586": "386", "i686": "386", "x86": "386",
    "armv6l": "arm", "armv7l": "arm", "armv8l": "arm", "arm": "arm",
    "ppc64le": "ppc64le", "ppc64": "ppc64", "s390x": "s390x", "riscv64": "riscv64",
    "mips64": "mips64", "mips64el": "mips64le", "loongarch64": "loong64",
}


def host_architecture() -> str:
    """This machine's architecture, named as Go's ``GOARCH`` (``amd64``, ``arm64``...)."""
    import platform  # (here: it compiles nine regular expressions when imported)

    machine = platform.machine().lower()
    return _GOARCH.get(machine, machine)


def parse_platform_flag(value: str) -> Platform | None:
    """``os[/arch[/variant]][:os_version]`` as the Go CLI reads it; None for ``""`` (not given).

    ``linux`` alone is ``linux`` on this machine's architecture; ``linux/amd64/`` has no variant.
    Raises :class:`~orasx.errors.InvalidInputError` with the Go CLI's messages.
    """
    if not value:
        return None
    return parse_platform(value, default_architecture=host_architecture())


def platform_config(platform: Platform) -> bytes:
    """The config blob of an artifact for ``platform``: the platform as compact JSON, fields in
    the OCI order (``architecture``, ``os``, ``os.version``, ``variant``), as Go marshals it."""
    return go_json_escapes(json.dumps(platform.to_dict(), separators=(",", ":"),
                                      ensure_ascii=False)).encode()
