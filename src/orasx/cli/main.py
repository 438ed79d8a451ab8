"""The ``oras`` command: a lazy click group; each verb lives in its own module."""

from __future__ import annotations

import importlib
import sys

import click

from orasx.cli import _signals
from orasx.cli._flags import FlagGroup

# name -> (module, short help); modules are imported only when their command runs.
_COMMANDS: dict[str, tuple[str, str]] = {
    "attach": ("orasx.cli.graph:attach", "Attach files to an existing artifact"),
    "backup": ("orasx.cli.backup:backup", "Back up a repository to an OCI layout"),
    "blob": ("orasx.cli.blob:command", "Blob operations"),
    "copy": ("orasx.cli.graph:copy", "Copy artifacts between registries and layouts (alias: cp)"),
    "discover": ("orasx.cli.graph:discover", "Discover the referrers of an artifact"),
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
_ALIASES = {"cp": "copy", "repository": "repo"}


class _LazyGroup(FlagGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = _COMMANDS.get(_ALIASES.get(cmd_name, cmd_name))
        if entry is None:
            return None
        module, _, attr = entry[0].partition(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_) for name, (_, help_) in sorted(_COMMANDS.items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
def cli() -> None:
    """orasx: OCI Registry As Storage. Push and pull any file as an OCI artifact."""


def main(argv: list[str] | None = None) -> object:
    """Entry point for the ``oras`` command; errors exit 1, usage errors exit 2 (a bad boolean flag
    value exits 1 with Go's message, see _flags); SIGTERM and SIGHUP clean up as Ctrl-C does and
    exit 128 + the signal's number (143, 129; Ctrl-C: 130)."""
    with _signals.handled():
        try:
            return cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="oras")
        except SystemExit:
            signum = _signals.received()
            if signum is not None:  # also when it hit outside a command (click says "Aborted!")
                raise SystemExit(128 + signum) from None
            raise
