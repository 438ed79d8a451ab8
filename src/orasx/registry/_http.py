"""The registry HTTP client: one per command, shared by its worker threads.

:class:`Client` composes the layers, each in its own module, as oras-go's ``auth.Client`` wraps
``retry.Client`` wraps an ``http.RoundTripper``:

- :mod:`~orasx.registry._transport`: the plain sender (pooled http.client connections,
  proxies, TLS, redirects that never carry credentials to another origin);
- :mod:`~orasx.registry._retrying`: retry around it, by the pure policy of
  :mod:`~orasx.registry.retry`;
- :mod:`~orasx.registry._authflow`: challenge -> token -> retry once, and the token cache.

The names other modules import from here (``Response``, ``parse_resolve``, ``redact_url``,
``origin``...) are re-exported from where they live.
"""

from __future__ import annotations

from collections.abc import Mapping

from orasx.registry import auth
from orasx.registry._authflow import AuthFlow, CredentialFunc
from orasx.registry._options import ClientOptions, parse_resolve
from orasx.registry._retrying import RetryingTransport
from orasx.registry._transport import (
    MAX_REDIRECTS,
    Body,
    Deadline,
    Request,
    Response,
    Sender,
    Transport,
)
from orasx.registry._urls import no_proxy_matches as _no_proxy
from orasx.registry._urls import origin, redact_url, scheme_for

__all__ = [
    "MAX_REDIRECTS",
    "Body",
    "Client",
    "ClientOptions",
    "CredentialFunc",
    "Deadline",
    "Request",
    "Response",
    "Transport",
    "_no_proxy",
    "origin",
    "parse_resolve",
    "redact_url",
]


class Client:
    """An HTTP client shared by all threads of one command; one pool per origin.

    ``transport`` replaces the sender (tests script one); retry and auth still wrap it.
    """

    def __init__(
        self,
        options: ClientOptions | None = None,
        credentials: CredentialFunc | auth.Credential | None = None,
        *,
        transport: Transport | None = None,
    ) -> None:
        self.options = o = options or ClientOptions()
        if isinstance(credentials, auth.Credential):
            cred = credentials
            self._credentials: CredentialFunc = lambda _host: cred
        else:
            self._credentials = credentials or (lambda _host: auth.EMPTY_CREDENTIAL)
        self._transport: Transport = transport if transport is not None else Sender(o)
        self._auth = AuthFlow(
            RetryingTransport(self._transport, o.retry, o.sleep), self._transport,
            self._credentials, user_agent=o.user_agent, plain_http=o.plain_http,
            token_deadline=o.metadata_deadline,
        )

    # -- scheme ----------------------------------------------------------------------------
    def scheme_for(self, host: str) -> str:
        """``http`` or ``https`` for a registry host; only ``localhost`` defaults to plain HTTP."""
        return scheme_for(host, self.options.plain_http)

    def base_url(self, host: str) -> str:
        return f"{self.scheme_for(host)}://{host}"

    def close(self) -> None:
        self._transport.close()

    # -- requests --------------------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: Body = None,
        scopes: tuple[str, ...] = (),
        metadata: bool = False,
    ) -> Response:
        """Send a request to a registry URL with its credentials, following redirects.

        A 401 from the registry's own origin runs the auth flow once and, when the body can be
        sent again, retries. The caller reads and closes the response. ``metadata``: the whole
        request, its body included, must be done within ``options.metadata_deadline``.
        """
        hdrs = {"User-Agent": self.options.user_agent, **(headers or {})}
        seconds = self.options.metadata_deadline
        deadline = Deadline.after(seconds) if metadata and seconds > 0 else None
        resp = self._auth.send(Request(method, url, hdrs, body, deadline=deadline), scopes)
        if resp.deadline is None:
            resp.deadline = deadline
        if seconds > 0:
            resp.capped_seconds = seconds
        return resp

    def credential_for(self, host: str) -> auth.Credential:
        """The credential this client would use for ``host``."""
        return self._credentials(host)
