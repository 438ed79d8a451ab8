"""Malformed headers and URLs from the registry: Location, token realm, Link, tokens that cannot
be sent back, numbers that only look like numbers, and a Link built to make parsing quadratic."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import check_bounded, check_error, check_no_escapes


@pytest.mark.parametrize(("scenario", "pattern"), [
    pytest.param("upload-location-bad-port", r"^(?=.*location)(?=.*(port|invalid|malformed))",
                 id="port-99999", marks=pytest.mark.xfail(strict=True, reason=(
                     "#12: ValueError traceback (Port out of range) from urllib.parse"))),
    pytest.param("upload-location-bad-ipv6", r"^(?=.*location)(?=.*(ipv6|invalid|malformed))",
                 id="broken-ipv6", marks=pytest.mark.xfail(strict=True, reason=(
                     "#12: ValueError traceback (Invalid IPv6 URL) from urllib.parse"))),
])
def test_push_refuses_a_malformed_upload_location(h, scenario, pattern):
    reg = h.registry(scenario)
    o = h.run("push", "--plain-http", reg.ref(), "hello.txt")
    check_error(o, pattern)


@pytest.mark.parametrize(("scenario", "pattern"), [
    pytest.param("realm-bad-port", r"^(?=.*realm)(?=.*(port|invalid|malformed))", id="port-99999",
                 marks=pytest.mark.xfail(strict=True, reason=(
                     "#12: ValueError traceback (Port out of range): validate_realm never reads the port"))),
    pytest.param("realm-bad-ipv6", r"^(?=.*realm)(?=.*(ipv6|invalid|malformed))", id="broken-ipv6",
                 marks=pytest.mark.xfail(strict=True, reason=(
                     "#12: ValueError traceback (Invalid IPv6 URL) from validate_realm's urlsplit"))),
])
def test_refuses_a_malformed_token_realm(h, scenario, pattern):
    reg = h.registry(scenario)
    o = h.run("resolve", "--plain-http", reg.ref())
    check_error(o, pattern)


@pytest.mark.parametrize(("scenario", "pattern"), [
    pytest.param("link-bad-port", r"^(?=.*link)(?=.*(port|invalid|malformed))", id="port-99999",
                 marks=pytest.mark.xfail(strict=True, reason=(
                     "#12: ValueError traceback (Port out of range) in remote._parse_link"))),
    pytest.param("link-bad-ipv6", r"^(?=.*link)(?=.*(ipv6|invalid|malformed))", id="broken-ipv6",
                 marks=pytest.mark.xfail(strict=True, reason=(
                     "#12: ValueError traceback (Invalid IPv6 URL) in remote._parse_link"))),
])
def test_repo_tags_refuses_a_malformed_link(h, scenario, pattern):
    reg = h.registry(scenario)
    o = h.run("repo", "tags", "--plain-http", f"{reg.host}/hostile")
    check_error(o, pattern)


@pytest.mark.parametrize("scenario", [
    pytest.param("token-crlf", id="cr-lf", marks=pytest.mark.xfail(strict=True, reason=(
        "#12: ValueError traceback (Invalid header value) from http.client"))),
    pytest.param("token-non-latin1", id="non-latin1", marks=pytest.mark.xfail(strict=True, reason=(
        "#12: UnicodeEncodeError traceback ('latin-1' codec) from http.client"))),
])
def test_refuses_a_token_that_cannot_be_a_header(h, scenario):
    reg = h.registry(scenario)
    o = h.run("resolve", "--plain-http", reg.ref())
    check_error(o, r"^(?=.*token)(?=.*(invalid|character|malformed|header))")
    assert not any("X-Injected" in path for _, path in reg.requests)


@pytest.mark.xfail(strict=True, reason=(
    "#12: ValueError traceback: int('²') after isdigit() in Repository.fetch"))
def test_refuses_a_content_length_that_only_looks_numeric(h):
    reg = h.registry("content-length-superscript")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref())
    check_error(o, r"content-length")


@pytest.mark.xfail(strict=True, reason=(
    "#12: ValueError traceback: float('²') after isdigit() in retry.parse_retry_after"))
def test_ignores_a_retry_after_that_only_looks_numeric(h):
    reg = h.registry("retry-after-superscript")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref())
    check_error(o, r"429|too ?many ?requests")


@pytest.mark.xfail(strict=True, reason=(
    "#12: remote._LINK backtracks quadratically: killed at 3.5 s; unkilled, exit 0 after 64 s"))
def test_a_link_of_60000_angle_brackets_parses_in_linear_time(h):
    reg = h.registry("link-quadratic")
    o = h.run("repo", "tags", "--plain-http", f"{reg.host}/hostile", seconds=3)
    check_bounded(o)
    check_no_escapes(o)
    if o.returncode == 0:
        assert o.out.split() == ["v1"]
    else:
        check_error(o, r"link")
