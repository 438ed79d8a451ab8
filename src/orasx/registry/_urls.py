"""Registry URLs as pure functions: hosts, schemes, repository endpoints, pagination links, and
the checks a URL or number from a registry's headers passes before it is used.

Nothing here does I/O; the transport, the auth flow and the stores ask these functions which URL
to use and whether two URLs share an origin. Every URL a registry hands us (``Location``,
``Link``, a redirect) goes through :func:`join_url` first: ``urllib.parse`` raises a bare
``ValueError`` for a port out of range or a broken IPv6 literal, and http.client refuses control
characters and non-ASCII, so those are refused here with a message that says which header it was.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from orasx._gostr import go_quote
from orasx.digest import Digest
from orasx.errors import OrasError, RegistryError

_VISIBLE_QUERY = ("digest", "n", "last", "scope", "service")
_SENSITIVE = {"authorization", "proxy-authorization", "cookie", "set-cookie"}
#: Header names containing one of these carry a secret (``X-Api-Key``, ``X-Auth-Token``...).
_SECRET_WORDS = ("token", "key", "secret", "password", "authorization", "cookie")
#: What ``--debug`` shows instead of a secret header's value (the Go CLI's mark).
SECRET_MARK = "*****"
#: The longest ``Link`` header we parse (a next-page link is a few hundred bytes).
MAX_LINK_BYTES = 8 * 1024
#: What ends a URL's authority (``userinfo@host:port``) inside a header value.
_AUTHORITY_END = frozenset('/?#\\ \t\r\n"<>,;\'')


def origin(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)``; ``url`` must have passed :func:`url_problem`."""
    u = urllib.parse.urlsplit(url)
    scheme = u.scheme.lower()
    port = u.port or (443 if scheme == "https" else 80)
    return scheme, (u.hostname or "").lower(), port


def redact_url(url: str) -> str:
    """Drop userinfo and query values from a URL for logs and error messages (never raises,
    even for a URL ``urllib.parse`` cannot split). The query names in ``_VISIBLE_QUERY`` keep
    their values as sent (still percent-encoded: ``digest=sha256%3A...``, as Go prints them)."""
    try:
        u = urllib.parse.urlsplit(url)
    except ValueError:
        return redact_userinfo(url.partition("?")[0].partition("#")[0])
    netloc = u.netloc.rpartition("@")[2]
    query = "&".join(
        item if urllib.parse.unquote_plus(item.partition("=")[0]).lower() in _VISIBLE_QUERY
        else f"{item.partition('=')[0]}=REDACTED"
        for item in u.query.split("&") if item
    )
    return urllib.parse.urlunsplit((u.scheme, netloc, u.path, query, ""))


def redact_userinfo(text: str) -> str:
    """``text`` with the ``user:password@`` of every ``scheme://user:password@host`` in it
    removed (header values such as ``WWW-Authenticate``), in linear time."""
    out: list[str] = []
    pos = 0
    while (i := text.find("://", pos)) >= 0:
        start = end = i + 3
        while end < len(text) and text[end] not in _AUTHORITY_END:
            end += 1
        at = text.rfind("@", start, end)  # the authority is text[start:end]
        out.append(text[pos:start])
        pos = at + 1 if at >= 0 else start
        out.append(text[pos:end])
        pos = end
    out.append(text[pos:])
    return "".join(out)


def no_proxy_matches(host: str, port: int | None, no_proxy: str) -> bool:
    """Does ``NO_PROXY`` (comma list of hosts, ``.domain`` suffixes, ``host:port``, ``*``) match?"""
    host = host.lower()
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        name, _, eport = entry.partition(":") if not entry.startswith("[") else (entry, "", "")
        if eport and port is not None and eport != str(port):
            continue
        name = name.strip("[]")
        if host == name.lstrip(".") or host.endswith("." + name.lstrip(".")):
            return True
    return False


