"""Recursion: indexes nested hundreds deep, JSON nested thousands deep, JSON of the wrong types."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import check_error

DEEP = r"deep|depth|nest"


def test_pull_refuses_an_index_nested_400_deep(h):
    reg = h.registry("deep-index")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref(), seconds=6)
    check_error(o, DEEP)


def test_copy_recursive_refuses_an_index_nested_400_deep(h):
    reg = h.registry("deep-index")
    o = h.run("cp", "-r", "--from-plain-http", reg.ref(), "--to-oci-layout", "layout:v1",
              seconds=6)
    check_error(o, DEEP)
    assert not [p for p in h.leftovers() if ".orasx-" in p]


def test_token_response_nested_8000_deep(h):
    reg = h.registry("token-deep-json")
    o = h.run("resolve", "--plain-http", reg.ref())
    check_error(o, rf"^(?=.*token)(?=.*({DEEP}|json))")


def test_tag_list_nested_8000_deep(h):
    reg = h.registry("tags-deep-json")
    o = h.run("repo", "tags", "--plain-http", f"{reg.host}/hostile")
    check_error(o, rf"^(?=.*(tag|list))(?=.*({DEEP}|malformed))")


def test_error_body_nested_8000_deep(h):
    reg = h.registry("error-deep-json")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref())
    check_error(o, r"400")


def test_config_nested_8000_deep_read_for_platform(h):
    reg = h.registry("config-deep-json")
    o = h.run("pull", "--plain-http", "-o", "out", "--platform", "linux/amd64", reg.ref())
    check_error(o, rf"^(?=.*config)(?=.*({DEEP}|json|malformed))")


@pytest.mark.parametrize(("scenario", "args", "pattern"), [
    pytest.param("tags-not-a-list", ("repo", "tags"), r"^(?=.*tags)(?=.*(list|array|malformed))",
                 id="tags-5"),
    pytest.param("urls-not-a-list", ("pull", "-o", "out"), r"urls", id="urls-5"),
    pytest.param("size-not-a-number", ("pull", "-o", "out"), r"size", id="size-x"),
    pytest.param("manifests-not-a-list", ("pull", "-o", "out"), r"manifests",
                 id="manifests-object"),
])
def test_wrong_json_types_are_refused(h, scenario, args, pattern):
    reg = h.registry(scenario)
    ref = f"{reg.host}/hostile" if args[0] == "repo" else reg.ref()
    o = h.run(*args, "--plain-http", ref)
    check_error(o, pattern)
