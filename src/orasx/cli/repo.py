"""``oras repo``: ls, tags."""

from __future__ import annotations

from typing import Any

import click

from orasx.cli._common import build_remote, handle_errors, oci_layout_option, remote_options
from orasx.cli._flags import FlagGroup, flag
from orasx.cli._output import emit, format_option, parse_format


@click.group("repo", cls=FlagGroup, help="Repository operations.")
def command() -> None:
    pass


@command.command("ls", help="List the repositories of a registry: oras repo ls REGISTRY[/NAMESPACE]")
@click.argument("registry")
@click.option("--last", default="", help="Start after this repository.")
@format_option()
@remote_options
@handle_errors
def ls(**kw: Any) -> None:
    from orasx.api import repo_ls

    fmt, template = parse_format(kw)
    remote = build_remote(kw)
    names = repo_ls(kw["registry"], last=kw["last"], remote=remote)
    if emit(fmt, template, {"registry": kw["registry"], "repositories": names}):
        return
    for n in names:
        click.echo(n)


@command.command("tags", help="List the tags of a repository (REPO:TAG or REPO@DIGEST: only "
                 "the tags of that manifest).")
@click.argument("reference")
@click.option("--last", default="", help="Start after this tag.")
@flag("--exclude-digest-tags",
      help="Leave out tags like sha256-<hex> (referrers tag schema).")
@oci_layout_option
@format_option()
@remote_options
@handle_errors
def tags(**kw: Any) -> None:
    from orasx.api import repo_tags

    fmt, template = parse_format(kw)
    remote = build_remote(kw)
    names = repo_tags(kw["reference"], last=kw["last"],
                      exclude_digest_tags=kw["exclude_digest_tags"],
                      oci_layout=kw["oci_layout"], remote=remote)
    if emit(fmt, template, {"tags": names}):
        return
    for n in names:
        click.echo(n)
