"""``oras blob``: fetch, push, delete, with the Go CLI v1.3's flags, checks, messages and output
(see ``manifest`` for what the two share)."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from typing import IO

from orasx.cli._artifact import os_error_text
from orasx.cli._command import Command, GoUsageError, exactly
from orasx.cli._common import (
    delete_found,
    go_cache_errors,
    handle_errors,
    output_errors,
    require_reference,
)
from orasx.cli._options import _NO_TTY_HIDDEN, TargetFlags, TargetOptions
from orasx.cli._pflag import Flag
from orasx.cli._progress import PUSH, reporter
from orasx.cli.display import blob as display
from orasx.cli.display.manifest import DeleteHandler


@handle_errors
def run_fetch(target: TargetOptions, output: str | None, descriptor: bool, pretty: bool) -> None:
    from orasx.api import fetch_blob

    if not output and not descriptor:
        raise GoUsageError("either `--output` or `--descriptor` must be provided")
    if output == "-" and descriptor:
        raise GoUsageError("`--output -` cannot be used with `--descriptor` at the same time")
    require_reference(target, digest_only=True)
    remote = target.remote.remote()
    # Go shows a progress bar on a terminal only: no status lines otherwise, none for stdout.
    quiet = output == "-" or target.common.plain or not sys.stderr.isatty()
    status = reporter(("Downloading", "Downloaded", "Skipped"), quiet=quiet,
                      plain=target.common.plain)
    out: str | IO[bytes] | None = None
    if output == "-":
        out = sys.stdout.buffer
    elif output:
        out = output
    with output_errors(out) if isinstance(out, str) else contextlib.nullcontext(), \
            go_cache_errors():  # read through $ORAS_CACHE, as Go's
        desc = status.run(fetch_blob, target.ref, out, oci_layout=target.oci_layout,
                          remote=remote, hooks=status.hooks())
    display.fetch_handler(descriptor=descriptor, pretty=pretty).on_fetched(desc)


def _check_file(file: str, size: int) -> None:
    """The Go CLI's errors for a blob file it cannot read, or whose size is not ``--size``."""
    try:
        st = os.stat(file)
        with open(file, "rb"):
            pass
    except IsADirectoryError:
        pass  # Go opens a directory, then fails to read it (below)
    except OSError as e:
        raise GoUsageError(f"failed to open {file}: open {file}: {os_error_text(e)}") from None
    if size >= 0 and size != st.st_size:
        raise GoUsageError(
            f"input size {size} does not match the actual content size {st.st_size}")
    if stat.S_ISDIR(st.st_mode):
        raise GoUsageError(f"read {file}: is a directory")


@handle_errors
def run_push(target: TargetOptions, file: str, size: int, media_type: str, descriptor: bool,
         pretty: bool) -> None:
    from orasx.api import push_blob

    if file == "-":
        if target.remote.reads_stdin:
            name, what = (("--password-stdin", "password") if target.remote.password_stdin
                          else ("--identity-token-stdin", "identity token"))
            raise GoUsageError(f"`-` read file from input and `{name}` read {what} from input "
                               "cannot be both used")
        if size < 0:
            raise GoUsageError("`--size` must be provided if the blob is read from stdin")
    location = target.location()
    if location.digest is None and location.tag:
        from orasx.reference import digest_problem

        problem = digest_problem(location.tag) or "invalid checksum digest format"
        raise GoUsageError(f"invalid digest {location.tag}: {problem}")
    if file == "-" and location.digest is None:
        raise GoUsageError("content digest must be provided if it is read from stdin")
    if file != "-":
        _check_file(file, size)
    remote = target.remote.remote()
    status = reporter(PUSH, quiet=descriptor or not target.common.verbose,
                      plain=target.common.plain)
    source: str | IO[bytes] = sys.stdin.buffer if file == "-" else file
    desc = status.run(push_blob, target.ref, source, size=size, media_type=media_type,
                      oci_layout=target.oci_layout, remote=remote, hooks=status.hooks())
    display.push_handler(target, descriptor=descriptor, pretty=pretty).on_pushed(desc)


@handle_errors
def run_delete(target: TargetOptions, force: bool, descriptor: bool, pretty: bool) -> None:
    from orasx.api import open_location
    from orasx.content import BlobStore
    from orasx.descriptor import Descriptor
    from orasx.errors import InvalidInputError, NotFoundError, Reason

    if descriptor and not force:
        raise GoUsageError("must apply --force to confirm the deletion if the descriptor is "
                           "outputted")
    location = require_reference(target, digest_only=True)
    store, _ = open_location(target.ref, oci_layout=target.oci_layout,
                             remote=target.remote.remote(), create=False)
    if not isinstance(store, BlobStore):
        raise InvalidInputError(f"{target.reference}: this store cannot address blobs by digest")
    handler = DeleteHandler(target, descriptor=descriptor, pretty=pretty)
    digest = location.digest

    def found() -> Descriptor:
        if digest is None:  # a layout's name@x:y that is no digest: Go's layout has no such blob
            raise NotFoundError(f"{location.tag}: not found", reason=Reason.NOT_IN_STORE)
        return store.blob_descriptor(digest)

    delete_found("blob", target.reference, found, store.delete, handler, force=force,
                 descriptor=descriptor)


