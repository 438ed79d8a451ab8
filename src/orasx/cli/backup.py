"""``oras backup`` and ``oras restore``."""

from __future__ import annotations

from typing import Any

import click

from orasx.cli._common import (
    distribution_spec_option,
    handle_errors,
    remote_options,
)
from orasx.cli._flags import flag
from orasx.cli._output import emit, format_option
from orasx.cli._progress import begin


@click.command("backup", help="Back up a repository's tags (all when none given) to an OCI "
               "layout directory or a .tar file: oras backup --output DIR|FILE.tar REPO[:tags]")
@click.argument("reference")
@click.option("-o", "--output", required=True, metavar="DIR|FILE.tar", help="Where to write.")
@flag("--include-referrers", help="Back up the referrers too.")
@click.option("--concurrency", default=3, show_default=True, help="Blobs copied at once.")
@distribution_spec_option
@format_option()
@remote_options
@handle_errors
def backup(**kw: Any) -> None:
    from orasx.api import backup as do_backup

    fmt, template, remote, status = begin(kw, ("Copying", "Copied", "Exists"))
    result = status.run(do_backup, kw["reference"], kw["output"],
                        include_referrers=kw["include_referrers"],
                        concurrency=kw["concurrency"], remote=remote, hooks=status.hooks())
    doc = {"output": result.path, "tags": list(result.tags),
           "manifests": [r.to_dict() for r in result.roots]}
    if emit(fmt, template, doc):
        return
    click.echo(f"Backed up {len(result.tags)} tag(s) of {kw['reference']} to {result.path}")


@click.command("restore", help="Restore tags (all when none given) from an OCI layout directory "
               "or .tar file to a repository: oras restore --input DIR|FILE.tar REPO[:tags]")
@click.argument("reference")
@click.option("-i", "--input", "input_", required=True, metavar="DIR|FILE.tar",
              help="Layout to read.")
@flag("--exclude-referrers", help="Do not restore referrers.")
@flag("--dry-run", help="Only show what would be restored.")
@click.option("--concurrency", default=3, show_default=True, help="Blobs copied at once.")
@distribution_spec_option
@format_option()
@remote_options
@handle_errors
def restore(**kw: Any) -> None:
    from orasx.api import restore as do_restore

    fmt, template, remote, status = begin(kw, ("Copying", "Copied", "Exists"))
    result = status.run(do_restore, kw["input_"], kw["reference"],
                        exclude_referrers=kw["exclude_referrers"],
                        dry_run=kw["dry_run"], concurrency=kw["concurrency"], remote=remote,
                        hooks=status.hooks())
    doc = {"input": result.path, "tags": list(result.tags),
           "manifests": [r.to_dict() for r in result.roots]}
    if emit(fmt, template, doc):
        return
    verb = "Would restore" if kw["dry_run"] else "Restored"
    for t, r in zip(result.tags, result.roots, strict=True):
        click.echo(f"{verb} {t} ({r.digest})")
