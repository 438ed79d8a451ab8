"""Malformed headers and URLs from the registry: Location, token realm, Link, tokens that cannot
be sent back, numbers that only look like numbers, and a Link built to make parsing quadratic."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import check_bounded, check_error, check_no_escapes


@pytest.mark.parametrize(("scenario", "pattern"), [
    pytest.param("upload-location-bad-port", r"^(?=.*location)(?=.*(port|invalid|malformed))",
                 id="port-99999"),
    pytest.param("upload-location-bad-ipv6", r"^(?=.*location)(?=.*(ipv6|invalid|malformed))",
                 id="broken-ipv6"),
])
def test_push_refuses_a_malformed_upload_location(h, scenario, pattern):
    reg = h.registry(scenario)
    o = h.run("push", "--plain-http", reg.ref(), "hello.txt")
    check_error(o, pattern)


@pytest.mark.parametrize(("scenario", "pattern"), [
    pytest.param("realm-bad-port", r"^(?=.*realm)(?=.*(port|invalid|malformed))", id="port-99999"),
    pytest.param("realm-bad-ipv6", r"^(?=.*realm)(?=.*(ipv6|invalid|malformed))", id="broken-ipv6"),
])
def test_refuses_a_malformed_token_realm(h, scenario, pattern):
    reg = h.registry(scenario)
    o = h.run("resolve", "--plain-http", reg.ref())
    check_error(o, pattern)


@pytest.mark.parametrize(("scenario", "pattern"), [
    pytest.param("link-bad-port", r"^(?=.*link)(?=.*(port|invalid|malformed))", id="port-99999"),
    pytest.param("link-bad-ipv6", r"^(?=.*link)(?=.*(ipv6|invalid|malformed))", id="broken-ipv6"),
])
def test_repo_tags_refuses_a_malformed_link(h, scenario, pattern):
    reg = h.registry(scenario)
    o = h.run("repo", "tags", "--plain-http", f"{reg.host}/hostile")
    check_error(o, pattern)


@pytest.mark.parametrize("scenario", [
    pytest.param("token-crlf", id="cr-lf"),
    pytest.param("token-non-latin1", id="non-latin1"),
])
def test_refuses_a_token_that_cannot_be_a_header(h, scenario):
    reg = h.registry(scenario)
    o = h.run("resolve", "--plain-http", reg.ref())
    check_error(o, r"^(?=.*token)(?=.*(invalid|character|malformed|header))")
    assert not any("X-Injected" in path for _, path in reg.requests)


def test_refuses_a_content_length_that_only_looks_numeric(h):
    reg = h.registry("content-length-superscript")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref())
    check_error(o, r"content-length")


def test_ignores_a_retry_after_that_only_looks_numeric(h):
    reg = h.registry("retry-after-superscript")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref())
    check_error(o, r"429|too ?many ?requests")


def test_a_link_of_60000_angle_brackets_parses_in_linear_time(h):
    reg = h.registry("link-quadratic")
    o = h.run("repo", "tags", "--plain-http", f"{reg.host}/hostile", seconds=3)
    check_bounded(o)
    check_no_escapes(o)
    if o.returncode == 0:
        assert o.out.split() == ["v1"]
    else:
        check_error(o, r"link")