def secret_header(name: str) -> bool:
    """Does a header named ``name`` carry a secret (``Authorization``, cookies, a name with
    ``token``, ``key``, ``secret`` or ``password`` in it)? ``--debug`` hides its value."""
    n = name.lower()
    return n in _SENSITIVE or any(w in n for w in _SECRET_WORDS)


def redact_headers(headers: Mapping[str, str],
                   shown: Mapping[str, str] | None = None) -> dict[str, str]:
    """Headers for ``--debug``: secrets hidden (``*****``, see :func:`secret_header`), URLs
    without their userinfo or signed query values, any other ``scheme://user:password@`` (a token
    realm in ``WWW-Authenticate``) without its userinfo. ``shown`` gives the custom headers'
    values as the user wrote them (the Go CLI prints ``-H 'X: v'`` as ``" v"``). A header sent
    several times is one entry, its values joined by ``", "`` (as Go prints them)."""
    shown = shown or {}
    merged = getattr(headers, "itermerged", None)  # a response's multi-valued header dict
    out = {}
    for k, v in (merged() if merged is not None else headers.items()):
        if secret_header(k):
            out[k] = SECRET_MARK
        elif k.lower() in ("location", "content-location", "referer"):
            out[k] = redact_url(v)
        else:
            out[k] = redact_userinfo(shown.get(k, v))
    return out


def _debug_headers(headers: Mapping[str, str]) -> str:
    if not headers:
        return "   Empty header"
    return "\n".join(f"   {go_quote(k)}: {go_quote(v)}" for k, v in headers.items())


def debug_request(n: int, method: str, url: str, headers: Mapping[str, str],
                  shown: Mapping[str, str] | None = None) -> str:
    """Request ``#n`` as the Go CLI's ``--debug`` block, secrets redacted, custom headers as
    given (``shown``)."""
    return (f"--> Request #{n}\n> Request URL: {go_quote(redact_url(url))}\n"
            f"> Request method: {go_quote(method)}\n> Request headers:\n"
            + _debug_headers(redact_headers(headers, shown)))


def debug_response(n: int, method: str, status: int, reason: str | None,
                   headers: Mapping[str, str]) -> str:
    """Response ``#n`` as the Go CLI's ``--debug`` block. The body is never read for the log
    (bodies stream to their reader; a token server's holds a token): its line says why."""
    content_type = str(headers.get("Content-Type", ""))
    if method == "HEAD" or status in (204, 304) or headers.get("Content-Length") == "0":
        body = "   No response body to print"
    elif not (content_type.startswith(("application/json", "text/"))
              or content_type.partition(";")[0].endswith("+json")):
        body = f"   Response body of content type {go_quote(content_type)} is not printed"
    else:
        body = "   Response body is not printed (orasx streams it to the command)"
    status_text = f"{status} {reason}" if reason else str(status)
    return (f"<-- Response #{n}\n< Response Status: {go_quote(status_text)}\n"
            f"< Response headers:\n{_debug_headers(redact_headers(headers))}\n"
            f"< Response body:\n{body}")


def shown(text: str, limit: int = 200) -> str:
    """Registry-supplied ``text`` for a message: quoted, escapes visible, cut to ``limit``."""
    return repr(text[:limit] + ("..." if len(text) > limit else ""))


def url_problem(url: str) -> str:
    """Why ``url`` cannot be requested (``""``: it can): a scheme other than http(s), no host,
    a port out of range, a broken IPv6 literal, control characters, spaces or non-ASCII."""
    problem = _text_problem(url)
    if problem:
        return problem
    try:
        u = urllib.parse.urlsplit(url)
        u.port  # noqa: B018 -- raises ValueError for a port out of range or not a number
    except ValueError as e:
        text = str(e)
        return text[0].lower() + text[1:] if text else "cannot be parsed"
    if u.scheme.lower() not in ("http", "https"):
        return "not an http(s) URL"
    if not u.hostname:
        return "no host"
    return ""


def _text_problem(url: str) -> str:
    if not url.isascii():
        return "non-ASCII characters"
    if any(c <= " " or c == "\x7f" for c in url):
        return "control characters or spaces"
    return ""


