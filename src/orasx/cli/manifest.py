"""``oras manifest``: fetch, fetch-config, push, delete, index create/update.

Flags, checks, messages and output as the Go CLI v1.3's: the checks its commands make before
they reach the registry (``PreRunE``: conflicting flags; a reference without a tag or digest)
are here, in its words; what the registry or a store says comes from the library.
"""

from __future__ import annotations

import contextlib
import errno
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from orasx.cli._artifact import (
    missing_reference,
    os_error_text,
    parse_annotation_flags,
    platform_flag,
)
from orasx.cli._cobra import GoUsageError, go_path, use_line
from orasx.cli._common import delete_found, handle_errors
from orasx.cli._flags import FlagGroup, flag
from orasx.cli._options import FormatOptions, TargetOptions, format_options, target_options
from orasx.cli.display import manifest as display
from orasx.cli.display._base import write_content
from orasx.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from orasx.api import Location
    from orasx.content import Target
    from orasx.descriptor import Descriptor


class _AliasGroup(FlagGroup):
    aliases: dict[str, str] = {}

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.aliases.get(cmd_name, cmd_name))


class _ManifestGroup(_AliasGroup):
    aliases = {"get-config": "fetch-config", "rm": "delete", "remove": "delete"}


@click.group("manifest", cls=_ManifestGroup, help="Manifest operations.")
def command() -> None:
    pass


# -- what the commands share (blob's too) --------------------------------------------------------


def require_reference(target: TargetOptions, *, digest_only: bool = False) -> Location:
    """The reference, parsed; the Go CLI's errors when it names no tag or digest, or (with
    ``digest_only``, for blobs) a tag instead of a digest."""
    location = target.location()
    if not location.tag and location.digest is None:
        raise missing_reference(f'"{target.reference}"', digest_only=digest_only)
    if digest_only and location.digest is None:
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
_FAILED_TO_OPEN = 'failed to open "{path}": open {path}: {reason}'


def format_given() -> bool:
    """``--format`` (or ``--template``) was on the command line (Go: the flag "changed")."""
    from click.core import ParameterSource

    ctx = click.get_current_context()
    return any(ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE
               for name in ("output_format", "template"))


# -- fetch --------------------------------------------------------------------------------------


@command.command("fetch", help="Fetch a manifest (raw bytes, or --pretty/--descriptor).")
@flag("--descriptor", help="Print the manifest's descriptor instead.")
@flag("--pretty", help="Indent the JSON.")
@click.option("--media-type", "media_types", multiple=True,
              help="Accepted media types (checked against what is fetched).")
@click.option("--platform", default=None, help="Fetch this platform's manifest of an index.")
@click.option("-o", "--output", default=None, metavar="FILE|-", help="Write the manifest here.")
@target_options()
@format_options()
@handle_errors
def fetch(target: TargetOptions, fmt: FormatOptions, descriptor: bool, pretty: bool,
          media_types: tuple[str, ...], platform: str | None, output: str | None) -> None:
    from orasx.api import fetch_manifest, resolve

    if output == "-" and fmt.document:
        raise GoUsageError("`--output -` cannot be used with `--format ` at the same time")
    if output == "-" and descriptor:
        raise GoUsageError("`--descriptor` cannot be used with `--output -` at the same time")
    if format_given() and pretty:
        raise GoUsageError("--format, --pretty cannot be used at the same time")
    if format_given() and descriptor:
        raise GoUsageError("--format, --descriptor cannot be used at the same time")
    location = require_reference(target)
    accepted = [t for m in media_types for t in m.split(",") if t]
    if accepted and target.oci_layout:
        raise GoUsageError("`--media-type` cannot be used with `--oci-layout` at the same time")
    remote = target.remote.remote()
    content: bytes | None = None
    if descriptor and not output:  # the descriptor only: a HEAD is enough
        desc = resolve(target.reference, oci_layout=target.oci_layout, remote=remote,
                       platform=platform_flag(platform))
    else:
        desc, content = fetch_manifest(target.reference, oci_layout=target.oci_layout,
                                       remote=remote, platform=platform_flag(platform))
    if accepted and desc.media_type not in accepted:
        raise click.ClickException(
            f"{target.reference}: is {desc.media_type}, not {', '.join(accepted)}")
    if content is not None and output and output != "-":
        with output_errors(output, _FAILED_TO_OPEN):
            write_content(output, content)
    handler = display.fetch_handler(fmt, descriptor=descriptor, pretty=pretty, output=output,
                                    name=location.name)
    handler.on_fetched(desc, content)


