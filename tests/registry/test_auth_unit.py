"""Pure parts of the auth flow: challenges, scopes, realms, token requests, redaction."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orasx.errors import AuthenticationError, InvalidInputError
from orasx.registry import auth
from orasx.registry._authflow import AuthFlow
from orasx.registry._http import _no_proxy, parse_resolve, redact_url
from orasx.registry._transport import Request
from orasx.registry._urls import scheme_for
from tests.registry.test_repository_unit import Reply, ScriptedTransport


def test_parse_challenges_handles_quotes_commas_and_several_challenges():
    h = ('Bearer realm="https://auth.example.com/token",service="registry.example.com",'
         'scope="repository:a/b:pull,push", Basic realm="x, y"')
    got = auth.parse_challenges(h)
    assert [c.scheme for c in got] == ["bearer", "basic"]
    assert got[0].params == {"realm": "https://auth.example.com/token",
                             "service": "registry.example.com",
                             "scope": "repository:a/b:pull,push"}
    assert got[1].params == {"realm": "x, y"}
    assert auth.parse_challenges('Basic realm="a\\"b"')[0].params["realm"] == 'a"b'
    assert auth.parse_challenges("")[0:] == []


@given(st.text(max_size=200))
def test_parse_challenges_never_crashes(text):
    for c in auth.parse_challenges(text):
        assert c.scheme == c.scheme.lower()


def test_merge_scopes():
    assert auth.merge_scopes("repository:a:pull", "repository:a:push repository:b:pull") == (
        "repository:a:pull,push", "repository:b:pull")
    assert auth.repository_scope("x", "push", "pull") == "repository:x:pull,push"


@pytest.mark.parametrize(
    ("realm", "scheme", "host", "ok"),
    [
        ("https://auth.example.com/token", "https", "reg.example.com", True),
        ("http://auth.example.com/token", "https", "reg.example.com", False),
        ("http://auth.example.com/token", "http", "reg.example.com", True),
        ("ftp://auth.example.com/token", "https", "reg.example.com", False),
        ("file:///etc/passwd", "https", "reg.example.com", False),
        ("https://127.0.0.1/token", "https", "reg.example.com", False),
        ("https://10.0.0.1/token", "https", "reg.example.com", False),
        ("https://[::1]/token", "https", "reg.example.com", False),
        ("https://169.254.169.254/token", "https", "reg.example.com", False),
        ("https://0.0.0.0/token", "https", "reg.example.com", False),
        ("http://127.0.0.1:5001/token", "http", "127.0.0.1:5000", True),
        ("http://127.0.0.1:5001/token", "http", "localhost:5000", False),
    ],
)
def test_validate_realm(realm, scheme, host, ok):
    if ok:
        auth.validate_realm(realm, scheme, host)
    else:
        with pytest.raises(AuthenticationError, match="refusing token realm"):
            auth.validate_realm(realm, scheme, host)


def test_token_request_get_encodes_service_and_scope():
    ch = auth.Challenge("bearer", {"realm": "https://a/token", "service": "svc&scope=evil"})
    method, url, headers, body = auth.token_request(
        ch, ("repository:x:pull",), auth.Credential(username="u", password="p"))
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert method == "GET" and body is None
    assert q == {"service": ["svc&scope=evil"], "scope": ["repository:x:pull"]}
    assert headers["Authorization"].startswith("Basic ")


def test_token_request_identity_token_is_an_oauth2_post():
    ch = auth.Challenge("bearer", {"realm": "https://a/token", "service": "svc"})
    method, _, headers, body = auth.token_request(
        ch, ("repository:x:pull",), auth.Credential(identity_token="rt"))
    form = dict(urllib.parse.parse_qsl(body.decode()))
    assert method == "POST" and "Authorization" not in headers
    assert form["grant_type"] == "refresh_token" and form["refresh_token"] == "rt"


def test_token_response_parsing_and_cap():
    assert auth.parse_token_response(b'{"token":"t"}') == "t"
    assert auth.parse_token_response(b'{"access_token":"a"}') == "a"
    for bad in (b"<html>", b"{}", b'{"token":""}', b"[]"):
        with pytest.raises(AuthenticationError):
            auth.parse_token_response(bad)
    huge = json.dumps({"token": "x" * (auth.MAX_TOKEN_BYTES + 1)}).encode()
    with pytest.raises(AuthenticationError, match="128 KiB"):
        auth.parse_token_response(huge)


def test_credential_repr_hides_secrets():
    assert "pw" not in repr(auth.Credential(username="u", password="pw"))


def test_redact_url_hides_userinfo_and_signed_queries():
    url = "https://user:pw@s3.example.com/b?X-Amz-Signature=SECRET&digest=sha256:1"
    out = redact_url(url)
    assert "pw" not in out and "SECRET" not in out and "digest=sha256:1" in out


@pytest.mark.parametrize(
    ("host", "port", "no_proxy", "bypass"),
    [("reg.io", 443, "reg.io", True), ("a.reg.io", 443, ".reg.io", True),
     ("a.reg.io", 443, "reg.io", True), ("evilreg.io", 443, "reg.io", False),
     ("reg.io", 5000, "reg.io:443", False), ("x", 1, "*", True), ("x", 1, "", False)],
)
def test_no_proxy_matching(host, port, no_proxy, bypass):
    assert _no_proxy(host, port, no_proxy) is bypass


def test_parse_resolve():
    assert parse_resolve("reg.io:443:127.0.0.1") == (("reg.io", 443), ("127.0.0.1", 443))
    assert parse_resolve("reg.io:443:[::1]:8443") == (("reg.io", 443), ("::1", 8443))
    with pytest.raises(InvalidInputError):
        parse_resolve("nonsense")


def test_docker_hub_names_map_to_its_api_host_and_library():
    from orasx.registry.remote import Repository

    repo = Repository("docker.io/alpine")
    assert (repo.host, repo.name) == ("registry-1.docker.io", "library/alpine")
    assert Repository("docker.io/org/app").name == "org/app"
    assert Repository("ghcr.io/alpine").name == "alpine"


@pytest.mark.parametrize(
    ("host", "plain_http", "scheme"),
    [("localhost:5000", None, "http"), ("localhost", None, "http"),
     # the Go CLI's default: only the name localhost, spelt so, is plain HTTP
     ("127.0.0.1:5000", None, "https"), ("[::1]:5000", None, "https"),
     ("LOCALHOST:5000", None, "https"), ("localhost.example.com", None, "https"),
     ("reg.io", None, "https"), ("127.0.0.1:5000", True, "http"),
     ("localhost:5000", False, "https"), ("reg.io", True, "http")],
)
def test_plain_http_by_default_for_localhost_only(host, plain_http, scheme):
    assert scheme_for(host, plain_http) == scheme


@pytest.mark.parametrize(
    ("url", "plain_http", "sent"),
    [("http://localhost:5000/v2/", None, True),
     ("http://127.0.0.1:5000/v2/", True, True),
     # an http URL to a host the client chose HTTPS for (a downgrading Location): refused
     ("http://127.0.0.1:5000/v2/", None, False),
     ("http://localhost:5000/v2/", False, False)],
)
def test_basic_credentials_go_over_plain_http_only_where_it_was_chosen(url, plain_http, sent):
    net = ScriptedTransport()
    net.on("GET", "/v2/", Reply(401, {"WWW-Authenticate": 'Basic realm="r"'}))
    if sent:
        net.on("GET", "/v2/", Reply(200))
    flow = AuthFlow(net, net, lambda _h: auth.Credential(username="u", password="pw"),
                    user_agent="t", plain_http=plain_http)
    if sent:
        flow.send(Request("GET", url, {})).close()
        assert net.sent[-1].authorization == auth.basic_header(
            auth.Credential(username="u", password="pw"))
    else:
        with pytest.raises(AuthenticationError, match="refusing to send a password over plain "
                                                      "HTTP") as e:
            flow.send(Request("GET", url, {}))
        assert e.value.reason == "plain-http-credentials"
        assert all(s.authorization is None for s in net.sent)



def test_token_request_query_is_sorted_by_key_as_oras_go():
    ch = auth.Challenge("bearer", {"realm": "https://auth.example/token?b=1", "service": "reg"})
    _, url, _, _ = auth.token_request(ch, ("repository:a/b:pull",), auth.Credential())
    assert url == "https://auth.example/token?b=1&scope=repository%3Aa%2Fb%3Apull&service=reg"


def test_realm_without_a_scheme_is_refused_with_its_reason():
    from orasx.errors import Reason

    with pytest.raises(AuthenticationError) as e:
        auth.validate_realm("", "http", "localhost:5000")
    assert e.value.reason is Reason.TOKEN_REALM
