"""``oras version``."""

from __future__ import annotations

import platform
import sys

import click

from orasx._version import __version__


@click.command("version", help="Show version information")
def command() -> None:
    click.echo(f"Version:        {__version__}")
    click.echo(f"Python version: {platform.python_version()}")
    click.echo(f"OS/Arch:        {sys.platform}/{platform.machine()}")