@command.command("fetch-config", help="Fetch the config blob of a manifest.")
@flag("--descriptor", help="Print the config's descriptor.")
@flag("--pretty", help="Indent the JSON.")
@click.option("--platform", default=None, help="Use this platform's manifest of an index.")
@click.option("-o", "--output", default=None, metavar="FILE|-", help="Write the config here.")
@target_options()
@handle_errors
def fetch_config(target: TargetOptions, descriptor: bool, pretty: bool, platform: str | None,
                 output: str | None) -> None:
    from orasx import mediatype
    from orasx._copy import resolve_root
    from orasx.api import open_location
    from orasx.content import fetch_all
    from orasx.manifest import MAX_MANIFEST_BYTES, Manifest, parse_manifest

    if output == "-" and descriptor:
        raise GoUsageError("`--output -` cannot be used with `--descriptor` at the same time")
    require_reference(target)
    store, location = open_location(target.reference, oci_layout=target.oci_layout,
                                    remote=target.remote.remote(), create=False)
    manifest_desc, raw = resolve_root(store, location.ref, platform_flag(platform))
    node = parse_manifest(manifest_desc.media_type, raw)
    if manifest_desc.media_type not in mediatype.MANIFEST_TYPES or not isinstance(node, Manifest):
        raise GoUsageError(
            f'"{manifest_desc.digest}" is not an image manifest and does not have a config')
    config = node.config
    content: bytes | None = None
    if not descriptor or output:
        content = fetch_all(store, config, limit=MAX_MANIFEST_BYTES)
        if output and output != "-":
            with output_errors(output):
                write_content(output, content)
    display.fetch_config_handler(descriptor=descriptor, pretty=pretty,
                                 output=output).on_fetched(config, content)


# -- push -----------------------------------------------------------------------------------------


def _read_manifest(file: str) -> bytes:
    """The manifest's bytes from ``file`` (``-``: stdin), in the Go CLI's words when it cannot
    be read; more than the size limit is refused."""
    from orasx.errors import InvalidManifestError
    from orasx.manifest import MAX_MANIFEST_BYTES

    try:
        if file == "-":
            data = sys.stdin.buffer.read(MAX_MANIFEST_BYTES + 1)
        else:
            with open(file, "rb") as f:
                data = f.read(MAX_MANIFEST_BYTES + 1)
    except IsADirectoryError:
        raise GoUsageError(f"failed to read {file}: read {file}: is a directory") from None
    except OSError as e:
        raise GoUsageError(f"failed to read {file}: open {file}: {os_error_text(e)}") from None
    if len(data) > MAX_MANIFEST_BYTES:
        raise InvalidManifestError("manifest is over the 4 MiB limit")
    return data


def _media_type(data: bytes, file: str) -> str:
    """The manifest's ``mediaType`` field, as the Go CLI reads it when ``--media-type`` is not
    given."""
    try:
        doc = json.loads(data)
    except ValueError:
        raise GoUsageError("not a valid json file") from None
    if doc is not None and not isinstance(doc, dict):
        raise GoUsageError("not a valid json file")
    value = (doc or {}).get("mediaType")
    value = "" if value is None else value  # JSON null leaves Go's string empty
    if not isinstance(value, str):
        raise GoUsageError("not a valid json file")
    if not value:
        ctx = click.get_current_context()
        raise GoUsageError(
            f'media type is not specified via the flag "--media-type" nor in {json.dumps(file)}\n'
            f"Usage: {use_line(go_path(ctx), ctx.command)}\n"
            'Please specify a valid media type in the manifest JSON or via the "--media-type" flag')
    return value


