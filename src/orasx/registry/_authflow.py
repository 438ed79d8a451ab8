"""The auth flow: challenge -> token with the right scope -> retry once, with its caches.

:class:`AuthFlow` owns what a client learns about authentication (each host's challenge and the
``Authorization`` granted per host and scope set) and does the few requests the flow needs
(the token request); what to send and how to read the answers are the pure functions of
:mod:`orasx.registry.auth`.
"""

from __future__ import annotations

import dataclasses
import threading
import urllib.parse
from collections.abc import Callable
from typing import Any

from orasx.errors import AuthenticationError, NetworkError, Reason
from orasx.registry import auth
from orasx.registry._errors import (
    CapturedResponse,
    ErrorResponse,
    captured,
    refused_error,
)
from orasx.registry._transport import Deadline, Request, Response, Transport, rewindable
from orasx.registry._urls import origin, redact_url, scheme_for

CredentialFunc = Callable[[str], auth.Credential]


class AuthFlow:
    """Sends registry requests through ``transport`` with the credentials of their host.

    ``token_transport`` carries token requests (not retried, redirects not followed).
    ``plain_http`` is the client's choice of scheme (None: plain HTTP for localhost only).
    ``token_deadline``: seconds a token request may take when the request it is for has no
    deadline of its own (0: none).
    """

    def __init__(
        self,
        transport: Transport,
        token_transport: Transport,
        credentials: CredentialFunc,
        *,
        user_agent: str,
        plain_http: bool | None,
        token_deadline: float = 60.0,
    ) -> None:
        self.transport = transport
        self.token_transport = token_transport
        self.credentials = credentials
        self.user_agent = user_agent
        self.plain_http = plain_http
        self.token_deadline = token_deadline
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, tuple[str, ...]], str] = {}
        self._challenges: dict[str, auth.Challenge] = {}

    def send(self, request: Request, scopes: tuple[str, ...] = ()) -> Response:
        """Send ``request`` (to a registry URL) authorized for ``scopes``.

        A 401 from the registry's own origin runs the auth flow once and, when the body can be
        sent again, retries. The caller reads and closes the response.
        """
        url, body = request.url, request.body
        reg_origin = origin(url)
        host = urllib.parse.urlsplit(url).netloc
        request = dataclasses.replace(request, registry=reg_origin)
        key = (host, auth.merge_scopes(*scopes))
        with self._lock:
            cached = self._tokens.get(key)
        if cached is None:
            cached = self._on(request, self._proactive, host, key[1], request.deadline)
        resp = self.transport.send(dataclasses.replace(request, authorization=cached))
        if resp.status != 401 or origin(resp.url) != reg_origin:
            return resp
        challenges = auth.parse_challenges(resp.header("WWW-Authenticate"))
        first = captured(resp)
        new_auth = self._on(request, self._authenticate, host, reg_origin[0], challenges, key[1],
                            request.deadline)
        if new_auth is None or new_auth == cached:
            raise self.unauthorized(host, first, request.method)
        if not rewindable(body):
            raise AuthenticationError(
                f"{host}: the registry asked for authentication in the middle of an upload: "
                "try again (credentials are now cached)"
            )
        with self._lock:
            self._tokens[key] = new_auth
        resp = self.transport.send(dataclasses.replace(request, authorization=new_auth))
        if resp.status == 401:
            if new_auth.startswith("Bearer ") and key[1] and self.credentials(host):
                resp.discard()
                raise AuthenticationError(
                    f"{host}: denied: the token granted does not cover {' '.join(key[1])}",
                    status=401, reason=Reason.DENIED, registry=host,
                )
            raise self.unauthorized(host, resp, request.method)
        return resp

    @staticmethod
    def _on(request: Request, step: Callable[..., str | None], *args: Any) -> str | None:
        """``step(*args)``, its incomplete-credential error naming the request (oras-go's
        ``<METHOD> "<url>": missing username or password for basic auth``)."""
        try:
            return step(*args)
        except AuthenticationError as e:
            if e.reason is not Reason.BASIC_INCOMPLETE:
                if not e.for_request:
                    e.for_request = (request.method, redact_url(request.url))
                raise
            raise AuthenticationError(f'{request.method} "{redact_url(request.url)}": {e}',
                                      reason=Reason.BASIC_INCOMPLETE, registry=e.registry
                                      ) from None
        except NetworkError as e:  # the token request's (oras-go names the request it was for)
            if not e.for_request:
                e.for_request = (request.method, redact_url(request.url))
            raise

    def unauthorized(self, host: str, resp: ErrorResponse | None = None,
                     method: str = "") -> AuthenticationError:
        """The error for a registry that still answers 401 (``resp``, consumed here): with
        credentials, oras-go's text of that answer (``refused_error``)."""
        cred = self.credentials(host)
        if cred and resp is not None:
            return refused_error(resp, method, host)
        if resp is not None:
            resp.discard()
        if cred:
            return AuthenticationError(f"{host}: unauthorized: the credentials were refused",
                                       status=401, reason=Reason.CREDENTIALS_REFUSED, registry=host)
        return AuthenticationError(f"{host}: unauthorized: no credentials", status=401,
                                   reason=Reason.UNAUTHORIZED, registry=host)

    def _proactive(self, host: str, scopes: tuple[str, ...],
                   deadline: Deadline | None) -> str | None:
        """Authenticate before sending when we already know how this host wants it."""
        with self._lock:
            challenge = self._challenges.get(host)
        if challenge is None:
            return None
        header = self._answer(host, scheme_for(host, self.plain_http), challenge, scopes,
                              deadline)
        if header is not None:
            with self._lock:
                self._tokens[(host, scopes)] = header
        return header

    def _authenticate(
        self, host: str, scheme: str, challenges: list[auth.Challenge], scopes: tuple[str, ...],
        deadline: Deadline | None,
    ) -> str | None:
        for ch in challenges:
            if ch.scheme in ("bearer", "basic"):
                with self._lock:
                    self._challenges[host] = ch
                return self._answer(host, scheme, ch, scopes, deadline)
        return None

    def _answer(
        self, host: str, scheme: str, ch: auth.Challenge, scopes: tuple[str, ...],
        deadline: Deadline | None = None,
    ) -> str | None:
        """The ``Authorization`` that answers challenge ``ch`` for ``scopes`` (None: cannot).

        The token request is a metadata request: it ends by ``deadline`` (the request's it is
        for) or within ``token_deadline`` seconds."""
        cred = self.credentials(host)
        if ch.scheme == "basic":
            if not cred:
                return None
            if not (cred.username and cred.password):  # a token, or half of a password
                raise AuthenticationError("missing username or password for basic auth",
                                          reason=Reason.BASIC_INCOMPLETE, registry=host)
            if scheme != "https" and not self._plain_http_allowed(host):
                raise AuthenticationError(
                    f"{host}: refusing to send a password over plain HTTP",
                    reason=Reason.PLAIN_HTTP_CREDENTIALS, registry=host,
                )
            return auth.basic_header(cred)
        if cred.registry_token:
            return f"Bearer {auth.check_token(cred.registry_token, f'{host}: the registry token')}"
        realm = ch.params.get("realm", "")
        all_scopes = auth.merge_scopes(ch.params.get("scope", ""), *scopes)
        method, url, headers, body = auth.token_request(ch, all_scopes, cred)
        try:
            auth.validate_realm(realm, scheme, host)
        except AuthenticationError as e:
            if e.reason is not Reason.TOKEN_REALM:
                raise
            # the request that cannot be sent, for oras-go's words (unsupported protocol scheme)
            raise AuthenticationError(str(e), reason=Reason.TOKEN_REALM, method=method,
                                      url=redact_url(url), registry=host) from None
        headers["User-Agent"] = self.user_agent
        if deadline is None and self.token_deadline > 0:
            deadline = Deadline.after(self.token_deadline)
        resp = self.token_transport.send(Request(method, url, headers, body, follow=False,
                                                 deadline=deadline))
        try:
            data = resp.read_capped(auth.MAX_TOKEN_BYTES)
        finally:
            resp.close()
        if resp.status == 401 or resp.status == 403:
            raise AuthenticationError(
                f"{host}: the token server refused the credentials",
                status=resp.status, reason=Reason.CREDENTIALS_REFUSED, registry=host,
            )
        if resp.status != 200:  # oras-go's text of the token server's answer
            err = refused_error(CapturedResponse(resp.status, resp.url, data), method, host,
                                Reason.NONE)
            if not err.detail:  # no errors in the body: oras-go prints only the status
                err = refused_error(CapturedResponse(resp.status, resp.url, b""), method, host,
                                    Reason.NONE)
            raise err
        return "Bearer " + auth.parse_token_response(data, f"{host}: token server")

    def _plain_http_allowed(self, host: str) -> bool:
        """Basic credentials go over plain HTTP only to a host the client chose plain HTTP for
        (``plain_http=True``, or ``localhost`` by default): never after a redirect or upload
        ``Location`` downgraded an HTTPS registry (``127.0.0.1`` included) to HTTP."""
        return scheme_for(host, self.plain_http) == "http"
