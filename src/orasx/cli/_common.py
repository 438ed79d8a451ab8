"""What every command shares besides its options (``_options``): error handling, confirmation,
and the ``--platform`` value."""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING

import click

from orasx.cli import _signals
from orasx.cli._options import Command
from orasx.cli._safe import one_line
from orasx.errors import OrasError

if TYPE_CHECKING:
    from orasx.descriptor import Platform


def platform_value(value: str | None) -> Platform | None:
    """``--platform OS/ARCH[/VARIANT]``, parsed; None when not given."""
    from orasx.descriptor import parse_platform

    return parse_platform(value) if value else None


def confirm(force: bool, question: str) -> None:
    """Ask on a terminal unless ``force`` (-f); with no terminal and no -f, refuse instead of
    hanging."""
    if force:
        return
    if not sys.stdin.isatty():
        raise click.UsageError(f"{question} Pass -f/--force to confirm without a terminal.")
    if not click.confirm(question, default=False, err=True):
        raise SystemExit(0)


def handle_errors(f: Command) -> Command:
    """Print an :class:`OrasError` as ``Error: <message>`` on stderr and exit 1."""

    @functools.wraps(f)
    def wrapper(**kwargs: object) -> None:
        try:
            f(**kwargs)
        except OrasError as e:
            from orasx.cli._hints import message

            click.echo(f"Error: {one_line(message(e))}", err=True)
            sys.exit(1)
        except OSError as e:
            where = f"{e.filename}: " if e.filename else ""
            click.echo(one_line(f"Error: {where}{e.strerror or e}"), err=True)
            sys.exit(1)
        except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM/SIGHUP (see _signals)
            click.echo(f"Error: {_signals.describe(e)}", err=True)
            sys.exit(_signals.exit_code(e))

    return wrapper