@command.command("push", help="Push a manifest file (or - for stdin): oras manifest push REF[:t1,t2] FILE")
@flag("--descriptor", help="Print the manifest's descriptor.")
@flag("--pretty", help="Indent the JSON.")
@click.option("--media-type", default="", help="Media type (default: the manifest's mediaType).")
@click.option("--concurrency", default=5, help="Concurrency level.")
@target_options(distribution_spec=True)
@click.argument("file")
@handle_errors
def push(target: TargetOptions, file: str, media_type: str, descriptor: bool, pretty: bool,
         concurrency: int) -> None:
    from orasx.api import open_location
    from orasx.cli._progress import PUSH, reporter
    from orasx.content import push_tagged, tag_all
    from orasx.descriptor import Descriptor
    from orasx.manifest import parse_manifest

    if file == "-" and target.remote.reads_stdin:
        flag_name = "--password-stdin" if target.remote.password_stdin else "--identity-token-stdin"
        raise GoUsageError(f"`-` read file from input and `{flag_name}` read password from input "
                           "cannot be both used")
    first, extra = _split_references(target.reference)
    data = _read_manifest(file)
    media_type = media_type or _media_type(data, file)
    parse_manifest(media_type, data)  # refuse what is not a manifest of that type
    desc = Descriptor.from_bytes(media_type, data)
    store, location = open_location(first, oci_layout=target.oci_layout,
                                    remote=target.remote.remote())
    if location.digest is not None and location.digest != desc.digest:
        raise InvalidInputError(f"{target.reference}: the manifest's digest is {desc.digest}")
    handler = display.push_handler(target, first, descriptor=descriptor, pretty=pretty)
    status = reporter(PUSH, quiet=descriptor, plain=target.common.plain)

    def upload() -> None:
        hooks = status.hooks()
        if _points_at(store, location.ref or str(desc.digest), desc):
            hooks.on_skipped(desc)
            return
        hooks.on_start(desc)
        tag = location.tag if location.digest is None and location.tag else None
        push_tagged(store, desc, data, [tag] if tag else [])
        hooks.on_copied(desc)

    status.run(upload)
    handler.on_pushed(desc)
    for t in extra:
        tag_all(store, desc, data, [t])
        handler.on_tagged(t)
    handler.on_completed(desc)


def _split_references(reference: str) -> tuple[str, list[str]]:
    """``NAME:T1,T2,...`` -> (``NAME:T1``, [``T2``, ...]): the first reference and the extra tags
    (an ``--oci-layout-path`` reference stays one)."""
    from orasx.content.oci import LayoutReference
    from orasx.reference import split_tags

    if isinstance(reference, LayoutReference):
        first, *extra = str(reference).split(",")
        return LayoutReference(first, reference.path), extra
    first, tags = split_tags(reference)
    return first, tags[1:]


def _points_at(store: Target, ref: str, desc: Descriptor) -> bool:
    """Does ``ref`` already name ``desc`` in ``store`` (the Go CLI then reports ``Exists`` and
    pushes nothing)?"""
    try:
        return store.resolve(ref).digest == desc.digest
    except NotFoundError:
        return False


# -- delete ---------------------------------------------------------------------------------------


@command.command("delete", help="Delete a manifest (asks first unless -f).")
@flag("-f", "--force", help="Do not ask for confirmation; a missing manifest is no error.")
@flag("--descriptor", help="Print the deleted manifest's descriptor (needs -f).")
@flag("--pretty", help="Indent the JSON.")
@target_options(distribution_spec=True)
@handle_errors
def delete(target: TargetOptions, force: bool, descriptor: bool, pretty: bool) -> None:
    from orasx.api import open_location
    from orasx.content import ManifestDeleter

    if descriptor and not force:
        raise GoUsageError("must apply --force to confirm the deletion if the descriptor is "
                           "outputted")
    store, location = open_location(target.reference, oci_layout=target.oci_layout,
                                    remote=target.remote.remote(), create=False)
    if not location.ref:
        raise missing_reference(f'"{target.reference}"')
    if not isinstance(store, ManifestDeleter):
        raise InvalidInputError(f"{target.reference}: this store cannot delete manifests")
    handler = display.DeleteHandler(target, descriptor=descriptor, pretty=pretty)
    ref = location.ref
    delete_found("manifest", target.reference, lambda: store.resolve(ref), store.delete, handler,
                 force=force, descriptor=descriptor)


