"""``oras push``."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from orasx.cli._common import handle_errors
from orasx.cli._flags import flag
from orasx.cli._options import FormatOptions, TargetOptions, format_options, target_options
from orasx.cli._progress import PUSH, reporter
from orasx.cli.display import push as display

if TYPE_CHECKING:
    from orasx.descriptor import Platform
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
  oras push --artifact-platform linux/arm64 localhost:5000/hello:v1 hi.txt
"""


@click.command("push", help=_HELP)
@click.option("--artifact-type", default="", help="Artifact type of the manifest.")
@click.option(
    "--config", "--manifest-config", "config", default=None, metavar="PATH[:TYPE]",
    help="Config file for the manifest (--manifest-config is the old spelling).",
)
@click.option("--artifact-platform", default=None, metavar="os[/arch][/variant][:os_version]",
              help="[Experimental] Platform of the artifact: its config is the platform.")
@click.option("-a", "--annotation", "annotations", multiple=True,
              help="Manifest annotation key=value (repeatable).")
@click.option("--annotation-file", default=None,
              help="JSON file of annotations: {\"$manifest\": {...}, \"$config\": {...}, "
              "\"<file>\": {...}}.")
@click.option("--export-manifest", default=None, metavar="PATH",
              help="Write the pushed manifest to PATH.")
@click.option("--image-spec", type=click.Choice(["v1.1", "v1.0"]), default=None,
              help="Image spec of the manifest: v1.1 (default) or v1.0.")
@click.option("--concurrency", default=5, show_default=True,
              help="Blobs pushed at once (0 or less: 3).")
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
    config: str | None, artifact_platform: str | None, annotations: tuple[str, ...],
    annotation_file: str | None, export_manifest: str | None, image_spec: ImageSpec | None,
    concurrency: int, disable_path_validation: bool, reproducible: bool, stdin_name: str,
) -> None:
    from orasx.api import push
    from orasx.cli import _artifact as go

    # The Go CLI's checks, in its order: options, then what the run reads before it connects.
    go.check_deprecated_flags()
    go.check_file_paths(files, disable_path_validation=disable_path_validation)
    manifest_annotations, _ = go.load_annotations(annotations, annotation_file)
    platform = go.platform_flag(artifact_platform)
    spec, artifact_type = _pack_rules(image_spec, config, artifact_type, artifact_platform,
                                      platform is not None)
    remote = target.remote.remote()
    go.check_config_file(config)
    status = reporter(PUSH, quiet=fmt.document, plain=target.common.plain)
    if not files:
        status.note("Uploading empty artifact")
    with _platform_config(platform) as platform_config:
        result = status.run(
            push,
            target.reference,
            files,
            artifact_type=artifact_type,
            config=config or platform_config,
            annotations=manifest_annotations,
            annotation_file=annotation_file,
            image_spec=spec,
            concurrency=go.concurrency(concurrency),
            oci_layout=target.oci_layout,
            disable_path_validation=disable_path_validation,
            export_manifest=export_manifest,
            remote=remote,
            hooks=status.hooks(),
            reproducible=reproducible,
            stdin=sys.stdin.buffer if any(f == "-" or f.startswith("-:") for f in files) else None,
            stdin_name=stdin_name,
            on_file=go.PreparedFiles(status.note),
        )
    display.handler(fmt, target.reference).on_pushed(result)


def _pack_rules(image_spec: ImageSpec | None, config: str | None, artifact_type: str,
                artifact_platform: str | None, has_platform: bool) -> tuple[ImageSpec, str]:
    """The Go CLI's choice of image spec and artifact type, and its errors: ``--config`` without
    ``--artifact-type`` packs v1.0 (an error with ``--image-spec v1.1``); ``--config`` and
    ``--artifact-platform`` exclude each other; v1.0 takes no artifact type beside a config or a
    platform; a v1.1 artifact without config is typed ``application/vnd.unknown.artifact.v1``."""
    from orasx import mediatype
    from orasx.errors import InvalidInputError

    spec: ImageSpec = image_spec or "v1.1"
    if config and not artifact_type:
        if image_spec is None:
            spec = "v1.0"
        elif image_spec == "v1.1":
            raise InvalidInputError(
                "missing artifact type for OCI image-spec v1.1 artifacts\n"
                "set an artifact type via `--artifact-type` or consider image spec v1.0")
    if config and artifact_platform is not None:
        raise InvalidInputError("--config, --artifact-platform cannot be used at the same time")
    if spec == "v1.0" and config and artifact_type:
        raise InvalidInputError("--artifact-type and --config cannot both be provided for 1.0 "
                                "OCI image")
    if spec == "v1.1" and not config and not artifact_type:
        artifact_type = mediatype.DEFAULT_ARTIFACT_TYPE
    if has_platform and spec == "v1.0" and artifact_type:
        raise InvalidInputError(
            "artifact type cannot be customized for OCI image-spec v1.0 when platform is "
            "specified\nconsider using image spec v1.1 or remove --artifact-type")
    return spec, artifact_type


@contextlib.contextmanager
def _platform_config(platform: Platform | None) -> Iterator[str | None]:
    """``--artifact-platform``: the platform config (:func:`orasx.api._platform.platform_config`)
    as a ``PATH:TYPE`` config argument for the push, in a temporary file while it runs."""
    if platform is None:
        yield None
        return
    import os
    import tempfile

    from orasx.api._platform import IMAGE_CONFIG, platform_config

    with tempfile.TemporaryDirectory(prefix="orasx-platform-") as tmp:
        path = os.path.join(tmp, "config.json")
        with open(path, "wb") as f:
            f.write(platform_config(platform))
        yield f"{path}:{IMAGE_CONFIG}"
