"""``backup`` a repository to an OCI layout (directory or tar) and ``restore`` it, as the Go CLI's
preview commands do: tags are resolved first, then copied one by one (each with its referrers
when asked), and a tar is written from a scratch layout only once every tag is in it.

What happens is reported through :class:`BackupEvents` (the CLI prints it); this module never
prints.

A restore reads a layout tar in place, as the Go CLI does (``_backup_tar``): blobs are read
from the tar where they are; only ``index.json`` and the manifests it reaches go to a scratch
directory. What cannot be read in place is refused before anything is pushed: a compressed
archive, and a sparse member (a few bytes in the tar that unpack to any size).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from orasx._copy import (
    MAX_REFERRER_DEPTH,
    CopyOptions,
    Hooks,
    copy_graph,
    extended_copy,
    resolve_root,
)
from orasx._fsutil import umask_mode
from orasx._gostr import go_quote
from orasx.api._backup_tar import _lower_first, _open_layout, _write_tar
from orasx.api._common import Remote, open_target
from orasx.api._layout_check import layout_problem
from orasx.content import ReadOnlyStorage, ReadOnlyTarget, ReferrerLister, TagLister, fetch_all
from orasx.content._lock import INGEST_DIR, LOCK_FILE
from orasx.content.oci import OCILayoutStore
from orasx.descriptor import Descriptor
from orasx.errors import (
    InvalidInputError,
    InvalidReferenceError,
    NotFoundError,
    Reason,
)
from orasx.manifest import Index, parse_manifest
from orasx.reference import is_valid_tag, parse_reference


@dataclass(frozen=True)
class BackupResult:
    """What :func:`backup` or :func:`restore` did: the tags (in the order they were copied), their
    root manifests, each tag's referrer count (0 when referrers were left out), the layout's path
    (``output`` or ``input``) and the repository (``registry/name``, no tag)."""

    tags: tuple[str, ...]
    roots: tuple[Descriptor, ...]
    path: str
    referrers: tuple[int, ...] = ()
    repository: str = ""
    dry_run: bool = False


class BackupEvents:
    """What :func:`backup` and :func:`restore` report as they go. Every method does nothing here;
    subclass to show progress. All are called on the caller's thread, in this order:
    ``archive_loaded`` (restore from a tar), ``resolving`` per named tag, ``tags_found``, then per
    tag ``tag_started`` (which returns the copy :class:`Hooks` for that tag; they are called from
    worker threads) and ``tag_done``; ``exporting``/``exported`` (backup to a tar)."""

    def archive_loaded(self, path: str, size: int) -> None:
        """A layout tar was read (``size``: the tar's bytes)."""

    def resolving(self, tag: str) -> None:
        """``tag`` is about to be resolved."""

    def tags_found(self, repository: str, tags: Sequence[str]) -> None:
        """Every tag resolved: these are copied, in this order."""

    def tag_started(self, tag: str) -> Hooks:
        """``tag`` starts copying; the hooks report its blobs."""
        return Hooks()

    def tag_done(self, tag: str, referrers: int) -> None:
        """``tag`` was copied (or, in a dry run, would be) with ``referrers`` referrers."""

    def exporting(self, path: str) -> None:
        """The layout is being written to the tar ``path``."""

    def exported(self, path: str, size: int) -> None:
        """The tar ``path`` is complete (``size`` bytes)."""


class _FixedHooks(BackupEvents):
    """The events of a caller that passed one set of ``hooks`` for every tag."""

    def __init__(self, hooks: Hooks) -> None:
        self.hooks = hooks

    def tag_started(self, tag: str) -> Hooks:
        return self.hooks


def _events(events: BackupEvents | None, hooks: Hooks | None) -> BackupEvents:
    if events is not None:
        return events
    return _FixedHooks(hooks) if hooks is not None else BackupEvents()


def parse_artifact_references(refs: str) -> tuple[str, list[str]]:
    """``registry/repo[:tag1[,tag2...]]`` -> (``registry/repo``, tags); no tags: ``[]``.

    Digest references are refused (backup and restore name what they copy by tag)."""
    if not refs:
        raise InvalidReferenceError("artifact reference cannot be empty")
    if "@" in refs:
        raise InvalidReferenceError(f"digest references are not supported: {go_quote(refs)}")
    main, *extra = refs.split(",")
    parsed = parse_reference(main)
    repository = f"{parsed.registry}/{parsed.repository}"
    if parsed.tag is None and not extra:
        return repository, []
    tags = [parsed.tag or "", *extra]
    for tag in tags:
        if not tag:
            raise InvalidReferenceError(f"empty tag in reference {go_quote(refs)}")
        if not is_valid_tag(tag):
            raise InvalidReferenceError(f"invalid tag {go_quote(tag)} in reference {go_quote(refs)}")
    return repository, tags


def _resolve_tags(source: ReadOnlyTarget, named: list[str], events: BackupEvents,
                  ) -> tuple[list[str], list[tuple[Descriptor, bytes]]]:
    """The tags to copy (``named``, or every tag ``source`` lists) and their roots."""
    tags = named
    if not tags:
        if not isinstance(source, TagLister):
            raise InvalidInputError("the source does not support tag listing")
        tags = list(source.tags())
    roots = []
    for tag in tags:
        events.resolving(tag)
        roots.append(resolve_root(source, tag))
    return tags, roots


def count_referrers(source: ReadOnlyStorage, root: Descriptor, raw: bytes | None = None) -> int:
    """How many referrers ``root`` has in ``source``, their referrers included (and, for an index,
    those of its manifests), as :func:`orasx._copy.extended_copy` finds them (the same walk,
    to the same :data:`~orasx._copy.MAX_REFERRER_DEPTH`)."""
    if not isinstance(source, ReferrerLister):
        return 0
    seen = {root.digest}
    todo = [(root, raw, 0)]
    count = 0
    while todo:
        node, content, level = todo.pop()
        if level >= MAX_REFERRER_DEPTH:
            continue
        subjects = [node]
        if content is None:
            content = fetch_all(source, node)
        parsed = parse_manifest(node.media_type, content)
        if isinstance(parsed, Index):
            subjects += list(parsed.manifests)
        for subject in subjects:
            for r in source.referrers(subject):
                if r.digest in seen:
                    continue
                seen.add(r.digest)
                count += 1
                todo.append((r, None, level + 1))
    return count


def backup(
    reference: str, output: str, *, include_referrers: bool = False, concurrency: int = 3,
    remote: Remote | None = None, hooks: Hooks | None = None, events: BackupEvents | None = None,
) -> BackupResult:
    """Copy tags (all the repository lists when none are named) of a repository into an OCI
    layout: a directory, or a tar file when ``output`` ends with ``.tar``.

    A tar is written to a temporary file beside ``output`` and renamed into place when complete,
    so a failed backup never leaves a partial archive."""
    ev = _events(events, hooks)
    repository, named = parse_artifact_references(reference)
    if not output:
        raise InvalidInputError("the output path cannot be empty")
    as_tar = output.lower().endswith(".tar")
    if as_tar and os.path.isdir(output):
        raise InvalidInputError(f"the output path {go_quote(output)} already exists and is a directory",
                                reason=Reason.OUTPUT_IS_DIRECTORY)
    if not as_tar:
        _check_output(output)
    source, _, _ = open_target(repository, remote=remote, create=False)
    with _scratch(output, as_tar) as (layout_dir, tar_tmp):
        with _own_layout(layout_dir) as layout:
            tags, roots = _resolve_tags(source, named, ev)
            if not tags:
                raise NotFoundError(f"no tags found in repository {go_quote(repository)}",
                                    reason=Reason.NO_TAGS)
            ev.tags_found(repository, tags)
            counts = []
            for tag, (root, raw) in zip(tags, roots, strict=True):
                opts = CopyOptions(concurrency=concurrency, hooks=ev.tag_started(tag))
                if include_referrers:
                    n = len(extended_copy(source, layout, root, opts, tag=tag, root_content=raw))
                else:
                    copy_graph(source, layout, root, opts, tag=tag, root_content=raw)
                    n = 0
                counts.append(n)
                ev.tag_done(tag, n)
        if tar_tmp is not None:
            ev.exporting(output)
            _write_tar(layout_dir, tar_tmp)
            os.replace(tar_tmp, output)
            ev.exported(output, os.path.getsize(output))
    return BackupResult(tuple(tags), tuple(r for r, _ in roots), output, tuple(counts), repository)


def _check_output(output: str) -> None:
    """Refuse, in oras-go's words, an output directory that is not one or holds a damaged layout."""
    problem = ""
    if os.path.exists(output) and not os.path.isdir(output):
        problem = f"mkdir {os.path.abspath(output)}: not a directory"
    elif os.path.isdir(output):
        problem = layout_problem(output)
    if problem:
        raise InvalidInputError(f"failed to prepare OCI store for backup: {problem}",
                                reason=Reason.INPUT_PATH, path=output)


@contextlib.contextmanager
def _own_layout(path: str) -> Iterator[OCILayoutStore]:
    """The layout at ``path``, created if need be. What this backup added beside the layout (the
    ``ingest/`` directory, if empty, and our lock file) is removed at the end, as Go's backup
    removes ``ingest/``; a layout that had them already keeps them (another writer may be using
    them)."""
    lock, ingest = os.path.join(path, LOCK_FILE), os.path.join(path, INGEST_DIR)
    had_lock, had_ingest = os.path.exists(lock), os.path.isdir(ingest)
    try:
        yield OCILayoutStore(path)
    finally:
        if not had_lock:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock)
        if not had_ingest:
            with contextlib.suppress(OSError):
                os.rmdir(ingest)


