"""The registry layer against hostile answers, one class at a time, at the point each value is
parsed: Link headers (linear time, capped, malformed URLs), numbers that only look numeric,
tokens that cannot be headers, JSON nested too deep or of the wrong type, listings that never
end or loop, metadata that drips, blobs that trickle, and secrets in ``--debug`` output.

Most tests play answers through the scripted transport of ``test_repository_unit``; the
deadline and stall tests use the hostile registry of ``tests/support/hostile.py`` on loopback,
since what they check happens inside the socket reads.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3

from orasx.descriptor import Descriptor
from orasx.digest import Digest
from orasx.errors import (
    AuthenticationError,
    NetworkError,
    RegistryError,
    SizeLimitError,
)
from orasx.registry import auth
from orasx.registry._errors import Deadline, parse_error_body
from orasx.registry._http import Client, ClientOptions
from orasx.registry._transport import MAX_DISCARD_BYTES, Request, Response, Sender
from orasx.registry._urls import (
    MAX_LINK_BYTES,
    debug_request,
    debug_response,
    header_int,
    join_url,
    parse_link,
    redact_headers,
    redact_url,
    redact_userinfo,
    url_problem,
)
from orasx.registry.remote import Repository
from orasx.registry.retry import RetryPolicy, parse_retry_after
from tests.registry.test_repository_unit import (
    HOST,
    REPO,
    V2,
    Reply,
    ScriptedTransport,
    blob,
    index_of,
    manifest,
)
from tests.support.hostile import HostileRegistry

BASE = f"https://{HOST}{V2}/tags/list"


@pytest.fixture
def net() -> Iterator[ScriptedTransport]:
    t = ScriptedTransport()
    yield t
    assert not t.steps, f"requests never sent: {t.steps}"


def repo_with(net: ScriptedTransport, **options: object) -> Repository:
    opts = ClientOptions(retry=RetryPolicy(max_attempts=1), sleep=lambda _s: None,
                         **options)
    return Repository(f"{HOST}/{REPO}", Client(opts, transport=net))


def fast(fn, *args, limit: float = 0.05):
    """``fn(*args)`` (its result or the exception it raised) and a check that it took < limit."""
    start = time.perf_counter()
    try:
        result: object = fn(*args)
    except Exception as e:  # the caller checks what came back
        result = e
    took = time.perf_counter() - start
    assert took < limit, f"{fn.__name__} took {took * 1000:.0f} ms"
    return result


# -- Link: linear time, capped, malformed URLs ---------------------------------------------------
@pytest.mark.parametrize("header", [
    "<" * 60_000,
    "<" * MAX_LINK_BYTES,
    "<a>;" * (MAX_LINK_BYTES // 4),
    '<a>; rel="' + "\\" * (MAX_LINK_BYTES - 20),
    "<a>" + ",<" * (MAX_LINK_BYTES // 2 - 2),
    '<a>; rel="' + '"' * (MAX_LINK_BYTES - 20),
    "://" * (MAX_LINK_BYTES // 3),
])
def test_a_hostile_link_header_is_handled_in_linear_time(header):
    result = fast(parse_link, header, BASE, "reg/app")
    assert result == "" or isinstance(result, RegistryError)


def test_a_60000_character_link_is_refused_naming_the_cap():
    err = fast(parse_link, "<" * 60_000, BASE, "reg/app")
    assert isinstance(err, RegistryError)
    assert str(err) == ("reg/app: the registry sent a Link header of 60000 bytes, over the 8 KiB "
                        "limit")


@pytest.mark.parametrize(("header", "want"), [
    (f'<{V2}/tags/list?last=b>; rel="next"', f"https://{HOST}{V2}/tags/list?last=b"),
    ("</n>; rel=next", f"https://{HOST}/n"),
    ('</p>; rel="prev", </n>; rel="next"', f"https://{HOST}/n"),
    ('</p?a=1,2>; title="x, <y>; rel=next", </n>; REL="first next"', f"https://{HOST}/n"),
    ('</p>; rel="prev"', ""),
    ("", ""),
    ("garbage", ""),
])
def test_link_finds_the_next_page(header, want):
    assert parse_link(header, BASE) == want


@pytest.mark.parametrize(("target", "problem"), [
    (f"https://{HOST}:99999/x", "port out of range"),
    ("https://[::1/x", "invalid IPv6 URL"),
    (f"https://{HOST}:abc/x", "port could not be cast"),
    ("/x\r\nX-Injected: 1", "control characters"),
    ("/x\u20ac", "non-ASCII"),
    ("ftp://host/x", "not an http(s) URL"),
])
def test_link_to_a_malformed_url_is_refused(target, problem):
    with pytest.raises(RegistryError, match=re.escape(
            f"reg/app: the Link to the next page is malformed ({problem}")):
        parse_link(f'<{target}>; rel="next"', BASE, "reg/app")


def test_join_url_never_raises_a_bare_value_error():
    for ref in ("http://[::1/x", "http://h:99999/", "http://h:-1/", "http://[zz]/", "\x00",
                "/x\r\ny", " /x\x7f"):
        with pytest.raises(NetworkError, match=r"^redirect is malformed"):
            join_url(BASE, ref, "redirect", NetworkError)
    assert join_url(BASE, "/v2/x?y=1", "redirect") == f"https://{HOST}/v2/x?y=1"
    assert url_problem("http://[::1]:5000/x") == ""


def test_redact_url_copes_with_urls_urllib_cannot_split():
    assert redact_url("http://user:pw@[::1/x?token=s3cret") == "http://[::1/x"


# -- numbers that only look numeric ----------------------------------------------------------------
@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "1e3", "-1", "0x10", "1 2", "9" * 21])
def test_header_numbers_are_ascii_digits_only(value):
    assert value.isdigit() or not value.isdigit()  # "²" and "٣" are isdigit(); int("²") fails
    with pytest.raises(ValueError):
        header_int(value)
    assert header_int(" 42 ") == 42 and header_int("") is None


@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "1" * 65, "Mon, 01 Jan 99999 00:00:00 GMT",
                                   "Wed, 21 Oct 2015 99:28:00 GMT", ",,,", "\x00"])
def test_retry_after_that_is_neither_seconds_nor_a_date_is_ignored(value):
    assert parse_retry_after(value) is None
    assert RetryPolicy().delay(1, status=429, retry_after=value, rand=0.5) == 0.125


def test_a_blob_content_length_that_only_looks_numeric_is_refused(net):
    desc = blob(b"hello\n")
    net.on("GET", f"{V2}/blobs/{desc.digest}", Reply(200, {"Content-Length": "\u00b2"}, b"x"))
    with pytest.raises(RegistryError, match=r"invalid Content-Length '\u00b2'"):
        repo_with(net).fetch(desc)


def test_a_manifest_head_content_length_that_only_looks_numeric_is_refused(net):
    desc, _ = manifest()
    net.on("HEAD", f"{V2}/manifests/v1", Reply(200, {
        "Content-Type": desc.media_type, "Docker-Content-Digest": str(desc.digest),
        "Content-Length": "\u0663"}))
    with pytest.raises(RegistryError, match="invalid Content-Length"):
        repo_with(net).resolve("v1")


def test_an_unreadable_chunk_min_length_is_ignored(net, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    desc = blob(b"abc")
    net.on("POST", f"{V2}/blobs/uploads/", Reply(202, {"Location": "/up/1",
                                                       "OCI-Chunk-Min-Length": "\u00b2"}))
    net.on("PATCH", "/up/1", Reply(202, {"Location": "/up/1"}))
    net.on("PUT", r"/up/1\?digest=.*", Reply(201))
    repo = repo_with(net)
    repo.chunked_threshold = 1
    repo.push(desc, io.BytesIO(b"abc"))


# -- tokens and realms -----------------------------------------------------------------------------
@pytest.mark.parametrize("token", ["t\r\nX-Injected: yes", "t\u20ac", "t\u2603", "a b", "t\x00",
                                   "t\x7f", "\u00e9"])
def test_a_token_that_cannot_be_a_header_is_refused(token):
    with pytest.raises(AuthenticationError, match="characters an HTTP header cannot carry"):
        auth.parse_token_response(json.dumps({"token": token}).encode())


def test_a_token_response_nested_8000_deep_is_refused():
    with pytest.raises(AuthenticationError, match=r"^reg: token response: JSON nested too deeply$"):
        auth.parse_token_response(b"[" * 8000 + b"]" * 8000, "reg")
    with pytest.raises(AuthenticationError, match="not a string"):
        auth.parse_token_response(b'{"token": ["x"]}')


def test_a_crlf_token_never_reaches_a_request(net):
    net.on("HEAD", f"{V2}/manifests/v1", Reply(401, {
        "WWW-Authenticate": 'Bearer realm="https://auth.example.com/token",service="reg"'}))
    net.on("GET", r"/token\?.*", Reply(200, {}, b'{"token":"t\\r\\nX-Injected: yes"}'))
    with pytest.raises(AuthenticationError, match=f"^{HOST}: token server: the token issued has"):
        repo_with(net).resolve("v1")
    assert len(net.sent) == 2


@pytest.mark.parametrize(("realm", "problem"), [
    ("http://127.0.0.1:99999/token", "port out of range"),
    ("http://[::1/token", "invalid IPv6 URL"),
    ("http://u:pw@[::1/token", "invalid IPv6 URL"),
    ("http://host/tok en", "control characters"),
])
def test_a_malformed_realm_is_refused(realm, problem):
    with pytest.raises(AuthenticationError, match=rf"^refusing token realm .*: malformed URL \("
                                                  rf"{problem}") as err:
        auth.validate_realm(realm, "http", "127.0.0.1:5000")
    assert "pw" not in str(err.value)


# -- JSON nested too deep, or of the wrong type ----------------------------------------------------
DEEP = b"[" * 8000 + b"]" * 8000


@pytest.mark.parametrize(("body", "message"), [
    (b'{"tags":' + DEEP + b"}", "the tag list: JSON nested too deeply"),
    (DEEP, "the tag list: JSON nested too deeply"),
    (b'{"tags": 5}', "the tag list: 'tags' is a number, not a list"),
    (b'{"tags": [1]}', "the tag list: 'tags' holds a number, not a name"),
    (b"[]", "the tag list: expected a JSON object, got a list"),
    (b"\xff", "the tag list: not valid JSON"),
])
def test_a_malformed_tag_list_is_refused(net, body, message):
    net.on("GET", f"{V2}/tags/list", Reply(200, {}, body))
    with pytest.raises(RegistryError, match=f"^{HOST}/{REPO}: {message}"):
        list(repo_with(net).tags())


def test_an_error_body_nested_8000_deep_is_named_not_quoted(net):
    net.on("GET", f"{V2}/manifests/v1", Reply(400, {}, b'{"errors":' + DEEP + b"}"))
    with pytest.raises(RegistryError, match=r"response status code 400: Bad Request: malformed "
                                            r"error body: JSON nested too deeply$"):
        repo_with(net).fetch_reference("v1")
    assert parse_error_body(b'{"errors": {"code": 1}}') == ([], [])
    assert parse_error_body(b'{"errors": [{"code": 5, "message": ["m"]}]}') == ([""], [])


# -- listings: caps, loops -------------------------------------------------------------------------
def _tag_page(names: list[str], nxt: str = "") -> Reply:
    headers = {"Link": f'<{nxt}>; rel="next"'} if nxt else {}
    return Reply(200, headers, json.dumps({"tags": names}).encode())


def test_tags_stop_at_the_item_cap(net):
    for i in range(3):
        net.on("GET", rf"{V2}/tags/list(\?page={i})?",
               _tag_page([f"t{i}-{j}" for j in range(4)], f"{V2}/tags/list?page={i + 1}"))
    got: list[str] = []
    with pytest.raises(SizeLimitError, match=rf"^{HOST}/{REPO}: the registry listed more than 10 "
                                             r"tags, over the limit \(ClientOptions.max_tags\)$"):
        got.extend(repo_with(net, max_tags=10).tags())
    assert len(got) == 8  # streamed: the pages before the cap were yielded, nothing after


def test_tags_stop_at_the_byte_cap(net):
    net.on("GET", f"{V2}/tags/list", _tag_page(["a" * 100] * 5, f"{V2}/tags/list?p=2"))
    net.on("GET", rf"{V2}/tags/list\?p=2", _tag_page(["b" * 100] * 5, f"{V2}/tags/list?p=3"))
    with pytest.raises(SizeLimitError, match=r"over the limit of 1000 bytes \(ClientOptions"
                                             r"\.max_listing_bytes\)"):
        list(repo_with(net, max_listing_bytes=1000).tags())


def test_tags_stop_when_the_next_page_repeats(net):
    net.on("GET", f"{V2}/tags/list", _tag_page(["a"], f"{V2}/tags/list?last=a"))
    net.on("GET", rf"{V2}/tags/list\?last=a", _tag_page(["b"], f"{V2}/tags/list?last=a"))
    with pytest.raises(RegistryError, match=r"the tags listing loops: the next page .*last=a "
                                            r"repeats an earlier page"):
        list(repo_with(net).tags())
    assert len(net.sent) == 2


def test_a_later_page_that_fails_is_an_error(net):
    net.on("GET", f"{V2}/tags/list", _tag_page(["a"], f"{V2}/tags/list?last=a"))
    net.on("GET", rf"{V2}/tags/list\?last=a", Reply(500, {}, b"oops"))
    with pytest.raises(RegistryError, match="response status code 500: Internal Server Error: oops"):
        list(repo_with(net).tags())


def test_referrers_stop_at_the_item_cap(net):
    subject, _ = manifest()
    refs = [Descriptor("application/vnd.oci.image.manifest.v1+json",
                       Digest.from_bytes(str(i).encode()), 1) for i in range(6)]
    url = f"{V2}/referrers/{subject.digest}"
    net.on("GET", url, Reply(200, {"Content-Type": "application/vnd.oci.image.index.v1+json",
                                   "Link": f'<{url}?page=2>; rel="next"'}, index_of(refs[:3])))
    net.on("GET", rf"{url}\?page=2", Reply(200, {}, index_of(refs[3:])))
    with pytest.raises(SizeLimitError, match=r"more than 5 referrers, over the limit "
                                             r"\(ClientOptions.max_referrers\)"):
        repo_with(net, max_referrers=5).referrers(subject)


def test_the_defaults_are_documented_constants(monkeypatch):
    monkeypatch.setenv("ORASX_METADATA_DEADLINE", "1")
    o = ClientOptions()
    assert (o.metadata_deadline, o.max_tags, o.max_referrers, o.max_listing_bytes) == (
        60.0, 100_000, 10_000, 64 * 1024 * 1024)


# -- bodies: discard is bounded --------------------------------------------------------------------
class _Endless(io.RawIOBase):
    """A body that never ends, counting what was read of it."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        b[:] = bytes(len(b))
        self.served += len(b)
        return len(b)


