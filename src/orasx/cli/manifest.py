"""``oras manifest``: fetch, fetch-config, push, delete, index create/update.

Flags, checks, messages and output as the Go CLI v1.3's: the checks its commands make before
they reach the registry (``PreRunE``: conflicting flags; a reference without a tag or digest)
are here, in its words; what the registry or a store says comes from the library.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, cast

from orasx.cli._artifact import (
    missing_reference,
    os_error_text,
    platform_flag,
)
from orasx.cli._command import Command, GoUsageError, Lazy, current, exactly, use_line
from orasx.cli._common import (
    FAILED_TO_OPEN,
    delete_found,
    go_cache_errors,
    handle_errors,
    open_env_cache,
    output_errors,
    require_reference,
)
from orasx.cli._options import (
    _NO_TTY_HIDDEN,
    FormatFlags,
    FormatOptions,
    TargetFlags,
    TargetOptions,
)
from orasx.cli._pflag import Flag
from orasx.cli.display import manifest as display
from orasx.cli.display._base import write_content
from orasx.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from orasx.content import Target
    from orasx.descriptor import Descriptor
    from orasx.reference import LayoutReference


def format_given() -> bool:
    """``--format`` (or ``--template``) was on the command line (Go: the flag "changed")."""
    invocation = current()
    return invocation is not None and (invocation.given("output_format")
                                       or invocation.given("template"))


# -- fetch --------------------------------------------------------------------------------------


@handle_errors
def run_fetch(target: TargetOptions, fmt: FormatOptions, descriptor: bool, pretty: bool,
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
        open_env_cache()  # (Go opens its cache all the same)
        desc = resolve(target.ref, oci_layout=target.oci_layout, remote=remote,
                       platform=platform_flag(platform))
    else:
        with go_cache_errors():  # read through $ORAS_CACHE, as Go's
            desc, content = fetch_manifest(target.ref, oci_layout=target.oci_layout,
                                           remote=remote, platform=platform_flag(platform))
    if accepted and desc.media_type not in accepted:
        raise GoUsageError(
            f"{target.reference}: is {desc.media_type}, not {', '.join(accepted)}")
    if content is not None and output and output != "-":
        with output_errors(output, FAILED_TO_OPEN):
            write_content(output, content)
    handler = display.fetch_handler(fmt, descriptor=descriptor, pretty=pretty, output=output,
                                    name=location.name)
    handler.on_fetched(desc, content)


@handle_errors
def run_fetch_config(target: TargetOptions, descriptor: bool, pretty: bool, platform: str | None,
                 output: str | None) -> None:
    from orasx import mediatype
    from orasx._copy import resolve_root
    from orasx.api import open_location
    from orasx.content import fetch_all
    from orasx.manifest import MAX_MANIFEST_BYTES, Manifest, parse_manifest

    if output == "-" and descriptor:
        raise GoUsageError("`--output -` cannot be used with `--descriptor` at the same time")
    require_reference(target)
    store, location = open_location(target.ref, oci_layout=target.oci_layout,
                                    remote=target.remote.remote(), create=False)
    cache = os.environ.get("ORAS_CACHE")
    if cache:  # read through it, as Go's
        from orasx.content.cache import BlobCache, CachedTarget

        with go_cache_errors():
            store = cast("Target", CachedTarget(store, BlobCache(cache), location.name))
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
        invocation = current()
        assert invocation is not None
        raise GoUsageError(
            f'media type is not specified via the flag "--media-type" nor in {json.dumps(file)}\n'
            f"Usage: {use_line(invocation)}\n"
            'Please specify a valid media type in the manifest JSON or via the "--media-type" flag')
    return value


@handle_errors
def run_push(target: TargetOptions, file: str, media_type: str, descriptor: bool, pretty: bool,
         concurrency: int) -> None:
    from orasx.api import open_location
    from orasx.cli._progress import PUSH, reporter
    from orasx.content import push_tagged, tag_all
    from orasx.descriptor import Descriptor
    from orasx.manifest import parse_manifest

    if file == "-" and target.remote.reads_stdin:
        flag_name, what = (("--password-stdin", "password") if target.remote.password_stdin
                           else ("--identity-token-stdin", "identity token"))
        raise GoUsageError(f"`-` read file from input and `{flag_name}` read {what} from input "
                           "cannot be both used")
    first, extra = _split_references(target.ref)
    data = _read_manifest(file)
    media_type = media_type or _media_type(data, file)
    parse_manifest(media_type, data)  # refuse what is not a manifest of that type
    desc = Descriptor.from_bytes(media_type, data)
    store, location = open_location(first, oci_layout=target.oci_layout,
                                    remote=target.remote.remote())
    if location.digest is not None and location.digest != desc.digest:
        raise InvalidInputError(f"{target.reference}: the manifest's digest is {desc.digest}")
    handler = display.push_handler(target, str(first), descriptor=descriptor, pretty=pretty)
    status = reporter(PUSH, quiet=descriptor or not target.common.verbose,
                      plain=target.common.plain)

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


def _split_references(reference: str | LayoutReference,
                      ) -> tuple[str | LayoutReference, list[str]]:
    """``NAME:T1,T2,...`` -> (``NAME:T1``, [``T2``, ...]): the first reference and the extra tags
    (an ``--oci-layout-path`` reference stays one)."""
    from orasx.reference import split_tags

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


@handle_errors
def run_delete(target: TargetOptions, force: bool, descriptor: bool, pretty: bool) -> None:
    from orasx.api import open_location
    from orasx.content import ManifestDeleter

    if descriptor and not force:
        raise GoUsageError("must apply --force to confirm the deletion if the descriptor is "
                           "outputted")
    store, location = open_location(target.ref, oci_layout=target.oci_layout,
                                    remote=target.remote.remote(), create=False)
    if not location.ref:
        raise missing_reference(f'"{target.reference}"')
    if not isinstance(store, ManifestDeleter):
        raise InvalidInputError(f"{target.reference}: this store cannot delete manifests")
    handler = display.DeleteHandler(target, descriptor=descriptor, pretty=pretty)
    ref = location.ref
    delete_found("manifest", target.reference, lambda: store.resolve(ref), store.delete, handler,
                 force=force, descriptor=descriptor)


_FETCH_FORMATS = (("json", "Print in prettified JSON format"),
                  ("go-template", "Print using the given Go template"),
                  ("text", "Print in text format"))


fetch = Command(
    use='fetch [flags] <name>{:<tag>|@<digest>}',
    short='Fetch manifest of the target artifact',
    aliases=('get', 'show'),
    long=("Fetch manifest of the target artifact\n"
        "\n"
        "Example - Fetch raw manifest from a registry:\n"
        "  oras manifest fetch localhost:5000/hello:v1\n"
        "\n"
        "Example - Fetch the descriptor of a manifest from a registry:\n"
        "  oras manifest fetch --descriptor localhost:5000/hello:v1\n"
        "\n"
        "Example - [Experimental] Fetch the manifest digest from a registry similar to the "
        "resolve command:\n"
        "  oras manifest fetch --format go-template --template '{{ .digest }}' "
        "localhost:5000/hello:v1\n"
        "\n"
        "Example - [Experimental] Fetch manifest and output metadata encoded in JSON:\n"
        "  oras manifest fetch localhost:5000/hello:v1 --format json\n"
        "\n"
        "Example - Fetch manifest from a registry with specified media type:\n"
        "  oras manifest fetch --media-type 'application/vnd.oci.image.manifest.v1+json' "
        "localhost:5000/hello:v1\n"
        "\n"
        "Example - Fetch manifest from a registry with certain platform:\n"
        "  oras manifest fetch --platform 'linux/arm/v5' localhost:5000/hello:v1\n"
        "\n"
        "Example - Fetch manifest from a registry with prettified json result:\n"
        "  oras manifest fetch --pretty localhost:5000/hello:v1\n"
        "\n"
        "Example - Fetch raw manifest from an OCI image layout folder 'layout-dir':\n"
        "  oras manifest fetch --oci-layout layout-dir:v1\n"
        "\n"
        "Example - Fetch raw manifest from an OCI layout archive file 'layout.tar':\n"
        "  oras manifest fetch --oci-layout layout.tar:v1\n"
        "\n"
        "Example - Fetch raw manifest tagged 'example.com:v1' from an OCI image layout folder "
        "'layout-dir':\n"
        "  oras manifest fetch example.com:v1 --oci-layout-path layout-dir"),
    args=exactly(1, 'the manifest to fetch'),
    params=('reference',),
    flags=(
        Flag('descriptor', 'output the descriptor'),
        Flag('pretty', 'prettify JSON objects printed to stdout'),
        Flag('media-type', 'accepted media types', kind='stringSlice', default=(),
             dest='media_types'),
        Flag('platform', 'request platform in the form of `os[/arch][/variant][:os_version]`',
             kind='string', default=None),
        Flag('output', 'file `path` to write the fetched manifest to, use - for stdout', short='o',
             kind='string', default=None),
        TargetFlags(common=_NO_TTY_HIDDEN),
        FormatFlags(_FETCH_FORMATS),
    ),
    run=run_fetch,
)


fetch_config = Command(
    use='fetch-config [flags] <name>{:<tag>|@<digest>}',
    short='Fetch the config of a manifest from a registry or an OCI image layout',
    aliases=('get-config',),
    long=("Fetch the config of a manifest from a registry or an OCI image layout\n"
        "\n"
        "Example - Fetch the config:\n"
        "  oras manifest fetch-config localhost:5000/hello:v1\n"
        "\n"
        "Example - Fetch the config of certain platform:\n"
        "  oras manifest fetch-config --platform 'linux/arm/v5' localhost:5000/hello:v1\n"
        "\n"
        "Example - Fetch and print the prettified config:\n"
        "  oras manifest fetch-config --pretty localhost:5000/hello:v1\n"
        "\n"
        "Example - Fetch the config and save it to a local file:\n"
        "  oras manifest fetch-config --output config.json localhost:5000/hello:v1\n"
        "\n"
        "Example - Fetch the descriptor of the config:\n"
        "  oras manifest fetch-config --descriptor localhost:5000/hello:v1\n"
        "\n"
        "Example - Fetch and print the prettified descriptor of the config:\n"
        "  oras manifest fetch-config --descriptor --pretty localhost:5000/hello:v1"),
    args=exactly(1, 'the manifest config to fetch'),
    params=('reference',),
    flags=(
        Flag('descriptor', 'output the descriptor'),
        Flag('pretty', 'prettify JSON objects printed to stdout'),
        Flag('platform', 'request platform in the form of `os[/arch][/variant][:os_version]`',
             kind='string', default=None),
        Flag('output', 'file `path` to write the fetched config to, use - for stdout', short='o',
             kind='string', default=None),
        TargetFlags(common=_NO_TTY_HIDDEN),
    ),
    run=run_fetch_config,
)


push = Command(
    use='push [flags] <name>[:<tag>[,<tag>][...]|@<digest>] <file>',
    short='Push a manifest to a registry or an OCI image layout',
    long=("Push a manifest to a registry or an OCI image layout\n"
        "\n"
        "Example - Push a manifest to repository 'localhost:5000/hello' and tag with 'v1':\n"
        "  oras manifest push localhost:5000/hello:v1 manifest.json\n"
        "\n"
        "Example - Push a manifest using a specific method for the Referrers API:\n"
        "  oras manifest push --distribution-spec v1.1-referrers-api localhost:5000/hello:v1 "
        "manifest.json\n"
        "  oras manifest push --distribution-spec v1.1-referrers-tag localhost:5000/hello:v1 "
        "manifest.json\n"
        "\n"
        "Example - Push a manifest with content read from stdin:\n"
        "  oras manifest push localhost:5000/hello:v1 -\n"
        "\n"
        "Example - Push a manifest and output its descriptor:\n"
        "  oras manifest push --descriptor localhost:5000/hello:v1 manifest.json\n"
        "\n"
        "Example - Push a manifest to repository 'localhost:5000/hello' and output the "
        "prettified descriptor:\n"
        "  oras manifest push --descriptor --pretty localhost:5000/hello manifest.json\n"
        "\n"
        "Example - Push a manifest with specified media type to repository "
        "'localhost:5000/hello' and tag with 'v1':\n"
        "  oras manifest push --media-type application/vnd.cncf.oras.artifact.manifest.v1+json "
        "localhost:5000/hello:v1 oras_manifest.json\n"
        "\n"
        "Example - Push a manifest to repository 'localhost:5000/hello' and tag with 'tag1', "
        "'tag2', 'tag3':\n"
        "  oras manifest push localhost:5000/hello:tag1,tag2,tag3 manifest.json\n"
        "\n"
        "Example - Push a manifest to repository 'localhost:5000/hello' and tag with 'tag1', "
        "'tag2', 'tag3' and concurrency level tuned:\n"
        "  oras manifest push --concurrency 6 localhost:5000/hello:tag1,tag2,tag3 manifest.json\n"
        "\n"
        "Example - Push a manifest to an OCI image layout folder 'layout-dir' and tag with 'v1':\n"
        "  oras manifest push --oci-layout layout-dir:v1 manifest.json\n"
        "\n"
        "Example - Push a manifest to an OCI image layout folder 'layout-dir' and tag with "
        "'example.com:v1':\n"
        "  oras manifest push example.com:v1 manifest.json --oci-layout-path layout-dir"),
    args=exactly(2, 'the destination to push to and the file to read manifest content from'),
    params=('reference', 'file'),
    flags=(
        Flag('descriptor', 'output the descriptor'),
        Flag('pretty', 'prettify JSON objects printed to stdout'),
        Flag('media-type', 'media type of manifest', kind='string', default=''),
        Flag('concurrency', 'concurrency level', kind='int', default=5),
        TargetFlags(distribution_spec=True, common=_NO_TTY_HIDDEN),
    ),
    run=run_push,
)


delete = Command(
    use='delete [flags] <name>{:<tag>|@<digest>}',
    short='Delete a manifest from remote registry',
    aliases=('remove', 'rm'),
    long=("Delete a manifest from remote registry\n"
        "\n"
        "Example - Delete a manifest tagged with 'v1' from repository 'localhost:5000/hello':\n"
        "  oras manifest delete localhost:5000/hello:v1\n"
        "\n"
        "Example - Delete a manifest without prompting confirmation:\n"
        "  oras manifest delete --force localhost:5000/hello:v1\n"
        "\n"
        "Example - Delete a manifest and print its descriptor:\n"
        "  oras manifest delete --descriptor localhost:5000/hello:v1\n"
        "\n"
        "Example - Delete a manifest by digest "
        "'sha256:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9' from "
        "repository 'localhost:5000/hello':\n"
        "  oras manifest delete "
        "localhost:5000/hello@sha:99e4703fbf30916f549cd6bfa9cdbab614b5392fbe64fdee971359a77073cdf9"),
    args=exactly(1, 'the manifest to delete'),
    params=('reference',),
    flags=(
        Flag('force', 'ignore nonexistent references, never prompt', short='f'),
        Flag('descriptor', 'output the descriptor'),
        Flag('pretty', 'prettify JSON objects printed to stdout'),
        TargetFlags(distribution_spec=True, common=_NO_TTY_HIDDEN),
    ),
    run=run_delete,
)


command = Command(use="manifest [command]", commands=(
    fetch, fetch_config, push, delete,
    Lazy("index", "orasx.cli.manifest_index:command", "[Experimental] Index operations"),
))