fetch = Command(
    use='fetch [flags] {--output <file> | --descriptor} <name>@<digest>',
    short='Fetch a blob from a registry or an OCI image layout',
    aliases=('get',),
    long=("Fetch a blob from a registry or an OCI image layout\n"
        "\n"
        "Example - Fetch a blob from registry and save it to a local file:\n"
        "  oras blob fetch --output blob.tar.gz "
        "localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5\n"
        "\n"
        "Example - Fetch a blob from registry and print the raw blob content:\n"
        "  oras blob fetch --output - "
        "localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5\n"
        "\n"
        "Example - Fetch and print the descriptor of a blob:\n"
        "  oras blob fetch --descriptor "
        "localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5\n"
        "\n"
        "Example - Fetch a blob, save it to a local file and print the descriptor:\n"
        "  oras blob fetch --output blob.tar.gz --descriptor "
        "localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5\n"
        "\n"
        "Example - Fetch and print a blob from OCI image layout folder 'layout-dir':\n"
        "  oras blob fetch --oci-layout --output - "
        "layout-dir@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5\n"
        "\n"
        "Example - Fetch and print a blob from OCI image layout archive file 'layout.tar':\n"
        "  oras blob fetch --oci-layout --output - "
        "layout.tar@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5"),
    args=exactly(1, 'the target blob to fetch'),
    params=('reference',),
    flags=(
        Flag('output', 'output file `path`, use - for stdout', short='o', kind='string',
             default=None),
        Flag('descriptor', 'output the descriptor'),
        Flag('pretty', 'prettify JSON objects printed to stdout'),
        TargetFlags(),
    ),
    run=run_fetch,
)


push = Command(
    use='push [flags] <name>[@digest] <file>',
    short='Push a blob to a registry or an OCI image layout',
    long=("Push a blob to a registry or an OCI image layout\n"
        "\n"
        "Example - Push blob 'hi.txt' to a registry:\n"
        "  oras blob push localhost:5000/hello hi.txt\n"
        "\n"
        "Example - Push blob 'hi.txt' with the specific digest:\n"
        "  oras blob push "
        "localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3"
        "e5 hi.txt\n"
        "\n"
        "Example - Push blob from stdin with blob size and digest:\n"
        "  oras blob push --size 12 "
        "localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5 -\n"
        "\n"
        "Example - Push blob 'hi.txt' and output the descriptor:\n"
        "  oras blob push --descriptor localhost:5000/hello hi.txt\n"
        "\n"
        "Example - Push blob 'hi.txt' with the specific returned media type in the descriptor:\n"
        "  oras blob push --media-type application/vnd.oci.image.config.v1+json --descriptor "
        "localhost:5000/hello hi.txt\n"
        "\n"
        "Example - Push blob 'hi.txt' and output the prettified descriptor:\n"
        "  oras blob push --descriptor --pretty localhost:5000/hello hi.txt\n"
        "\n"
        "Example - Push blob without TLS:\n"
        "  oras blob push --insecure localhost:5000/hello hi.txt\n"
        "\n"
        "Example - Push blob 'hi.txt' into an OCI image layout folder 'layout-dir':\n"
        "  oras blob push --oci-layout layout-dir hi.txt"),
    args=exactly(2, 'the destination to push to and the file to read blob content from'),
    params=('reference', 'file'),
    flags=(
        Flag('size', 'provide the blob size', kind='int', default=-1),
        Flag('media-type',
             'specify the returned media type in the descriptor if --descriptor is used',
             kind='string', default='application/vnd.oci.image.layer.v1.tar'),
        Flag('descriptor', 'output the descriptor'),
        Flag('pretty', 'prettify JSON objects printed to stdout'),
        TargetFlags(),
    ),
    run=run_push,
)


delete = Command(
    use='delete [flags] <name>@<digest>',
    short='Delete a blob from a remote registry',
    aliases=('remove', 'rm'),
    long=("Delete a blob from a remote registry\n"
        "\n"
        "Example - Delete a blob:\n"
        "  oras blob delete "
        "localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5\n"
        "\n"
        "Example - Delete a blob without prompting confirmation:\n"
        "  oras blob delete --force "
        "localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5\n"
        "\n"
        "Example - Delete a blob and print its descriptor:\n"
        "  oras blob delete --descriptor --force "
        "localhost:5000/hello@sha256:9a201d228ebd966211f7d1131be19f152be428bd373a92071c71d8deaf83b3e5"),
    args=exactly(1, 'the target blob to delete'),
    params=('reference',),
    flags=(
        Flag('force', 'ignore nonexistent references, never prompt', short='f'),
        Flag('descriptor', 'output the descriptor'),
        Flag('pretty', 'prettify JSON objects printed to stdout'),
        TargetFlags(common=_NO_TTY_HIDDEN),
    ),
    run=run_delete,
)


command = Command(use="blob [command]", commands=(fetch, push, delete))
