"""``oras repo``: ls, tags."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

import click

from orasx.cli._common import handle_errors
from orasx.cli._flags import FlagGroup, flag
from orasx.cli._options import (
    FormatOptions,
    RemoteOptions,
    TargetOptions,
    format_options,
    remote_options,
    target_options,
)
from orasx.cli.display import repo as display

if TYPE_CHECKING:
    from orasx.digest import Digest


@click.group("repo", cls=FlagGroup, help="Repository operations.")
def command() -> None:
    pass


@command.command("ls", help="List the repositories of a registry: oras repo ls REGISTRY[/NAMESPACE]")
@click.argument("registry")
@click.option("--last", default="", help="Start after this repository.")
@format_options()
@remote_options()
@handle_errors
def ls(fmt: FormatOptions, remote: RemoteOptions, registry: str, last: str) -> None:
    from orasx.api import repo_ls
    from orasx.cli._artifact import check_deprecated_flags

    check_deprecated_flags()
    names = repo_ls(registry, last=last, remote=remote.remote())
    display.ls_handler(fmt, registry).on_listed(names)


@command.command("tags", help="List the tags of a repository (REPO:TAG or REPO@DIGEST: only "
                 "the tags of that manifest).")
@click.option("--last", default="", help="Start after this tag.")
@flag("--exclude-digest-tags",
      help="Leave out tags like sha256-<hex> (referrers tag schema).")
@target_options()
@format_options()
@handle_errors
def tags(target: TargetOptions, fmt: FormatOptions, last: str, exclude_digest_tags: bool) -> None:
    from orasx.api import repo_tags
    from orasx.cli._artifact import check_deprecated_flags

    check_deprecated_flags()

    def warn(digest: Digest) -> None:
        from datetime import datetime

        now = datetime.now(UTC)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond:06d}000Z"
        click.echo(f"[{stamp}][WARNING]: [Experimental] querying tags associated to {digest}, "
                   "it may take a while...\n\n\n", err=True)

    names = repo_tags(target.reference, last=last, exclude_digest_tags=exclude_digest_tags,
                      oci_layout=target.oci_layout, remote=target.remote.remote(),
                      on_filter=warn)
    display.tags_handler(fmt).on_listed(names)
