"""``oras push``."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from orasx.cli._command import Command, at_least
from orasx.cli._common import handle_errors
from orasx.cli._options import FormatFlags, FormatOptions, TargetFlags, TargetOptions
from orasx.cli._pflag import Flag
from orasx.cli._progress import PUSH, reporter
from orasx.cli.display import push as display

if TYPE_CHECKING:
    from orasx.descriptor import Platform
    from orasx.fileref import FileReference
    from orasx.pack import ImageSpec


@handle_errors
def run(
    target: TargetOptions, fmt: FormatOptions, files: tuple[str, ...], artifact_type: str,
    config: str | None, artifact_platform: str | None, annotations: tuple[str, ...],
    annotation_file: str | None, export_manifest: str | None, image_spec: ImageSpec | None,
    concurrency: int, disable_path_validation: bool, reproducible: bool, stdin_name: str,
) -> None:
    from orasx import mediatype
    from orasx.api import PushResult, push
    from orasx.cli import _artifact as go
    from orasx.errors import InvalidInputError

    # The Go CLI's checks, in its order: options, then what the run reads before it connects.
    file_refs = go.check_file_paths(files, disable_path_validation=disable_path_validation)
    given = go.load_annotations(annotations, annotation_file)
    platform = go.platform_flag(artifact_platform)
    spec, artifact_type = _pack_rules(image_spec, config, artifact_type, artifact_platform,
                                      platform is not None)
    remote = target.remote.remote()
    config_ref = go.config_file(config)
    go.check_config_file(config_ref)
    status = reporter(PUSH, quiet=fmt.document, plain=target.common.plain)
    if artifact_type and not mediatype.is_valid_media_type(artifact_type):
        # Go's order: the files are read (Preparing, or stat's error), then the manifest's
        # packing refuses the type, before anything is sent
        prepared = go.PreparedFiles(status.note)
        for ref in file_refs:
            if ref.path != "-":
                prepared(ref.path)
        raise InvalidInputError(f"invalid artifactType format: {artifact_type}: invalid media type")
    if not files:
        status.note("Uploading empty artifact")
    reads_stdin = any(f.path == "-" for f in file_refs)

    def run(platform_config: FileReference | None) -> PushResult:
        try:
            return push(
                target.ref,
                file_refs,
                artifact_type=artifact_type,
                config=config_ref or platform_config,
                annotations=given.manifest,
                named_annotations=given.named(),
                image_spec=spec,
                concurrency=go.concurrency(concurrency),
                oci_layout=target.oci_layout,
                disable_path_validation=True,  # checked above, in the Go CLI's words
                export_manifest=export_manifest,
                remote=remote,
                hooks=status.hooks(),
                reproducible=reproducible,
                stdin=sys.stdin.buffer if reads_stdin else None,
                stdin_name=stdin_name,
                on_file=go.PreparedFiles(status.note),
            )
        except InvalidInputError as e:
            if reads_stdin and e.path == "-":  # the stdin layer's title is taken
                raise InvalidInputError(f"{e}: set another with --stdin-name") from e
            raise

    with _platform_config(platform) as platform_config:
        result = status.run(run, platform_config)
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
def _platform_config(platform: Platform | None) -> Iterator[FileReference | None]:
    """``--artifact-platform``: the platform config (:func:`orasx.api._platform.platform_config`)
    as the push's config file, in a temporary file while it runs."""
    if platform is None:
        yield None
        return
    import os
    import tempfile

    from orasx.api._platform import IMAGE_CONFIG, platform_config
    from orasx.fileref import FileReference

    with tempfile.TemporaryDirectory(prefix="orasx-platform-") as tmp:
        path = os.path.join(tmp, "config.json")
        with open(path, "wb") as f:
            f.write(platform_config(platform))
        yield FileReference(path, IMAGE_CONFIG)


