"""Boolean flags parse as the Go CLI's (pflag) do: ``--flag`` alone is true, ``--flag=BOOL`` and
``-x=BOOL`` take Go's ParseBool spellings, the last one wins, and a flag never eats the next word."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orasx.cli._cobra import find
from orasx.cli._command import Command, Lazy
from orasx.cli._pflag import Flag, parse
from orasx.cli.main import ROOT
from tests.e2e.helpers import get_manifest

GO_TRUE = ["1", "t", "T", "TRUE", "true", "True"]
GO_FALSE = ["0", "f", "F", "FALSE", "false", "False"]


def _push(oras, ref: str, tmp_path: Path, name: str = "f.txt", data: str = "hello\n") -> None:
    (tmp_path / name).write_text(data)
    oras("push", ref, name)


# -- the reported failures ----------------------------------------------------------------------


def test_push_with_plain_http_before_the_reference(oras, registry, repo_name, tmp_path):
    (tmp_path / "f.txt").write_text("hi\n")
    out = oras("push", "--plain-http", f"{registry.localhost}/{repo_name}:v1", "f.txt")
    assert f"Pushed [registry] {registry.localhost}/{repo_name}:v1" in out.stdout
    m, _ = get_manifest(registry.host, repo_name, "v1")
    assert m["layers"][0]["annotations"]["org.opencontainers.image.title"] == "f.txt"


def test_pull_with_plain_http_before_the_reference(oras, registry, repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}:v1"
    _push(oras, ref, tmp_path)
    oras("pull", "--plain-http", ref, "-o", "out")
    assert (tmp_path / "out" / "f.txt").read_text() == "hello\n"


def test_plain_http_on_a_registry_not_on_localhost(oras, registry, repo_name, tmp_path):
    # 127.0.0.1 under its own name: HTTPS by default, as the Go CLI (parity scenario
    # push-127-defaults-to-https); --plain-http (given before the reference) makes it work
    ref = f"{registry.ip_host}/{repo_name}:v1"
    (tmp_path / "f.txt").write_text("x")
    oras("push", "--plain-http", ref, "f.txt")
    oras("pull", "--plain-http=true", ref, "-o", "out")
    assert (tmp_path / "out" / "f.txt").read_text() == "x"


def test_plain_http_false_makes_localhost_use_https(oras, registry, repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}:v1"
    _push(oras, ref, tmp_path)
    proc = oras("pull", "--plain-http=false", ref, "-o", "out", ok=False)
    assert proc.returncode == 1, proc.stderr
    assert f"https://{registry.localhost}/" in proc.stderr
    assert not (tmp_path / "out" / "f.txt").exists()


def test_last_plain_http_wins(oras, registry, repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}:v1"
    _push(oras, ref, tmp_path)
    oras("pull", "--plain-http=false", "--plain-http", ref, "-o", "a")
    assert (tmp_path / "a" / "f.txt").exists()
    oras("pull", "--plain-http=0", "--plain-http=1", ref, "-o", "b")
    assert (tmp_path / "b" / "f.txt").exists()


def test_keep_old_files_false_spellings_overwrite(oras, registry, repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}:v1"
    _push(oras, ref, tmp_path, data="new\n")
    out = tmp_path / "out"
    out.mkdir()
    for args in (["-k=false"], ["--keep-old-files=false"], ["-k", "--keep-old-files=0"],
                 ["-kT=false", "-k=f"]):
        (out / "f.txt").write_text("old\n")
        oras("pull", *args, ref, "-o", "out")
        assert (out / "f.txt").read_text() == "new\n", args
    for args in (["-k"], ["-k=true"], ["--keep-old-files=T"], ["-k=false", "-k"]):
        (out / "f.txt").write_text("old\n")
        proc = oras("pull", *args, ref, "-o", "out", ok=False)
        assert proc.returncode == 1 and "overwrite disallowed" in proc.stderr, (args, proc.stderr)
        assert (out / "f.txt").read_text() == "old\n"


# -- bad values: Go's message and exit code ---------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["--plain-http=maybe"],
     'Error: invalid argument "maybe" for "--plain-http" flag: '
     'strconv.ParseBool: parsing "maybe": invalid syntax'),
    (["--plain-http="],
     'Error: invalid argument "" for "--plain-http" flag: '
     'strconv.ParseBool: parsing "": invalid syntax'),
    (["-k=yes"],
     'Error: invalid argument "yes" for "-k, --keep-old-files" flag: '
     'strconv.ParseBool: parsing "yes": invalid syntax'),
    (["--keep-old-files=no"],
     'Error: invalid argument "no" for "-k, --keep-old-files" flag: '
     'strconv.ParseBool: parsing "no": invalid syntax'),
    (["-k="], "Error: unknown shorthand flag: '=' in -="),
    (["-kT=maybe"],
     'Error: invalid argument "maybe" for "-T, --allow-path-traversal" flag: '
     'strconv.ParseBool: parsing "maybe": invalid syntax'),
])
def test_invalid_flag_value_is_an_error_in_gos_words(oras, args, message):
    proc = oras("pull", *args, "localhost:1/never/contacted:v1", ok=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == message
    assert proc.stdout == ""


def test_invalid_value_of_a_prefixed_copy_flag(oras):
    proc = oras("cp", "--to-plain-http=yes", "localhost:1/a:v1", "localhost:1/b:v1", ok=False)
    assert proc.returncode == 1
    assert 'invalid argument "yes" for "--to-plain-http" flag' in proc.stderr


def test_shorthand_value_after_equals_is_the_value(oras, registry, repo_name, tmp_path):
    # pflag reads -o=DIR (and -ko=DIR) as -o DIR, not as a directory named "=DIR"
    ref = f"{registry.localhost}/{repo_name}:v1"
    _push(oras, ref, tmp_path)
    oras("pull", "-o=out", ref)
    oras("pull", "-ko=out2", ref)
    assert (tmp_path / "out" / "f.txt").exists() and (tmp_path / "out2" / "f.txt").exists()
    assert not (tmp_path / "=out").exists()


def test_flag_values_after_double_dash_are_left_alone(oras, tmp_path):
    # after "--" every word is an argument: the layout path itself is "--oci-layout=false"
    proc = oras("repo", "tags", "--oci-layout", "--", "--oci-layout=false", ok=False)
    assert 'failed to find path "--oci-layout=false"' in proc.stderr, proc.stderr


def test_an_option_value_that_looks_like_a_flag_is_a_value(oras, tmp_path):
    # -a takes a value in push: "--plain-http=nonsense" is the annotation, not a flag
    oras("push", "--oci-layout", "layout:v1", "-a", "--plain-http=nonsense",
         "--export-manifest", "m.json")
    manifest = json.loads((tmp_path / "m.json").read_text())
    assert manifest["annotations"]["--plain-http"] == "nonsense"


# -- every boolean flag of every command --------------------------------------------------------


def _commands(group: Command, path: tuple[str, ...] = ()):
    for child in group.commands:
        command = child.load() if isinstance(child, Lazy) else child
        if command.commands:
            yield from _commands(command, (*path, command.name))
        else:
            yield (*path, command.name), command


COMMANDS = list(_commands(ROOT))
FLAGS = [(path, command, f) for path, command in COMMANDS for f in command.all_flags()
         if f.kind == "bool" and f.name != "help" and command.params
         and not command.params[0].startswith("*")]


def _id(path: tuple[str, ...], option: Flag) -> str:
    return f"{' '.join(path)} --{option.name}"


def _filler(command: Command, skip: Flag) -> tuple[list[str], list[str]]:
    """Required options with a value, and a value for each positional argument."""
    options: list[str] = []
    for f in command.all_flags():
        if f.required and f is not skip:
            options += [f"--{f.name}", "value"]
    return options, [f"arg{i}" for i, _ in enumerate(command.params)]


def _parse(path: tuple[str, ...], args: list[str]) -> dict[str, object]:
    """What the command at ``path`` receives for ``args``, found as the root finds it."""
    command, _, rest = find(ROOT, [*path, *args])
    parsed = parse(command.all_flags(), rest)
    names = [n.lstrip("*") for n in command.params]
    return {**parsed.values, **dict(zip(names, parsed.positional, strict=False))}


def test_every_command_declares_each_flag_once():
    assert len(COMMANDS) >= 20 and len(FLAGS) >= 60
    for path, command in COMMANDS:
        names = [n for f in command.all_flags() for n in (f.name, *f.spellings)]
        assert len(names) == len(set(names)), path
        shorts = [f.short for f in command.all_flags() if f.short]
        assert len(shorts) == len(set(shorts)), path


@pytest.mark.parametrize(("path", "command", "option"), FLAGS,
                         ids=[_id(p, o) for p, _, o in FLAGS])
def test_flag_values_parse_and_a_flag_never_takes_the_next_word(path, command, option):
    options, positionals = _filler(command, option)
    name = f"--{option.name}"
    first_arg = command.params[0].lstrip("*")
    # "--flag NEXT": NEXT stays an argument, the flag is true
    params = _parse(path, [name, *positionals, *options])
    assert params[option.key] is True
    got = params[first_arg]
    assert (got[0] if isinstance(got, tuple) else got) == positionals[0]
    for value in GO_FALSE:
        assert _parse(path, [f"{name}={value}", *positionals, *options])[option.key] is False
    for value in GO_TRUE:
        assert _parse(path, [*positionals, f"{name}={value}", *options])[option.key] is True
    assert _parse(path, [name, f"{name}=false", *positionals, *options])[option.key] is False
    assert _parse(path, [f"{name}=false", name, *positionals, *options])[option.key] is True
    default = _parse(path, [*positionals, *options])[option.key]
    assert default is (None if option.key.endswith("plain_http") else option.default)
    assert option.default in (None, False) or option.name == "verbose"  # Go's --verbose: true
    for short in [f"-{option.short}"] if option.short else []:
        assert _parse(path, [f"{short}=false", *positionals, *options])[option.key] is False
        assert _parse(path, [short, *positionals, *options])[option.key] is True


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_installed_command_accepts_every_flag_with_a_value(oras, path, command):
    flags = [o for _, c, o in FLAGS if c is command]
    proc = oras(*path, *[f"--{o.name}=false" for o in flags], "--help", ok=False)
    assert proc.returncode == 0, proc.stderr
    assert "Usage:\n  oras" in proc.stdout
    for o in flags:  # help shows the flag unless it is hidden
        assert o.hidden or f"--{o.name}" in proc.stdout

