"""The Go CLI's (cobra/pflag) usage errors, help layout, aliases and error prefixes."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from orasx.cli import _hints
from orasx.cli._common import confirm
from orasx.cli._help import format_flags
from orasx.cli.main import ROOT, cli
from orasx.errors import AuthenticationError, InvalidReferenceError, NotFoundError
from orasx.reference import parse_reference
from tests.support.cli import command_context


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.mark.parametrize(("args", "stderr"), [
    (["pull"], 'Error: "oras pull" requires exactly 1 argument but got 0\n'
               "Usage: oras pull [flags] <name>{:<tag>|@<digest>}\n"
               "Please specify exactly 1 argument as the artifact reference you want to pull. "
               'Run "oras pull -h" for more options and examples\n'),
    (["copy", "a"], 'Error: "oras cp" requires exactly 2 argument but got 1\n'),
    (["pull", "--frob"], "Error: unknown flag: --frob\n"),
    (["pull", "-x"], "Error: unknown shorthand flag: 'x' in -x\n"),
    (["pull", "-o"], "Error: flag needs an argument: 'o' in -o\n"),
    (["pull", "--concurrency", "abc", "x"],
     'Error: invalid argument "abc" for "--concurrency" flag: strconv.ParseInt: parsing "abc": '
     "invalid syntax\n"),
    (["backup", "localhost:5000/a"], 'Error: required flag(s) "output" not set\n'),
    (["--frob"], "Error: unknown flag: --frob\n"),
    (["pul"], 'Error: unknown command "pul" for "oras"\n\nDid you mean this?\n\tpull\n\tpush\n\n'
              "Run 'oras --help' for usage.\n"),
])
def test_usage_errors_are_cobras_and_exit_1(args, stderr):
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith(stderr)
    assert result.stdout == ""


@pytest.mark.parametrize("args", [[], ["manifest"], ["manifest", "frob"], ["repo"]])
def test_bare_or_unknown_group_command_prints_help_and_exits_0(args):
    result = run(*args)
    assert result.exit_code == 0
    assert "Available Commands:" in result.stdout and result.stderr == ""


@pytest.mark.parametrize(("alias", "usage"), [
    (["manifest", "get"], "oras manifest fetch [flags]"),
    (["manifest", "show"], "oras manifest fetch [flags]"),
    (["blob", "get"], "oras blob fetch [flags]"),
    (["repo", "list"], "oras repo ls [flags]"),
    (["repository", "show-tags"], "oras repo tags [flags]"),
    (["manifest", "index", "pack"], "oras manifest index create [flags]"),
    (["digest"], "oras resolve [flags]"),
    (["copy"], "oras cp [flags]"),
])
def test_go_aliases_resolve(alias, usage):
    result = run(*alias, "-h")
    assert result.exit_code == 0
    assert f"Usage:\n  {usage}" in result.stdout


def test_help_layout_is_cobras():
    out = run("version", "-h").stdout
    assert out == ("Show the oras version information\n\nExample - print version:\n  oras version\n\n"
                   "Usage:\n  oras version [flags]\n\nFlags:\n  -h, --help   help for version\n")
    assert run("help", "version").stdout == out


def test_unknown_help_topic():
    result = run("help", "frob")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.startswith("Unknown help topic [`frob`]\nUsage:\n  oras [command]")


def test_flag_table_aligns_as_pflag():
    rows = [("  -h, --help", "help for x"), ("      --format string", "a:\n'json': b")]
    assert format_flags(rows) == ("  -h, --help            help for x\n"
                                  "      --format string   a:\n"
                                  "                        'json': b")


def test_completion_script_and_protocol():
    assert "__start_oras" in run("completion", "bash").stdout
    assert " __completeNoDesc " in run("completion", "zsh", "--no-descriptions").stdout
    from orasx.cli.completion import complete

    out, directive = complete(ROOT, ["manifest", "f"])
    assert out.splitlines() == [
        "fetch\tFetch manifest of the target artifact",
        "fetch-config\tFetch the config of a manifest from a registry or an OCI image layout",
        ":4"]
    assert directive == "ShellCompDirectiveNoFileComp"


def test_version_warns_about_arguments():
    result = run("version", "a", "b")
    assert result.exit_code == 0
    assert result.stderr == 'warning: `oras version` requires no argument, "a,b" will be ignored\n'
    assert result.stdout.startswith("Version:        ")


@pytest.mark.parametrize(("answer", "proceeds"), [("y\n", True), ("YES\n", True), ("n\n", False),
                                                  ("", False)])
def test_confirm_reads_stdin_without_a_terminal(monkeypatch, capsys, answer, proceeds):
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    if proceeds:
        confirm(False, "Sure?")
        assert capsys.readouterr().out == "Sure? [y/N] "
    else:
        with pytest.raises(SystemExit) as info:
            confirm(False, "Sure?")
        assert info.value.code == 0
        assert capsys.readouterr().out == "Sure? [y/N] Operation cancelled.\n"


_ctx = command_context


def test_registry_errors_have_gos_prefix_and_operation():
    err = NotFoundError("localhost:5000/r:nope: not found")
    assert _hints.render(err, _ctx("pull", reference="localhost:5000/r:nope")) == \
        "Error response from registry: localhost:5000/r:nope: not found"
    assert _hints.render(err, _ctx("resolve", reference="localhost:5000/r:nope")) == \
        "Error response from registry: failed to resolve digest: localhost:5000/r:nope: not found"
    assert _hints.render(err, _ctx("manifest fetch", reference="localhost:5000/r:nope")) == (
        'Error response from registry: failed to fetch the content of "localhost:5000/r:nope": '
        "localhost:5000/r:nope: not found")
    assert _hints.render(err, _ctx("pull", reference="l:nope", oci_layout=True)).startswith("Error: ")
    err.origin = "source"
    assert _hints.render(err, _ctx("copy", source="localhost:5000/r:nope")) == \
        'Error from source registry for "localhost:5000/r:nope": localhost:5000/r:nope: not found'


def test_missing_credentials_and_invalid_references(monkeypatch):
    monkeypatch.setenv("DOCKER_CONFIG", "/h/.docker")
    err = AuthenticationError("h: unauthorized: no credentials", reason="unauthorized", registry="h")
    assert _hints.render(err, _ctx("resolve", reference="h/r:v1")) == (
        "Error: failed to resolve digest: basic credential not found\n"
        "Please check whether the registry credential stored in the authentication file at "
        '"/h/.docker/config.json" is correct')
    with pytest.raises(InvalidReferenceError) as info:
        parse_reference("h/UPPER:v1")
    assert _hints.render(info.value, _ctx("pull")) == (
        'Error: "h/UPPER:v1": invalid reference: invalid repository "UPPER"\n'
        "Please make sure the provided reference is in the form of <registry>/<repo>[:tag|@digest]")
