"""Registry and network failures turned into :mod:`orasx.errors` exceptions, in one place.

:class:`Deadline` is a metadata request's time budget and the error for overrunning it.

``parse_error_body`` is pure (the distribution spec's ``{"errors": [{"code", "message"}]}``);
the other functions read at most :data:`MAX_ERROR_BYTES` of a response and release it. What the
registry wrote (codes, messages, details, a plain-text body) reaches a message with its control
characters escaped (:func:`escape_controls`): a line break in it cannot forge a line of output.

An answer's message uses oras-go's words, so the CLI can print what the Go CLI prints:
``<METHOD> "<url>": response status code <N>: <errors>`` (the errors, in ``RegistryError.detail``,
as ``errcode.Errors``). A connection failure is a :class:`NetworkError` that carries its data
(request, host, port, errno, kind); the CLI words it as Go's net/http does (``cli/_nethttp``).
URLs always without userinfo and query values.
"""

from __future__ import annotations

import http
import math
import re
import time
import urllib.parse
from dataclasses import dataclass
from typing import Protocol

from orasx._gostr import go_quote
from orasx._json import get_list, load_object
from orasx.errors import (
    AuthenticationError,
    NetworkError,
    NotFoundError,
    Reason,
    RegistryError,
    VerificationError,
)
from orasx.registry._urls import redact_url

#: The most of an error body we read.
MAX_ERROR_BYTES = 8 * 1024

#: What must not reach a message raw: C0 controls (line breaks included), DEL, C1 controls and
#: the Unicode line and paragraph separators.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """Registry text made safe for a one-line message: every control character escaped as Go's
    ``%q`` writes it (a line break becomes ``\\n``), the rest kept as the registry wrote it."""
    return _CONTROLS.sub(lambda m: go_quote(m.group())[1:-1], text)


@dataclass(frozen=True)
class Deadline:
    """When a metadata request must be done by (``time.monotonic()``); ``seconds`` is its budget,
    for messages."""

    at: float
    seconds: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds, seconds)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def error(self, method: str, url: str) -> NetworkError:
        return NetworkError(f"{method} {redact_url(url)}: took longer than {self.seconds:g} s "
                            "(the metadata deadline)", reason=Reason.DEADLINE)


class ErrorResponse(Protocol):
    """What error mapping needs of a response (:class:`orasx.registry._transport.Response`)."""

    @property
    def status(self) -> int: ...

    @property
    def url(self) -> str: ...

    def read_capped(self, limit: int) -> bytes: ...

    def discard(self) -> None: ...


def parse_error_body(body: bytes) -> tuple[list[str], list[str]]:
    """The error codes and the messages (those given) of a registry's JSON error body."""
    codes, messages, _ = _parse_error_body(body)
    return codes, messages


def _parse_error_body(body: bytes) -> tuple[list[str], list[str], str]:
    """Codes, messages, and why a body that looks like JSON could not be read (``""``: it could,
    or it is plain text, which is shown as it is)."""
    codes: list[str] = []
    messages: list[str] = []
    if not body.lstrip().startswith((b"{", b"[")):
        return codes, messages, ""
    try:
        doc = load_object(body, "error body", RegistryError)
        errors = get_list(doc, "errors", "error body", RegistryError)
    except RegistryError as e:
        return codes, messages, f"malformed {e}"
    for err in errors:
        if isinstance(err, dict):
            code, message = err.get("code", ""), err.get("message")
            codes.append(code if isinstance(code, str) else "")
            if message and isinstance(message, str):
                messages.append(message)
    return codes, messages, ""


class RegistryNotFoundError(RegistryError, NotFoundError):
    """A 404 answer mapped as the registry's error (a listing of a repository that does not
    exist): both a :class:`RegistryError` (``detail`` says what the registry said) and a
    :class:`NotFoundError`."""


#: Go's ``http.StatusText`` where Python's phrase differs.
_GO_STATUS_TEXT = {
    413: "Request Entity Too Large",
    414: "Request URI Too Long",
    416: "Requested Range Not Satisfiable",
    418: "I'm a teapot",
    422: "Unprocessable Entity",
}


def status_text(status: int) -> str:
    """Go's ``http.StatusText(status)`` (``""`` for a code it does not know)."""
    if status in _GO_STATUS_TEXT:
        return _GO_STATUS_TEXT[status]
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _go_float(f: float) -> str:
    """A float as Go's ``%v`` prints it (``strconv.FormatFloat(f, 'g', -1, 64)``)."""
    if math.isnan(f):
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    import decimal  # only for an error body's numbers: not loaded on every command

    sign, digits, exponent = decimal.Decimal(repr(f)).normalize().as_tuple()
    assert isinstance(exponent, int)
    ds = "".join(map(str, digits))
    point = len(ds) + exponent  # the decimal point's position in ds
    exp = point - 1
    minus = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mantissa = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return f"{minus}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{ds}"
    if point >= len(ds):
        return f"{minus}{ds}{'0' * (point - len(ds))}"
    return f"{minus}{ds[:point]}.{ds[point:]}"