def test_discard_reads_a_bounded_amount_of_an_endless_body():
    body = _Endless()
    raw = urllib3.HTTPResponse(body=io.BufferedReader(body), headers={}, status=404,
                               preload_content=False)
    resp = Response(raw, "https://reg.example.com/v2/x")
    fast(resp.discard, limit=0.5)
    assert body.served <= MAX_DISCARD_BYTES + 64 * 1024
    assert raw.closed


# -- debug output ----------------------------------------------------------------------------------
def test_debug_headers_hide_userinfo_everywhere():
    challenge = 'Bearer realm="http://hostile:pw-7f3a@127.0.0.1:5000/token",service="x"'
    out = redact_headers({"WWW-Authenticate": challenge, "Authorization": "Bearer tok",
                          "Location": "http://u:p@h/x?sig=abc", "X-Custom": "v",
                          "Link": '<http://u:p@h/n>; rel="next"', "X-Api-Key": "k",
                          "X-Auth-Token": "t", "Cookie": "c"}, {"X-Custom": " v"})
    assert "pw-7f3a" not in str(out) and "Bearer tok" not in str(out) and "u:p" not in str(out)
    assert out["WWW-Authenticate"] == 'Bearer realm="http://127.0.0.1:5000/token",service="x"'
    assert out["Authorization"] == out["X-Api-Key"] == out["X-Auth-Token"] == "*****"
    assert out["Cookie"] == "*****"
    assert out["X-Custom"] == " v"  # a custom header as the user wrote it, as the Go CLI prints
    assert redact_userinfo("a http://x@y@z/p and https://q:r@s") == "a http://z/p and https://s"
    fast(redact_userinfo, "://" * 20_000 + "a" * 60_000 + "@")


