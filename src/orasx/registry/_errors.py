"""Registry and network failures turned into :mod:`orasx.errors` exceptions, in one place.

``parse_error_body`` is pure (the distribution spec's ``{"errors": [{"code", "message"}]}``);
the other functions read at most :data:`MAX_ERROR_BYTES` of a response and release it.
"""

from __future__ import annotations

import json
from typing import Protocol

import urllib3

from orasx.errors import AuthenticationError, NetworkError, NotFoundError, RegistryError
from orasx.registry._urls import redact_url

#: The most of an error body we read.
MAX_ERROR_BYTES = 8 * 1024


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
    codes: list[str] = []
    messages: list[str] = []
    try:
        doc = json.loads(body)
        for err in doc.get("errors", []) if isinstance(doc, dict) else []:
            if isinstance(err, dict):
                codes.append(str(err.get("code", "")))
                if err.get("message"):
                    messages.append(str(err["message"]))
    except ValueError:
        pass
    return codes, messages


def registry_error(resp: ErrorResponse, method: str, what: str, registry: str) -> RegistryError:
    """Turn an error response into the right exception, with the registry's error codes."""
    body = resp.read_capped(MAX_ERROR_BYTES)
    resp.discard()
    codes, messages = parse_error_body(body)
    detail = "; ".join(
        f"{c}: {m}" if m else c for c, m in zip(codes, messages + [""] * len(codes), strict=False)
    ) or (body[:200].decode(errors="replace").strip() if body else "")
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