def go_value(v: object) -> str:
    """A JSON value as Go's ``%v`` prints what ``encoding/json`` decoded it to: objects as
    ``map[k:v ...]`` with sorted keys, arrays as ``[a b]``, null as ``<nil>``."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return _go_float(float(v))
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_value(v[k])}" for k in sorted(v)) + "]"
    if isinstance(v, list):
        return "[" + " ".join(go_value(x) for x in v) + "]"
    return str(v)


def go_errors_text(body: bytes) -> str:
    """The registry's errors in a JSON error body, in oras-go's words (``errcode.Errors``):
    each ``<code lower-cased, _ as space>: <message>[: <detail as %v>]``, joined by ``; ``.
    ``""`` when the body holds none or is not the spec's shape (Go's decoder gives up then)."""
    if not body.lstrip().startswith(b"{"):
        return ""
    try:
        doc = load_object(body, "error body", RegistryError)
    except RegistryError:
        return ""
    errors = doc.get("errors")
    if not isinstance(errors, list):
        return ""
    texts = []
    for err in errors:
        if not isinstance(err, dict):
            return ""
        code, message = err.get("code") or "", err.get("message") or ""
        if not isinstance(code, str) or not isinstance(message, str):
            return ""
        code = code.replace("_", " ").lower()
        if not message:
            texts.append(code)
        elif err.get("detail") is None:
            texts.append(f"{code}: {message}")
        else:
            texts.append(f"{code}: {message}: {go_value(err['detail'])}")
    return escape_controls("; ".join(texts))


def registry_error(resp: ErrorResponse, method: str, what: str, registry: str) -> RegistryError:
    """Turn an error response into the right exception, with the registry's error codes.

    The message is oras-go's (``<METHOD> "<url>": response status code <N>: <errors>``, the
    status text when the body names no errors; a body that is not the spec's JSON is quoted
    after it). ``what`` is the reference the request was about (kept for callers' symmetry)."""
    del what
    body = resp.read_capped(MAX_ERROR_BYTES)
    resp.discard()
    codes, _, problem = _parse_error_body(body)
    detail = go_errors_text(body)
    text = detail or status_text(resp.status)
    if not detail:
        plain = body[:200].decode(errors="replace").strip() if body else ""
        extra = problem or escape_controls(plain)
        if extra and not codes:
            text = f"{text}: {extra}" if text else extra
    url = redact_url(resp.url)
    msg = f"{method} {go_quote(url)}: response status code {resp.status}: {text}"
    cls: type[RegistryError] = RegistryError
    if resp.status in (401, 403):
        cls = AuthenticationError
    elif resp.status == 404:
        cls = RegistryNotFoundError
    reason = {401: Reason.UNAUTHORIZED, 403: Reason.DENIED}.get(resp.status, Reason.NONE)
    return cls(msg, method=method, url=url, status=resp.status, codes=tuple(codes),
               reason=reason, registry=registry, detail=detail)


@dataclass(frozen=True)
class CapturedResponse:
    """An error response whose (capped) body was read and whose connection was released: it can
    be mapped to an error later (after other requests, such as a token request)."""

    status: int
    url: str
    body: bytes

    def read_capped(self, limit: int) -> bytes:
        return self.body[:limit]

    def discard(self) -> None:
        return None


def captured(resp: ErrorResponse) -> CapturedResponse:
    """Read at most :data:`MAX_ERROR_BYTES` of ``resp``'s body and release it."""
    body = resp.read_capped(MAX_ERROR_BYTES)
    resp.discard()
    return CapturedResponse(resp.status, resp.url, body)


def refused_error(resp: ErrorResponse, method: str, registry: str,
                  reason: Reason = Reason.CREDENTIALS_REFUSED) -> AuthenticationError:
    """The registry (or its token server) refused us: oras-go's text of that answer
    (``unauthorized: authentication required`` from its body, or ``<METHOD> "<url>": response
    status code 401: Unauthorized``) as an :class:`AuthenticationError` with ``reason``."""
    err = registry_error(resp, method, registry, registry)
    return AuthenticationError(str(err), method=err.method, url=err.url, status=err.status,
                               codes=err.codes, reason=reason, registry=registry,
                               detail=err.detail)


def not_found(resp: ErrorResponse, what: str) -> NotFoundError:
    """``{what}: not found`` for a 404 (its body is dropped); ``what`` is its ``reference``."""
    resp.discard()
    return NotFoundError(f"{what}: not found", reference=what)


class ContentResponse(ErrorResponse, Protocol):
    """A response whose body is content of a known descriptor (a blob or a manifest)."""

    def content_length(self, what: str) -> int | None: ...

    def close(self) -> None: ...


def expect_content(resp: ContentResponse, what: str, registry: str, size: int) -> None:
    """Check a ``GET`` of content: 200, and a ``Content-Length`` (when sent) equal to the
    descriptor's ``size``; otherwise raise the matching error (the response is closed then)."""
    if resp.status == 404:
        raise not_found(resp, what)
    if resp.status != 200:
        raise registry_error(resp, "GET", what, registry)
    try:
        length = resp.content_length(what)
    except RegistryError:
        resp.close()
        raise
    if length is not None and length != size:
        resp.close()
        raise VerificationError(f"{what}: registry sent {length} bytes, the descriptor says {size}")


def expect_deleted(resp: ErrorResponse, what: str, registry: str) -> None:
    """Check the answer to a ``DELETE``: 404 is :class:`NotFoundError`, anything but 200/202/204 a
    registry error; the response is consumed."""
    if resp.status == 404:
        raise not_found(resp, what)
    if resp.status not in (200, 202, 204):
        raise registry_error(resp, "DELETE", what, registry)
    resp.discard()


def is_name_unknown(resp: ErrorResponse) -> bool:
    """Does the (error) body say the repository does not exist (``NAME_UNKNOWN``)?"""
    body = resp.read_capped(MAX_ERROR_BYTES)
    return b"NAME_UNKNOWN" in body


def conn_address(e: BaseException) -> tuple[str, int | None]:
    """The host and port of the connection that failed to open (``("", None)``: unknown)."""
    conn = getattr(e, "conn", None)
    host, port = getattr(conn, "host", None), getattr(conn, "port", None)
    if not isinstance(host, str):
        return "", None
    return host.strip("[]"), port if isinstance(port, int) else None


def _os_errno(e: BaseException) -> int | None:
    """The OS error number behind a failure of the HTTP library (``None``: none)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [e]
    while todo:
        cur = todo.pop(0)
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, OSError) and isinstance(cur.errno, int):
            return cur.errno
        reason = getattr(cur, "reason", None)
        todo += [reason if isinstance(reason, BaseException) else None, cur.__cause__,
                 cur.__context__]
    return None


def _kind(reason: BaseException, text: str, https: bool) -> Reason:
    """What kind of connection-level failure the HTTP library's ``reason`` is."""
    if https and "WRONG_VERSION_NUMBER" in text:
        return Reason.HTTPS_PLAIN  # a plain-HTTP server answered the TLS handshake in HTTP
    failure = getattr(reason, "failure", "") or {  # (the transport's, or urllib3's by name)
        "SSLError": "tls", "NameResolutionError": "lookup", "ConnectTimeoutError": "timeout"}.get(
        type(reason).__name__, "")
    if "CERTIFICATE_VERIFY_FAILED" in text or failure == "tls":
        return Reason.TLS_VERIFY
    if failure == "lookup":
        return Reason.LOOKUP
    if "Connection refused" in text:
        return Reason.HTTPS_REFUSED if https else Reason.REFUSED
    if failure == "timeout":
        return Reason.TIMEOUT
    if "Connection reset" in text:
        return Reason.CONNECTION_RESET
    if "Remote end closed connection" in text or "RemoteDisconnected" in text:
        return Reason.CONNECTION_CLOSED
    return Reason.NONE


def _what_failed(kind: Reason, host: str, port: int | None, text: str) -> str:
    """The library's words for a connection-level failure (after ``<METHOD> <url>: ``)."""
    where = f"{host}:{port}" if host and port else host or "the registry"
    return {
        Reason.HTTPS_PLAIN: "the server answered the HTTPS request in plain HTTP",
        Reason.TLS_VERIFY: f"the certificate does not verify: {text}",
        Reason.LOOKUP: f"the host {host} does not resolve",
        Reason.REFUSED: f"connection to {where} refused",
        Reason.HTTPS_REFUSED: f"connection to {where} refused",
        Reason.TIMEOUT: f"connection to {where} timed out",
        Reason.CONNECTION_RESET: "connection reset by peer",
        Reason.CONNECTION_CLOSED: "the server closed the connection without answering",
    }.get(kind, text)


def network_error(method: str, url: str, e: BaseException) -> NetworkError:
    """A connection-level failure of the HTTP library as a :class:`NetworkError` that carries
    its data: the request (the URL without userinfo and query values), the connection's host and
    port, the OS error number, the library's text of it (``detail``) and its kind (``reason``).
    The message states it in our words (``HEAD http://localhost:5000/v2/: connection to
    localhost:5000 refused``); the CLI words it as Go's HTTP client does."""
    reason = getattr(e, "reason", None) or e
    text = str(reason)
    url = redact_url(url)
    kind = _kind(reason, text, url.startswith("https://"))
    host, port = conn_address(reason)
    if kind is Reason.LOOKUP and not host:
        host = urllib.parse.urlsplit(url).hostname or ""
    return NetworkError(f"{method} {url}: {escape_controls(_what_failed(kind, host, port, text))}",
                        reason=kind, method=method, url=url, host=host, port=port,
                        errno=_os_errno(e), detail=text)
