"""``oras manifest``: fetch, fetch-config, push, delete, index create/update."""

from __future__ import annotations

import sys

import click

from orasx.cli._common import confirm, handle_errors, platform_value
from orasx.cli._flags import FlagGroup, flag
from orasx.cli._options import FormatOptions, TargetOptions, format_options, target_options
from orasx.cli.display import manifest as display
from orasx.cli.display._base import write_content
from orasx.errors import NotFoundError


class _AliasGroup(FlagGroup):
    aliases: dict[str, str] = {}

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.aliases.get(cmd_name, cmd_name))


class _ManifestGroup(_AliasGroup):
    aliases = {"get-config": "fetch-config", "rm": "delete", "remove": "delete"}


@click.group("manifest", cls=_ManifestGroup, help="Manifest operations.")
def command() -> None:
    pass


@command.command("fetch", help="Fetch a manifest (raw bytes, or --pretty/--descriptor).")
@flag("--descriptor", help="Print the manifest's descriptor instead.")
@flag("--pretty", help="Indent the JSON.")
@click.option("--media-type", "media_types", multiple=True,
              help="Accepted media type (checked against what is fetched).")
@click.option("--platform", default=None, help="Fetch this platform's manifest of an index.")
@click.option("-o", "--output", default=None, metavar="FILE|-", help="Write the manifest here.")
@target_options()
@format_options()
@handle_errors
def fetch(target: TargetOptions, fmt: FormatOptions, descriptor: bool, pretty: bool,
          media_types: tuple[str, ...], platform: str | None, output: str | None) -> None:
    from orasx.api import fetch_manifest

    remote = target.remote.remote()
    desc, raw = fetch_manifest(target.reference, oci_layout=target.oci_layout, remote=remote,
                               platform=platform_value(platform))
    if media_types and desc.media_type not in media_types:
        raise click.ClickException(
            f"{target.reference}: is {desc.media_type}, not {', '.join(media_types)}")
    if output:
        write_content(output, raw)
    handler = display.fetch_handler(fmt, descriptor=descriptor, pretty=pretty, output=output)
    handler.on_fetched(desc, raw)


@command.command("fetch-config", help="Fetch the config blob of a manifest.")
@flag("--descriptor", help="Print the config's descriptor instead.")
@click.option("--platform", default=None, help="Use this platform's manifest of an index.")
@click.option("-o", "--output", default=None, metavar="FILE|-", help="Write the config here.")
@target_options()
@format_options()
@handle_errors
def fetch_config(target: TargetOptions, fmt: FormatOptions, descriptor: bool,
                 platform: str | None, output: str | None) -> None:
    from orasx.api import fetch_config as do_fetch

    remote = target.remote.remote()
    desc, raw = do_fetch(target.reference, oci_layout=target.oci_layout, remote=remote,
                         platform=platform_value(platform))
    display.fetch_config_handler(fmt, descriptor=descriptor, output=output).on_fetched(desc, raw)


@command.command("push", help="Push a manifest file (or - for stdin): oras manifest push REF[:t1,t2] FILE")
@click.option("--media-type", default="", help="Media type (default: from the manifest).")
@target_options(distribution_spec=True)
@click.argument("file")
@format_options()
@handle_errors
def push(target: TargetOptions, fmt: FormatOptions, file: str, media_type: str) -> None:
    from orasx.api import push_manifest

    if file == "-" and target.remote.reads_stdin:
        raise click.UsageError("stdin cannot be both the manifest and the password")
    remote = target.remote.remote()
    if file == "-":
        data = sys.stdin.buffer.read(4 * 1024 * 1024 + 1)
    else:
        with open(file, "rb") as f:
            data = f.read(4 * 1024 * 1024 + 1)
    desc, _tags = push_manifest(target.reference, data, media_type=media_type,
                                oci_layout=target.oci_layout, remote=remote)
    display.push_handler(fmt, target).on_pushed(desc)


@command.command("delete", help="Delete a manifest (asks first unless -f).")
@flag("-f", "--force", help="Do not ask for confirmation.")
@target_options(distribution_spec=True)
@handle_errors
def delete(target: TargetOptions, force: bool) -> None:
    from orasx.api import delete_manifest

    remote = target.remote.remote()
    confirm(force, f"Are you sure you want to delete the manifest {target.reference!r} and all "
                   "tags associated with it?")
    handler = display.DeleteHandler(target)
    try:
        desc = delete_manifest(target.reference, oci_layout=target.oci_layout, remote=remote)
    except NotFoundError:
        if not force:
            raise
        handler.on_missing()  # Go: -f on a missing manifest is no error
        return
    handler.on_deleted(desc)


@command.group("index", cls=FlagGroup, help="Index operations (create, update).")
def index() -> None:
    pass


@index.command("create", help="Create an index from manifests: oras manifest index create REF[:tags] SRC...")
@click.option("--artifact-type", default="", help="Artifact type of the index.")
@click.option("-a", "--annotation", "annotations", multiple=True, help="key=value (repeatable).")
@click.option("--output", "-o", "output", default=None, metavar="FILE|-",
              help="Write the index here instead of pushing it ('-': stdout).")
@target_options()
@click.argument("sources", nargs=-1)
@format_options()
@handle_errors
def index_create(target: TargetOptions, fmt: FormatOptions, sources: tuple[str, ...],
                 artifact_type: str, annotations: tuple[str, ...], output: str | None) -> None:
    from orasx.api import index_create as do_create
    from orasx.fileref import parse_annotations

    remote = target.remote.remote()
    handler = display.index_create_handler(fmt, target, output=output)
    desc, raw, tags = do_create(target.reference, sources,
                                annotations=parse_annotations(annotations),
                                artifact_type=artifact_type, oci_layout=target.oci_layout,
                                remote=remote, on_event=handler.on_event, push=not output)
    if output:
        write_content(output, raw)
    handler.on_pushed(desc, tags)


@index.command("update", help="Update an index: --add, --merge, --remove, --tag.")
@click.option("--add", multiple=True, help="Add this manifest (tag or digest).")
@click.option("--merge", multiple=True, help="Merge the manifests of this index.")
@click.option("--remove", multiple=True, help="Remove this manifest (digest or tag).")
@click.option("--tag", "tags", multiple=True, help="Also tag the new index.")
@click.option("-a", "--annotation", "annotations", multiple=True, help="key=value (repeatable).")
@click.option("--artifact-type", default=None, help="Set the artifact type of the index.")
@click.option("--output", "-o", "output", default=None, metavar="FILE|-",
              help="Write the updated index here instead of pushing it ('-': stdout).")
@target_options()
@format_options()
@handle_errors
def index_update(target: TargetOptions, fmt: FormatOptions, add: tuple[str, ...],
                 merge: tuple[str, ...], remove: tuple[str, ...], tags: tuple[str, ...],
                 annotations: tuple[str, ...], artifact_type: str | None,
                 output: str | None) -> None:
    from orasx.api import index_update as do_update
    from orasx.fileref import parse_annotations

    remote = target.remote.remote()
    handler = display.index_update_handler(fmt, target, output=output)
    desc, raw, pushed_tags = do_update(
        target.reference, add=add, merge=merge, remove=remove, tags=tags,
        annotations=parse_annotations(annotations), artifact_type=artifact_type,
        oci_layout=target.oci_layout, remote=remote, on_event=handler.on_event,
        push=not output)
    if output:
        write_content(output, raw)
    handler.on_pushed(desc, pushed_tags)
