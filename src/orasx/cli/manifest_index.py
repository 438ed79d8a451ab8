"""``oras manifest index``: create, update (the Go CLI v1.3's flags, checks and messages)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from orasx.cli._artifact import parse_annotation_flags
from orasx.cli._command import Command, GoUsageError, at_least, current, exactly
from orasx.cli._common import FAILED_TO_OPEN, handle_errors, output_errors
from orasx.cli._options import CommonFlags, TargetFlags, TargetOptions
from orasx.cli._pflag import Flag
from orasx.cli.display import manifest as display
from orasx.cli.display._base import echo, write_content
from orasx.errors import InvalidInputError


@handle_errors
def run_index_create(target: TargetOptions, sources: tuple[str, ...], artifact_type: str,
                 annotations: tuple[str, ...], output: str | None, pretty: bool) -> None:
    from orasx.api import index_create as do_create

    target.location()  # the Go CLI's order: the reference, the annotations, the artifact type
    parsed = _annotations(annotations)
    _check_artifact_type(artifact_type)
    remote = target.remote.remote()
    handler = display.index_create_handler(target, output=output)
    with _could_not_find(target, handler, ()):
        desc, raw, tags = do_create(target.ref, sources, annotations=parsed,
                                    artifact_type=artifact_type, oci_layout=target.oci_layout,
                                    remote=remote, on_event=handler.on_event, push=not output)
    _write_index(output, raw, pretty)
    handler.on_pushed(desc, tags)


@handle_errors
def run_index_update(target: TargetOptions, add: tuple[str, ...], merge: tuple[str, ...],
                 remove: tuple[str, ...], tags: tuple[str, ...], artifact_type: str | None,
                 output: str | None, pretty: bool) -> None:
    from orasx.api import index_update as do_update
    from orasx.cli._common import require_reference
    from orasx.digest import parse_digest
    from orasx.errors import InvalidDigestError

    invocation = current()
    assert invocation is not None, "a command is running"
    if invocation.given("tags") and invocation.given("output"):
        raise GoUsageError("--tag, --output cannot be used at the same time")
    for r in remove:
        try:
            parse_digest(r)
        except InvalidDigestError:
            raise GoUsageError(f"remove: {r} is not a digest") from None
    target.location()
    if artifact_type is not None:
        _check_artifact_type(artifact_type)
    if not any(invocation.given(k) for k in ("add", "merge", "remove", "artifact_type")):
        echo("Nothing to update as no change is requested")
        return
    remote = target.remote.remote()
    require_reference(target)
    handler = display.index_update_handler(target, output=output)
    with _could_not_find(target, handler, add):
        desc, raw, pushed_tags = do_update(
            target.ref, add=add, merge=merge, remove=remove, tags=tags,
            artifact_type=artifact_type, oci_layout=target.oci_layout, remote=remote,
            on_event=handler.on_event, push=not output)
    _write_index(output, raw, pretty)
    handler.on_pushed(desc, pushed_tags)


def _check_artifact_type(artifact_type: str) -> None:
    """The Go CLI's check of ``--artifact-type`` (``""`` is none)."""
    from orasx.mediatype import is_valid_media_type

    if artifact_type and not is_valid_media_type(artifact_type):
        raise GoUsageError(f"{artifact_type}: invalid media type")


@contextlib.contextmanager
def _could_not_find(target: TargetOptions, handler: display.IndexHandler,
                    add: tuple[str, ...]) -> Iterator[None]:
    """What an OCI layout does not hold, in the Go CLI's words: ``could not find the index
    idx: not found`` (the index updated, or one merged) or ``... the manifest v1: not found``
    (a source, or one added). A registry's answer is rendered by ``_hints``."""
    from orasx.errors import NotFoundError, Reason

    try:
        yield
    except NotFoundError as e:
        fetched = handler.fetching
        if not target.oci_layout or e.reason is not Reason.NOT_IN_STORE or not fetched:
            raise
        update = handler.update
        n = len(fetched) - 1  # the update fetches the index, then what --add, then --merge names
        what = "index" if update and (n == 0 or n > len(add)) else "manifest"
        raise GoUsageError(f"could not find the {what} {fetched[-1]}: not found") from None


#: -d, and --no-tty accepted but not listed; no -v (Go's index commands never had it)
_COMMON = CommonFlags(no_tty=None)


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
        with output_errors(output, FAILED_TO_OPEN):
            write_content(output, raw)


