"""``attach``, ``discover``, ``copy``/``cp``, ``tag`` and ``resolve``."""

from __future__ import annotations

import sys

from orasx.cli._command import Command, GoUsageError, Invocation, at_least, current, exactly
from orasx.cli._common import handle_errors
from orasx.cli._options import (
    _DEPRECATED,
    _NO_TTY_HIDDEN,
    CommonFlags,
    CommonOptions,
    FormatFlags,
    FormatOptions,
    TargetFlags,
    TargetOptions,
)
from orasx.cli._pflag import Flag
from orasx.cli._progress import COPY, PUSH, reporter
from orasx.cli.display import graph as display


@handle_errors
def run_attach(
    target: TargetOptions, fmt: FormatOptions, files: tuple[str, ...], artifact_type: str,
    annotations: tuple[str, ...], annotation_file: str | None, config: str | None,
    export_manifest: str | None, platform: str | None, concurrency: int,
    disable_path_validation: bool,
) -> None:
    from orasx.api import AttachResult
    from orasx.api import attach as do_attach
    from orasx.cli import _artifact as go
    from orasx.cli._cobra import GoUsageError, use_line
    from orasx.errors import InvalidInputError, Reason
    from orasx.fileref import MANIFEST_KEY

    file_refs = go.check_file_paths(files, disable_path_validation=disable_path_validation)
    given = go.load_annotations(annotations, annotation_file)
    wanted = go.platform_flag(platform)
    remote = target.remote.remote()
    go.require_reference(target, missing_hint="" if files else
                         "Are you missing an artifact reference to attach to? ")
    if not files and not given.manifest and not given.from_file.get(MANIFEST_KEY):
        raise GoUsageError(
            "neither file nor annotation provided in the command\n"
            f"Usage: {use_line('attach')}\n"
            "To attach to an existing artifact, please provide files via argument or annotations "
            'via flag "--annotation". Run "oras attach -h" for more options and examples')
    config_ref = go.config_file(config)
    go.check_config_file(config_ref)
    status = reporter(PUSH, quiet=fmt.document, plain=target.common.plain)
    if not files:
        status.note("Uploading empty artifact")

    def run() -> AttachResult:
        if not artifact_type:  # given, but empty
            raise InvalidInputError("--artifact-type is required to attach an artifact")
        try:
            return do_attach(
                target.ref, file_refs, artifact_type=artifact_type,
                annotations=given.manifest, named_annotations=given.named(),
                export_manifest=export_manifest, platform=wanted,
                concurrency=go.concurrency(concurrency), oci_layout=target.oci_layout,
                disable_path_validation=True, remote=remote,  # paths: checked above
                hooks=status.hooks(), on_file=go.PreparedFiles(status.note),
                config=config_ref,
            )
        except InvalidInputError as e:  # after the subject resolved and the files were read
            if e.reason is not Reason.MEDIA_TYPE_FORM:
                raise
            raise InvalidInputError(
                f"invalid artifactType format: {artifact_type}: invalid media type") from None

    result = status.run(run)
    display.attach_handler(fmt).on_attached(result)


@handle_errors
def run_discover(target: TargetOptions, fmt: FormatOptions, artifact_type: str, depth: int,
             platform: str | None) -> None:
    from orasx.api import discover as do_discover
    from orasx.cli import _artifact as go

    if _given("depth") and depth < 1:  # the Go CLI's first check (when --depth is given)
        raise GoUsageError("depth value should be at least 1")
    if fmt.kind == "table":
        print('Format "table" is deprecated and will be removed in a future release.',
              file=sys.stderr)
    if _given("output"):
        if fmt.kind not in ("tree", "table", "json"):
            raise GoUsageError("output type can only be tree, table or json")
        # Go names the template here, empty unless --template was given (it is not, with these)
        print("[DEPRECATED] --output is deprecated, try `--format ` instead", file=sys.stderr)
    wanted = go.platform_flag(platform)
    remote = target.remote.remote()
    go.require_reference(target)
    root, name = do_discover(target.ref, artifact_type=artifact_type,
                             depth=1 if fmt.kind == "table" else depth, platform=wanted,
                             oci_layout=target.oci_layout, remote=remote)
    color = sys.stdout.isatty() and not target.common.plain
    display.discover_handler(fmt, target.reference, color=color).on_discovered(root, name)


