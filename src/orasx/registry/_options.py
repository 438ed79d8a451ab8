"""How to reach registries: :class:`ClientOptions` (a frozen value) and curl-style resolve
entries (``host:port:address``)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from orasx._version import __version__
from orasx.errors import InvalidInputError
from orasx.registry.retry import RetryPolicy


@dataclass(frozen=True)
class ClientOptions:
    """How to reach registries. ``plain_http=None`` means: plain HTTP for ``localhost`` only
    (``127.0.0.1`` and ``[::1]`` use HTTPS unless ``plain_http=True``, as in the Go CLI).

    The defaults are constants: nothing here is read from the environment (the CLI maps its
    ``ORASX_*`` variables onto these fields).
    """

    plain_http: bool | None = None
    insecure: bool = False
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    #: the custom headers as ``--debug`` prints them: values as the user wrote them (untrimmed,
    #: repeats joined by ``", "``), as the Go CLI shows ``-H``; ``headers`` holds what is sent.
    shown_headers: Mapping[str, str] = field(default_factory=dict)
    user_agent: str = f"orasx/{__version__}"
    connect_timeout: float = 30.0
    read_timeout: float = 300.0
    #: stall detector for downloads that trickle: fewer than ``stall_min_bytes`` in
    #: ``stall_window`` seconds counts as a dropped connection (the download resumes).
    stall_window: float = 60.0
    stall_min_bytes: int = 16 * 1024
    #: total seconds for one metadata request (manifests, tag lists, catalog, referrers, tokens,
    #: error bodies): connect, headers, redirects, retries and body; a registry that drips
    #: bytes is given up on. 0 turns it off (the per-read ``read_timeout`` still applies).
    metadata_deadline: float = 60.0
    #: the most tags (and catalog repositories) one listing may return, over all its pages.
    max_tags: int = 100_000
    #: the most referrers one manifest may have (over all pages of the referrers API).
    max_referrers: int = 10_000
    #: the most bytes one paginated listing (tags, catalog, referrers) may take, over all pages.
    max_listing_bytes: int = 64 * 1024 * 1024
    pool_size: int = 32
    #: a blob of at least ``range_threshold`` bytes pulled into a file is downloaded as up to
    #: this many parallel ``Range`` requests (registries send blobs to CDNs that cap each
    #: connection), written in place and hashed in order; 0 turns it off (one stream per blob).
    range_connections: int = 8
    range_threshold: int = 32 * 1024 * 1024
    #: curl-style overrides: ``{("host", port): ("address", port)}``.
    resolve: Mapping[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    #: honour ``HTTP(S)_PROXY`` / ``NO_PROXY`` from the environment.
    use_env_proxies: bool = True
    #: when to retry (429/5xx/connection errors on requests that can be repeated).
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: how a wait is done (tests replace it).
    sleep: Callable[[float], None] = time.sleep


def parse_resolve(entry: str) -> tuple[tuple[str, int], tuple[str, int]]:
    """``host:port:address[:address_port]`` (curl's ``--resolve``); IPv6 addresses in brackets."""
    m = re.fullmatch(r"([^:\[\]]+):(\d+):(\[[0-9A-Fa-f:.]+\]|[^:\[\]]+)(?::(\d+))?", entry)
    if not m:
        raise InvalidInputError(
            f"invalid resolve entry {entry!r}: use host:port:address[:address_port]"
        )
    host, port, address, aport = m.groups()
    return (host.lower(), int(port)), (address.strip("[]"), int(aport or port))
