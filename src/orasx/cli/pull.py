"""``oras pull``."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from orasx.cli._common import handle_errors
from orasx.cli._flags import flag
from orasx.cli._options import FormatOptions, TargetOptions, format_options, target_options
from orasx.cli._progress import PULL, reporter
from orasx.cli.display import pull as display

if TYPE_CHECKING:
    from orasx.descriptor import Descriptor

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
@click.option("-o", "--output", default=".", show_default=True,
              help="Output directory ('-': write the artifact's one file to stdout).")
@flag("-k", "--keep-old-files", help="Do not replace existing files.")
@flag("--include-subject", help="[Preview] Recursively pull the subject of artifacts.")
@flag("-T", "--allow-path-traversal",
      help="Allow file names that write outside the output directory.")
@click.option("--config", default=None, metavar="PATH[:TYPE]",
              help="Also save the config blob to PATH.")
@click.option("--platform", default=None, metavar="OS/ARCH[/VARIANT]",
              help="Pull the manifest for this platform when REFERENCE is an index.")
@click.option("--concurrency", default=3, show_default=True,
              help="Blobs pulled at once (0 or less: 3).")
@click.option("--include", "includes", multiple=True, metavar="GLOB",
              help="Pull only files whose title matches GLOB (repeatable).")
@click.option("--exclude", "excludes", multiple=True, metavar="GLOB",
              help="Do not pull files whose title matches GLOB (repeatable).")
@click.option("--max-unpack-ratio", type=float, default=None, metavar="N",
              help="A directory may expand to N times its compressed size (default 100, at least "
              "256 MiB; 0: no limit; ORASX_MAX_UNPACK_BYTES sets bytes instead).")
@target_options(layout_help="Pull from an OCI image layout directory.")
@flag("-a", "--allow-all", hidden=True,
      help="Old flag, kept for old scripts: every titled layer is pulled by default.")
@click.option("--media-type", "media_types", multiple=True, hidden=True,
              help="Old flag, ignored: every titled layer is pulled.")
@format_options()
@handle_errors
def command(
    target: TargetOptions, fmt: FormatOptions, output: str, keep_old_files: bool,
    include_subject: bool, allow_path_traversal: bool, config: str | None,
    platform: str | None, concurrency: int,
    includes: tuple[str, ...], excludes: tuple[str, ...], max_unpack_ratio: float | None,
    allow_all: bool, media_types: tuple[str, ...],
) -> None:
    from orasx.api import pull, pull_to_stream
    from orasx.cli import _artifact as go
    from orasx.content.file import DEFAULT_UNPACK_RATIO

    go.check_deprecated_flags()
    wanted = go.platform_flag(platform)
    remote = target.remote.remote()
    go.require_reference(target)
    cache_dir = os.environ.get("ORAS_CACHE") or None
    if output == "-":
        pull_to_stream(target.reference, sys.stdout.buffer, oci_layout=target.oci_layout,
                       platform=wanted, remote=remote, cache_dir=cache_dir,
                       include=includes, exclude=excludes)
        return
    limit = os.environ.get("ORASX_MAX_UNPACK_BYTES")
    if limit is not None and not (limit.isascii() and limit.isdigit()):
        raise click.UsageError(f"ORASX_MAX_UNPACK_BYTES={limit!r}: use a number of bytes")
    status = reporter(PULL, quiet=fmt.document, plain=target.common.plain, once=True)
    unpulled: set[str] = set()

    def on_unpulled(desc: Descriptor) -> None:
        if str(desc.digest) not in unpulled:
            unpulled.add(str(desc.digest))
            status.status(PULL.skipped, desc)

    with _go_write_errors():
        result = status.run(
            pull,
            target.reference,
            output,
            oci_layout=target.oci_layout,
            keep_old_files=keep_old_files,
            allow_path_traversal=allow_path_traversal,
            config=config,
            platform=wanted,
            concurrency=go.concurrency(concurrency),
            remote=remote,
            hooks=status.hooks(),
            cache_dir=cache_dir,
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
    from orasx.errors import AlreadyExistsError, OrasError, PathTraversalError

    try:
        yield
    except OrasError as e:
        if e.reason == "path-traversal":
            raise PathTraversalError(
                "failed to resolve path for writing: path traversal disallowed\n"
                "Pulling files outside of working directory is insecure and blocked by default. "
                "If you trust the content producer, use --allow-path-traversal to bypass this "
                "check.") from e
        if e.reason == "keep-old-files":
            raise AlreadyExistsError(
                "failed to resolve path for writing: overwrite disallowed") from e
        raise
