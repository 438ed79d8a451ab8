"""The ``oras`` command: a lazy click group; each verb lives in its own module."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

# name -> (module, short help); modules are imported only when their command runs.
_COMMANDS: dict[str, tuple[str, str]] = {
    "login": ("orasx.cli.login", "Log in to a remote registry"),
    "logout": ("orasx.cli.logout", "Log out from a remote registry"),
    "pull": ("orasx.cli.pull", "Pull files from a registry or an OCI image layout"),
    "push": ("orasx.cli.push", "Push files to a registry or an OCI image layout"),
    "version": ("orasx.cli.version", "Show version information"),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = _COMMANDS.get(cmd_name)
        if entry is None:
            return None
        command = importlib.import_module(entry[0]).command
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


def main(argv: list[str] | None = None) -> Any:
    """Entry point for the ``oras`` command; errors exit 1, usage errors exit 2."""
    return cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="oras")
