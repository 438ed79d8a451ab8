"""The flag groups: declared once each, prefixes, typed values, defaults."""

from __future__ import annotations

import logging
import re

import pytest

from orasx.cli._cobra import execute
from orasx.cli._command import Command, GoUsageError, any_args
from orasx.cli._help import render
from orasx.cli._logging import GoLogFormatter, setup_logging
from orasx.cli._options import (
    CommonFlags,
    CommonOptions,
    FormatFlags,
    FormatOptions,
    RemoteFlags,
    RemoteOptions,
    TargetFlags,
    TargetOptions,
    parse_format,
)
from orasx.cli._pflag import Flag

SEEN: dict[str, object] = {}


def _record(**kwargs: object) -> None:
    SEEN.update(kwargs)


ONE = Command(use="one", args=any_args, params=("reference", "*files"), run=_record, flags=(
    Flag("own", "the command's own option", kind="string", default="x"),
    TargetFlags(distribution_spec=True), FormatFlags()))
TWO = Command(use="two", args=any_args, params=("source", "destination"), run=_record, flags=(
    TargetFlags("from", argument="source", distribution_spec=True, into="source"),
    TargetFlags("to", argument="destination", into="destination"), CommonFlags(),
    FormatFlags((("tree", "t"), ("table", "t"), ("json", "j")), default="tree")))
THREE = Command(use="three", args=any_args, params=("registry",), run=_record,
                flags=(RemoteFlags(),))
ROOT = Command(use="oras", commands=(ONE, TWO, THREE))


def invoke(*args: str) -> int:
    SEEN.clear()
    return execute(ROOT, list(args))


def test_nothing_given_is_the_groups_defaults():
    assert invoke("one", "reg/repo:v1") == 0
    assert SEEN["target"] == TargetOptions("reg/repo:v1")
    assert SEEN["fmt"] == FormatOptions()
    assert SEEN["own"] == "x" and SEEN["files"] == ()
    target = SEEN["target"]
    assert isinstance(target, TargetOptions)
    assert target.remote == RemoteOptions()
    assert target.remote.plain_http is None  # tri-state: not given
    assert target.common == CommonOptions()


def test_the_command_gets_typed_groups():
    assert invoke("one", "--oci-layout", "-u", "me", "--registry-config", "a.json",
                  "--registry-config", "b.json", "-H", "X-A: 1", "--resolve", "h:1:a",
                  "--plain-http=false", "--insecure", "--distribution-spec",
                  "v1.1-referrers-tag", "--no-tty", "--format", "json", "dir:v1", "f1", "f2") == 0
    target = SEEN["target"]
    assert target == TargetOptions(
        "dir:v1", oci_layout=True,
        remote=RemoteOptions(username="me", registry_config=("a.json", "b.json"),
                             headers=("X-A: 1",), resolves=("h:1:a",), plain_http=False,
                             insecure=True, distribution_spec="v1.1-referrers-tag",
                             common=CommonOptions(no_tty=True)),
    )
    assert SEEN["files"] == ("f1", "f2")
    assert SEEN["fmt"] == FormatOptions("json")


def test_a_prefix_gives_the_from_and_to_flags():
    assert invoke("two", "--from-username", "a", "--from-plain-http", "--to-plain-http=false",
                  "--to-oci-layout", "--from-distribution-spec", "v1.1-referrers-api",
                  "--from-header", "X: 1", "--to-registry-config", "c.json", "src/r:v1",
                  "dir:v1") == 0
    source, destination = SEEN["source"], SEEN["destination"]
    assert source == TargetOptions("src/r:v1", remote=RemoteOptions(
        username="a", plain_http=True, headers=("X: 1",), distribution_spec="v1.1-referrers-api",
        prefix="from"))
    assert destination == TargetOptions("dir:v1", oci_layout=True, remote=RemoteOptions(
        plain_http=False, registry_config=("c.json",), prefix="to"))
    assert SEEN["fmt"] == FormatOptions("tree")  # the declared default


