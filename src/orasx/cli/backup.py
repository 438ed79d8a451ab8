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

from orasx._gostr import go_quote
from orasx.api._backup import BackupEvents, parse_artifact_references
from orasx.cli._command import Command, current, exactly
from orasx.cli._common import handle_errors
from orasx.cli._options import CommonFlags, FormatFlags, FormatOptions, RemoteFlags, RemoteOptions
from orasx.cli._pflag import Flag
from orasx.cli._progress import BACKUP, RESTORE, Reporter, VerbSet, reporter
from orasx.cli._safe import one_line
from orasx.cli.display import backup as display
from orasx.errors import NotFoundError, OrasError, Reason, RegistryError

if TYPE_CHECKING:
    from orasx._copy import Hooks
    from orasx.api import BackupResult

#: The reasons of a compressed archive restore cannot read, and the tool that decompresses it.
_COMPRESSED = {Reason.COMPRESSED_GZIP: "gzip", Reason.COMPRESSED_BZIP2: "bzip2",
               Reason.COMPRESSED_XZ: "xz", Reason.COMPRESSED_ZSTD: "zstd"}
#: Go's second line for the errors that have one (by ``OrasError.reason``).
_ADVICE = {
    Reason.OUTPUT_IS_DIRECTORY: "To back up to a tar archive, please specify a different output "
                                "file name or remove the existing directory.",
}
#: Errors of ours whose message is complete as it is (printed ``Error: <message>``).
_OWN = (Reason.OUTPUT_IS_DIRECTORY, Reason.NO_TAGS, Reason.INPUT_PATH, Reason.SPARSE_MEMBER,
        *_COMPRESSED)


def input_fix(err: OrasError, path: str) -> str:
    """What to do about a restore input that cannot be read in place (said on the error's own
    line): a sparse tar member, a compressed archive."""
    if err.reason is Reason.SPARSE_MEMBER:
        return "re-create the archive without sparse files (oras backup writes none)"
    tool = _COMPRESSED.get(err.reason)
    if tool:
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
    text = render(err, current())
    explained = isinstance(err, RegistryError) and err.codes and err.reason is not Reason.UNAUTHORIZED
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
                      advice=list_tags() if err.reason is Reason.NO_TAGS else "", fix=fix)
    sys.stdout.flush()
    print("\n".join(one_line(line) for line in text.split("\n")), file=sys.stderr)
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