def test_debug_blocks_are_the_go_clis_with_secrets_hidden_and_escapes_quoted():
    req = debug_request(7, "PUT", "http://u:pw@localhost:5000/v2/r/blobs/uploads/x?_state=S3&"
                        "digest=sha256%3Aab", {"Authorization": "Basic c2VjcmV0", "X-T": "t0k"},
                        {"X-Secret-T": "x"})
    assert req == (
        '--> Request #7\n'
        '> Request URL: "http://localhost:5000/v2/r/blobs/uploads/x?_state=REDACTED&'
        'digest=sha256%3Aab"\n'
        '> Request method: "PUT"\n'
        '> Request headers:\n'
        '   "Authorization": "*****"\n'
        '   "X-T": "t0k"')
    resp = debug_response(7, "GET", 404, "Not Found", urllib3.HTTPHeaderDict(
        [("Content-Type", "application/json"), ("Set-Cookie", "sid=1"), ("Set-Cookie", "b=2"),
         ("X-Evil", "\x1b]0;pwned\x07\u200b\"q\"")]))
    assert resp == (
        '<-- Response #7\n'
        '< Response Status: "404 Not Found"\n'
        '< Response headers:\n'
        '   "Content-Type": "application/json"\n'
        '   "Set-Cookie": "*****"\n'
        '   "X-Evil": "\\x1b]0;pwned\\a\\u200b\\"q\\""\n'
        '< Response body:\n'
        '   Response body is not printed (orasx streams it to the command)')
    assert debug_response(0, "HEAD", 200, "", {}).endswith(
        '< Response Status: "200"\n< Response headers:\n   Empty header\n'
        '< Response body:\n   No response body to print')
    assert debug_response(0, "GET", 200, "OK", {"Content-Type": "application/octet-stream"}
                          ).endswith('   Response body of content type '
                                     '"application/octet-stream" is not printed')