def test_prefixed_groups_have_no_unprefixed_or_debug_flags():
    names = {f"--{f.name}" for f in TWO.all_flags()} | {f"-{f.short}" for f in TWO.all_flags()}
    assert {"--from-username", "--to-username", "--from-oci-layout", "--to-key-file",
            "--from-distribution-spec", "-d", "--no-tty"} <= names
    assert not {"--username", "-u", "--oci-layout", "--to-distribution-spec", "--from-debug",
                "-v", "--from-no-tty"} & names


def test_debug_and_no_tty_are_shared_by_both_sides():
    assert invoke("two", "-d", "--no-tty", "a/b:v1", "c/d:v1") == 0
    assert SEEN["common"] == CommonOptions(debug=True, no_tty=True)
    assert SEEN["source"].common == CommonOptions()  # type: ignore[attr-defined]


def test_every_flag_is_declared_once_per_command():
    for command in (ONE, TWO, THREE):
        names = [f.name for f in command.all_flags()]
        assert len(names) == len(set(names))


def test_remote_options_alone():
    assert invoke("three", "--password-stdin", "-u", "u", "-d", "reg") == 0
    remote = SEEN["remote"]
    assert remote == RemoteOptions(username="u", password_stdin=True,
                                   common=CommonOptions(debug=True))
    assert remote.reads_stdin and remote.has_secret  # type: ignore[attr-defined]
    assert SEEN["registry"] == "reg"


def test_help_lists_every_shown_flag_sorted_with_the_go_texts():
    out = render(ONE, "one")
    # each flag's long name, in the order its rows stand (continuation lines have none)
    rows = [m.group(1) for line in out.split("Flags:\n", 1)[1].splitlines()
            if (m := re.match(r"  (?:-\w, |    )--([\w-]+)", line))]
    assert len(rows) == 22 and rows == sorted(rows)  # pflag lists by long name
    assert "--verbose" not in out  # hidden
    assert "      --registry-config path   " in out
    assert "Usage:\n  oras one" in out


@pytest.mark.parametrize(("value", "template", "expected"), [
    ("text", None, FormatOptions("text")),
    ("json", None, FormatOptions("json")),
    ("go-template={{.digest}}", None, FormatOptions("go-template", "{{.digest}}")),
    ("go-template", "{{.size}}", FormatOptions("go-template", "{{.size}}")),
])
def test_format_values(value, template, expected):
    assert parse_format(value, template) == expected


@pytest.mark.parametrize(("value", "template", "message"), [
    ("yaml", None, 'invalid format type: "yaml"\nsupported types: text, json, go-template'),
    ("json=x", None, 'invalid format type: "json=x"'),
    ("go-template", None, '"go-template" format specified but no template given\n'
                          "use `--format go-template=TEMPLATE` to specify the template"),
    ("json", "{{.x}}", "--template must be used with --format go-template"),
    ("text", "{{.x}}", "--template must be used with --format go-template"),  # --template alone
    ("go-template={{.x}}", "{{.y}}", "--template must be used with --format go-template"),
])
def test_format_errors(value, template, message):
    with pytest.raises(GoUsageError) as info:
        parse_format(value, template)
    assert info.value.exit_code == 1
    assert info.value.format_message().startswith(message)


def test_format_documents():
    assert FormatOptions("json").document and FormatOptions("go-template", "x").document
    assert not FormatOptions("text").document and not FormatOptions("table").document


def test_a_bad_format_is_a_usage_error(capsys):
    assert invoke("one", "--format", "yaml", "r/x:v1") == 1
    assert 'Error: invalid format type: "yaml"' in capsys.readouterr().err


# -- from the flags to the library --------------------------------------------------------------


def test_credential_from_the_flags():
    assert RemoteOptions(username="u", password="p").credential().username == "u"
    token = RemoteOptions(password="tok").credential()  # -p without -u: an identity token
    assert token.identity_token == "tok" and not token.username
    assert not RemoteOptions().credential()


@pytest.mark.parametrize(("options", "message"), [
    (RemoteOptions(password="p", password_stdin=True),
     "--password, --password-stdin cannot be used at the same time"),
    (RemoteOptions(identity_token="t", identity_token_stdin=True), "--identity-token and"),
    (RemoteOptions(identity_token="t", username="u"),
     "--username, --identity-token cannot be used at the same time"),
    (RemoteOptions(password_stdin=True, identity_token_stdin=True),
     "--password, --identity-token cannot be used at the same time"),
])
def test_credential_flags_that_do_not_go_together(options, message):
    with pytest.raises(GoUsageError, match=message):
        options.credential()