@handle_errors
def run_copy(source: TargetOptions, destination: TargetOptions, common: CommonOptions,
         recursive: bool, platform: str | None, concurrency: int,
         base_resolves: tuple[str, ...], verbose: bool) -> None:
    import dataclasses

    from orasx.api import copy as do_copy
    from orasx.cli import _artifact as go

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


@handle_errors
def run_tag(target: TargetOptions, tags: tuple[str, ...], concurrency: int) -> None:
    from orasx.api import resolve as do_resolve
    from orasx.api import tag as do_tag
    from orasx.cli import _artifact as go
    from orasx.cli._command import use_line
    from orasx.errors import InvalidReferenceError

    invocation = current()
    if target.reference in ("list", "ls") and invocation is not None:  # Go: no such subcommand
        where = "an OCI image layout" if invocation.given("oci_layout") and target.oci_layout \
            and target.layout_path is None else "a repository"
        raise GoUsageError('there is no "list" sub-command for "oras tag" command\n'
                           f"Usage: {use_line(invocation)}\n"
                           f'If you want to list available tags in {where}, use "oras repo tags"')
    try:
        target.location()
    except InvalidReferenceError as e:
        if target.oci_layout:
            raise
        raise InvalidReferenceError(f"unable to add tag for '{target.reference}': {e}",
                                    reason=e.reason) from None
    location = go.require_reference(target)
    if not tags:
        raise GoUsageError("dstReferences cannot be empty: missing reference")
    remote = target.remote.remote()
    # As the Go CLI: the manifest is resolved and named (``Tagging ...``) before any tag is set.
    desc = do_resolve(target.ref, oci_layout=target.oci_layout, remote=remote)
    handler = display.TextTagHandler()
    handler.on_tagging(location, desc)
    if not target.oci_layout:  # a layout takes any tag (Go's)
        go.check_tags(tags)
    do_tag(str(location.with_digest(desc.digest)), tags, oci_layout=target.oci_layout,
           remote=remote, concurrency=max(1, concurrency))  # Go takes 0
    handler.on_tagged(tags)


@handle_errors
def run_resolve(target: TargetOptions, full_reference: bool, platform: str | None) -> None:
    from orasx.api import resolve as do_resolve
    from orasx.cli import _artifact as go

    wanted = go.platform_flag(platform)
    remote = target.remote.remote()
    go.require_reference(target)
    desc = do_resolve(target.ref, oci_layout=target.oci_layout, remote=remote,
                      platform=wanted)
    display.TextResolveHandler(full_reference).on_resolved(target.location(), desc)


def _given(key: str) -> bool:
    """Was the flag ``key`` on the command line of the command running?"""
    invocation = current()
    return invocation is not None and invocation.given(key)


def _tag_args(invocation: Invocation, args: list[str]) -> None:
    """The Go CLI's check: a reference (cobra's); ``run_tag`` checks the rest."""
    at_least(1, "the artifact to be retagged and the tags to be added")(invocation, args)


_DISCOVER_FORMATS = (("table", "[Deprecated] Get referrers and output in table format"),
                     ("json", "Get referrers and output in JSON format"),
                     ("go-template", "Print referrers using the given Go template"),
                     ("tree", "Get referrers and print in tree format"))


