"""``oras blob``: fetch, push, delete."""

from __future__ import annotations

import sys
from typing import IO

import click

from orasx.cli._common import confirm, handle_errors
from orasx.cli._flags import flag
from orasx.cli._options import FormatOptions, TargetOptions, format_options, target_options
from orasx.cli._progress import reporter
from orasx.cli.display import blob as display
from orasx.cli.display.manifest import DeleteHandler
from orasx.cli.manifest import _AliasGroup
from orasx.errors import NotFoundError


class _BlobGroup(_AliasGroup):
    aliases = {"rm": "delete", "remove": "delete"}


@click.group("blob", cls=_BlobGroup, help="Blob operations.")
def command() -> None:
    pass


@command.command("fetch", help="Fetch a blob: oras blob fetch NAME@DIGEST -o FILE|-")
@click.option("-o", "--output", default=None, metavar="FILE|-", help="Write the blob here.")
@flag("--descriptor", help="Print the blob's descriptor.")
@target_options()
@format_options()
@handle_errors
def fetch(target: TargetOptions, fmt: FormatOptions, output: str | None,
          descriptor: bool) -> None:
    from orasx.api import fetch_blob

    remote = target.remote.remote()
    status = reporter(("Downloading", "Downloaded", "Skipped"),
                      quiet=output == "-" or fmt.document, plain=target.common.plain)
    if not output and not descriptor and fmt.kind == "text":
        raise click.UsageError("give -o FILE (or -o - for stdout), or --descriptor")
    out: str | IO[bytes] | None = None
    if output == "-":
        out = sys.stdout.buffer
    elif output:
        out = output
    desc = status.run(fetch_blob, target.reference, out, oci_layout=target.oci_layout,
                      remote=remote, hooks=status.hooks())
    display.fetch_handler(fmt, target, descriptor=descriptor).on_fetched(desc)


@command.command("push", help="Push a blob: oras blob push NAME[@DIGEST] FILE|-")
@click.option("--size", default=-1, help="Size of the content (required for stdin).")
@click.option("--media-type", default="", help="Media type for --descriptor output.")
@flag("--descriptor", help="Print the blob's descriptor.")
@target_options()
@click.argument("file")
@format_options()
@handle_errors
def push(target: TargetOptions, fmt: FormatOptions, file: str, size: int, media_type: str,
         descriptor: bool) -> None:
    from orasx.api import push_blob

    if file == "-":
        if size < 0:
            raise click.UsageError("--size is required when the blob comes from stdin")
        if target.remote.reads_stdin:
            raise click.UsageError("stdin cannot be both the blob and the password")
    remote = target.remote.remote()
    status = reporter(("Uploading", "Uploaded", "Exists"), quiet=descriptor or fmt.document,
                      plain=target.common.plain)
    source: str | IO[bytes] = sys.stdin.buffer if file == "-" else file
    desc = status.run(push_blob, target.reference, source, size=size, media_type=media_type,
                      oci_layout=target.oci_layout, remote=remote, hooks=status.hooks())
    display.push_handler(fmt, target, descriptor=descriptor).on_pushed(desc)


@command.command("delete", help="Delete a blob (asks first unless -f).")
@flag("-f", "--force", help="Do not ask for confirmation.")
@target_options()
@handle_errors
def delete(target: TargetOptions, force: bool) -> None:
    from orasx.api import delete_blob

    remote = target.remote.remote()
    confirm(force, f"Are you sure you want to delete the blob {target.reference!r}?")
    handler = DeleteHandler(target)
    try:
        desc = delete_blob(target.reference, oci_layout=target.oci_layout, remote=remote)
    except NotFoundError:
        if not force:
            raise
        handler.on_missing()  # Go: -f on a missing blob is no error
        return
    handler.on_deleted(desc)