# -- index ----------------------------------------------------------------------------------------


@command.group("index", cls=FlagGroup, help="Index operations (create, update).")
def index() -> None:
    pass


@index.command("create", help="Create an index from manifests: oras manifest index create REF[:tags] SRC...")
@click.option("--artifact-type", default="", help="Artifact type of the index.")
@click.option("-a", "--annotation", "annotations", multiple=True, help="key=value (repeatable).")
@click.option("--output", "-o", "output", default=None, metavar="FILE|-",
              help="Write the index here instead of pushing it ('-': stdout).")
@flag("--pretty", help="Indent the index written to stdout (-o -).")
@target_options()
@click.argument("sources", nargs=-1)
@handle_errors
def index_create(target: TargetOptions, sources: tuple[str, ...], artifact_type: str,
                 annotations: tuple[str, ...], output: str | None, pretty: bool) -> None:
    from orasx.api import index_create as do_create

    parsed = _annotations(annotations)
    remote = target.remote.remote()
    handler = display.index_create_handler(target, output=output)
    desc, raw, tags = do_create(target.reference, sources, annotations=parsed,
                                artifact_type=artifact_type, oci_layout=target.oci_layout,
                                remote=remote, on_event=handler.on_event, push=not output)
    _write_index(output, raw, pretty)
    handler.on_pushed(desc, tags)


@index.command("update", help="Update an index: --add, --merge, --remove, --tag.")
@click.option("--add", multiple=True, help="Add this manifest (tag or digest).")
@click.option("--merge", multiple=True, help="Merge the manifests of this index.")
@click.option("--remove", multiple=True, help="Remove this manifest (by digest).")
@click.option("--tag", "tags", multiple=True, help="Also tag the new index.")
@click.option("--artifact-type", default=None, help="Set the artifact type of the index.")
@click.option("--output", "-o", "output", default=None, metavar="FILE|-",
              help="Write the updated index here instead of pushing it ('-': stdout).")
@flag("--pretty", help="Indent the index written to stdout (-o -).")
@target_options()
@handle_errors
def index_update(target: TargetOptions, add: tuple[str, ...], merge: tuple[str, ...],
                 remove: tuple[str, ...], tags: tuple[str, ...], artifact_type: str | None,
                 output: str | None, pretty: bool) -> None:
    from orasx.api import index_update as do_update

    remote = target.remote.remote()
    handler = display.index_update_handler(target, output=output)
    desc, raw, pushed_tags = do_update(
        target.reference, add=add, merge=merge, remove=remove, tags=tags,
        artifact_type=artifact_type, oci_layout=target.oci_layout, remote=remote,
        on_event=handler.on_event, push=not output)
    _write_index(output, raw, pretty)
    handler.on_pushed(desc, pushed_tags)


def _annotations(items: tuple[str, ...]) -> dict[str, str]:
    """``-a key=value`` flags (:func:`orasx.cli._artifact.parse_annotation_flags`); its errors
    are printed as usage errors here."""
    try:
        return parse_annotation_flags(items)
    except InvalidInputError as e:
        raise GoUsageError(str(e)) from None


def _write_index(output: str | None, raw: bytes, pretty: bool) -> None:
    """``-o FILE`` gets the index as built; ``-o -`` prints it (indented with ``--pretty``)."""
    if output == "-":
        display.print_content(raw, pretty=pretty)
    elif output:
        with output_errors(output, _FAILED_TO_OPEN):
            write_content(output, raw)
