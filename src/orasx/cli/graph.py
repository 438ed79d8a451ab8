"""``attach``, ``discover``, ``copy``/``cp``, ``tag`` and ``resolve``."""

from __future__ import annotations

import functools
import sys

import click

from orasx.cli._common import handle_errors
from orasx.cli._flags import flag
from orasx.cli._options import (
    Command,
    CommonOptions,
    FormatOptions,
    TargetOptions,
    common_options,
    format_options,
    target_options,
)
from orasx.cli._progress import COPY, PUSH, reporter
from orasx.cli.display import graph as display

_ATTACH_HELP = """Attach files to an existing artifact as a referrer (image-spec v1.1, with subject).

\b
Examples:
  oras attach --artifact-type application/vnd.example.sbom localhost:5000/hello:v1 sbom.json
  oras attach --artifact-type doc/example -a "key=value" localhost:5000/hello:v1
  oras attach --oci-layout --artifact-type sig/example layout-dir:v1 sig.bin
"""


@click.command("attach", help=_ATTACH_HELP)
@click.option("--artifact-type", required=True, help="Artifact type of the referrer (required).")
@click.option("-a", "--annotation", "annotations", multiple=True, help="key=value (repeatable).")
@click.option("--annotation-file", default=None, help="JSON annotation file (see push).")
@click.option("--config", default=None, metavar="PATH[:TYPE]",
              help="[Preview] Config file of the referrer (default: the empty config).")
@click.option("--export-manifest", default=None, metavar="PATH", help="Write the manifest here.")
@click.option("--platform", default=None, help="Attach to this platform's manifest of an index.")
@click.option("--concurrency", default=5, show_default=True,
              help="Blobs pushed at once (0 or less: 3).")
@flag("--disable-path-validation", help="Allow absolute file paths.")
@target_options(argument="subject", distribution_spec=True)
@click.argument("files", nargs=-1)
@format_options()
@handle_errors
def attach(
    target: TargetOptions, fmt: FormatOptions, files: tuple[str, ...], artifact_type: str,
    annotations: tuple[str, ...], annotation_file: str | None, config: str | None,
    export_manifest: str | None, platform: str | None, concurrency: int,
    disable_path_validation: bool,
) -> None:
    from orasx.api import attach as do_attach
    from orasx.cli import _artifact as go
    from orasx.cli._cobra import GoUsageError, use_line
    from orasx.fileref import MANIFEST_KEY

    go.check_deprecated_flags()
    go.check_file_paths(files, disable_path_validation=disable_path_validation)
    manifest_annotations, from_file = go.load_annotations(annotations, annotation_file)
    wanted = go.platform_flag(platform)
    remote = target.remote.remote()
    go.require_reference(target, missing_hint="" if files else
                         "Are you missing an artifact reference to attach to? ")
    if not files and not manifest_annotations and not from_file.get(MANIFEST_KEY):
        raise GoUsageError(
            "neither file nor annotation provided in the command\n"
            f"Usage: {use_line('attach')}\n"
            "To attach to an existing artifact, please provide files via argument or annotations "
            'via flag "--annotation". Run "oras attach -h" for more options and examples')
    go.check_config_file(config)
    status = reporter(PUSH, quiet=fmt.document, plain=target.common.plain)
    if not files:
        status.note("Uploading empty artifact")
    result = status.run(
        do_attach,
        target.reference, files, artifact_type=artifact_type,
        annotations=manifest_annotations, annotation_file=annotation_file,
        export_manifest=export_manifest, platform=wanted,
        concurrency=go.concurrency(concurrency), oci_layout=target.oci_layout,
        disable_path_validation=disable_path_validation, remote=remote,
        hooks=status.hooks(), on_file=go.PreparedFiles(status.note),
        config=config,
    )
    display.attach_handler(fmt).on_attached(result)


_DISCOVER_HELP = """Discover the referrers of an artifact.

\b
Examples:
  oras discover localhost:5000/hello:v1
  oras discover --format table localhost:5000/hello:v1
  oras discover --format json --artifact-type application/vnd.example.sbom localhost:5000/hello:v1
"""


_OUTPUT_USED = "orasx.discover.output"


def _output_alias(f: Command) -> Command:
    """``-o/--output``, the deprecated spelling of ``--format`` (tree, table or json): it takes
    the place of ``--format``'s value before the format options are read; both at once is the Go
    CLI's error."""

    @functools.wraps(f)
    def wrapper(**kwargs: object) -> None:
        output = kwargs.pop("output")
        if output is not None:
            from orasx.cli._cobra import GoUsageError

            ctx = click.get_current_context()
            if ctx.get_parameter_source("output_format") is click.core.ParameterSource.COMMANDLINE:
                raise GoUsageError("--format, --output cannot be used at the same time")
            kwargs["output_format"] = output
            ctx.meta[_OUTPUT_USED] = True
        f(**kwargs)

    return wrapper


@click.command("discover", help=_DISCOVER_HELP)
@click.option("--artifact-type", default="", help="Only referrers of this artifact type.")
@click.option("--depth", default=0, help="Levels of referrers to follow (0: all, up to 64).")
@click.option("--platform", default=None, help="Discover for this platform's manifest.")
@click.option("-o", "--output", default=None, metavar="FORMAT",
              help="[Deprecated] The format (tree, table or json): use --format.")
