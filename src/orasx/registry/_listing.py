"""Paginated name listings (tags, the catalog), following ``Link`` on the same origin only."""

from __future__ import annotations

import json
from collections.abc import Iterator

from orasx.errors import NotFoundError, RegistryError, SizeLimitError
from orasx.manifest import MAX_MANIFEST_BYTES
from orasx.registry._errors import registry_error
from orasx.registry._http import Client
from orasx.registry._urls import parse_link

#: The most pages a tag, repository or referrers listing may take.
MAX_PAGES = 1000


def paginate(client: Client, url: str, key: str, scopes: tuple[str, ...], what: str,
             registry: str) -> Iterator[str]:
    """The names under ``key`` in each JSON page, starting at ``url``."""
    pages = 0
    while url:
        pages += 1
        if pages > MAX_PAGES:
            raise SizeLimitError(f"{what}: more than {MAX_PAGES} pages")
        resp = client.request("GET", url, scopes=scopes)
        if resp.status == 404:
            resp.discard()
            raise NotFoundError(f"{what}: not found")
        if resp.status != 200:
            raise registry_error(resp, "GET", what, registry)
        try:
            body = resp.read_capped(MAX_MANIFEST_BYTES)
        finally:
            resp.close()
        if len(body) > MAX_MANIFEST_BYTES:
            raise SizeLimitError(f"{what}: a page is over the 4 MiB limit")
        try:
            items = json.loads(body).get(key) or []
        except (ValueError, AttributeError):
            raise RegistryError(f"{what}: the registry sent a malformed list") from None
        yield from (str(i) for i in items)
        url = parse_link(resp.header("Link"), resp.url)