# -- metadata deadline and blob minimum rate, on loopback ------------------------------------------
@pytest.fixture
def hostile() -> Iterator[list[HostileRegistry]]:
    started: list[HostileRegistry] = []
    yield started
    for reg in started:
        reg.stop()


def _repo(reg: HostileRegistry, **options: object) -> Repository:
    opts = ClientOptions(read_timeout=5, connect_timeout=5, use_env_proxies=False,
                         plain_http=True, **options)
    return Repository(reg.ref(), Client(opts))


@pytest.mark.parametrize("scenario", ["slow-headers", "slow-manifest-body"])
def test_metadata_that_drips_hits_the_deadline_once_not_per_retry(hostile, scenario):
    reg = HostileRegistry(scenario).start()
    hostile.append(reg)
    repo = _repo(reg, metadata_deadline=1.0, retry=RetryPolicy(max_attempts=5, base_delay=0.01))
    start = time.monotonic()
    with pytest.raises(NetworkError, match=r"took longer than 1 s \(the metadata deadline\)") as e:
        repo.fetch_reference("v1")
    assert e.value.reason == "deadline"
    assert time.monotonic() - start < 2.0
    assert [m for m, _ in reg.requests].count("GET") <= 1


def test_a_trickling_blob_is_resumed_once_then_given_up_on_and_not_asked_for_again(hostile):
    reg = HostileRegistry("trickle-blob").start()
    hostile.append(reg)
    repo = _repo(reg, stall_window=0.5, stall_min_bytes=16 * 1024)
    data = reg.scenario.data
    desc = Descriptor("application/octet-stream", Digest.from_bytes(data), len(data))
    stream = repo.fetch(desc)
    start = time.monotonic()
    too_slow = r"transfer too slow: under 16384 bytes in 0.5 s, on 2 connections in a row$"
    with pytest.raises(NetworkError, match=too_slow) as e:
        while stream.read(65536):
            pass
    assert e.value.reason == "too-slow"
    assert time.monotonic() - start < 2.0  # two windows, not MAX_RESUMES of them
    blob_gets = [p for m, p in reg.requests if m == "GET" and "/blobs/" in p]
    assert len(blob_gets) == 2  # the first connection and one resume
    err = fast(repo.fetch, desc)  # the copy engine's retry of the blob: refused at once
    assert isinstance(err, NetworkError) and err.reason == "too-slow"
    assert re.search(too_slow, str(err))
    assert len([p for m, p in reg.requests if m == "GET" and "/blobs/" in p]) == 2


