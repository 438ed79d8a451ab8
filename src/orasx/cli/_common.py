"""What every command shares besides its options (``_options``): error handling, confirmation,
and the ``--platform`` value."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from orasx.cli import _signals
from orasx.cli._options import Command
from orasx.cli._safe import one_line
from orasx.errors import OrasError

if TYPE_CHECKING:
    from orasx.cli.display.manifest import DeleteHandler
    from orasx.descriptor import Descriptor


def confirm(force: bool, question: str) -> None:
    """Unless ``force`` (-f), print ``question [y/N] `` on stdout and read the answer from stdin,
    also when it is not a terminal (the Go CLI's ``AskForConfirmation``); anything but ``y``/``yes``
    (EOF included) prints ``Operation cancelled.`` and exits 0."""
    if force:
        return
    sys.stdout.write(f"{question} [y/N] ")
    sys.stdout.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        click.echo("Operation cancelled.")
        raise SystemExit(0)


def confirm_delete(force: bool, kind: str, digest: str) -> None:
    """The Go CLI's delete confirmation, asked after the reference resolved to ``digest``:
    ``kind`` is ``"manifest"`` (``Are you sure you want to delete the manifest "<digest>" and all
    tags associated with it? [y/N] ``) or ``"blob"`` (``... the blob "<digest>"? [y/N] ``)."""
    if kind == "manifest":
        question = (f'Are you sure you want to delete the manifest "{digest}" and all tags '
                    "associated with it?")
    else:
        question = f'Are you sure you want to delete the {kind} "{digest}"?'
    confirm(force, question)


def delete_found(kind: str, reference: str, lookup: Callable[[], Descriptor],
                 delete: Callable[[Descriptor], None], handler: DeleteHandler, *, force: bool,
                 descriptor: bool) -> None:
    """The Go CLI's delete of a manifest or blob (``kind``): look it up first (a missing one is
    an error, or with ``-f`` and no ``--descriptor`` a ``Missing`` line), ask naming its digest
    (:func:`confirm_delete`), delete, report."""
    from orasx.cli._cobra import GoUsageError
    from orasx.errors import NotFoundError

    try:
        desc = lookup()
    except NotFoundError:
        if force and not descriptor:
            handler.on_missing()  # Go: -f on a missing one is no error
            return
        raise GoUsageError(f"{reference}: the specified {kind} does not exist") from None
    confirm_delete(force, kind, str(desc.digest))
    delete(desc)
    handler.on_deleted(desc)


def handle_errors(f: Command) -> Command:
    """Print an :class:`OrasError` as the Go CLI would (``_hints.render``: ``Error: <message>``,
    ``Error response from registry: ...``, a second hint line...) on stderr and exit 1."""

    @functools.wraps(f)
    def wrapper(**kwargs: object) -> None:
        try:
            f(**kwargs)
        except OrasError as e:
            from orasx.cli._hints import render

            text = render(e, click.get_current_context(silent=True))
            click.echo("\n".join(one_line(line) for line in text.split("\n")), err=True)
            sys.exit(1)
        except OSError as e:
            where = f"{e.filename}: " if e.filename else ""
            click.echo(one_line(f"Error: {where}{e.strerror or e}"), err=True)
            sys.exit(1)
        except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM/SIGHUP (see _signals)
            click.echo(f"Error: {_signals.describe(e)}", err=True)
            sys.exit(_signals.exit_code(e))

    return wrapper