@target_options(distribution_spec=True)
@_output_alias
@format_options("tree", "table")
@handle_errors
def discover(target: TargetOptions, fmt: FormatOptions, artifact_type: str, depth: int,
             platform: str | None) -> None:
    from orasx.api import discover as do_discover
    from orasx.cli import _artifact as go

    go.check_deprecated_flags()
    if fmt.kind == "table":
        click.echo('Format "table" is deprecated and will be removed in a future release.',
                   err=True)
    if click.get_current_context().meta.get(_OUTPUT_USED):
        if fmt.kind not in ("tree", "table", "json"):
            from orasx.cli._cobra import GoUsageError

            raise GoUsageError("output type can only be tree, table or json")
        # Go names the template here, empty unless --template was given (it is not, with these)
        click.echo("[DEPRECATED] --output is deprecated, try `--format ` instead", err=True)
    wanted = go.platform_flag(platform)
    remote = target.remote.remote()
    go.require_reference(target)
    root, name = do_discover(target.reference, artifact_type=artifact_type,
                             depth=1 if fmt.kind == "table" else depth, platform=wanted,
                             oci_layout=target.oci_layout, remote=remote)
    color = sys.stdout.isatty() and not target.common.plain
    display.discover_handler(fmt, target.reference, color=color).on_discovered(root, name)


_COPY_HELP = """Copy artifacts from one target to another (registry or OCI layout).

\b
Every remote flag has --from-* and --to-* forms (--from-username, --to-plain-http, ...).
Within one registry and with the same credentials, blobs are mounted, not copied.

\b
Examples:
  oras cp localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1
  oras cp -r localhost:5000/net-monitor:v1 localhost:5000/net-monitor-copy:v1,latest
  oras cp --to-oci-layout localhost:5000/net-monitor:v1 ./layout:v1
"""


@click.command("copy", help=_COPY_HELP)
@flag("-r", "--recursive", help="Copy the referrers too.")
@click.option("--platform", default=None, help="Copy only this platform's manifest.")
@click.option("--concurrency", default=3, show_default=True,
              help="Blobs copied at once (0 or less: 3).")
@click.option("--resolve", "base_resolves", multiple=True, metavar="HOST:PORT:ADDRESS[:PORT]",
              help="Base DNS rules for --from-resolve and --to-resolve (repeatable).")
@flag("-v", "--verbose", hidden=True, help="Deprecated: no effect.")
@target_options("from", argument="source", distribution_spec=True, into="source")
@target_options("to", argument="destination", distribution_spec=True, into="destination")
@common_options()
@handle_errors
def copy(source: TargetOptions, destination: TargetOptions, common: CommonOptions,
         recursive: bool, platform: str | None, concurrency: int,
         base_resolves: tuple[str, ...], verbose: bool) -> None:
    import dataclasses

    from orasx.api import copy as do_copy
    from orasx.cli import _artifact as go

    go.check_deprecated_flags()
    wanted = go.platform_flag(platform)
    if base_resolves:  # Go: --resolve applies to both sides, before their own rules
        source = dataclasses.replace(source, remote=dataclasses.replace(
            source.remote, resolves=(*base_resolves, *source.remote.resolves)))
        destination = dataclasses.replace(destination, remote=dataclasses.replace(
            destination.remote, resolves=(*base_resolves, *destination.remote.resolves)))
    src, dst = source.endpoint(), destination.endpoint()
    go.require_reference(source)
    status = reporter(COPY, quiet=False, plain=common.plain)
    result = status.run(
        do_copy, src, dst,
        recursive=recursive, platform=wanted,
        concurrency=go.concurrency(concurrency), hooks=status.hooks(), tag_as_source=False,
    )
    display.TextCopyHandler(source.reference, destination.reference).on_copied(result)


@click.command("tag", help="Tag a manifest: oras tag REF TAG [TAG...]")
@target_options()
@click.argument("tags", nargs=-1, required=True)
@click.option("--concurrency", default=5, help="concurrency level")
@handle_errors
def tag(target: TargetOptions, tags: tuple[str, ...], concurrency: int) -> None:
    from orasx.api import resolve as do_resolve
    from orasx.api import tag as do_tag
    from orasx.cli import _artifact as go

    go.check_deprecated_flags()
    remote = target.remote.remote()
    location = go.require_reference(target)
    # As the Go CLI: the manifest is resolved and named (``Tagging ...``) before any tag is set.
    desc = do_resolve(target.reference, oci_layout=target.oci_layout, remote=remote)
    handler = display.TextTagHandler()
    handler.on_tagging(location, desc)
    if not target.oci_layout:  # a layout takes any tag (Go's)
        go.check_tags(tags)
    do_tag(str(location.with_digest(desc.digest)), tags, oci_layout=target.oci_layout,
           remote=remote, concurrency=max(1, concurrency))  # Go takes 0
    handler.on_tagged(tags)


@click.command("resolve", help="Resolve a tag or digest to the manifest's digest.")
@flag("-l", "--full-reference", help="Print registry/repo@digest.")
@click.option("--platform", default=None, help="Resolve this platform's manifest of an index.")
@target_options()
@handle_errors
def resolve(target: TargetOptions, full_reference: bool, platform: str | None) -> None:
    from orasx.api import resolve as do_resolve
    from orasx.cli import _artifact as go

    go.check_deprecated_flags()
    wanted = go.platform_flag(platform)
    remote = target.remote.remote()
    go.require_reference(target)
    desc = do_resolve(target.reference, oci_layout=target.oci_layout, remote=remote,
                      platform=wanted)
    display.TextResolveHandler(full_reference).on_resolved(target.location(), desc)


__all__ = ["attach", "copy", "discover", "resolve", "tag"]
