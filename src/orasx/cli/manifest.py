"""``oras manifest``: fetch, fetch-config, push, delete, index create/update."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from orasx.cli._common import (
    build_remote,
    confirm,
    distribution_spec_option,
    handle_errors,
    oci_layout_option,
    platform_value,
    print_done,
    remote_options,
)
from orasx.cli._flags import FlagGroup, flag
from orasx.cli._output import emit, format_option, parse_format


class _AliasGroup(FlagGroup):
    aliases: dict[str, str] = {}

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.aliases.get(cmd_name, cmd_name))


class _ManifestGroup(_AliasGroup):
    aliases = {"get-config": "fetch-config", "rm": "delete", "remove": "delete"}


@click.group("manifest", cls=_ManifestGroup, help="Manifest operations.")
def command() -> None:
    pass


def _write_output(path: str | None, data: bytes) -> None:
    from orasx._fsutil import atomic_writer, umask_mode

    if path and path != "-":
        with atomic_writer(path, mode=umask_mode()) as f:
            f.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@command.command("fetch", help="Fetch a manifest (raw bytes, or --pretty/--descriptor).")
@click.argument("reference")
@flag("--descriptor", help="Print the manifest's descriptor instead.")
@flag("--pretty", help="Indent the JSON.")
@click.option("--media-type", "media_types", multiple=True,
              help="Accepted media type (checked against what is fetched).")
@click.option("--platform", default=None, help="Fetch this platform's manifest of an index.")
@click.option("-o", "--output", default=None, metavar="FILE|-", help="Write the manifest here.")
@oci_layout_option
@format_option()
@remote_options
@handle_errors
def fetch(**kw: Any) -> None:
    from orasx.api import fetch_manifest

    fmt, template = parse_format(kw)
    remote = build_remote(kw)
    desc, raw = fetch_manifest(kw["reference"], oci_layout=kw["oci_layout"], remote=remote,
                               platform=platform_value(kw["platform"]))
    if kw["media_types"] and desc.media_type not in kw["media_types"]:
        raise click.ClickException(
            f"{kw['reference']}: is {desc.media_type}, not {', '.join(kw['media_types'])}")
    if kw["output"]:
        _write_output(kw["output"], raw)
    if emit(fmt, template, {**desc.to_dict(), "content": json.loads(raw)}):
        return
    if kw["descriptor"]:
        click.echo(json.dumps(desc.to_dict(), indent=2 if kw["pretty"] else None,
                              separators=None if kw["pretty"] else (",", ":")))
    elif not kw["output"]:
        if kw["pretty"]:
            click.echo(json.dumps(json.loads(raw), indent=2))
        else:
            _write_output(None, raw)


@command.command("fetch-config", help="Fetch the config blob of a manifest.")
@click.argument("reference")
@flag("--descriptor", help="Print the config's descriptor instead.")
@click.option("--platform", default=None, help="Use this platform's manifest of an index.")
@click.option("-o", "--output", default=None, metavar="FILE|-", help="Write the config here.")
@oci_layout_option
@format_option()
@remote_options
@handle_errors
def fetch_config(**kw: Any) -> None:
    from orasx.api import fetch_config as do_fetch

    fmt, template = parse_format(kw)
    remote = build_remote(kw)
    desc, raw = do_fetch(kw["reference"], oci_layout=kw["oci_layout"], remote=remote,
                         platform=platform_value(kw["platform"]))
    if emit(fmt, template, desc.to_dict()):
        return
    if kw["descriptor"]:
        click.echo(json.dumps(desc.to_dict(), separators=(",", ":")))
        return
    _write_output(kw["output"], raw)


@command.command("push", help="Push a manifest file (or - for stdin): oras manifest push REF[:t1,t2] FILE")
@click.argument("reference")
@click.argument("file")
@click.option("--media-type", default="", help="Media type (default: from the manifest).")
@oci_layout_option
@distribution_spec_option
@format_option()
@remote_options
@handle_errors
def push(**kw: Any) -> None:
    from orasx.api import push_manifest

    fmt, template = parse_format(kw)
    if kw["file"] == "-" and (kw["password_stdin"] or kw["identity_token_stdin"]):
        raise click.UsageError("stdin cannot be both the manifest and the password")
    remote = build_remote(kw)
    if kw["file"] == "-":
        data = sys.stdin.buffer.read(4 * 1024 * 1024 + 1)
    else:
        with open(kw["file"], "rb") as f:
            data = f.read(4 * 1024 * 1024 + 1)
    desc, _tags = push_manifest(kw["reference"], data, media_type=kw["media_type"],
                               oci_layout=kw["oci_layout"], remote=remote)
    if emit(fmt, template, {"reference": kw["reference"].split(",")[0], **desc.to_dict()}):
        return
    print_done("Pushed", kw["oci_layout"], kw["reference"], desc.digest)


@command.command("delete", help="Delete a manifest (asks first unless -f).")
@click.argument("reference")
@flag("-f", "--force", help="Do not ask for confirmation.")
@oci_layout_option
@distribution_spec_option
@remote_options
@handle_errors
def delete(**kw: Any) -> None:
    from orasx.api import delete_manifest

    remote = build_remote(kw)
    confirm(kw, f"Are you sure you want to delete the manifest {kw['reference']!r} and all tags "
                "associated with it?")
    desc = delete_manifest(kw["reference"], oci_layout=kw["oci_layout"], remote=remote)
    print_done("Deleted", kw["oci_layout"], kw["reference"], desc.digest)


@command.group("index", cls=FlagGroup, help="Index operations (create, update).")
def index() -> None:
    pass


@index.command("create", help="Create an index from manifests: oras manifest index create REF[:tags] SRC...")
@click.argument("reference")
@click.argument("sources", nargs=-1)
@click.option("--artifact-type", default="", help="Artifact type of the index.")
@click.option("-a", "--annotation", "annotations", multiple=True, help="key=value (repeatable).")
@click.option("--output", "-o", "output", default=None, metavar="FILE|-",
              help="Also write the index here.")
@oci_layout_option
@format_option()
@remote_options
@handle_errors
def index_create(**kw: Any) -> None:
    from orasx.api import index_create as do_create
    from orasx.fileref import parse_annotations

    fmt, template = parse_format(kw)
    remote = build_remote(kw)
    desc, raw, _ = do_create(kw["reference"], kw["sources"],
                             annotations=parse_annotations(kw["annotations"]),
                             artifact_type=kw["artifact_type"], oci_layout=kw["oci_layout"],
                             remote=remote)
    if kw["output"]:
        _write_output(kw["output"], raw)
    if emit(fmt, template, {"reference": kw["reference"].split(",")[0], **desc.to_dict()}):
        return
    click.echo(f"Pushed {kw['reference']}")
    click.echo(f"Digest: {desc.digest}")


@index.command("update", help="Update an index: --add, --merge, --remove, --tag.")
@click.argument("reference")
@click.option("--add", multiple=True, help="Add this manifest (tag or digest).")
@click.option("--merge", multiple=True, help="Merge the manifests of this index.")
@click.option("--remove", multiple=True, help="Remove this manifest (digest or tag).")
@click.option("--tag", "tags", multiple=True, help="Also tag the new index.")
@click.option("-a", "--annotation", "annotations", multiple=True, help="key=value (repeatable).")
@click.option("--artifact-type", default=None, help="Set the artifact type of the index.")
@oci_layout_option
@format_option()
@remote_options
@handle_errors
def index_update(**kw: Any) -> None:
    from orasx.api import index_update as do_update
    from orasx.fileref import parse_annotations

    fmt, template = parse_format(kw)
    remote = build_remote(kw)
    desc, _, _ = do_update(kw["reference"], add=kw["add"], merge=kw["merge"],
                           remove=kw["remove"], tags=kw["tags"],
                           annotations=parse_annotations(kw["annotations"]),
                           artifact_type=kw["artifact_type"], oci_layout=kw["oci_layout"],
                           remote=remote)
    if emit(fmt, template, {"reference": kw["reference"], **desc.to_dict()}):
        return
    click.echo(f"Updated {kw['reference']}")
    click.echo(f"Digest: {desc.digest}")
