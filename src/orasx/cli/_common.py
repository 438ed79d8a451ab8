"""What every command shares besides its flags (``_options``): error handling, confirmation,
the reference a manifest or blob command needs, output files' errors."""

from __future__ import annotations

import contextlib
import errno
import functools
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from orasx.cli import _signals
from orasx.cli._artifact import missing_reference, os_error_text
from orasx.cli._command import GoUsageError, current
from orasx.cli._options import TargetOptions
from orasx.cli._safe import one_line
from orasx.errors import OrasError

if TYPE_CHECKING:
    from orasx.api import Location
    from orasx.cli.display.manifest import DeleteHandler
    from orasx.descriptor import Descriptor


@contextlib.contextmanager
def go_cache_errors() -> Iterator[None]:
    """``ORAS_CACHE`` naming a file (or a path through one): the Go CLI's ``mkdir PATH: not a
    directory``, PATH the file in the way."""
    import os

    try:
        yield
    except NotADirectoryError as e:
        cache = os.environ.get("ORAS_CACHE")
        if not cache or not e.filename or not os.path.abspath(cache).startswith(
                os.path.abspath(e.filename)):
            raise
        raise GoUsageError(f"mkdir {e.filename}: not a directory") from None


def open_env_cache() -> None:
    """Open (create) the ``ORAS_CACHE`` directory, as the Go CLI does before a command that
    reads through it sends anything: its errors, in Go's words, come first."""
    import os

    cache = os.environ.get("ORAS_CACHE")
    if cache:
        from orasx.content.cache import BlobCache

        with go_cache_errors():
            BlobCache(cache)


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
        print("Operation cancelled.")
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


def handle_errors(f: Callable[..., None]) -> Callable[..., None]:
    """Print an :class:`OrasError` as the Go CLI would (``_hints.render``: ``Error: <message>``,
    ``Error response from registry: ...``, a second hint line...) on stderr and exit 1."""

    @functools.wraps(f)
    def wrapper(**kwargs: object) -> None:
        try:
            f(**kwargs)
        except OrasError as e:
            from orasx.cli._hints import render

            text = render(e, current())
            _stderr("\n".join(one_line(line) for line in text.split("\n")))
            sys.exit(1)
        except OSError as e:
            if isinstance(e, BrokenPipeError) and e.filename is None:  # stdout closed: | head
                _signals.broken_pipe()
            where = f"{e.filename}: " if e.filename else ""
            _stderr(one_line(f"Error: {where}{e.strerror or e}"))
            sys.exit(1)
        except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM/SIGHUP (see _signals)
            _stderr(f"Error: {_signals.describe(e)}")
            sys.exit(_signals.exit_code(e))

    return wrapper


def _stderr(text: str) -> None:
    sys.stdout.flush()
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def require_reference(target: TargetOptions, *, digest_only: bool = False) -> Location:
    """The reference, parsed; the Go CLI's errors when it names no tag or digest, or (with
    ``digest_only``, for blobs) a tag instead of a digest."""
    location = target.location()
    if not location.tag and location.digest is None:
        raise missing_reference(f'"{target.reference}"', digest_only=digest_only)
    if digest_only and location.digest is None and not (location.oci_layout and ":" in
                                                         (location.tag or "")):
        # (a layout's name@x:y that is no digest: Go's layout looks it up, and finds nothing)
        raise GoUsageError("invalid checksum digest format")
    return location


#: what opening an output file fails with (Go: ``open PATH: REASON``)
_OPEN_ERRORS = frozenset({errno.ENOENT, errno.EISDIR, errno.ENOTDIR, errno.EACCES, errno.EPERM,
                          errno.EROFS})


@contextlib.contextmanager
def output_errors(path: str, template: str = "open {path}: {reason}") -> Iterator[None]:
    """An output file that cannot be opened (no such directory, a directory, no permission) in
    the Go CLI's words: ``template`` with the path as given and the reason."""
    try:
        yield
    except OSError as e:
        if e.errno not in _OPEN_ERRORS:
            raise
        raise GoUsageError(template.format(path=path, reason=os_error_text(e))) from None


#: how ``manifest fetch`` and ``index create/update`` word it
FAILED_TO_OPEN = 'failed to open "{path}": open {path}: {reason}'