index_create = Command(
    use='create [flags] <target>[:<tag[,<tag>][...]] <sources>[{<tag>|<digest>}...]',
    short='[Experimental] Create and push an index from provided manifests',
    aliases=('pack',),
    long=("[Experimental] Create and push an index from provided manifests. All manifests should "
        "be in the same repository\n"
        "\n"
        "Example - Create an index from source manifests tagged 'linux-amd64' and 'linux-arm64', "
        "and push without tagging:\n"
        "  oras manifest index create localhost:5000/hello linux-amd64 linux-arm64\n"
        "\n"
        "Example - Create an index from source manifests tagged 'linux-amd64' and 'linux-arm64', "
        "and push with the tag 'v1':\n"
        "  oras manifest index create localhost:5000/hello:v1 linux-amd64 linux-arm64\n"
        "\n"
        "Example - Create an index from source manifests using both tags and digests, and push "
        "with tag 'v1':\n"
        "  oras manifest index create localhost:5000/hello:v1 linux-amd64 "
        "sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9\n"
        "\n"
        "Example - Create an index and push it with multiple tags:\n"
        "  oras manifest index create localhost:5000/hello:tag1,tag2,tag3 linux-amd64 "
        "linux-arm64 sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9\n"
        "\n"
        "Example - Create and push an index with annotations:\n"
        '  oras manifest index create localhost:5000/hello:v1 linux-amd64 --annotation "key=val"\n'
        "\n"
        "Example - Create an index with a specified artifact type:\n"
        '  oras manifest index create --artifact-type="application/vnd.example+type" '
        "localhost:5000/hello linux-amd64\n"
        "\n"
        "Example - Create an index and push to an OCI image layout folder 'layout-dir' and tag "
        "with 'v1':\n"
        "  oras manifest index create layout-dir:v1 linux-amd64 "
        "sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9 --oci-layout\n"
        "\n"
        "Example - Create an index and save it locally to index.json, auto push will be disabled:\n"
        "  oras manifest index create localhost:5000/hello linux-amd64 linux-arm64 --output "
        "index.json\n"
        "\n"
        "Example - Create an index and output the index to stdout, auto push will be disabled:\n"
        "  oras manifest index create localhost:5000/hello linux-arm64 --output - --pretty"),
    args=at_least(1, 'the destination index to create.'),
    params=('reference', '*sources'),
    flags=(
        Flag('artifact-type', 'artifact type for overall index', kind='string', default=''),
        Flag('annotation', 'manifest annotations', short='a', kind='stringArray', default=(),
             dest='annotations'),
        Flag('output', 'file `path` to write the created index to, use - for stdout', short='o',
             kind='string', default=None),
        Flag('pretty', 'prettify JSON objects printed to stdout'),
        TargetFlags(common=_COMMON),
    ),
    run=run_index_create,
)


index_update = Command(
    use=("update <index>{:<tag>|@<digest>} [{--add|--merge|--remove} <manifest>{<tag>|<digest>}] "
        "[...] [flags]"),
    short='[Experimental] Update and push an image index',
    long=("[Experimental] Update and push an image index. All manifests should be in the same "
        "repository\n"
        "\n"
        "Example - Remove a manifest and add two manifests from an index tagged 'v1'. The tag "
        "will point to the updated index:\n"
        "  oras manifest index update localhost:5000/hello:v1 --add linux-amd64 --add "
        "linux-arm64 --remove "
        "sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9\n"
        "\n"
        "Example - Create a new index by updating an existing index specified by its digest:\n"
        "  oras manifest index update "
        "localhost:5000/hello@sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cd"
        "f9 --add linux-amd64 --remove "
        "sha256:fd6ed2f36b5465244d5dc86cb4e7df0ab8a9d24adc57825099f522fe009a22bb\n"
        "\n"
        "Example - Merge manifests from the index 'v2-windows' to the index 'v2':\n"
        "  oras manifest index update localhost:5000/hello:v2 --merge v2-windows\n"
        "\n"
        "Example - Update an index and tag the updated index as 'v2.1.0' and 'v2':\n"
        "  oras manifest index update "
        'localhost:5000/hello@sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cd'
        'f9 --add linux-amd64 --tag "v2.1.0" --tag "v2"\n'
        "\n"
        "Example - Update an index and push to an OCI image layout folder 'layout-dir' and tag "
        "with 'v2':\n"
        "  oras manifest index update "
        "layout-dir@99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9 --add "
        'linux-arm64 --tag "v2" --oci-layout\n'
        "\n"
        "Example - Update an index and save it locally to index.json, auto push will be disabled:\n"
        "  oras manifest index update localhost:5000/hello:v2 --add v2-linux-amd64 --output "
        "index.json\n"
        "\n"
        "Example - Update an index and output the index to stdout, auto push will be disabled:\n"
        "  oras manifest index update localhost:5000/hello:v2 --remove "
        "sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9 --output - "
        "--pretty\n"
        "\n"
        "Example - Update an index to use a different artifact type:\n"
        "  oras manifest index update localhost:5000/hello:v1 "
        '--artifact-type="application/vnd.example+type"\n'
        "\n"
        "Example - Update an index to remove any existing artifact type:\n"
        '  oras manifest index update localhost:5000/hello:v1 --artifact-type=""'),
    args=exactly(1, 'the target index to update'),
    params=('reference',),
    flags=(
        Flag('add', 'manifests to add to the index', kind='stringArray', default=()),
        Flag('merge', 'indexes to be merged into the index', kind='stringArray', default=()),
        Flag('remove', 'manifests to remove from the index, must be digests', kind='stringArray',
             default=()),
        Flag('tag', 'extra tags for the updated index', kind='stringArray', default=(),
             dest='tags'),
        Flag('artifact-type', 'new artifact type for overall index', kind='string', default=None),
        Flag('output', 'file `path` to write the created index to, use - for stdout', short='o',
             kind='string', default=None),
        Flag('pretty', 'prettify JSON objects printed to stdout'),
        TargetFlags(common=_COMMON),
    ),
    run=run_index_update,
)


command = Command(use="index [command]", commands=(index_create, index_update))
