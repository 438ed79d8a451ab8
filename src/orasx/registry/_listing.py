"""Paginated listings (tags, the catalog, referrers), following ``Link`` on the same origin only.

A registry decides how many pages there are, so every listing is bounded on our side: pages are
read one at a time (each at most 4 MiB, within the metadata deadline) and dropped once parsed,
the bytes and items over all pages are capped (:class:`ListLimits`, from
:class:`~orasx.registry._options.ClientOptions`), and a ``next`` URL seen before ends the walk
with an error instead of a loop.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from orasx._json import get_list, load_object, type_name
from orasx.errors import RegistryError, SizeLimitError
from orasx.manifest import MAX_MANIFEST_BYTES
from orasx.registry._errors import registry_error
from orasx.registry._http import Client, Response
from orasx.registry._urls import parse_link, redact_url

#: The most pages a tag, repository or referrers listing may take.
MAX_PAGES = 1000


@dataclass(frozen=True)
class ListLimits:
    """The caps of one listing: ``items`` (named ``noun``, set by the ClientOptions field
    ``option``) and ``bytes`` over all its pages."""

    items: int
    bytes: int
    noun: str
    option: str

    def check_items(self, count: int, what: str) -> None:
        if count > self.items:
            raise SizeLimitError(
                f"{what}: the registry listed more than {self.items} {self.noun}, over the limit "
                f"(ClientOptions.{self.option})")


def follow_pages(client: Client, resp: Response, *, what: str, registry: str,
                 scopes: tuple[str, ...], limits: ListLimits,
                 headers: Mapping[str, str] | None = None) -> Iterator[bytes]:
    """The body of ``resp`` (a listing's first page, status 200), then the body of every next
    page its ``Link`` headers name, one at a time."""
    seen = {resp.url}
    total = 0
    pages = 1
    while True:
        limit = min(MAX_MANIFEST_BYTES, limits.bytes - total)
        try:
            body = resp.read_capped(limit)
        finally:
            resp.close()
        if len(body) > limit:
            if limit == MAX_MANIFEST_BYTES:
                raise SizeLimitError(f"{what}: a page of {limits.noun} is over the 4 MiB limit")
            raise SizeLimitError(
                f"{what}: the {limits.noun} listing is over the limit of {limits.bytes} bytes "
                "(ClientOptions.max_listing_bytes)")
        total += len(body)
        nxt = parse_link(resp.header("Link"), resp.url, what)
        yield body
        if not nxt:
            return
        if nxt in seen:
            raise RegistryError(f"{what}: the {limits.noun} listing loops: the next page "
                                f"{redact_url(nxt)} repeats an earlier page")
        pages += 1
        if pages > MAX_PAGES:
            raise SizeLimitError(f"{what}: the {limits.noun} listing has more than {MAX_PAGES} "
                                 "pages")
        seen.add(nxt)
        resp = client.request("GET", nxt, headers=headers, scopes=scopes, metadata=True)
        if resp.status != 200:  # a 404 too: its body names what is missing, as oras-go shows
            raise registry_error(resp, "GET", what, registry)


def paginate(client: Client, url: str, key: str, scopes: tuple[str, ...], what: str,
             registry: str, limits: ListLimits | None = None) -> Iterator[str]:
    """The names under ``key`` in each JSON page, starting at ``url``."""
    if limits is None:
        o = client.options
        limits = ListLimits(o.max_tags, o.max_listing_bytes, key, "max_tags")
    resp = client.request("GET", url, scopes=scopes, metadata=True)
    if resp.status != 200:  # a 404 too: a RegistryError that is a NotFoundError
        raise registry_error(resp, "GET", what, registry)
    count = 0
    page_what = f"{what}: the {'tag' if key == 'tags' else key} list"
    for body in follow_pages(client, resp, what=what, registry=registry, scopes=scopes,
                             limits=limits):
        doc = load_object(body, page_what, RegistryError)
        items = get_list(doc, key, page_what, RegistryError)
        count += len(items)
        limits.check_items(count, what)
        for item in items:
            if not isinstance(item, str):
                raise RegistryError(f"{page_what}: {key!r} holds {type_name(item)}, not a name")
        yield from items
