"""``oras backup`` and ``oras restore``: the Go CLI's metadata lines, printed as the work goes
(``Found 2 tag(s) in ...``, ``Pulled tag v1 with 0 referrer(s)``, ``Exported to bk.tar (7.5 KB)``,
``Successfully backed up ...``), or one document at the end for ``--format json|go-template``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from orasx._gostr import go_quote
from orasx.cli._safe import one_line
from orasx.cli.display._base import Document, JSONValue, document, echo

if TYPE_CHECKING:
    from orasx.api._backup import BackupResult
    from orasx.cli._options import FormatOptions


def go_duration(ns: int) -> str:
    """``ns`` nanoseconds as Go's ``time.Duration.String`` prints them: ``0s``, ``850ns``,
    ``1.5µs``, ``22.123456ms``, ``1.5s``, ``2m3.000000001s``, ``1h0m0s``."""
    if ns == 0:
        return "0s"
    u = abs(ns)

    def frac(v: int, prec: int) -> tuple[str, int]:
        digits = ""
        printed = False
        for _ in range(prec):
            d = v % 10
            printed = printed or d != 0
            if printed:
                digits = str(d) + digits
            v //= 10
        return ("." + digits if printed else ""), v

    if u < 1_000_000_000:
        unit, prec = ("ns", 0) if u < 1_000 else ("µs", 3) if u < 1_000_000 else ("ms", 6)
        fraction, whole = frac(u, prec)
        text = f"{whole}{fraction}{unit}"
    else:
        fraction, secs = frac(u, 9)
        text = f"{secs % 60}{fraction}s"
        minutes = secs // 60
        if minutes:
            text = f"{minutes % 60}m{text}"
            if minutes // 60:
                text = f"{minutes // 60}h{text}"
    return "-" + text if ns < 0 else text


def go_size(n: int) -> str:
    """A byte count as the Go CLI's ``humanize.ToBytes`` prints it: base 1024, at most four
    digits, the unit right-aligned in two places (``512  B``, ``7.5 KB``, ``1.18 MB``)."""
    units = ("B", "KB", "MB", "GB", "TB")
    size = float(n)
    exponent = 0
    while size >= 1024 and exponent < len(units) - 1:
        size /= 1024
        exponent += 1
    if exponent:
        size = round(size, 2) if size < 10 else round(size, 1) if size < 100 else float(round(size))
    return f"{size:g} {units[exponent]:>2}"


class BackupHandler:
    """What ``oras backup`` shows: ``on_tags_found``, then per tag ``on_tag_done``, then for a tar
    ``on_exporting``/``on_exported``, and ``on_done`` with the whole time taken (ns)."""

    def on_tags_found(self, repository: str, tags: Sequence[str]) -> None:
        return None

    def on_tag_done(self, tag: str, referrers: int) -> None:
        return None

    def on_exporting(self, path: str) -> None:
        return None

    def on_exported(self, path: str, size: int) -> None:
        return None

    def on_done(self, result: BackupResult, elapsed_ns: int) -> None:
        raise NotImplementedError


#: Up to this many tags are listed on the ``Found`` line; more get a line each, as Go's.
_TAGS_INLINE = 5


def _found(head: str, tags: Sequence[str]) -> str:
    if len(tags) <= _TAGS_INLINE:
        return one_line(f"{head} {', '.join(tags)}")
    return "\n".join([one_line(head), *(one_line(t) for t in tags)])


class TextBackupHandler(BackupHandler):
    """The Go CLI's lines (``Found 1 tag(s) in REPO: v1``, ``Pulled tag v1 with 0 referrer(s)``,
    ``Exporting to bk.tar``, ``Exported to bk.tar (7.5 KB)``, ``Successfully backed up ...``)."""

    def on_tags_found(self, repository: str, tags: Sequence[str]) -> None:
        echo(_found(f"Found {len(tags)} tag(s) in {repository}:", tags))

    def on_tag_done(self, tag: str, referrers: int) -> None:
        echo(one_line(f"Pulled tag {tag} with {referrers} referrer(s)"))

    def on_exporting(self, path: str) -> None:
        echo(one_line(f"Exporting to {path}"))

    def on_exported(self, path: str, size: int) -> None:
        echo(one_line(f"Exported to {path} ({go_size(size)})"))

    def on_done(self, result: BackupResult, elapsed_ns: int) -> None:
        echo(one_line(f"Successfully backed up {len(result.tags)} tag(s) from "
                      f"{go_quote(result.repository)} to {go_quote(result.path)} in "
                      f"{go_duration(elapsed_ns)}."))


class RestoreHandler:
    """What ``oras restore`` shows: ``on_archive_loaded`` (a tar), ``on_tags_found``, per tag
    ``on_tag_done``, and ``on_done`` with the whole time taken (ns)."""

    def on_archive_loaded(self, path: str, size: int) -> None:
        return None

    def on_tags_found(self, repository: str, tags: Sequence[str]) -> None:
        return None

    def on_tag_done(self, tag: str, referrers: int) -> None:
        return None

    def on_done(self, result: BackupResult, elapsed_ns: int) -> None:
        raise NotImplementedError


class TextRestoreHandler(RestoreHandler):
    """The Go CLI's lines (``Loaded backup archive: bk.tar (7.5 KB)``, ``Found 1 tag(s) in the
    backup: v1``, ``Pushed tag v1 with 0 referrer(s)``, ``Successfully restored ...``; with
    ``--dry-run``: ``Dry run: would push tag ...`` and ``Dry run complete: ...``)."""

    def __init__(self, *, dry_run: bool) -> None:
        self.dry_run = dry_run

    def on_archive_loaded(self, path: str, size: int) -> None:
        echo(one_line(f"Loaded backup archive: {path} ({go_size(size)})"))

    def on_tags_found(self, repository: str, tags: Sequence[str]) -> None:
        echo(_found(f"Found {len(tags)} tag(s) in the backup:", tags))

    def on_tag_done(self, tag: str, referrers: int) -> None:
        verb = "Dry run: would push" if self.dry_run else "Pushed"
        echo(one_line(f"{verb} tag {tag} with {referrers} referrer(s)"))

    def on_done(self, result: BackupResult, elapsed_ns: int) -> None:
        repo = go_quote(result.repository)
        if self.dry_run:
            echo(one_line(f"Dry run complete: {len(result.tags)} tag(s) would be restored to "
                          f"{repo} (no data pushed)"))
        else:
            echo(one_line(f"Successfully restored {len(result.tags)} tag(s) to {repo} in "
                          f"{go_duration(elapsed_ns)}"))


class DocumentHandler(BackupHandler, RestoreHandler):
    """One document at the end: the layout (``path_key``: ``output`` or ``input``), the
    repository, the tags with their manifests and referrer counts (and ``dryRun`` for restore)."""

    def __init__(self, out: Document, path_key: str) -> None:
        self.out = out
        self.path_key = path_key

    def on_done(self, result: BackupResult, elapsed_ns: int) -> None:
        tags: list[JSONValue] = list(result.tags)
        manifests: list[JSONValue] = [r.to_dict() for r in result.roots]
        referrers: list[JSONValue] = list(result.referrers)
        doc: dict[str, JSONValue] = {
            self.path_key: result.path, "repository": result.repository, "tags": tags,
            "manifests": manifests, "referrers": referrers,
        }
        if self.path_key == "input":
            doc["dryRun"] = result.dry_run
        self.out.write(doc)


def backup_handler(fmt: FormatOptions) -> BackupHandler:
    out = document(fmt)
    return TextBackupHandler() if out is None else DocumentHandler(out, "output")


def restore_handler(fmt: FormatOptions, *, dry_run: bool) -> RestoreHandler:
    out = document(fmt)
    return TextRestoreHandler(dry_run=dry_run) if out is None else DocumentHandler(out, "input")
