"""When to retry a request, and how long to wait: a pure policy.

Retried: 408, 429, 500, 502, 503, 504 and connection-level errors, on requests whose body can be
sent again. Not retried: other 4xx (``DIGEST_INVALID``, ``DENIED``, ...), 501, 505. Waits grow
exponentially with full jitter, are capped, honour ``Retry-After`` (seconds or an HTTP date,
capped) and stop at a bounded number of attempts and total time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from orasx.errors import Reason

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
#: Connection failures (``NetworkError.reason``) that the same request cannot cure at once: nothing
#: listens (refused), the name does not resolve, the answer was plain HTTP or a certificate that
#: does not verify, the time budget is spent. The Go CLI fails on these at once too; a timeout,
#: a reset or a connection closed without an answer (a stale pooled connection) is retried.
FINAL_NETWORK_REASONS = frozenset({
    Reason.REFUSED, Reason.HTTPS_REFUSED, Reason.LOOKUP, Reason.HTTPS_PLAIN, Reason.TLS_VERIFY,
    Reason.DEADLINE,
})


def retries_network_error(reason: str) -> bool:
    """May a request that failed at the connection level for ``reason`` succeed if sent again?"""
    return reason not in FINAL_NETWORK_REASONS


@dataclass(frozen=True)
class RetryPolicy:
    """``max_attempts`` counts the first try; delays are in seconds."""

    max_attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 4.0
    max_retry_after: float = 30.0
    max_total: float = 120.0

    def backoff(self, attempt: int, rand: float | None = None) -> float:
        """Full-jitter exponential backoff before retry number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        r = random.random() if rand is None else rand
        return float(ceiling * r)

    def delay(
        self,
        attempt: int,
        *,
        status: int | None = None,
        retry_after: str = "",
        elapsed: float = 0.0,
        now: float | None = None,
        rand: float | None = None,
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to give up.

        ``attempt`` is how many tries were made so far; ``status`` is None for a connection error.
        """
        if status is not None and status not in RETRYABLE_STATUS:
            return None
        if attempt >= self.max_attempts:
            return None
        wait = self.backoff(attempt, rand)
        if retry_after and status in (429, 503):
            hinted = parse_retry_after(retry_after, now)
            if hinted is not None:
                wait = max(wait, min(hinted, self.max_retry_after))
        if elapsed + wait > self.max_total:
            return None
        return wait


def parse_retry_after(value: str, now: float | None = None) -> float | None:
    """``Retry-After``: delta-seconds or an HTTP date; None when it is neither.

    Only ASCII digits are seconds (``"²".isdigit()`` is true, ``float("²")`` fails); a header
    that is neither form (or an absurdly long one) is ignored, never an error.
    """
    value = value.strip()
    if not value or len(value) > 64:
        return None
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        import email.utils  # only for an HTTP-date Retry-After (14 ms of imports)

        when = email.utils.parsedate_to_datetime(value)
        stamp = when.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError, OSError, AttributeError):
        return None
    import time

    current = time.time() if now is None else now
    return max(0.0, stamp - current)
