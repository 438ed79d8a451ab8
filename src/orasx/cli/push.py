"""``oras push``."""

from __future__ import annotations

from typing import Any

import click

from orasx.cli._common import (
    handle_errors,
    remote_options,
)
from orasx.cli._flags import flag
from orasx.cli._output import emit, format_option
from orasx.cli._progress import begin

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
@click.argument("reference")
@click.argument("files", nargs=-1)
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
@flag("--oci-layout", help="Push to an OCI image layout directory.")
@format_option()
@remote_options
@handle_errors
def command(**kw: Any) -> None:
    from orasx.api import push
    from orasx.fileref import parse_annotations

    fmt, template, remote, status = begin(kw, ("Uploading", "Uploaded", "Exists"))
    result = status.run(
        push,
        kw["reference"],
        kw["files"],
        artifact_type=kw["artifact_type"],
        config=kw["config"],
        annotations=parse_annotations(kw["annotations"]),
        annotation_file=kw["annotation_file"],
        image_spec=kw["image_spec"],
        concurrency=kw["concurrency"],
        oci_layout=kw["oci_layout"],
        disable_path_validation=kw["disable_path_validation"],
        export_manifest=kw["export_manifest"],
        remote=remote,
        hooks=status.hooks(),
    )
    desc = result.descriptor
    base = result.reference.rpartition(":")[0] if result.tags else result.reference
    doc = {"reference": result.reference, **desc.to_dict(),
           "referenceAsTags": [f"{base}:{t}" for t in result.tags]}
    if emit(fmt, template, doc):
        return
    kind = "oci-layout" if kw["oci_layout"] else "registry"
    click.echo(f"Pushed [{kind}] {result.reference}")
    if desc.artifact_type:
        click.echo(f"ArtifactType: {desc.artifact_type}")
    click.echo(f"Digest: {desc.digest}")
