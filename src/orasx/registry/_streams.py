"""Uploads of unknown length (a pipe): the digest is computed while the chunks go out.

``POST`` opens a session, each chunk read from the stream is hashed and sent as a ``PATCH`` with its
``Content-Range``, and the final ``PUT ?digest=`` names the digest only the sender knows by then. The
registry checks it against what it received, so nothing is stored under a wrong name.
"""

from __future__ import annotations

import hashlib

from orasx.descriptor import Descriptor
from orasx.digest import Digest, Readable
from orasx.errors import RegistryError
from orasx.registry._errors import registry_error
from orasx.registry._http import Client
from orasx.registry._urls import RepositoryURLs, join_url, with_digest

#: How much of the stream one PATCH carries (held in memory while it is sent).
STREAM_CHUNK = 8 * 1024 * 1024


def push_stream(client: Client, urls: RepositoryURLs, scopes: tuple[str, ...], media_type: str,
                stream: Readable, annotations: dict[str, str] | None = None) -> Descriptor:
    """Upload everything ``stream`` gives as one blob; return its descriptor."""
    what = f"{urls.registry}/{urls.name}: upload from a stream"
    resp = client.request("POST", urls.uploads(), headers={"Content-Length": "0"}, body=b"",
                          scopes=scopes)
    if resp.status != 202:
        raise registry_error(resp, "POST", what, urls.registry)
    location = resp.header("Location")
    resp.discard()
    if not location:
        raise RegistryError(f"{what}: registry started an upload without a Location")
    url = join_url(resp.url, location, f"{what}: the upload Location")
    hasher = hashlib.sha256()
    offset = 0
    while chunk := _read_chunk(stream):
        hasher.update(chunk)
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(len(chunk)),
                   "Content-Range": f"{offset}-{offset + len(chunk) - 1}"}
        resp = client.request("PATCH", url, headers=headers, body=chunk, scopes=scopes)
        if resp.status not in (202, 204, 201):
            raise registry_error(resp, "PATCH", what, urls.registry)
        location = resp.header("Location")
        resp.discard()
        if location:
            url = join_url(resp.url, location, f"{what}: the upload Location")
        offset += len(chunk)
    digest = Digest.from_hasher(hasher)
    resp = client.request("PUT", with_digest(url, digest), headers={"Content-Length": "0"},
                          body=b"", scopes=scopes)
    if resp.status not in (201, 204, 200):
        raise registry_error(resp, "PUT", what, urls.registry)
    resp.discard()
    return Descriptor(media_type, digest, offset, annotations=dict(annotations or {}))


def _read_chunk(stream: Readable) -> bytes:
    parts: list[bytes] = []
    size = 0
    while size < STREAM_CHUNK:
        data = stream.read(STREAM_CHUNK - size)
        if not data:
            break
        parts.append(data)
        size += len(data)
    return b"".join(parts)