@handle_errors
def run_backup(remote: RemoteOptions, fmt: FormatOptions, reference: str, output: str,
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


@handle_errors
def run_restore(remote: RemoteOptions, fmt: FormatOptions, reference: str, input_: str,
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


backup = Command(
    use='backup [flags] --output <path> <registry>/<repository>[:<ref1>[,<ref2>...]]',
    long=("[Experimental] Back up artifacts from a registry into an OCI image layout, saved either "
        "as a directory or a tar archive.\n"
        "The output format is determined by the file extension of the specified output path: if "
        'it ends with ".tar", the output will be a tar archive; otherwise, it will be a '
        "directory.\n"
        "\n"
        "Example - Back up a single artifact to a directory:\n"
        "  oras backup --output hello localhost:5000/hello:v1\n"
        "\n"
        "Example - Back up to a tar archive:\n"
        "  oras backup --output hello.tar localhost:5000/hello:v1\n"
        "\n"
        "Example - Back up an artifact along with its referrers (e.g. attestations, SBOMs):\n"
        "  oras backup --output hello --include-referrers localhost:5000/hello:v1\n"
        "\n"
        "Example - Back up multiple specific tags:\n"
        "  oras backup --output hello localhost:5000/hello:v1,v2,v3\n"
        "\n"
        "Example - Back up all tagged artifacts in a repository:\n"
        "  oras backup --output hello localhost:5000/hello\n"
        "\n"
        "Example - Use Referrers API for discovering referrers:\n"
        "  oras backup --output hello --include-referrers --distribution-spec v1.1-referrers-api "
        "localhost:5000/hello:v1\n"
        "\n"
        "Example - Use Referrers Tag Schema for discovering referrers:\n"
        "  oras backup --output hello --include-referrers --distribution-spec v1.1-referrers-tag "
        "localhost:5000/hello:v1\n"
        "\n"
        "Example - Back up from an insecure registry:\n"
        "  oras backup --output hello --insecure localhost:5000/hello:v1\n"
        "\n"
        "Example - Back up from a registry using plain HTTP (no TLS):\n"
        "  oras backup --output hello --plain-http localhost:5000/hello:v1\n"
        "\n"
        "Example - Set custom concurrency level:\n"
        "  oras backup --output hello --concurrency 6 localhost:5000/hello:v1"),
    args=exactly(1, 'the artifacts to back up'),
    params=('reference',),
    flags=(
        Flag('output', 'path to the target output, either a tar archive (*.tar) or a directory',
             short='o', kind='string', default=None, required=True),
        Flag('include-referrers',
             'back up the artifact with its referrers (e.g., attestations, SBOMs)'),
        Flag('concurrency', 'concurrency level', kind='int', default=3),
        RemoteFlags(distribution_spec=True, common=CommonFlags()),  # Go: no -v
        FormatFlags(ours=True),
    ),
    run=run_backup,
)


restore = Command(
    use='restore [flags] --input <path> <registry>/<repository>[:<ref1>[,<ref2>...]]',
    long=("[Experimental] Restore artifacts to a registry from an OCI image layout, which can be "
        "either a directory or a tar archive.\n"
        "\n"
        "Example - Restore a single artifact from a tar archive:\n"
        "  oras restore --input hello.tar localhost:5000/hello:v1\n"
        "\n"
        "Example - Restore a single artifact from a directory:\n"
        "  oras restore --input hello localhost:5000/hello:v1\n"
        "\n"
        "Example - Perform a dry run without actually uploading artifacts:\n"
        "  oras restore --input hello --dry-run localhost:5000/hello:v1\n"
        "\n"
        "Example - Restore multiple specific tags:\n"
        "  oras restore --input hello localhost:5000/hello:v1,v2\n"
        "\n"
        "Example - Restore all tagged artifacts:\n"
        "  oras restore --input hello localhost:5000/hello\n"
        "\n"
        "Example - Exclude referrers when restoring artifacts:\n"
        "  oras restore --input hello --exclude-referrers localhost:5000/hello\n"
        "\n"
        "Example - Use Referrers API for discovering referrers:\n"
        "  oras restore --input hello --distribution-spec v1.1-referrers-api localhost:5000/hello\n"
        "\n"
        "Example - Use Referrers Tag Schema for discovering referrers:\n"
        "  oras restore --input hello --distribution-spec v1.1-referrers-tag localhost:5000/hello\n"
        "\n"
        "Example - Restore to an insecure registry:\n"
        "  oras restore --input hello --insecure localhost:5000/hello:v1\n"
        "\n"
        "Example - Restore to a plain HTTP registry (no TLS):\n"
        "  oras restore --input hello --plain-http localhost:5000/hello:v1\n"
        "\n"
        "Example - Set custom concurrency level:\n"
        "  oras restore --input hello --concurrency 6 localhost:5000/hello:v1"),
    args=exactly(1, 'the targets to restore to'),
    params=('reference',),
    flags=(
        Flag('input', 'path to the OCI layout, either a tar archive (*.tar) or a directory',
             short='i', short_hidden=True, kind='string', default=None, dest='input_',
             required=True),
        Flag('exclude-referrers', 'restore artifacts excluding their referrers'),
        Flag('dry-run', 'simulate the restore process without actually uploading any artifacts'),
        Flag('concurrency', 'concurrency level', kind='int', default=5),
        RemoteFlags(distribution_spec=True, common=CommonFlags()),  # Go: no -v
        FormatFlags(ours=True),
    ),
    run=run_restore,
)
