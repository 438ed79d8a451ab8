"""``oras repo``: ls, tags."""

from __future__ import annotations

import sys
from datetime import UTC
from typing import TYPE_CHECKING

from orasx.cli._command import Command, exactly
from orasx.cli._common import handle_errors
from orasx.cli._options import (
    _NO_TTY_HIDDEN,
    FormatFlags,
    FormatOptions,
    RemoteFlags,
    RemoteOptions,
    TargetFlags,
    TargetOptions,
)
from orasx.cli._pflag import Flag
from orasx.cli.display import repo as display

if TYPE_CHECKING:
    from orasx.digest import Digest


@handle_errors
def run_ls(fmt: FormatOptions, remote: RemoteOptions, registry: str, last: str) -> None:
    from orasx.api import repo_ls
    names = repo_ls(registry, last=last, remote=remote.remote())
    display.ls_handler(fmt, registry).on_listed(names)


@handle_errors
def run_tags(target: TargetOptions, fmt: FormatOptions, last: str, exclude_digest_tags: bool) -> None:
    from orasx.api import repo_tags

    def warn(digest: Digest) -> None:
        from datetime import datetime

        now = datetime.now(UTC)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond:06d}000Z"
        print(f"[{stamp}][WARNING]: [Experimental] querying tags associated to {digest}, "
                   "it may take a while...\n\n\n", file=sys.stderr)

    names = repo_tags(target.ref, last=last, exclude_digest_tags=exclude_digest_tags,
                      oci_layout=target.oci_layout, remote=target.remote.remote(),
                      on_filter=warn)
    display.tags_handler(fmt).on_listed(names)


ls = Command(
    use='ls [flags] <registry>',
    short='List the repositories under the registry',
    aliases=('list',),
    long=("List the repositories under the registry\n"
        "\n"
        "Example - List the repositories under the registry:\n"
        "  oras repo ls localhost:5000\n"
        "\n"
        "Example - List the repositories under a namespace in the registry:\n"
        "  oras repo ls localhost:5000/example-namespace\n"
        "\n"
        "Example - List the repositories under the registry that include values lexically after "
        "last:\n"
        '  oras repo ls --last "last_repo" localhost:5000\n'
        "\n"
        "Example - [Experimental] List the repositories under the registry in JSON format:\n"
        "  oras repo ls localhost:5000 --format json\n"
        "\n"
        "Example - [Experimental] List the repositories under the registry using the given Go "
        "template:\n"
        '  oras repo ls localhost:5000 --format go-template --template "{{.repositories}}"'),
    args=exactly(1, 'the target registry to list repositories from'),
    params=('registry',),
    flags=(
        Flag('last', 'start after the repository specified by `last`', kind='string', default=''),
        FormatFlags(),
        RemoteFlags(common=_NO_TTY_HIDDEN),
    ),
    run=run_ls,
)


tags = Command(
    use='tags [flags] <name>',
    short='Show tags of the target repository',
    aliases=('show-tags',),
    long=("Show tags of the target repository\n"
        "\n"
        "Example - Show tags of the target repository:\n"
        "  oras repo tags localhost:5000/hello\n"
        "\n"
        "Example - Show tags in the target repository with digest-like tags hidden:\n"
        "  oras repo tags --exclude-digest-tags localhost:5000/hello\n"
        "\n"
        "Example - Show tags of the target repository that include values lexically after last:\n"
        '  oras repo tags --last "last_tag" localhost:5000/hello\n'
        "\n"
        "Example - Show tags of the target OCI image layout folder 'layout-dir':\n"
        "  oras repo tags --oci-layout layout-dir\n"
        "\n"
        "Example - Show tags of the target OCI layout archive 'layout.tar':\n"
        "  oras repo tags --oci-layout layout.tar\n"
        "\n"
        "Example - [Experimental] Show tags associated with a particular tagged resource:\n"
        "  oras repo tags localhost:5000/hello:latest\n"
        "\n"
        "Example - [Experimental] Show tags associated with a digest:\n"
        "  oras repo tags "
        "localhost:5000/hello@sha256:c551125a624189cece9135981621f3f3144564ddabe14b523507bf74c2281d9b\n"
        "\n"
        "Example - [Experimental] Show tags of the target repository in JSON format:\n"
        "  oras repo tags localhost:5000/hello --format json\n"
        "\n"
        "Example - [Experimental] Show tags of the target repository using the given Go template:\n"
        '  oras repo tags localhost:5000/hello --format go-template --template "{{.tags}}"\n'
        "\n"
        "Example - [Experimental] Show tags of a specific repository in OCI layout:\n"
        "  oras repo tags --oci-layout-path layout-dir localhost:5000/hello"),
    args=exactly(1, 'the target repository to list tags from'),
    params=('reference',),
    flags=(
        Flag('last', 'start after the tag specified by `last`', kind='string', default=''),
        Flag('exclude-digest-tags',
             "[Preview] exclude all digest-like tags such as 'sha256-aaaa...'"),
        TargetFlags(common=_NO_TTY_HIDDEN),
        FormatFlags(),
    ),
    run=run_tags,
)


command = Command(use="repo [command]", commands=(ls, tags))