class _Redirector(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", "http://[::1/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_malformed_redirect_location_is_refused():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sender = Sender(ClientOptions(use_env_proxies=False))
        url = f"http://127.0.0.1:{server.server_address[1]}/v2/"
        with pytest.raises(NetworkError, match=r"the redirect Location is malformed \(invalid "
                                               r"IPv6 URL\)"):
            sender.send(Request("GET", url, {}, deadline=Deadline.after(5)))
    finally:
        server.shutdown()
        server.server_close()


def test_debug_log_of_a_challenge_hides_the_realm_password(hostile, caplog):
    reg = HostileRegistry("debug-secrets").start()
    hostile.append(reg)
    with caplog.at_level(logging.DEBUG, logger="orasx.http"):
        _repo(reg).resolve("v1")
    assert "WWW-Authenticate" in caplog.text
    sent = [m.split("\n")[0][13:] for m in caplog.messages if m.startswith("--> Request #")]
    answered = [m.split("\n")[0][14:] for m in caplog.messages if m.startswith("<-- Response #")]
    assert sent and all(n.isdigit() for n in sent) and len(set(sent)) == len(sent)
    assert sorted(sent) == sorted(answered)  # every block numbered, in pairs
    assert "realm-pw-7f3a" not in caplog.text and "tok-SECRET" not in caplog.text
