"""``oras blob``: fetch, push, delete, with the Go CLI v1.3's flags, checks, messages and output
(see ``manifest`` for what the two share)."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from typing import IO

import click

from orasx.cli._artifact import os_error_text
from orasx.cli._cobra import GoUsageError
from orasx.cli._common import delete_found, handle_errors
from orasx.cli._flags import flag
from orasx.cli._options import TargetOptions, target_options
from orasx.cli._progress import PUSH, reporter
from orasx.cli.display import blob as display
from orasx.cli.display.manifest import DeleteHandler
from orasx.cli.manifest import _AliasGroup, output_errors, require_reference
from orasx.mediatype import OCI_LAYER_TAR


class _BlobGroup(_AliasGroup):
    aliases = {"rm": "delete", "remove": "delete"}


@click.group("blob", cls=_BlobGroup, help="Blob operations.")
def command() -> None:
    pass


@command.command("fetch", help="Fetch a blob: oras blob fetch NAME@DIGEST -o FILE|-")
@click.option("-o", "--output", default=None, metavar="FILE|-", help="Write the blob here.")
@flag("--descriptor", help="Print the blob's descriptor.")
@flag("--pretty", help="Indent the descriptor.")
@target_options()
@handle_errors
def fetch(target: TargetOptions, output: str | None, descriptor: bool, pretty: bool) -> None:
    from orasx.api import fetch_blob

    if not output and not descriptor:
        raise GoUsageError("either `--output` or `--descriptor` must be provided")
    if output == "-" and descriptor:
        raise GoUsageError("`--output -` cannot be used with `--descriptor` at the same time")
    require_reference(target, digest_only=True)
    remote = target.remote.remote()
    # Go shows a progress bar on a terminal only: no status lines otherwise, none for stdout.
    quiet = output == "-" or target.common.plain or not sys.stderr.isatty()
    status = reporter(("Downloading", "Downloaded", "Skipped"), quiet=quiet,
                      plain=target.common.plain)
    out: str | IO[bytes] | None = None
    if output == "-":
        out = sys.stdout.buffer
    elif output:
        out = output
    with output_errors(out) if isinstance(out, str) else contextlib.nullcontext():
        desc = status.run(fetch_blob, target.reference, out, oci_layout=target.oci_layout,
                          remote=remote, hooks=status.hooks())
    display.fetch_handler(descriptor=descriptor, pretty=pretty).on_fetched(desc)


def _check_file(file: str, size: int) -> None:
    """The Go CLI's errors for a blob file it cannot read, or whose size is not ``--size``."""
    try:
        st = os.stat(file)
        with open(file, "rb"):
            pass
    except IsADirectoryError:
        pass  # Go opens a directory, then fails to read it (below)
    except OSError as e:
        raise GoUsageError(f"failed to open {file}: open {file}: {os_error_text(e)}") from None
    if size >= 0 and size != st.st_size:
        raise GoUsageError(
            f"input size {size} does not match the actual content size {st.st_size}")
    if stat.S_ISDIR(st.st_mode):
        raise GoUsageError(f"read {file}: is a directory")


@command.command("push", help="Push a blob: oras blob push NAME[@DIGEST] FILE|-")
@click.option("--size", default=-1, help="Size of the content (required for stdin).")
@click.option("--media-type", default=OCI_LAYER_TAR,
              help="Media type of the blob in its descriptor.")
@flag("--descriptor", help="Print the blob's descriptor.")
@flag("--pretty", help="Indent the descriptor.")
@target_options()
@click.argument("file")
@handle_errors
def push(target: TargetOptions, file: str, size: int, media_type: str, descriptor: bool,
         pretty: bool) -> None:
    from orasx.api import push_blob

    if file == "-":
        if target.remote.reads_stdin:
            name = "--password-stdin" if target.remote.password_stdin else "--identity-token-stdin"
            raise GoUsageError(f"`-` read file from input and `{name}` read password from input "
                               "cannot be both used")
        if size < 0:
            raise GoUsageError("`--size` must be provided if the blob is read from stdin")
    location = target.location()
    if location.digest is None and location.tag:
        raise GoUsageError(f"invalid digest {location.tag}: invalid checksum digest format")
    if file == "-" and location.digest is None:
        raise GoUsageError("content digest must be provided if it is read from stdin")
    if file != "-":
        _check_file(file, size)
    remote = target.remote.remote()
    status = reporter(PUSH, quiet=descriptor, plain=target.common.plain)
    source: str | IO[bytes] = sys.stdin.buffer if file == "-" else file
    desc = status.run(push_blob, target.reference, source, size=size, media_type=media_type,
                      oci_layout=target.oci_layout, remote=remote, hooks=status.hooks())
    display.push_handler(target, descriptor=descriptor, pretty=pretty).on_pushed(desc)


@command.command("delete", help="Delete a blob (asks first unless -f).")
@flag("-f", "--force", help="Do not ask for confirmation; a missing blob is no error.")
@flag("--descriptor", help="Print the deleted blob's descriptor (needs -f).")
@flag("--pretty", help="Indent the descriptor.")
@target_options()
@handle_errors
def delete(target: TargetOptions, force: bool, descriptor: bool, pretty: bool) -> None:
    from orasx.api import open_location
    from orasx.content import BlobStore
    from orasx.errors import InvalidInputError

    if descriptor and not force:
        raise GoUsageError("must apply --force to confirm the deletion if the descriptor is "
                           "outputted")
    location = require_reference(target, digest_only=True)
    assert location.digest is not None
    store, _ = open_location(target.reference, oci_layout=target.oci_layout,
                             remote=target.remote.remote(), create=False)
    if not isinstance(store, BlobStore):
        raise InvalidInputError(f"{target.reference}: this store cannot address blobs by digest")
    handler = DeleteHandler(target, descriptor=descriptor, pretty=pretty)
    digest = location.digest
    delete_found("blob", target.reference, lambda: store.blob_descriptor(digest), store.delete,
                 handler, force=force, descriptor=descriptor)
