"""``oras pull``."""

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

_HELP = """Pull files from a registry or an OCI image layout.

\b
Every file is verified against its digest before it appears in the output directory; files
whose names would leave it are refused unless -T is given. Directories pushed by push are
unpacked.

\b
Examples:
  oras pull localhost:5000/hello:v1
  oras pull -o ./out localhost:5000/hello:v1
  oras pull --platform linux/arm64 localhost:5000/hello:v1
  oras pull --oci-layout layout-dir:v1
"""


@click.command("pull", help=_HELP)
@click.argument("reference")
@click.option("-o", "--output", default=".", show_default=True, help="Output directory.")
@flag("-k", "--keep-old-files", help="Do not replace existing files.")
@flag("-T", "--allow-path-traversal",
      help="Allow file names that write outside the output directory.")
@click.option("--config", default=None, metavar="PATH[:TYPE]",
              help="Also save the config blob to PATH.")
@click.option("--platform", default=None, metavar="OS/ARCH[/VARIANT]",
              help="Pull the manifest for this platform when REFERENCE is an index.")
@click.option("--concurrency", default=3, show_default=True, help="Blobs pulled at once.")
@flag("--oci-layout", help="Pull from an OCI image layout directory.")
@flag("-a", "--allow-all",
      help="Old flag, kept for old scripts: every titled layer is pulled by default.")
@click.option("--media-type", "media_types", multiple=True, hidden=True,
              help="Old flag, ignored: every titled layer is pulled.")
@format_option()
@remote_options
@handle_errors
def command(**kw: Any) -> None:
    from orasx.api import pull
    from orasx.descriptor import parse_platform

    fmt, template, remote, status = begin(kw, ("Downloading", "Downloaded", "Skipped"))
    result = status.run(
        pull,
        kw["reference"],
        kw["output"],
        oci_layout=kw["oci_layout"],
        keep_old_files=kw["keep_old_files"],
        allow_path_traversal=kw["allow_path_traversal"],
        config=kw["config"],
        platform=parse_platform(kw["platform"]) if kw["platform"] else None,
        concurrency=kw["concurrency"],
        remote=remote,
        hooks=status.hooks(),
    )
    desc = result.descriptor
    repo = result.reference.rpartition("@")[0] or result.reference.rpartition(":")[0]
    files = [
        {"path": f.path, "reference": f"{repo}@{f.descriptor.digest}", **f.descriptor.to_dict()}
        for f in result.files
    ]
    if emit(fmt, template, {"reference": result.reference, "files": files}):
        return
    if result.skipped:
        click.echo('Skipped pulling layers without file name in "org.opencontainers.image.title"')
        click.echo(f"Use 'oras copy {kw['reference']} --to-oci-layout <layout-dir>' to pull all layers.")
    if not result.files:
        click.echo("Downloaded empty artifact")
    kind = "oci-layout" if kw["oci_layout"] else "registry"
    click.echo(f"Pulled [{kind}] {result.reference}")
    click.echo(f"Digest: {desc.digest}")