command = Command(
    use='push [flags] <name>[:<tag>[,<tag>][...]] <file>[:<type>] [...]',
    long=("Push files to a registry or an OCI image layout\n"
        "\n"
        'Example - Push file "hi.txt" with media type "application/vnd.oci.image.layer.v1.tar" '
        "(default):\n"
        "  oras push localhost:5000/hello:v1 hi.txt\n"
        "\n"
        'Example - Push file "hi.txt" and export the pushed manifest to a specified path:\n'
        "  oras push --export-manifest manifest.json localhost:5000/hello:v1 hi.txt\n"
        "\n"
        'Example - Push file "hi.txt" with the custom media type "application/vnd.me.hi":\n'
        "  oras push localhost:5000/hello:v1 hi.txt:application/vnd.me.hi\n"
        "\n"
        "Example - Push multiple files with different media types:\n"
        "  oras push localhost:5000/hello:v1 hi.txt:application/vnd.me.hi "
        "bye.txt:application/vnd.me.bye\n"
        "\n"
        'Example - Push file with colon in name "hi:txt" with the default media type:\n'
        "  oras push localhost:5000/hello:v1 hi:txt:\n"
        "\n"
        'Example - Push file "hi.txt" with artifact type "application/vnd.example+type":\n'
        "  oras push --artifact-type application/vnd.example+type localhost:5000/hello:v1 hi.txt\n"
        "\n"
        'Example - Push file "hi.txt" with config type "application/vnd.me.config":\n'
        "  oras push --image-spec v1.0 --artifact-type application/vnd.me.config "
        "localhost:5000/hello:v1 hi.txt\n"
        "\n"
        'Example - Push file "hi.txt" with the custom manifest config "config.json" of the '
        'custom media type "application/vnd.me.config":\n'
        "  oras push --config config.json:application/vnd.me.config localhost:5000/hello:v1 "
        "hi.txt\n"
        "\n"
        'Example - [Experimental] Push file "hi.txt" and format output in JSON:\n'
        "  oras push localhost:5000/hello:v1 hi.txt --format json\n"
        "\n"
        'Example - [Experimental] Push file "hi.txt" and format output with Go template:\n'
        '  oras push localhost:5000/hello:v1 hi.txt --format go-template="{{.digest}}"\n'
        "\n"
        "Example - Push file to the insecure registry:\n"
        "  oras push --insecure localhost:5000/hello:v1 hi.txt\n"
        "\n"
        "Example - Push file to the HTTP registry:\n"
        "  oras push --plain-http localhost:5000/hello:v1 hi.txt\n"
        "\n"
        "Example - Push repository with manifest annotations:\n"
        '  oras push --annotation "key=val" localhost:5000/hello:v1\n'
        "\n"
        "Example - Push repository with manifest annotation file:\n"
        "  oras push --annotation-file annotation.json localhost:5000/hello:v1\n"
        "\n"
        "Example - [Experimental] Push artifact to repository with platform:\n"
        "  oras push --artifact-platform linux/arm/v5 localhost:5000/hello:v1\n"
        "\n"
        'Example - Push file "hi.txt" with multiple tags:\n'
        "  oras push localhost:5000/hello:tag1,tag2,tag3 hi.txt\n"
        "\n"
        'Example - Push file "hi.txt" with multiple tags and concurrency level tuned:\n'
        "  oras push --concurrency 6 localhost:5000/hello:tag1,tag2,tag3 hi.txt\n"
        "\n"
        'Example - Push file "hi.txt" into an OCI image layout folder \'layout-dir\' with tag '
        "'test':\n"
        "  oras push --oci-layout layout-dir:test hi.txt\n"
        "\n"
        'Example - Push file "hi.txt" into an OCI image layout folder \'layout-dir\' with tag '
        "'example.com:test':\n"
        "  oras push example.com:test hi.txt --oci-layout-path layout-dir"),
    args=at_least(1, 'the destination for pushing'),
    params=('reference', '*files'),
    flags=(
        Flag('artifact-type', 'artifact type', kind='string', default=''),
        Flag('config', '`path` of image config file', kind='string', default=None,
             spellings=('manifest-config',)),
        Flag('artifact-platform',
             ("[Experimental] set artifact platform in the form of "
             "`os[/arch][/variant][:os_version]`"),
             kind='string',
             default=None),
        Flag('annotation', 'manifest annotations', short='a', kind='stringArray', default=(),
             dest='annotations'),
        Flag('annotation-file', 'path of the annotation file', kind='string', default=None),
        Flag('export-manifest', '`path` of the pushed manifest', kind='string', default=None),
        Flag('image-spec',
             '[Preview] specify manifest type for building artifact. Options: v1.1, v1.0',
             kind='string', default=None, choices=('v1.1', 'v1.0'),
             choice_what="image specification",
             default_text='v1.1, overridden to v1.0 if --config is used without --artifact-type'),
        Flag('concurrency', 'concurrency level', kind='int', default=5),
        Flag('disable-path-validation', 'skip path validation'),
        Flag('stdin-name', "title of the layer read from stdin when a file argument is '-'",
             kind='string', default='stdin', ours=True),
        Flag('reproducible',
             ("same inputs, same digest: sorted directory entries, mtimes and the created "
             "annotation from SOURCE_DATE_EPOCH (or 0), no owners"),
             ours=True),
        TargetFlags(),
        FormatFlags(),
    ),
    run=run,
)
