"""Registry authentication as pure functions: challenges, scopes, credentials and token requests.

No I/O happens here: the HTTP layer (:mod:`orasx.registry._http`) asks these functions what to
send and feeds them what came back, so the flow can be tested without a network.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import urllib.parse
from dataclasses import dataclass

from orasx._json import load_object
from orasx.errors import AuthenticationError, Reason

#: The largest token response we read.
MAX_TOKEN_BYTES = 128 * 1024
#: What a token may hold to be sent back in ``Authorization: Bearer <token>``: visible ASCII
#: (RFC 6750's b64token is a subset). CR/LF would inject headers; non-Latin-1 cannot be sent.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True)
class Credential:
    """What we can authenticate with. Empty fields mean "not given"."""

    username: str = ""
    password: str = ""
    identity_token: str = ""  # OAuth2 refresh token
    registry_token: str = ""  # a bearer token used as is

    def __bool__(self) -> bool:
        return bool(self.username or self.password or self.identity_token or self.registry_token)

    def __repr__(self) -> str:  # never print secrets
        return f"Credential(username={self.username!r}, secrets={'***' if self else 'none'})"


EMPTY_CREDENTIAL = Credential()


@dataclass(frozen=True)
class Challenge:
    scheme: str  # lower case: "basic" or "bearer"
    params: dict[str, str]


_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_PARAM = re.compile(rf'\s*({_TOKEN})\s*=\s*("(?:[^"\\]|\\.)*"|{_TOKEN})\s*(,?)')
_SCHEME = re.compile(rf"\s*({_TOKEN})(?:\s+|$)")


def parse_challenges(header: str) -> list[Challenge]:
    """Parse a ``WWW-Authenticate`` value (several challenges, quoted commas) into challenges."""
    out: list[Challenge] = []
    pos = 0
    n = len(header)
    while pos < n:
        while pos < n and header[pos] in ", \t":
            pos += 1
        m = _SCHEME.match(header, pos)
        if not m:
            break
        scheme = m.group(1).lower()
        pos = m.end()
        params: dict[str, str] = {}
        while pos < n:
            pm = _PARAM.match(header, pos)
            if not pm:
                break
            key, value = pm.group(1).lower(), pm.group(2)
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            params[key] = value
            pos = pm.end()
            if not pm.group(3):
                break
        out.append(Challenge(scheme, params))
    return out


def repository_scope(repository: str, *actions: str) -> str:
    return f"repository:{repository}:{','.join(sorted(set(actions)))}"


def merge_scopes(*scopes: str) -> tuple[str, ...]:
    """Merge scopes for the same resource (``repository:a:pull`` + ``repository:a:push``)."""
    by_resource: dict[str, set[str]] = {}
    for scope_list in scopes:
        for scope in scope_list.split(" "):
            if not scope:
                continue
            resource, _, actions = scope.rpartition(":")
            if not resource:
                by_resource.setdefault(scope, set())
                continue
            by_resource.setdefault(resource, set()).update(a for a in actions.split(",") if a)
    return tuple(
        sorted(f"{r}:{','.join(sorted(a))}" if a else r for r, a in by_resource.items())
    )


def basic_header(cred: Credential) -> str:
    raw = f"{cred.username}:{cred.password}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def validate_realm(realm: str, registry_scheme: str, registry_host: str) -> None:
    """Refuse token realms that could leak credentials (see GHSA-28r5/GHSA-xf85), and realms
    that cannot be requested (a port out of range, a broken IPv6 literal, control characters)."""
    if not realm.isascii() or any(c <= " " or c == "\x7f" for c in realm):
        raise AuthenticationError(
            f"refusing token realm {realm[:200]!r}: malformed URL (control characters, spaces "
            "or non-ASCII)")
    try:
        parsed = urllib.parse.urlsplit(realm)
        parsed.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError as e:
        raise AuthenticationError(
            f"refusing token realm {_without_userinfo(realm)[:200]!r}: malformed URL "
            f"({str(e)[:1].lower()}{str(e)[1:]})") from None
    realm = _without_userinfo(realm)
    if parsed.scheme not in ("http", "https"):
        raise AuthenticationError(f"refusing token realm {realm!r}: not an http(s) URL",
                                  reason=Reason.TOKEN_REALM)
    if not parsed.hostname:
        raise AuthenticationError(f"refusing token realm {realm!r}: not an http(s) URL")
    if registry_scheme == "https" and parsed.scheme != "https":
        raise AuthenticationError(
            f"refusing token realm {realm!r}: plain http for a registry served over https"
        )
    host = parsed.hostname
    reg_host = urllib.parse.urlsplit(f"//{registry_host}").hostname or registry_host
    if host == reg_host:
        return
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return
    if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified:
        raise AuthenticationError(
            f"refusing token realm {realm!r}: a private address that is not the registry's host"
        )


def _without_userinfo(url: str) -> str:
    """``url`` less any ``user:password@`` (for messages)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    return f"{scheme}://{authority.rpartition('@')[2]}{slash}{path}"


def check_token(token: str, what: str = "token") -> str:
    """``token``, if it can be sent as ``Authorization: Bearer <token>``."""
    if not _HEADER_SAFE.fullmatch(token):
        raise AuthenticationError(
            f"{what} has characters an HTTP header cannot carry (control characters, spaces or "
            "non-ASCII): refusing to send it")
    return token


def token_request(
    challenge: Challenge, scopes: tuple[str, ...], cred: Credential
) -> tuple[str, str, dict[str, str], bytes | None]:
    """What to send to the token realm: (method, url, headers, body).

    An identity token uses the OAuth2 POST (``grant_type=refresh_token``); otherwise a GET with
    basic credentials (if any) and the ``service`` and ``scope`` parameters.
    """
    realm = challenge.params.get("realm", "")
    service = challenge.params.get("service", "")
    if cred.identity_token:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": cred.identity_token,
            "service": service,
            "client_id": "orasx",
            "scope": " ".join(scopes),
        }
        body = urllib.parse.urlencode(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return "POST", realm, headers, body
    # oras-go's query: the realm's own, then service and scopes, encoded sorted by key
    try:
        parts = urllib.parse.urlsplit(realm)
    except ValueError as e:  # (a realm the registry's challenge got wrong: "[::1" ...)
        raise AuthenticationError(f"refusing token realm {_without_userinfo(realm)[:200]!r}: "
                                  f"malformed URL ({e})") from None
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if service:
        query = [(k, v) for k, v in query if k != "service"] + [("service", service)]
    query += [("scope", s) for s in scopes]
    query.sort(key=lambda kv: kv[0])  # stable: a key's values keep their order
    url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
    headers = {}
    if cred.username or cred.password:
        headers["Authorization"] = basic_header(cred)
    return "GET", url, headers, None


def parse_token_response(body: bytes, what: str = "token server") -> str:
    """The bearer token from a token server's JSON answer (``token`` or ``access_token``),
    refused unless it can be sent back as a header (see :func:`check_token`)."""
    if len(body) > MAX_TOKEN_BYTES:
        raise AuthenticationError(f"{what}: token response is over the 128 KiB limit")
    doc = load_object(body, f"{what}: token response", AuthenticationError)
    token = doc.get("token") or doc.get("access_token")
    if not token:
        raise AuthenticationError(f"{what} answered without a token")
    if not isinstance(token, str):
        raise AuthenticationError(f"{what} answered with a token that is not a string")
    return check_token(token, f"{what}: the token issued")
