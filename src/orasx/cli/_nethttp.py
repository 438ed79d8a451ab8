"""A connection failure in the words of Go's ``net/http`` client, as the Go CLI prints it.

The library's :class:`~orasx.errors.NetworkError` carries the data (the request, the host and port
of the connection, the kind of failure as ``reason``, the HTTP library's text as ``detail``); this
module words it as Go's ``url.Error`` does: ``Head "<url>": dial tcp 127.0.0.1:5000: connect:
connection refused``. Go names the address the host resolved to, so it is looked up here, only
for the failures whose text names it.
"""

from __future__ import annotations

import ipaddress
import socket

from orasx._gostr import go_quote
from orasx.errors import NetworkError, OrasError, Reason

#: OpenSSL's reasons (both spellings) for what Go calls ``certificate signed by unknown authority``.
_UNKNOWN_AUTHORITY = frozenset({
    "self-signed certificate", "self signed certificate",
    "self-signed certificate in certificate chain", "self signed certificate in certificate chain",
    "unable to get local issuer certificate",
})


def go_op(method: str) -> str:
    """Go's ``url.Error`` operation: the method with only its first letter upper-case."""
    return method[:1].upper() + method[1:].lower()


def resolved_address(host: str, port: int | None) -> str:
    """The first address ``host`` resolves to, which Go's dial errors name (``dial tcp
    127.0.0.1:5000: ...``); ``""`` when that cannot be known."""
    if not host:
        return ""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        return str(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][4][0])
    except (OSError, IndexError, UnicodeError):
        return ""


def _dial(err: NetworkError, address: str | None) -> str:
    """``dial tcp IP:PORT`` (``[IPv6]:PORT``) as Go names it: ``address`` (looked up when
    ``None``) or the connection's host, and its port; ``dial tcp`` alone when neither is known."""
    if address is None:
        address = resolved_address(err.host, err.port)
    address = address or err.host
    if not address:
        return "dial tcp"
    if ":" in address:
        address = f"[{address}]"
    return f"dial tcp {address}:{err.port}" if err.port else f"dial tcp {address}"


def _tls_text(detail: str) -> str:
    why = detail.partition("certificate verify failed: ")[2].partition(" (_ssl.c")[0]
    if why in _UNKNOWN_AUTHORITY:
        why = "x509: certificate signed by unknown authority"
    elif not why:
        return f"tls: {detail}"
    return f"tls: failed to verify certificate: {why}"


def go_text(err: NetworkError, *, address: str | None = None) -> str:
    """What Go's HTTP client says for ``err``: ``<Op> "<url>": <failure>``; ``str(err)`` for a
    network error that is not a failed request (a deadline, a stalled download...). ``address``:
    the IP address to name instead of looking the host up."""
    if not err.method or not err.url or err.reason in (Reason.DEADLINE, Reason.TOO_SLOW):
        return str(err)
    kind = err.reason
    if kind is Reason.HTTPS_PLAIN:
        text = "http: server gave HTTP response to HTTPS client"
    elif kind is Reason.TLS_VERIFY:
        text = _tls_text(err.detail)
    elif kind is Reason.LOOKUP:
        text = f"dial tcp: lookup {err.host}: no such host"
    elif kind in (Reason.REFUSED, Reason.HTTPS_REFUSED):
        text = f"{_dial(err, address)}: connect: connection refused"
    elif kind is Reason.TIMEOUT:
        text = f"{_dial(err, address)}: i/o timeout"
    elif kind is Reason.CONNECTION_RESET:
        text = "read: connection reset by peer"
    elif kind is Reason.CONNECTION_CLOSED:
        text = "EOF"
    else:
        text = err.detail
    return f"{via(err)}{go_op(err.method)} {go_quote(err.url)}: {text}"


def via(err: OrasError) -> str:
    """oras-go's prefix for a failure of the auth flow: the registry request it was for
    (``GET "http://host/v2/": ``), ``""`` for any other failure."""
    if not err.for_request:
        return ""
    method, url = err.for_request
    return f"{method} {go_quote(url)}: "


def unsupported_scheme(method: str, url: str) -> str:
    """Go's ``url.Error`` for a URL whose scheme its client cannot send (a token realm)."""
    import urllib.parse

    scheme = urllib.parse.urlsplit(url).scheme
    return f"{go_op(method)} {go_quote(url)}: unsupported protocol scheme {go_quote(scheme)}"
