"""``oras pull``."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from orasx.cli._command import Command, GoUsageError, exactly
from orasx.cli._common import go_cache_errors as _go_cache_errors
from orasx.cli._common import handle_errors
from orasx.cli._options import FormatFlags, FormatOptions, TargetFlags, TargetOptions
from orasx.cli._pflag import Flag
from orasx.cli._progress import PULL, reporter
from orasx.cli.display import pull as display

if TYPE_CHECKING:
    from orasx.descriptor import Descriptor


@handle_errors
def run(
    target: TargetOptions, fmt: FormatOptions, output: str, keep_old_files: bool,
    include_subject: bool, allow_path_traversal: bool, config: str | None,
    platform: str | None, concurrency: int,
    includes: tuple[str, ...], excludes: tuple[str, ...], max_unpack_ratio: float | None,
    allow_all: bool, media_types: tuple[str, ...],
) -> None:
    from orasx.api import pull, pull_to_stream
    from orasx.cli import _artifact as go
    from orasx.content.file import DEFAULT_UNPACK_RATIO

    wanted = go.platform_flag(platform)
    remote = target.remote.remote()
    go.require_reference(target)
    # the cache: $ORAS_CACHE, read by the library (its default, as the command's)
    if output == "-":
        with _go_cache_errors():
            pull_to_stream(target.ref, sys.stdout.buffer, oci_layout=target.oci_layout,
                           platform=wanted, remote=remote, include=includes, exclude=excludes)
        return
    limit = os.environ.get("ORASX_MAX_UNPACK_BYTES")
    if limit is not None and not (limit.isascii() and limit.isdigit()):
        raise GoUsageError(f"ORASX_MAX_UNPACK_BYTES={limit!r}: use a number of bytes")
    status = reporter(PULL, quiet=fmt.document, plain=target.common.plain, once=True)
    unpulled: set[str] = set()

    def on_unpulled(desc: Descriptor) -> None:
        if str(desc.digest) not in unpulled:
            unpulled.add(str(desc.digest))
            status.status(PULL.skipped, desc)

    with _go_write_errors(), _go_cache_errors():
        result = status.run(
            pull,
            target.ref,
            output,
            oci_layout=target.oci_layout,
            keep_old_files=keep_old_files,
            allow_path_traversal=allow_path_traversal,
            config=config,
            platform=wanted,
            concurrency=go.concurrency(concurrency),
            remote=remote,
            hooks=status.hooks(),
            include=includes,
            exclude=excludes,
            max_unpack_ratio=DEFAULT_UNPACK_RATIO if max_unpack_ratio is None else max_unpack_ratio,
            max_unpack_bytes=int(limit) if limit else None,
            on_processing=lambda desc: status.status(PULL.processing, desc),
            on_unpulled=on_unpulled,
            include_subject=include_subject,
        )
    display.handler(fmt, target.reference).on_pulled(result)


@contextlib.contextmanager
def _go_write_errors() -> Iterator[None]:
    """The Go CLI's words for the files pull refuses to write: a name that leaves the output
    directory (without ``-T``) and, with ``-k``, a file that is already there."""
    from orasx.errors import AlreadyExistsError, OrasError, PathTraversalError, Reason

    try:
        yield
    except OrasError as e:
        if e.reason is Reason.PATH_TRAVERSAL:
            raise PathTraversalError(
                "failed to resolve path for writing: path traversal disallowed\n"
                "Pulling files outside of working directory is insecure and blocked by default. "
                "If you trust the content producer, use --allow-path-traversal to bypass this "
                "check.") from e
        if e.reason is Reason.KEEP_OLD_FILES:
            raise AlreadyExistsError(
                "failed to resolve path for writing: overwrite disallowed") from e
        raise


command = Command(
    use='pull [flags] <name>{:<tag>|@<digest>}',
    long=("Pull files from a registry or an OCI image layout\n"
        "\n"
        "Example - Pull artifact files from a registry:\n"
        "  oras pull localhost:5000/hello:v1\n"
        "\n"
        "Example - Recursively pulling all files from a registry, including subjects of hello:v1:\n"
        "  oras pull --include-subject localhost:5000/hello:v1\n"
        "\n"
        "Example - Pull files from an insecure registry:\n"
        "  oras pull --insecure localhost:5000/hello:v1\n"
        "\n"
        "Example - Pull files from the HTTP registry:\n"
        "  oras pull --plain-http localhost:5000/hello:v1\n"
        "\n"
        "Example - Pull files from a registry with local cache:\n"
        "  export ORAS_CACHE=~/.oras/cache\n"
        "  oras pull localhost:5000/hello:v1\n"
        "\n"
        "Example - Pull files from a registry with certain platform:\n"
        "  oras pull --platform linux/arm/v5 localhost:5000/hello:v1\n"
        "\n"
        "Example - Pull all files with concurrency level tuned:\n"
        "  oras pull --concurrency 6 localhost:5000/hello:v1\n"
        "\n"
        "Example - [Experimental] Pull files and format output in JSON:\n"
        "  oras pull localhost:5000/hello:v1 --format json\n"
        "\n"
        "Example - [Experimental] Pull files and format output with Go template:\n"
        '  oras pull localhost:5000/hello:v1 --format go-template="{{.reference}}"\n'
        "\n"
        "Example - Pull artifact files from an OCI image layout folder 'layout-dir':\n"
        "  oras pull --oci-layout layout-dir:v1\n"
        "\n"
        "Example - Pull artifact files from an OCI layout archive 'layout.tar':\n"
        "  oras pull --oci-layout layout.tar:v1\n"
        "\n"
        "Example - Pull artifact files tagged 'example.com:v1' from an OCI image layout folder "
        "'layout-dir':\n"
        "  oras pull example.com:v1 --oci-layout-path layout-dir"),
    args=exactly(1, 'the artifact reference you want to pull'),
    params=('reference',),
    flags=(
        Flag('output', 'output directory', short='o', kind='string', default='.'),
        Flag('keep-old-files', 'do not replace existing files when pulling, treat them as errors',
             short='k'),
        Flag('include-subject', 'recursively pull the subject of artifacts'),
        Flag('allow-path-traversal', 'allow storing files out of the output directory', short='T'),
        Flag('config', 'output manifest config file', kind='string', default=None),
        Flag('platform', 'request platform in the form of `os[/arch][/variant][:os_version]`',
             kind='string', default=None),
        Flag('concurrency', 'concurrency level', kind='int', default=3),
        Flag('include', 'pull only files whose title matches `GLOB` (repeatable)',
             kind='stringArray', default=(),
             dest='includes',
             ours=True),
        Flag('exclude', 'do not pull files whose title matches `GLOB` (repeatable)',
             kind='stringArray', default=(),
             dest='excludes',
             ours=True),
        Flag('max-unpack-ratio',
             ("a directory may expand to `N` times its compressed size (default 100, at least 256 "
             "MiB; 0: no limit; ORASX_MAX_UNPACK_BYTES sets bytes instead)"),
             kind='float',
             default=None,
             ours=True),
        Flag('allow-all', '', short='a', hidden=True),
        Flag('media-type', '', kind='stringArray', default=(), dest='media_types', hidden=True),
        TargetFlags(),
        FormatFlags(),
    ),
    run=run,
)
