"""Registry and network failures turned into :mod:`orasx.errors` exceptions, in one place.

:class:`Deadline` is a metadata request's time budget and the error for overrunning it.

``parse_error_body`` is pure (the distribution spec's ``{"errors": [{"code", "message"}]}``);
the other functions read at most :data:`MAX_ERROR_BYTES` of a response and release it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import urllib3

from orasx._json import get_list, load_object
from orasx.errors import (
    AuthenticationError,
    NetworkError,
    NotFoundError,
    RegistryError,
    VerificationError,
)
from orasx.registry._urls import redact_url

#: The most of an error body we read.
MAX_ERROR_BYTES = 8 * 1024


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
                            "(the metadata deadline)", reason="deadline")


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


def registry_error(resp: ErrorResponse, method: str, what: str, registry: str) -> RegistryError:
    """Turn an error response into the right exception, with the registry's error codes."""
    body = resp.read_capped(MAX_ERROR_BYTES)
    resp.discard()
    codes, messages, problem = _parse_error_body(body)
    detail = "; ".join(
        f"{c}: {m}" if m else c for c, m in zip(codes, messages + [""] * len(codes), strict=False)
    ) or problem or (body[:200].decode(errors="replace").strip() if body else "")
    msg = f"{what}: {method} {redact_url(resp.url)} returned {resp.status}"
    if detail:
        msg += f": {detail}"
    cls: type[RegistryError] = RegistryError
    if resp.status == 401:
        cls, msg = AuthenticationError, f"{what}: unauthorized"
    elif resp.status == 403:
        cls, msg = AuthenticationError, (
            f"{what}: denied: the credentials lack permission for this repository"
        )
    reason = {401: "unauthorized", 403: "denied"}.get(resp.status, "")
    return cls(msg, method=method, url=redact_url(resp.url), status=resp.status,
               codes=tuple(codes), reason=reason, registry=registry)


def not_found(resp: ErrorResponse, what: str) -> NotFoundError:
    """``{what}: not found`` for a 404 (its body is dropped)."""
    resp.discard()
    return NotFoundError(f"{what}: not found")


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


def network_error(method: str, url: str, e: BaseException) -> NetworkError:
    """A connection-level failure of the HTTP library, as one line."""
    reason = getattr(e, "reason", None) or e
    text = str(reason)
    if "CERTIFICATE_VERIFY_FAILED" in text or isinstance(reason, urllib3.exceptions.SSLError):
        return NetworkError(f"{method} {redact_url(url)}: TLS verification failed ({text})",
                            reason="tls-verify")
    if "Connection refused" in text:
        return NetworkError(f"{method} {redact_url(url)}: connection refused",
                            reason="https-refused" if url.startswith("https://") else "refused")
    return NetworkError(f"{method} {redact_url(url)}: {text}")
