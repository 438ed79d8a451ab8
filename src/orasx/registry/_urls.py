"""Registry URLs as pure functions: hosts, schemes, repository endpoints, pagination links.

Nothing here does I/O; the transport, the auth flow and the stores ask these functions which URL
to use and whether two URLs share an origin.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from orasx.digest import Digest
from orasx.errors import RegistryError

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')
_VISIBLE_QUERY = ("digest", "n", "last", "scope", "service")


def origin(url: str) -> tuple[str, str, int]:
    u = urllib.parse.urlsplit(url)
    scheme = u.scheme.lower()
    port = u.port or (443 if scheme == "https" else 80)
    return scheme, (u.hostname or "").lower(), port


def redact_url(url: str) -> str:
    """Drop userinfo and query values from a URL for logs and error messages."""
    u = urllib.parse.urlsplit(url)
    netloc = u.netloc.rpartition("@")[2]
    query = "&".join(
        f"{k}=REDACTED" if k.lower() not in _VISIBLE_QUERY else f"{k}={v}"
        for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True)
    )
    return urllib.parse.urlunsplit((u.scheme, netloc, u.path, query, ""))


def is_loopback(host: str) -> bool:
    """Is ``host`` (``name[:port]``) this machine by name (``localhost``, ``127.0.0.1``, ``[::1]``)?"""
    hostname = urllib.parse.urlsplit(f"//{host}").hostname or host
    return hostname in LOOPBACK


def scheme_for(host: str, plain_http: bool | None) -> str:
    """``http`` or ``https`` for a registry host; ``plain_http=None``: plain HTTP for loopback."""
    if plain_http is not None:
        return "http" if plain_http else "https"
    return "http" if is_loopback(host) else "https"


def registry_host(registry: str) -> str:
    """The host to talk to for a registry name (Docker Hub's API lives on registry-1.docker.io)."""
    return "registry-1.docker.io" if registry in ("docker.io", "index.docker.io") else registry


def repository_path(registry: str, repository: str) -> str:
    """Docker Hub's single-name repositories live under ``library/``."""
    if registry_host(registry) == "registry-1.docker.io" and "/" not in repository:
        return f"library/{repository}"
    return repository


def _listing_query(last: str, page_size: int) -> str:
    query = {k: v for k, v in (("last", last), ("n", str(page_size) if page_size else "")) if v}
    return "?" + urllib.parse.urlencode(query) if query else ""


def catalog_url(base_url: str, *, last: str = "", page_size: int = 0) -> str:
    """``{base_url}/v2/_catalog`` with the listing's ``last`` and ``n``."""
    return f"{base_url}/v2/_catalog" + _listing_query(last, page_size)


@dataclass(frozen=True)
class RepositoryURLs:
    """The endpoints of one repository: ``base`` is ``{scheme}://{host}/v2/{name}``.

    ``registry`` is the registry as the user named it (used in messages), ``name`` the repository
    path on the registry.
    """

    registry: str
    name: str
    base: str

    @classmethod
    def build(cls, registry: str, repository: str, base_url: str) -> RepositoryURLs:
        """For ``registry/repository``, on a registry reached at ``base_url`` (scheme://host)."""
        name = repository_path(registry, repository)
        return cls(registry, name, f"{base_url}/v2/{name}")

    def ref(self, reference: str | Digest) -> str:
        """How a tag or digest of this repository is named in messages."""
        return f"{self.registry}/{self.name}{'@' if ':' in str(reference) else ':'}{reference}"

    def blob(self, digest: Digest | str) -> str:
        return f"{self.base}/blobs/{digest}"

    def manifest(self, reference: Digest | str) -> str:
        return f"{self.base}/manifests/{reference}"

    def content(self, kind: str, digest: Digest | str) -> str:
        """``kind`` is ``blobs`` or ``manifests``."""
        return f"{self.base}/{kind}/{digest}"

    def uploads(self) -> str:
        return f"{self.base}/blobs/uploads/"

    def mount(self, digest: Digest, from_repository: str) -> str:
        query = urllib.parse.urlencode({"mount": str(digest), "from": from_repository})
        return f"{self.uploads()}?{query}"

    def referrers(self, digest: Digest, artifact_type: str = "") -> str:
        url = f"{self.base}/referrers/{digest}"
        if artifact_type:
            url += "?" + urllib.parse.urlencode({"artifactType": artifact_type})
        return url

    def tags(self, *, last: str = "", page_size: int = 0) -> str:
        return f"{self.base}/tags/list" + _listing_query(last, page_size)


def with_digest(url: str, digest: Digest) -> str:
    """An upload session URL with ``digest=`` added to the query it already has."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query.append(("digest", str(digest)))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def parse_link(header: str, current: str) -> str:
    """The next page from a ``Link`` header, only if it stays on the same origin."""
    m = _LINK.search(header)
    if not m:
        return ""
    nxt: str = urllib.parse.urljoin(current, str(m.group(1)))
    if origin(nxt) != origin(current):
        raise RegistryError(
            f"refusing pagination link to another origin: {redact_url(nxt)}"
        )
    return nxt
