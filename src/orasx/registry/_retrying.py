"""Retry as a wrapper around a transport (oras-go's ``retry`` RoundTripper).

When to retry and how long to wait is the pure :class:`~orasx.registry.retry.RetryPolicy`; this
module only loops. A request whose body cannot be sent again (a stream) is never retried, nor
is one whose deadline passed or would pass during the wait.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from orasx.errors import NetworkError
from orasx.registry._transport import Request, Response, Transport, rewindable
from orasx.registry._urls import redact_url
from orasx.registry.retry import RETRYABLE_STATUS, RetryPolicy
from orasx.retry import retries_network_error

log = logging.getLogger("orasx.http")


class RetryingTransport:
    """Sends through ``transport``, retrying 429/5xx answers and connection errors per ``policy``."""

    def __init__(self, transport: Transport, policy: RetryPolicy,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.transport = transport
        self.policy = policy
        self.sleep = sleep

    def close(self) -> None:
        self.transport.close()

    def send(self, request: Request) -> Response:
        policy = self.policy
        method, url = request.method, request.url
        can_retry = rewindable(request.body)
        deadline = request.deadline
        start = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                resp = self.transport.send(request)
            except NetworkError as e:
                wait = policy.delay(attempt, elapsed=time.monotonic() - start) \
                    if can_retry and retries_network_error(e.reason) else None
                if wait is None or (deadline is not None and wait >= deadline.remaining()):
                    raise
                log.info("retrying %s %s in %.2fs after: %s", method, redact_url(url), wait, e)
                self.sleep(wait)
                continue
            if not can_retry or resp.status not in RETRYABLE_STATUS:
                return resp
            wait = policy.delay(attempt, status=resp.status,
                                retry_after=resp.header("Retry-After"),
                                elapsed=time.monotonic() - start)
            if wait is None or (deadline is not None and wait >= deadline.remaining()):
                return resp
            resp.discard()
            log.info("retrying %s %s in %.2fs after status %s", method, redact_url(url), wait,
                     resp.status)
            self.sleep(wait)
