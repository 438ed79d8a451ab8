"""``oras backup`` and ``oras restore``: what the Go CLI's preview commands print.

Status lines come per tag (a fresh tracker per tag, as Go's ``StartTracking``: a blob an earlier
tag already copied shows as ``Exists``); the metadata lines (``Found``, ``Pulled tag``,
``Exported to``...) come from ``display.backup`` as the library reports each step; an error is
printed with Go's words for the step that failed (``failed to resolve tag "v1": ...``).
"""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import click

from orasx._gostr import go_quote
from orasx.api._backup import BackupEvents, parse_artifact_references
from orasx.cli._common import handle_errors
from orasx.cli._flags import flag
from orasx.cli._options import FormatOptions, RemoteOptions, format_options, remote_options
from orasx.cli._progress import BACKUP, RESTORE, Reporter, VerbSet, reporter
from orasx.cli._safe import one_line
from orasx.cli.display import backup as display
from orasx.errors import NotFoundError, OrasError, RegistryError

if TYPE_CHECKING:
    from orasx._copy import Hooks
    from orasx.api import BackupResult

#: Go's second line for the errors that have one (by ``OrasError.reason``).
_ADVICE = {
    "output-is-directory": "To back up to a tar archive, please specify a different output file "
                           "name or remove the existing directory.",
}
#: Errors of ours whose message is complete as it is (printed ``Error: <message>``).
_OWN = ("output-is-directory", "no-tags", "input-path", "sparse-member", "compressed-gzip",
        "compressed-bzip2", "compressed-xz", "compressed-zstd")


def input_fix(err: OrasError, path: str) -> str:
    """What to do about a restore input that cannot be read in place (said on the error's own
    line): a sparse tar member, a compressed archive."""
    if err.reason == "sparse-member":
        return "re-create the archive without sparse files (oras backup writes none)"
    if err.reason.startswith("compressed-"):
        tool = err.reason.removeprefix("compressed-")
        return (f"decompress it first ({tool} -dc {one_line(shlex.quote(path))} > layout.tar) "
                "and restore layout.tar")
    return ""


class _Steps(BackupEvents):
    """The library's events -> status lines and the output handler; remembers the step running
    (in Go's words) for the error message."""

    def __init__(self, handler: display.BackupHandler | display.RestoreHandler,
                 verbs: VerbSet, *, quiet: bool, plain: bool,
                 copying: Callable[[str, str], str], listing: bool) -> None:
        self.handler = handler
        self.verbs = verbs
        self.quiet = quiet
        self.plain = plain
        self.copying = copying
        self.listing = listing  # no tags named: Go resolves them as it lists them
        self.step = ""
        self.step_kind = ""
        self.repository = ""
        self.current: Reporter | None = None

    def archive_loaded(self, path: str, size: int) -> None:
        if isinstance(self.handler, display.RestoreHandler):
            self.handler.on_archive_loaded(path, size)

    def resolving(self, tag: str) -> None:
        within = "failed to find tags: " if self.listing else ""
        self.step = f"{within}failed to resolve tag {go_quote(tag)}: "
        self.step_kind = "resolve"

    def tags_found(self, repository: str, tags: Sequence[str]) -> None:
        self.step = self.step_kind = ""
        self.repository = repository
        self.handler.on_tags_found(repository, tags)

    def tag_started(self, tag: str) -> Hooks:
        self.step, self.step_kind = self.copying(tag, self.repository), "copy"
        self.current = reporter(self.verbs, quiet=self.quiet, plain=self.plain)
        return self.current.hooks()

    def tag_done(self, tag: str, referrers: int) -> None:
        self.stop()
        self.step = self.step_kind = ""
        self.handler.on_tag_done(tag, referrers)

    def exporting(self, path: str) -> None:
        if isinstance(self.handler, display.BackupHandler):
            self.handler.on_exporting(path)

    def exported(self, path: str, size: int) -> None:
        if isinstance(self.handler, display.BackupHandler):
            self.handler.on_exported(path, size)

    def stop(self, ok: bool = True) -> None:
        if self.current is not None:
            self.current.finish(ok)
            self.current = None


