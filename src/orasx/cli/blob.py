"""``oras blob``: fetch, push, delete."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from orasx.cli._common import (
    build_remote,
    confirm,
    handle_errors,
    oci_layout_option,
    print_done,
    remote_options,
)
from orasx.cli._flags import flag
from orasx.cli._output import emit, format_option
from orasx.cli._progress import begin
from orasx.cli.manifest import _AliasGroup


class _BlobGroup(_AliasGroup):
    aliases = {"rm": "delete", "remove": "delete"}


@click.group("blob", cls=_BlobGroup, help="Blob operations.")
def command() -> None:
    pass


@command.command("fetch", help="Fetch a blob: oras blob fetch NAME@DIGEST -o FILE|-")
@click.argument("reference")
@click.option("-o", "--output", default=None, metavar="FILE|-", help="Write the blob here.")
@flag("--descriptor", help="Print the blob's descriptor.")
@oci_layout_option
@format_option()
@remote_options
@handle_errors
def fetch(**kw: Any) -> None:
    from orasx.api import fetch_blob

    to_stdout = kw["output"] == "-"
    fmt, template, remote, status = begin(kw, ("Downloading", "Downloaded", "Skipped"),
                                          quiet=to_stdout)
    if not kw["output"] and not kw["descriptor"] and fmt == "text":
        raise click.UsageError("give -o FILE (or -o - for stdout), or --descriptor")
    out: Any = None
    if kw["output"] == "-":
        out = sys.stdout.buffer
    elif kw["output"]:
        out = kw["output"]
    desc = status.run(fetch_blob, kw["reference"], out, oci_layout=kw["oci_layout"],
                      remote=remote, hooks=status.hooks())
    if emit(fmt, template, {"reference": kw["reference"], **desc.to_dict()}):
        return
    if kw["descriptor"]:
        click.echo(json.dumps(desc.to_dict(), separators=(",", ":")))


@command.command("push", help="Push a blob: oras blob push NAME[@DIGEST] FILE|-")
@click.argument("reference")
@click.argument("file")
@click.option("--size", default=-1, help="Size of the content (required for stdin).")
@click.option("--media-type", default="", help="Media type for --descriptor output.")
@flag("--descriptor", help="Print the blob's descriptor.")
@oci_layout_option
@format_option()
@remote_options
@handle_errors
def push(**kw: Any) -> None:
    from orasx.api import push_blob

    if kw["file"] == "-":
        if kw["size"] < 0:
            raise click.UsageError("--size is required when the blob comes from stdin")
        if kw["password_stdin"] or kw["identity_token_stdin"]:
            raise click.UsageError("stdin cannot be both the blob and the password")
    fmt, template, remote, status = begin(kw, ("Uploading", "Uploaded", "Exists"),
                                          quiet=kw["descriptor"])
    source: Any = sys.stdin.buffer if kw["file"] == "-" else kw["file"]
    desc = status.run(push_blob, kw["reference"], source, size=kw["size"],
                      media_type=kw["media_type"], oci_layout=kw["oci_layout"], remote=remote,
                      hooks=status.hooks())
    name = kw["reference"].split("@")[0]
    if emit(fmt, template, {"reference": f"{name}@{desc.digest}", **desc.to_dict()}):
        return
    if kw["descriptor"]:
        click.echo(json.dumps(desc.to_dict(), separators=(",", ":")))
        return
    print_done("Pushed", kw["oci_layout"], f"{name}@{desc.digest}", desc.digest)


@command.command("delete", help="Delete a blob (asks first unless -f).")
@click.argument("reference")
@flag("-f", "--force", help="Do not ask for confirmation.")
@oci_layout_option
@remote_options
@handle_errors
def delete(**kw: Any) -> None:
    from orasx.api import delete_blob

    remote = build_remote(kw)
    confirm(kw, f"Are you sure you want to delete the blob {kw['reference']!r}?")
    desc = delete_blob(kw["reference"], oci_layout=kw["oci_layout"], remote=remote)
    print_done("Deleted", kw["oci_layout"], kw["reference"], desc.digest)