@contextlib.contextmanager
def _scratch(output: str, as_tar: bool) -> Iterator[tuple[str, str | None]]:
    """(layout directory, temporary tar path or None): for a tar, a scratch layout and a temporary
    file beside ``output`` (made now, so an unwritable place fails before anything is copied),
    both removed at the end (the temporary file is renamed over ``output`` when it worked)."""
    if not as_tar:
        yield output, None
        return
    directory = os.path.dirname(os.path.abspath(output))
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".orasx-", suffix=".tar")
    except OSError as e:
        raise InvalidInputError(f"unable to create output file {output}: open {output}: "
                                f"{_lower_first(e.strerror or str(e))}") from None
    os.close(fd)
    os.chmod(tmp, umask_mode(0o666))
    layout_dir = tempfile.mkdtemp(prefix="orasx-backup-")
    try:
        yield layout_dir, tmp
    finally:
        shutil.rmtree(layout_dir, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def restore(
    source: str, reference: str, *, exclude_referrers: bool = False, dry_run: bool = False,
    concurrency: int = 5, remote: Remote | None = None, hooks: Hooks | None = None,
    events: BackupEvents | None = None,
) -> BackupResult:
    """Push tags (all the layout holds when none are named) from an OCI layout directory or
    ``.tar`` to a repository, each with its referrers unless ``exclude_referrers``. ``dry_run``:
    resolve and count, push nothing."""
    ev = _events(events, hooks)
    repository, named = parse_artifact_references(reference)
    if not source:
        raise InvalidInputError("the input path cannot be empty")
    with _open_layout(source) as (layout, tar_size):
        dest, _, _ = open_target(repository, remote=remote)
        if tar_size is not None:
            ev.archive_loaded(source, tar_size)
        tags, roots = _resolve_tags(layout, named, ev)
        if not tags:
            raise NotFoundError(f"no tags found in OCI layout {go_quote(source)}",
                                reason=Reason.NO_TAGS, path=source)
        ev.tags_found(repository, tags)
        counts = []
        for tag, (root, raw) in zip(tags, roots, strict=True):
            n = 0 if exclude_referrers else count_referrers(layout, root, raw)
            counts.append(n)
            if not dry_run:
                opts = CopyOptions(concurrency=concurrency, hooks=ev.tag_started(tag))
                if exclude_referrers:
                    copy_graph(layout, dest, root, opts, tag=tag, root_content=raw)
                else:
                    extended_copy(layout, dest, root, opts, tag=tag, root_content=raw)
            ev.tag_done(tag, n)
    return BackupResult(tuple(tags), tuple(r for r, _ in roots), source, tuple(counts),
                        repository, dry_run)
