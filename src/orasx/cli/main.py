"""The ``oras`` command: a lazy click group; each verb lives in its own module."""

from __future__ import annotations

import importlib
import sys
from typing import NoReturn

import click

from orasx.cli import _signals
from orasx.cli._cobra import GoGroupMixin, goify

# name -> (module, short help); modules are imported only when their command runs.
_COMMANDS: dict[str, tuple[str, str]] = {
    "attach": ("orasx.cli.graph:attach", "Attach files to an existing artifact"),
    "backup": ("orasx.cli.backup:backup", "Back up a repository to an OCI layout"),
    "blob": ("orasx.cli.blob:command", "Blob operations"),
    "copy": ("orasx.cli.graph:copy", "Copy artifacts between registries and layouts (alias: cp)"),
    "completion": ("orasx.cli.completion:command", "Generate the autocompletion script"),
    "discover": ("orasx.cli.graph:discover", "Discover the referrers of an artifact"),
    "help": ("orasx.cli._help:help_command", "Help about any command"),
    "login": ("orasx.cli.login:command", "Log in to a remote registry"),
    "logout": ("orasx.cli.logout:command", "Log out from a remote registry"),
    "manifest": ("orasx.cli.manifest:command", "Manifest operations"),
    "pull": ("orasx.cli.pull:command", "Pull files from a registry or an OCI image layout"),
    "push": ("orasx.cli.push:command", "Push files to a registry or an OCI image layout"),
    "repo": ("orasx.cli.repo:command", "Repository operations (alias: repository)"),
    "resolve": ("orasx.cli.graph:resolve", "Resolve a tag to a digest"),
    "restore": ("orasx.cli.backup:restore", "Restore a repository from an OCI layout"),
    "tag": ("orasx.cli.graph:tag", "Tag a manifest"),
    "version": ("orasx.cli.version:command", "Show version information"),
}
_ALIASES = {"cp": "copy", "repository": "repo", "digest": "resolve"}


class _LazyGroup(GoGroupMixin):
    """The root: commands imported when they run, each given the Go CLI's parsing errors and help
    (:func:`~orasx.cli._cobra.goify`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = _COMMANDS.get(_ALIASES.get(cmd_name, cmd_name))
        if entry is None:
            return None
        module, _, attr = entry[0].partition(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return goify(command)

    def go_listing(self) -> list[tuple[str, str]]:
        """(Go name, short help) of every command, without importing their modules."""
        from orasx.cli._cobra import GO_NAMES, go_facts

        rows = []
        for name, (_, short) in _COMMANDS.items():
            gname = GO_NAMES.get(name, name)
            rows.append((gname, str(go_facts(gname).get("short") or short)))
        return sorted(rows)


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
def cli() -> None:
    """orasx: OCI Registry As Storage. Push and pull any file as an OCI artifact."""


def main(argv: list[str] | None = None) -> object:
    """Entry point for the ``oras`` command; errors and usage errors exit 1 with the Go CLI's
    messages (see _cobra); SIGTERM and SIGHUP clean up as Ctrl-C does and
    exit 128 + the signal's number (143, 129; Ctrl-C: 130)."""
    if argv is None:  # the process itself: leave without the interpreter's slow teardown
        try:
            code = _run(sys.argv[1:])
        except SystemExit as e:
            code = e.code
        _exit_now(code)
    return _run(argv)


def _exit_now(code: object) -> NoReturn:
    """Exit with ``code`` as ``SystemExit`` would, skipping the interpreter's teardown (module
    and object finalisation: 0.07-0.1 s a command): everything the command wrote is flushed and
    the ``atexit`` handlers (logging, temp-directory cleanup) run first. Nothing is left to
    finish: every worker thread of a command is joined before it returns."""
    import atexit
    import os

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        raise SystemExit(code) from None  # a closed pipe: the usual exit reports it
    atexit._run_exitfuncs()
    os._exit(status)


def _run(args: list[str]) -> object:
    if args[:1] in (["__complete"], ["__completeNoDesc"]):
        from orasx.cli.completion import run_complete

        run_complete(cli, args[1:], descriptions=args[0] == "__complete")
        return 0
    with _signals.handled():
        try:
            return cli.main(args=args, prog_name="oras")
        except SystemExit:
            signum = _signals.received()
            if signum is not None:  # also when it hit outside a command (click says "Aborted!")
                raise SystemExit(128 + signum) from None
            raise