def error_text(err: OrasError, step: str, *, layout_resolve: bool = False,
               advice: str = "", fix: str = "") -> str:
    """What is printed for ``err`` raised during ``step`` (Go's words for it, ``""`` outside the
    steps Go names): ``Error: <step><message>``, and the second line ``_hints`` gives (credentials)
    or our advice. An error the registry explained (a body with error codes) is printed as the
    registry said it, as Go does. ``layout_resolve``: a tag missing in the backup's layout, which
    Go reports as just ``not found``. ``advice``: a second line for our own errors that have no
    fixed one (where to list the tags, for ``no-tags``). ``fix``: what to do, said on the
    error's line (for our errors)."""
    from orasx.cli._hints import render

    if err.reason in _OWN:
        advice = _ADVICE.get(err.reason, advice)
        return f"Error: {err}" + (f": {fix}" if fix else "") + (f"\n{advice}" if advice else "")
    text = render(err, click.get_current_context(silent=True))
    explained = isinstance(err, RegistryError) and err.codes and err.reason != "unauthorized"
    if not step or explained:
        return text
    first, nl, rest = text.partition("\n")
    for prefix in ("Error response from registry: ", "Error: "):
        if first.startswith(prefix):
            first = first[len(prefix):]
            break
    if layout_resolve and isinstance(err, NotFoundError):
        first = "not found"
    return f"Error: {step}{first}{nl}{rest}"


def _fail(err: OrasError, steps: _Steps, *, layout_resolve: bool = False,
          list_tags: Callable[[], str], fix: str = "") -> None:
    """Print ``err`` as Go does and exit 1; ``list_tags``: Go's advice when there were no tags;
    ``fix``: what to do, on the error's line."""
    steps.stop(ok=False)
    text = error_text(err, steps.step, layout_resolve=layout_resolve and steps.step_kind == "resolve",
                      advice=list_tags() if err.reason == "no-tags" else "", fix=fix)
    click.echo("\n".join(one_line(line) for line in text.split("\n")), err=True)
    sys.exit(1)


def _lists_tags(reference: str) -> bool:
    """Whether ``reference`` names no tag (every tag is listed then)."""
    try:
        return not parse_artifact_references(reference)[1]
    except OrasError:
        return False


def _run(work: Callable[[], BackupResult], fail: Callable[[OrasError], None],
         handler: display.BackupHandler | display.RestoreHandler, steps: _Steps,
         started: int) -> None:
    """Run a backup or restore: Go's error text on failure (``fail``), the summary on success."""
    try:
        result = work()
    except OrasError as e:
        fail(e)
        return
    except BaseException:
        steps.stop(ok=False)
        raise
    handler.on_done(result, time.monotonic_ns() - started)


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

    started = time.monotonic_ns()
    handler = display.backup_handler(fmt)
    steps = _Steps(handler, BACKUP, quiet=fmt.document, plain=remote.common.plain,
                   copying=lambda tag, repo: f"failed to back up tag {go_quote(tag)} "
                   f"from {go_quote(repo)} to {go_quote(output)}: ",
                   listing=_lists_tags(reference))
    _run(lambda: do_backup(reference, output, include_referrers=include_referrers,
                           concurrency=concurrency, remote=remote.remote(), events=steps),
         lambda e: _fail(e, steps, list_tags=lambda: "If you want to list available tags in "
                         f'{go_quote(parse_artifact_references(reference)[0])}, use '
                         '"oras repo tags"'),
         handler, steps, started)


@click.command("restore", help="Restore tags (all when none given) from an OCI layout directory "
               "or .tar file to a repository: oras restore --input DIR|FILE.tar REPO[:tags]")
@click.argument("reference")
@click.option("-i", "--input", "input_", required=True, metavar="DIR|FILE.tar",
              help="Layout to read.")
@flag("--exclude-referrers", help="Do not restore referrers.")
@flag("--dry-run", help="Only show what would be restored.")
@click.option("--concurrency", default=5, show_default=True, help="Blobs copied at once.")
@remote_options(distribution_spec=True)
@format_options()
@handle_errors
def restore(remote: RemoteOptions, fmt: FormatOptions, reference: str, input_: str,
            exclude_referrers: bool, dry_run: bool, concurrency: int) -> None:
    from orasx.api import restore as do_restore

    started = time.monotonic_ns()
    handler = display.restore_handler(fmt, dry_run=dry_run)
    steps = _Steps(handler, RESTORE, quiet=fmt.document, plain=remote.common.plain,
                   copying=lambda tag, repo: f"failed to restore tag {go_quote(tag)} "
                   f"from {go_quote(input_)} to {go_quote(repo)}: ",
                   listing=_lists_tags(reference))
    _run(lambda: do_restore(input_, reference, exclude_referrers=exclude_referrers,
                            dry_run=dry_run, concurrency=concurrency, remote=remote.remote(),
                            events=steps),
         lambda e: _fail(e, steps, layout_resolve=True, list_tags=lambda: "If you want to list "
                         f'available tags in {go_quote(input_)}, use "oras repo tags '
                         '--oci-layout"', fix=input_fix(e, input_)),
         handler, steps, started)