attach = Command(
    use=("attach [flags] --artifact-type=<type> <name>{:<tag>|@<digest>} "
        "{<file>[:<layer_media_type>]|--annotation <key>=<value>} [...]"),
    long=("Attach files to an existing artifact\n"
        "\n"
        "Example - Attach file 'hi.txt' with artifact type 'doc/example' to manifest 'hello:v1' "
        "in registry 'localhost:5000':\n"
        "  oras attach --artifact-type doc/example localhost:5000/hello:v1 hi.txt\n"
        "\n"
        "Example - Attach file 'hi.txt' to a specific artifact with platform 'linux/amd64' in "
        "multi-arch index 'hello:v1'\n"
        "  oras attach --artifact-type doc/example --platform linux/amd64 "
        "localhost:5000/hello:v1 hi.txt\n"
        "\n"
        'Example - Push file "hi.txt" with the custom layer media type \'application/vnd.me.hi\':\n'
        "  oras attach --artifact-type doc/example localhost:5000/hello:v1 "
        "hi.txt:application/vnd.me.hi\n"
        "\n"
        'Example - Attach file "hi.txt" using a specific method for the Referrers API:\n'
        "  oras attach --artifact-type doc/example --distribution-spec v1.1-referrers-api "
        "localhost:5000/hello:v1 hi.txt # via API\n"
        "  oras attach --artifact-type doc/example --distribution-spec v1.1-referrers-tag "
        "localhost:5000/hello:v1 hi.txt # via tag scheme\n"
        "\n"
        "Example - Attach file 'hi.txt' and add annotations from file 'annotation.json':\n"
        "  oras attach --artifact-type doc/example --annotation-file annotation.json "
        "localhost:5000/hello:v1 hi.txt\n"
        "\n"
        "Example - Attach an artifact with manifest annotations:\n"
        '  oras attach --artifact-type doc/example --annotation "key1=val1" --annotation '
        '"key2=val2" localhost:5000/hello:v1\n'
        "\n"
        "Example - Attach file 'hi.txt' and add manifest annotations:\n"
        '  oras attach --artifact-type doc/example --annotation "key=val" '
        "localhost:5000/hello:v1 hi.txt\n"
        "\n"
        "Example - [Experimental] Attach file 'hi.txt' and format output in JSON:\n"
        "  oras attach --artifact-type doc/example localhost:5000/hello:v1 hi.txt --format json\n"
        "\n"
        "Example - [Experimental] Attach file 'hi.txt' and format output with Go template:\n"
        "  oras attach --artifact-type doc/example localhost:5000/hello:v1 hi.txt --format "
        'go-template --template "{{.digest}}"\n'
        "\n"
        "Example - Attach file 'hi.txt' and export the pushed manifest to 'manifest.json':\n"
        "  oras attach --artifact-type doc/example --export-manifest manifest.json "
        "localhost:5000/hello:v1 hi.txt\n"
        "\n"
        "Example - Attach file to the manifest tagged 'v1' in an OCI image layout folder "
        "'layout-dir':\n"
        "  oras attach --oci-layout --artifact-type doc/example layout-dir:v1 hi.txt\n"
        "\n"
        "Example - Attach file to the manifest tagged 'example.com:v1' in an OCI image layout "
        "folder 'layout-dir':\n"
        "  oras attach --artifact-type doc/example --oci-layout-path layout-dir example.com:v1 "
        "hi.txt\n"
        "\n"
        'Example - Attach file \'hi.txt\' with the custom manifest config "config.json" of the '
        'custom media type "application/vnd.me.config":\n'
        "  oras attach --artifact-type doc/example --config "
        "config.json:application/vnd.me.config localhost:5000/hello:v1 hi.txt"),
    args=at_least(1, 'the destination artifact for attaching.'),
    params=('subject', '*files'),
    flags=(
        Flag('artifact-type', 'artifact type', kind='string', default=None, required=True),
        Flag('annotation', 'manifest annotations', short='a', kind='stringArray', default=(),
             dest='annotations'),
        Flag('annotation-file', 'path of the annotation file', kind='string', default=None),
        Flag('config', '`path` of image config file', kind='string', default=None),
        Flag('export-manifest', '`path` of the pushed manifest', kind='string', default=None),
        Flag('platform',
             'attach to an arch-specific subject in the form of `os[/arch][/variant][:os_version]`',
             kind='string', default=None),
        Flag('concurrency', 'concurrency level', kind='int', default=5),
        Flag('disable-path-validation', 'skip path validation'),
        TargetFlags(argument="subject", distribution_spec=True),
        FormatFlags(),
    ),
    run=run_attach,
)


