"""The retry policy (pure) and the retrying transport that applies it."""

from __future__ import annotations

import email.utils
import io

import pytest
import urllib3

from orasx.errors import NetworkError, Reason
from orasx.registry._retrying import RetryingTransport
from orasx.registry._transport import Request, Response
from orasx.registry.retry import RETRYABLE_STATUS, RetryPolicy, parse_retry_after
from orasx.retry import retries_network_error

POLICY = RetryPolicy(max_attempts=5, base_delay=0.25, max_delay=4.0, max_retry_after=30.0,
                     max_total=120.0)


# -- the policy --------------------------------------------------------------------------------
@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 0.25), (2, 0.5), (3, 1.0), (4, 2.0),
                                                  (5, 4.0), (6, 4.0), (12, 4.0)])
def test_backoff_doubles_up_to_the_cap(attempt, ceiling):
    assert POLICY.backoff(attempt, rand=1.0) == ceiling
    assert POLICY.backoff(attempt, rand=0.5) == ceiling / 2
    assert 0 <= POLICY.backoff(attempt) <= ceiling  # full jitter


@pytest.mark.parametrize("status", sorted(RETRYABLE_STATUS))
def test_retryable_statuses_wait_the_backoff(status):
    assert POLICY.delay(1, status=status, rand=1.0) == 0.25
    assert POLICY.delay(3, status=status, rand=1.0) == 1.0


def test_5xx_backoff_is_capped():
    policy = RetryPolicy(max_attempts=20, max_total=1e9)
    assert policy.delay(15, status=503, rand=1.0) == policy.max_delay


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 501, 505])
def test_other_statuses_are_not_retried(status):
    assert POLICY.delay(1, status=status, rand=1.0) is None


def test_a_connection_error_is_retried_like_a_5xx():
    assert POLICY.delay(2, rand=1.0) == 0.5


def test_429_honours_retry_after_seconds():
    assert POLICY.delay(1, status=429, retry_after="7", rand=1.0) == 7.0
    assert POLICY.delay(1, status=503, retry_after="3", rand=1.0) == 3.0


def test_retry_after_never_shortens_the_backoff():
    assert POLICY.delay(4, status=429, retry_after="0", rand=1.0) == 2.0


def test_retry_after_is_capped():
    assert POLICY.delay(1, status=429, retry_after="3600", rand=1.0) == 30.0


def test_retry_after_as_an_http_date():
    now = 1_700_000_000.0
    when = email.utils.formatdate(now + 12, usegmt=True)
    assert POLICY.delay(1, status=429, retry_after=when, now=now, rand=1.0) == 12.0
    past = email.utils.formatdate(now - 60, usegmt=True)
    assert parse_retry_after(past, now) == 0.0


def test_retry_after_only_counts_for_429_and_503():
    assert POLICY.delay(1, status=500, retry_after="20", rand=1.0) == 0.25


def test_a_malformed_retry_after_falls_back_to_the_backoff():
    assert parse_retry_after("soon") is None
    assert POLICY.delay(2, status=429, retry_after="soon", rand=1.0) == 0.5


def test_gives_up_after_max_attempts():
    assert POLICY.delay(4, status=503, rand=1.0) is not None
    assert POLICY.delay(5, status=503, rand=1.0) is None
    assert POLICY.delay(5, rand=1.0) is None


def test_gives_up_when_the_wait_would_pass_max_total():
    assert POLICY.delay(1, status=429, retry_after="25", elapsed=90, rand=1.0) == 25.0
    assert POLICY.delay(1, status=429, retry_after="25", elapsed=100, rand=1.0) is None


# -- the retrying transport --------------------------------------------------------------------
class Flaky:
    """Answers with ``answers`` in turn (a status, or an exception to raise)."""

    def __init__(self, *answers: int | Exception, retry_after: str = "") -> None:
        self.answers = list(answers)
        self.bodies: list[bytes | None] = []
        self.retry_after = retry_after

    def send(self, request: Request) -> Response:
        body = request.body
        self.bodies.append(body if body is None or isinstance(body, bytes) else b"".join(body))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        headers = {"Retry-After": self.retry_after} if self.retry_after else {}
        raw = urllib3.HTTPResponse(body=io.BytesIO(b""), headers=headers, status=answer,
                                   preload_content=False)
        return Response(raw, request.url)

    def close(self) -> None:
        pass


def retrying(inner: Flaky, policy: RetryPolicy = POLICY) -> tuple[RetryingTransport, list[float]]:
    waits: list[float] = []
    return RetryingTransport(inner, policy, waits.append), waits


def put(body: object) -> Request:
    return Request("PUT", "https://reg.example.com/v2/a/blobs/uploads/x", {}, body)  # type: ignore[arg-type]


def test_429_then_success_waits_retry_after():
    inner = Flaky(429, 201, retry_after="2")
    t, waits = retrying(inner)
    assert t.send(put(b"data")).status == 201
    assert waits == [2.0]  # the hint, longer than the backoff
    assert inner.bodies == [b"data", b"data"]


def test_5xx_is_retried_until_the_policy_gives_up():
    inner = Flaky(503, 502, 500, 504, 503)
    t, waits = retrying(inner)
    assert t.send(put(None)).status == 503
    assert len(waits) == 4 and all(0 <= w <= POLICY.max_delay for w in waits)
    assert not inner.answers


def test_a_body_that_cannot_be_rewound_is_not_retried():
    inner = Flaky(503)
    t, waits = retrying(inner)
    assert t.send(put(iter([b"a", b"b"]))).status == 503
    assert waits == [] and inner.bodies == [b"ab"]


def test_a_connection_error_on_a_stream_is_raised_at_once():
    inner = Flaky(NetworkError("PUT: connection reset"))
    t, waits = retrying(inner)
    with pytest.raises(NetworkError, match="connection reset"):
        t.send(put(iter([b"a"])))
    assert waits == []


def test_a_connection_error_is_retried_when_the_body_can_be_sent_again():
    inner = Flaky(NetworkError("GET: connection reset"), 200)
    t, waits = retrying(inner)
    assert t.send(put(b"x")).status == 200
    assert len(waits) == 1


@pytest.mark.parametrize("reason", [Reason.REFUSED, Reason.HTTPS_REFUSED, Reason.LOOKUP,
                                    Reason.TLS_VERIFY, Reason.HTTPS_PLAIN, Reason.DEADLINE])
def test_a_connection_error_that_cannot_cure_itself_is_raised_at_once(reason):
    """Nothing listens, no such host, a TLS or plain-HTTP mismatch: the Go CLI fails at once (7 ms
    for a refused connection), and so do we instead of trying 5 times over 2 s."""
    inner = Flaky(NetworkError("GET: no", reason=reason), 200)
    t, waits = retrying(inner)
    with pytest.raises(NetworkError):
        t.send(put(b"x"))
    assert waits == [] and inner.answers == [200]


@pytest.mark.parametrize("reason", [Reason.TIMEOUT, Reason.CONNECTION_RESET,
                                    Reason.CONNECTION_CLOSED, Reason.NONE])
def test_a_connection_error_that_may_not_happen_again_is_retried(reason):
    inner = Flaky(NetworkError("GET: dropped", reason=reason), 200)
    t, waits = retrying(inner)
    assert t.send(put(b"x")).status == 200
    assert len(waits) == 1
    assert retries_network_error(reason)


def test_a_status_that_is_not_retryable_comes_back_at_once():
    inner = Flaky(400)
    t, waits = retrying(inner)
    assert t.send(put(b"x")).status == 400
    assert waits == []
