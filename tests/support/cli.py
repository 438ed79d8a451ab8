"""A click context for an ``oras`` command path, as a test of the CLI's error texts needs one."""

from __future__ import annotations

import click

from orasx.cli.main import cli


def command_context(command: str, **params: object) -> click.Context:
    """The context of ``oras <command>`` (``"manifest fetch"``) with ``params`` as if parsed."""
    ctx = click.Context(cli, info_name="oras")
    for word in command.split():
        sub = ctx.command.get_command(ctx, word)  # type: ignore[attr-defined]
        ctx = click.Context(sub, info_name=word, parent=ctx)
    ctx.params.update(params)
    return ctx
