"""``oras backup`` and ``oras restore``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orasx.cli.display._base import Document, JSONValue, document, echo

if TYPE_CHECKING:
    from orasx.api import BackupResult
    from orasx.cli._options import FormatOptions


class BackupHandler:
    def on_done(self, result: BackupResult) -> None:
        raise NotImplementedError


class TextBackupHandler(BackupHandler):
    """``Backed up N tag(s) of REF to PATH``; ``reference`` as the user typed it."""

    def __init__(self, reference: str) -> None:
        self.reference = reference

    def on_done(self, result: BackupResult) -> None:
        echo(f"Backed up {len(result.tags)} tag(s) of {self.reference} to {result.path}")


class TextRestoreHandler(BackupHandler):
    """``Restored TAG (DIGEST)`` per tag (``Would restore`` with ``--dry-run``)."""

    def __init__(self, *, dry_run: bool) -> None:
        self.verb = "Would restore" if dry_run else "Restored"

    def on_done(self, result: BackupResult) -> None:
        for t, r in zip(result.tags, result.roots, strict=True):
            echo(f"{self.verb} {t} ({r.digest})")


class DocumentBackupHandler(BackupHandler):
    """The layout (``path_key``: ``output`` or ``input``), the tags and their manifests."""

    def __init__(self, out: Document, path_key: str) -> None:
        self.out = out
        self.path_key = path_key

    def on_done(self, result: BackupResult) -> None:
        tags: list[JSONValue] = list(result.tags)
        manifests: list[JSONValue] = [r.to_dict() for r in result.roots]
        self.out.write({self.path_key: result.path, "tags": tags, "manifests": manifests})


def backup_handler(fmt: FormatOptions, reference: str) -> BackupHandler:
    out = document(fmt)
    return TextBackupHandler(reference) if out is None else DocumentBackupHandler(out, "output")


def restore_handler(fmt: FormatOptions, *, dry_run: bool) -> BackupHandler:
    out = document(fmt)
    if out is None:
        return TextRestoreHandler(dry_run=dry_run)
    return DocumentBackupHandler(out, "input")
