"""``oras push``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from orasx.cli._common import handle_errors
from orasx.cli._flags import flag
from orasx.cli._options import FormatOptions, TargetOptions, format_options, target_options
from orasx.cli._progress import PUSH, reporter
from orasx.cli.display import push as display

if TYPE_CHECKING:
    from orasx.pack import ImageSpec

_HELP = """Push files to a registry or an OCI image layout.

\b
REFERENCE is registry/repository[:tag[,tag...]] (or, with --oci-layout, dir[:tag]).
FILE is path[:media-type]; a directory is pushed as a tar+gzip layer that pull unpacks.
A trailing ':' means the name itself contains a colon ("hi:txt:").

\b
Examples:
  oras push localhost:5000/hello:v1 hi.txt
  oras push localhost:5000/hello:v1,latest hi.txt:application/vnd.me.hi bye.txt
  oras push --artifact-type application/vnd.example+type localhost:5000/hello:v1 hi.txt
  oras push --config config.json:application/vnd.me.config localhost:5000/hello:v1 hi.txt
  oras push --oci-layout layout-dir:v1 hi.txt
"""


@click.command("push", help=_HELP)
@click.option("--artifact-type", default="", help="Artifact type of the manifest.")
@click.option(
    "--config", "--manifest-config", "config", default=None, metavar="PATH[:TYPE]",
    help="Config file for the manifest (--manifest-config is the old spelling).",
)
@click.option("-a", "--annotation", "annotations", multiple=True,
              help="Manifest annotation key=value (repeatable).")
@click.option("--annotation-file", default=None,
              help="JSON file of annotations: {\"$manifest\": {...}, \"$config\": {...}, "
              "\"<file>\": {...}}.")
@click.option("--export-manifest", default=None, metavar="PATH",
              help="Write the pushed manifest to PATH.")
@click.option("--image-spec", type=click.Choice(["v1.1", "v1.0"]), default=None,
              help="Image spec of the manifest: v1.1 (default) or v1.0.")
@click.option("--concurrency", default=5, show_default=True, help="Blobs pushed at once.")
@flag("--disable-path-validation",
      help="Allow absolute file paths in titles.")
@click.option("--stdin-name", default="stdin", show_default=True, metavar="NAME",
              help="Title of the layer read from stdin when a file argument is '-'.")
@flag("--reproducible",
      help="Same inputs, same digest: sorted directory entries, mtimes and the created "
      "annotation from SOURCE_DATE_EPOCH (or 0), no owners.")
@target_options(layout_help="Push to an OCI image layout directory.")
@click.argument("files", nargs=-1)
@format_options()
@handle_errors
def command(
    target: TargetOptions, fmt: FormatOptions, files: tuple[str, ...], artifact_type: str,
    config: str | None, annotations: tuple[str, ...], annotation_file: str | None,
    export_manifest: str | None, image_spec: ImageSpec | None, concurrency: int,
    disable_path_validation: bool, reproducible: bool, stdin_name: str,
) -> None:
    from orasx.api import push
    from orasx.fileref import parse_annotations

    remote = target.remote.remote()
    status = reporter(PUSH, quiet=fmt.document, plain=target.common.plain)
    if not files:
        status.note("Uploading empty artifact")
    result = status.run(
        push,
        target.reference,
        files,
        artifact_type=artifact_type,
        config=config,
        annotations=parse_annotations(annotations),
        annotation_file=annotation_file,
        image_spec=image_spec,
        concurrency=concurrency,
        oci_layout=target.oci_layout,
        disable_path_validation=disable_path_validation,
        export_manifest=export_manifest,
        remote=remote,
        hooks=status.hooks(),
        reproducible=reproducible,
        stdin=sys.stdin.buffer if any(f == "-" or f.startswith("-:") for f in files) else None,
        stdin_name=stdin_name,
        on_file=lambda name: status.note(f"Preparing {name}"),
    )
    display.handler(fmt, target.reference).on_pushed(result)
