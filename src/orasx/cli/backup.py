"""``oras backup`` and ``oras restore``."""

from __future__ import annotations

import click

from orasx.cli._common import handle_errors
from orasx.cli._flags import flag
from orasx.cli._options import FormatOptions, RemoteOptions, format_options, remote_options
from orasx.cli._progress import BACKUP, RESTORE, reporter
from orasx.cli.display import backup as display


@click.command("backup", help="Back up a repository's tags (all when none given) to an OCI "
               "layout directory or a .tar file: oras backup --output DIR|FILE.tar REPO[:tags]")
@click.argument("reference")
@click.option("-o", "--output", required=True, metavar="DIR|FILE.tar", help="Where to write.")
@flag("--include-referrers", help="Back up the referrers too.")
@click.option("--concurrency", default=3, show_default=True, help="Blobs copied at once.")
@remote_options(distribution_spec=True)
@format_options()
@handle_errors
def backup(remote: RemoteOptions, fmt: FormatOptions, reference: str, output: str,
           include_referrers: bool, concurrency: int) -> None:
    from orasx.api import backup as do_backup

    registry = remote.remote()
    status = reporter(BACKUP, quiet=fmt.document, plain=remote.common.plain)
    result = status.run(do_backup, reference, output, include_referrers=include_referrers,
                        concurrency=concurrency, remote=registry, hooks=status.hooks())
    display.backup_handler(fmt, reference).on_done(result)


@click.command("restore", help="Restore tags (all when none given) from an OCI layout directory "
               "or .tar file to a repository: oras restore --input DIR|FILE.tar REPO[:tags]")
@click.argument("reference")
@click.option("-i", "--input", "input_", required=True, metavar="DIR|FILE.tar",
              help="Layout to read.")
@flag("--exclude-referrers", help="Do not restore referrers.")
@flag("--dry-run", help="Only show what would be restored.")
@click.option("--concurrency", default=3, show_default=True, help="Blobs copied at once.")
@remote_options(distribution_spec=True)
@format_options()
@handle_errors
def restore(remote: RemoteOptions, fmt: FormatOptions, reference: str, input_: str,
            exclude_referrers: bool, dry_run: bool, concurrency: int) -> None:
    from orasx.api import restore as do_restore

    registry = remote.remote()
    status = reporter(RESTORE, quiet=fmt.document, plain=remote.common.plain)
    result = status.run(do_restore, input_, reference, exclude_referrers=exclude_referrers,
                        dry_run=dry_run, concurrency=concurrency, remote=registry,
                        hooks=status.hooks())
    display.restore_handler(fmt, dry_run=dry_run).on_done(result)