def join_url(base: str, ref: str, what: str, error: type[OrasError] = RegistryError) -> str:
    """``ref`` (a header's URL, maybe relative) resolved against ``base``, or ``error``
    ``"{what} is malformed (why): 'url'"`` when it cannot be requested."""
    problem = _text_problem(ref.strip())  # urljoin would quietly drop control characters
    try:
        url = urllib.parse.urljoin(base, ref.strip())
    except ValueError:
        url = ref
    problem = problem or url_problem(url)
    if problem:
        raise error(f"{what} is malformed ({problem}): {shown(redact_url(url))}")
    return url


def header_int(value: str) -> int | None:
    """A header's non-negative decimal number (``Content-Length``...); None when absent.

    Only ASCII digits count: ``"²".isdigit()`` is true and ``int("²")`` fails.
    Raises ``ValueError`` for anything else (the caller names the header).
    """
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 20:
        raise ValueError(value)
    return int(value)


def is_localhost(host: str) -> bool:
    """Is ``host`` (``name[:port]``) the name ``localhost``, spelt so (the Go CLI's check: an IP
    literal such as ``127.0.0.1`` or ``[::1]``, or ``LOCALHOST``, is not)?"""
    return host == "localhost" or host.rpartition(":")[0] == "localhost"


def scheme_for(host: str, plain_http: bool | None) -> str:
    """``http`` or ``https`` for a registry host; ``plain_http=None``: plain HTTP for
    ``localhost`` only (as the Go CLI: ``127.0.0.1`` and ``[::1]`` use HTTPS)."""
    if plain_http is not None:
        return "http" if plain_http else "https"
    return "http" if is_localhost(host) else "https"


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


def parse_link(header: str, current: str, what: str = "") -> str:
    """The next page from a ``Link`` header (``<url>; rel="next"``), only if it stays on the same
    origin; ``""`` when there is none. ``what`` names the listing in messages.

    Linear time: the header is at most :data:`MAX_LINK_BYTES` and scanned once (a regex over
    ``<<<<...`` backtracks quadratically).
    """
    if not header:
        return ""
    prefix = f"{what}: " if what else ""
    if len(header) > MAX_LINK_BYTES:
        raise RegistryError(f"{prefix}the registry sent a Link header of {len(header)} bytes, "
                            f"over the {MAX_LINK_BYTES // 1024} KiB limit")
    target = _next_target(header)
    if target is None:
        return ""
    nxt = join_url(current, target, f"{prefix}the Link to the next page")
    if origin(nxt) != origin(current):
        raise RegistryError(
            f"{prefix}refusing pagination link to another origin: {redact_url(nxt)}"
        )
    return nxt


def _next_target(header: str) -> str | None:
    """The URI of the first ``rel="next"`` link-value of a ``Link`` header (RFC 8288)."""
    pos, n = 0, len(header)
    while pos < n:
        lt = header.find("<", pos)
        if lt < 0:
            return None
        gt = header.find(">", lt + 1)
        if gt < 0:
            return None
        params, i = _params(header, gt + 1)  # up to the "," that ends this link-value
        if "next" in params.get("rel", "").lower().split():
            return header[lt + 1:gt].strip()
        pos = i + 1
    return None


def _params(header: str, i: int) -> tuple[dict[str, str], int]:
    """The ``; name=value`` parameters from ``header[i:]`` (values may be quoted, with ``;``
    and ``,`` inside the quotes) and where they end (at a ``,`` outside quotes, or the end)."""
    params: dict[str, str] = {}
    part: list[str] = []
    quoted = False
    n = len(header)
    while i <= n:
        c = header[i] if i < n else ","
        if quoted and c == "\\" and i + 1 < n:
            part.append(header[i + 1])
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        elif not quoted and c in ";,":
            name, _, value = "".join(part).partition("=")
            params.setdefault(name.strip().lower(), value.strip())
            part = []
            if c == ",":
                break
        else:
            part.append(c)
        i += 1
    return params, i