discover = Command(
    use='discover [flags] <name>{:<tag>|@<digest>}',
    long=("[Preview] Discover referrers of a manifest in a registry or an OCI image layout\n"
        "\n"
        "** This command is in preview and under development. **\n"
        "\n"
        "Example - Discover referrers of manifest 'hello:v1' in registry 'localhost:5000', "
        "displayed in a tree view:\n"
        "  oras discover localhost:5000/hello:v1\n"
        "\n"
        "Example - Discover referrers via referrers API:\n"
        "  oras discover --distribution-spec v1.1-referrers-api localhost:5000/hello:v1\n"
        "\n"
        "Example - Discover referrers via tag scheme:\n"
        "  oras discover --distribution-spec v1.1-referrers-tag localhost:5000/hello:v1\n"
        "\n"
        "Example - [Experimental] Discover referrers and display in a table view:\n"
        "  oras discover localhost:5000/hello:v1 --format table\n"
        "\n"
        "Example - [Experimental] Discover referrers and format output with Go template:\n"
        '  oras discover localhost:5000/hello:v1 --format go-template --template "{{.referrers}}"\n'
        "\n"
        "Example - [Experimental] Discover only direct referrers, displayed in json view:\n"
        "  oras discover localhost:5000/hello:v1 --format json --depth 1\n"
        "\n"
        "Example - Discover referrers with type 'test-artifact' of manifest 'hello:v1' in "
        "registry 'localhost:5000':\n"
        "  oras discover --artifact-type test-artifact localhost:5000/hello:v1\n"
        "\n"
        "Example - Discover referrers of the manifest tagged 'v1' in an OCI image layout folder "
        "'layout-dir':\n"
        "  oras discover --oci-layout layout-dir:v1\n"
        "\n"
        "Example - Discover referrers of the manifest tagged 'example.com:v1' in an OCI image "
        "layout folder 'layout-dir':\n"
        "  oras discover example.com:v1 --oci-layout-path layout-dir"),
    args=exactly(1, 'the target artifact to discover referrers from'),
    params=('reference',),
    flags=(
        Flag('artifact-type', 'artifact type', kind='string', default=''),
        Flag('depth',
             '[Experimental] level of referrers to display, if unused shows referrers of all levels',
             kind='int', default=0),
        Flag('platform', 'request platform in the form of `os[/arch][/variant][:os_version]`',
             kind='string', default=None),
        TargetFlags(distribution_spec=True,
                    common=CommonFlags(no_tty="[Preview] disable colors", verbose=True)),
        FormatFlags(_DISCOVER_FORMATS, default="tree", unlisted=("text",), output_alias=True),
    ),
    run=run_discover,
)


