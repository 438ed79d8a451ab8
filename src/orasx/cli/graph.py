"""``attach``, ``discover``, ``copy``/``cp``, ``tag`` and ``resolve``."""

from __future__ import annotations

import click

from orasx.cli._common import handle_errors, platform_value
from orasx.cli._flags import flag
from orasx.cli._options import (
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
@click.option("--concurrency", default=5, show_default=True, help="Blobs pushed at once.")
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
    from orasx.fileref import parse_annotations

    remote = target.remote.remote()
    status = reporter(PUSH, quiet=fmt.document, plain=target.common.plain)
    if not files and (annotations or annotation_file):
        status.note("Uploading empty artifact")
    result = status.run(
        do_attach,
        target.reference, files, artifact_type=artifact_type,
        annotations=parse_annotations(annotations), annotation_file=annotation_file,
        export_manifest=export_manifest, platform=platform_value(platform),
        concurrency=concurrency, oci_layout=target.oci_layout,
        disable_path_validation=disable_path_validation, remote=remote,
        hooks=status.hooks(), on_file=lambda name: status.note(f"Preparing {name}"),
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


@click.command("discover", help=_DISCOVER_HELP)
@click.option("--artifact-type", default="", help="Only referrers of this artifact type.")
@click.option("--depth", default=0, help="Levels of referrers to follow (0: all, up to 64).")
@click.option("--platform", default=None, help="Discover for this platform's manifest.")
@target_options(distribution_spec=True)
@format_options("tree", "table")
@handle_errors
def discover(target: TargetOptions, fmt: FormatOptions, artifact_type: str, depth: int,
             platform: str | None) -> None:
    from orasx.api import discover as do_discover

    root, name = do_discover(target.reference, artifact_type=artifact_type, depth=depth,
                             platform=platform_value(platform), oci_layout=target.oci_layout,
                             remote=target.remote.remote())
    display.discover_handler(fmt).on_discovered(root, name)


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
@click.option("--concurrency", default=3, show_default=True, help="Blobs copied at once.")
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

    if base_resolves:  # Go: --resolve applies to both sides, before their own rules
        source = dataclasses.replace(source, remote=dataclasses.replace(
            source.remote, resolves=(*base_resolves, *source.remote.resolves)))
        destination = dataclasses.replace(destination, remote=dataclasses.replace(
            destination.remote, resolves=(*base_resolves, *destination.remote.resolves)))
    src, dst = source.endpoint(), destination.endpoint()
    status = reporter(COPY, quiet=False, plain=common.plain)
    result = status.run(
        do_copy, src, dst,
        recursive=recursive, platform=platform_value(platform),
        concurrency=concurrency, hooks=status.hooks(), tag_as_source=False,
    )
    display.TextCopyHandler(source.reference, destination.reference).on_copied(result)


@click.command("tag", help="Tag a manifest: oras tag REF TAG [TAG...]")
@target_options()
@click.argument("tags", nargs=-1, required=True)
@handle_errors
def tag(target: TargetOptions, tags: tuple[str, ...]) -> None:
    from orasx.api import tag as do_tag

    remote = target.remote.remote()
    desc = do_tag(target.reference, tags, oci_layout=target.oci_layout, remote=remote)
    display.TextTagHandler().on_tagged(target.location(), desc, tags)


@click.command("resolve", help="Resolve a tag or digest to the manifest's digest.")
@flag("-l", "--full-reference", help="Print registry/repo@digest.")
@click.option("--platform", default=None, help="Resolve this platform's manifest of an index.")
@target_options()
@handle_errors
def resolve(target: TargetOptions, full_reference: bool, platform: str | None) -> None:
    from orasx.api import resolve as do_resolve

    remote = target.remote.remote()
    desc = do_resolve(target.reference, oci_layout=target.oci_layout, remote=remote,
                      platform=platform_value(platform))
    display.TextResolveHandler(full_reference).on_resolved(target.location(), desc)


__all__ = ["attach", "copy", "discover", "resolve", "tag"]
