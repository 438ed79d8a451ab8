"""Ranged blob reads (``Range: bytes=a-b``): part of a blob without downloading all of it."""

from __future__ import annotations

import re

from orasx.digest import Digest
from orasx.errors import RegistryError, SizeLimitError
from orasx.registry._errors import registry_error
from orasx.registry._http import Client
from orasx.registry._urls import RepositoryURLs

#: The most one ranged read returns (a caller reads a big range in several).
MAX_RANGE = 64 * 1024 * 1024

_CONTENT_RANGE = re.compile(r"bytes (\d{1,19})-(\d{1,19})/(\d{1,19}|\*)")


def fetch_range(client: Client, urls: RepositoryURLs, scopes: tuple[str, ...], digest: Digest,
                offset: int, length: int) -> bytes:
    """``length`` bytes of the blob ``digest`` from ``offset`` (fewer at its end). A registry
    that ignores ``Range`` and sends the whole blob is read up to the end of the range only.
    The bytes of a range cannot be checked against the blob's digest: callers that need that
    read the whole blob (or through the cache)."""
    if length <= 0:
        return b""
    if length > MAX_RANGE:
        raise SizeLimitError(f"a ranged read of {length} bytes is over the {MAX_RANGE} limit")
    what = urls.ref(digest)
    resp = client.request("GET", urls.blob(digest),
                          headers={"Range": f"bytes={offset}-{offset + length - 1}"},
                          scopes=scopes)
    try:
        if resp.status == 416:
            return b""  # the range starts past the end
        if resp.status == 200:  # no Range support: skip to the offset
            skipped = 0
            while skipped < offset:
                chunk = resp.read(min(1 << 20, offset - skipped))
                if not chunk:
                    return b""
                skipped += len(chunk)
        elif resp.status == 206:
            m = _CONTENT_RANGE.fullmatch(resp.header("Content-Range").strip())
            if m is None or int(m.group(1)) != offset:
                raise RegistryError(f"{what}: the registry answered a range read with "
                                    f"Content-Range {resp.header('Content-Range')[:80]!r}")
        else:
            raise registry_error(resp, "GET", what, urls.registry)
        out = bytearray()
        while len(out) < length:
            chunk = resp.read(min(1 << 20, length - len(out)))
            if not chunk:
                break
            out += chunk
        return bytes(out)
    finally:
        resp.close()