def test_password_from_stdin(monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\r\n"))
    credential = RemoteOptions(username="u", password_stdin=True).credential()
    assert (credential.username, credential.password) == ("u", "s3cret")


def test_client_options_from_the_flags():
    options = RemoteOptions(headers=("X-A: 1 ", "X-B:2"), resolves=("reg:443:127.0.0.1",),
                            plain_http=True, insecure=True).client_options()
    assert dict(options.headers) == {"X-A": "1", "X-B": "2"}
    # -d shows them as given, as Go: untrimmed, a repeated name's values joined
    assert dict(options.shown_headers) == {"X-A": " 1 ", "X-B": "2"}
    repeated = RemoteOptions(headers=("X-D: a", "X-D:b")).client_options()
    assert dict(repeated.headers) == {"X-D": "a, b"}
    assert dict(repeated.shown_headers) == {"X-D": " a, b"}
    assert dict(options.resolve) == {("reg", 443): ("127.0.0.1", 443)}
    assert options.plain_http is True and options.insecure is True


@pytest.mark.parametrize(("options", "message"), [
    (RemoteOptions(headers=("nocolon",)), 'invalid header: "nocolon"'),
    (RemoteOptions(cert_file="c.pem"), "--cert-file must be used in conjunction with --key-file"),
    (RemoteOptions(key_file="k.pem"), "--key-file must be used in conjunction with --cert-file"),
])
def test_client_option_errors(options, message):
    with pytest.raises(GoUsageError, match=message):
        options.client_options()


def test_remote_carries_the_distribution_spec_and_config_files():
    remote = RemoteOptions(registry_config=("a.json",),
                           distribution_spec="v1.1-referrers-api").remote()
    assert remote.registry_config == ("a.json",)
    assert remote.referrers_capability == "api"
    assert RemoteOptions().remote().referrers_capability is None


def test_target_location_and_endpoint():
    target = TargetOptions("reg.example/a/b:v1")
    assert target.kind == "registry"
    assert str(target.location()) == "reg.example/a/b:v1"
    layout = TargetOptions("dir@sha256:" + "a" * 64, oci_layout=True)
    assert layout.kind == "oci-layout" and layout.location().name == "dir"
    endpoint = layout.endpoint()
    assert (endpoint.reference, endpoint.oci_layout) == (layout.reference, True)


def test_debug_logging_is_set_up_once(monkeypatch):
    log = logging.getLogger("orasx")
    monkeypatch.setattr(log, "handlers", [])
    monkeypatch.setattr(log, "level", logging.NOTSET)
    setup_logging(False)
    setup_logging(False)  # the library's warnings only, one line each
    assert len(log.handlers) == 1 and log.handlers[0].level == logging.WARNING
    record = logging.LogRecord("orasx", logging.WARNING, "", 0, "cache X cannot take it", (), None)
    assert log.handlers[0].format(record) == "Warning: cache X cannot take it"
    setup_logging(True)
    setup_logging(True)
    assert len(log.handlers) == 1 and log.level == logging.DEBUG
    assert isinstance(log.handlers[0].formatter, GoLogFormatter)


@pytest.mark.parametrize(("tz", "created", "stamp"), [
    ("UTC", 1_800_000_000.25, "2027-01-15T08:00:00.25Z"),
    ("UTC", 1_800_000_000.0, "2027-01-15T08:00:00Z"),
    ("Asia/Kolkata", 1_800_000_000.000001, "2027-01-15T13:30:00.000001+05:30"),
])
def test_debug_log_records_look_like_the_go_clis(monkeypatch, tz, created, stamp):
    import time

    monkeypatch.setenv("TZ", tz)
    time.tzset()
    try:
        record = logging.LogRecord("orasx.http", logging.ERROR, __file__, 1,
                                   "<-- Response #%d\nError in getting response: %s",
                                   (3, "refused"), None)
        record.created = created
        assert GoLogFormatter().format(record) == (
            f"[{stamp}][ERROR]: <-- Response #3\nError in getting response: refused\n\n")
    finally:
        monkeypatch.undo()
        time.tzset()