copy = Command(
    use='cp [flags] <from>{:<tag>|@<digest>} <to>[:<tag>[,<tag>][...]]',
    long=("Copy artifacts from one target to another. When copying an image index, all of its "
        "manifests will be copied\n"
        "\n"
        "Example - Copy an artifact between registries:\n"
        "  oras cp localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1\n"
        "\n"
        "Example - Download an artifact into an OCI image layout folder:\n"
        "  oras cp --to-oci-layout localhost:5000/net-monitor:v1 ./downloaded:v1\n"
        "\n"
        "Example - Upload an artifact from an OCI image layout folder:\n"
        "  oras cp --from-oci-layout ./to-upload:v1 localhost:5000/net-monitor:v1\n"
        "\n"
        "Example - Upload an artifact from an OCI layout tar archive:\n"
        "  oras cp --from-oci-layout ./to-upload.tar:v1 localhost:5000/net-monitor:v1\n"
        "\n"
        "Example - Copy an artifact and its referrers:\n"
        "  oras cp -r localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1\n"
        "\n"
        "Example - Copy an artifact and referrers using specific methods for the Referrers API:\n"
        "  oras cp -r --from-distribution-spec v1.1-referrers-api --to-distribution-spec "
        "v1.1-referrers-tag \\\n"
        "    localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:v1\n"
        "\n"
        "Example - Copy certain platform of an artifact:\n"
        "  oras cp --platform linux/arm/v5 localhost:5000/net-monitor:v1 "
        "localhost:6000/net-monitor-copy:v1\n"
        "\n"
        "Example - Copy an artifact with multiple tags:\n"
        "  oras cp localhost:5000/net-monitor:v1 localhost:6000/net-monitor-copy:tag1,tag2,tag3\n"
        "\n"
        "Example - Copy an artifact with multiple tags with concurrency tuned:\n"
        "  oras cp --concurrency 10 localhost:5000/net-monitor:v1 "
        "localhost:5000/net-monitor-copy:tag1,tag2,tag3"),
    args=exactly(2, 'the source and destination for copying'),
    params=('source', 'destination'),
    flags=(
        Flag('recursive', '[Preview] recursively copy the artifact and its referrer artifacts',
             short='r'),
        Flag('platform', 'request platform in the form of `os[/arch][/variant][:os_version]`',
             kind='string', default=None),
        Flag('concurrency', 'concurrency level', kind='int', default=3),
        Flag('resolve',
             ("base DNS rules formatted in `host:port:address[:address_port]` for --from-resolve "
             "and --to-resolve"),
             kind='stringArray',
             default=(),
             dest='base_resolves'),
        TargetFlags("from", argument="source", distribution_spec=True, into="source"),
        TargetFlags("to", argument="destination", distribution_spec=True, into="destination"),
        CommonFlags(),
        Flag("verbose", short="v", hidden=True, deprecated=_DEPRECATED),
    ),
    run=run_copy,
)


tag = Command(
    use='tag [flags] <name>{:<tag>|@<digest>} <new_tag> [...]',
    long=("Tag a manifest in a registry or an OCI image layout\n"
        "\n"
        "Example - Tag the manifest 'v1.0.1' in 'localhost:5000/hello' to 'v1.0.2':\n"
        "  oras tag localhost:5000/hello:v1.0.1 v1.0.2\n"
        "\n"
        "Example - Tag the manifest with digest "
        "sha256:9463e0d192846bc994279417b50114606712d516aab45f4d8b31cbc6e46aad71 to 'v1.0.2'\n"
        "  oras tag "
        "localhost:5000/hello@sha256:9463e0d192846bc994279417b50114606712d516aab45f4d8b31cbc6e46aad"
        "71 v1.0.2\n"
        "\n"
        "Example - Tag the manifest 'v1.0.1' in 'localhost:5000/hello' to 'v1.0.2', 'latest'\n"
        "  oras tag localhost:5000/hello:v1.0.1 v1.0.2 latest\n"
        "\n"
        "Example - Tag the manifest 'v1.0.1' in 'localhost:5000/hello' to 'v1.0.1', 'v1.0.2', "
        "'latest' with concurrency level tuned:\n"
        "  oras tag --concurrency 1 localhost:5000/hello:v1.0.1 v1.0.2 latest\n"
        "\n"
        "Example - Tag the manifest 'v1.0.1' to 'v1.0.2' in an OCI image layout folder "
        "'layout-dir':\n"
        "  oras tag --oci-layout layout-dir:v1.0.1 v1.0.2"),
    args=_tag_args,
    params=('reference', '*tags'),
    flags=(
        Flag('concurrency', 'concurrency level', kind='int', default=5),
        TargetFlags(common=_NO_TTY_HIDDEN),
    ),
    run=run_tag,
)


resolve = Command(
    use='resolve [flags] <name>{:<tag>|@<digest>}',
    long=("[Preview] Resolves digest of the target artifact\n"
        "\n"
        "Example - Resolve digest of the target artifact:\n"
        "  oras resolve localhost:5000/hello-world:v1"),
    args=exactly(1, 'the target artifact reference to resolve'),
    params=('reference',),
    flags=(
        Flag('full-reference', 'print the full artifact reference with digest', short='l'),
        Flag('platform', 'request platform in the form of `os[/arch][/variant][:os_version]`',
             kind='string', default=None),
        TargetFlags(common=_NO_TTY_HIDDEN),
    ),
    run=run_resolve,
)


__all__ = ["attach", "copy", "discover", "resolve", "tag"]
