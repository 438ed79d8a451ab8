"""``backup`` a repository to an OCI layout (directory or tar) and ``restore`` it."""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass

from orasx._copy import CopyOptions, Hooks, copy_graph, copy_referrers, resolve_root
from orasx.api._common import Remote, open_target
from orasx.content import TagLister
from orasx.content.oci import OCILayoutStore
from orasx.descriptor import Descriptor
from orasx.errors import InvalidInputError, NotFoundError
from orasx.reference import split_tags


@dataclass(frozen=True)
class BackupResult:
    tags: tuple[str, ...]
    roots: tuple[Descriptor, ...]
    path: str


def _tags_of(reference: str) -> tuple[str, list[str]]:
    first, extra = split_tags(reference)
    if extra:
        return first.rpartition(":")[0], extra
    head, sep, tail = first.rpartition(":")
    if sep and "/" not in tail and "@" not in first:
        return head, [tail]
    return first, []


def backup(
    reference: str, output: str, *, include_referrers: bool = False, concurrency: int = 3,
    remote: Remote | None = None, hooks: Hooks | None = None,
) -> BackupResult:
    """Copy tags (all when none are named) of a repository into an OCI layout dir or ``.tar``."""
    repo_ref, tags = _tags_of(reference)
    source, _, _ = open_target(repo_ref, remote=remote, create=False)
    if not tags and isinstance(source, TagLister):
        tags = [t for t in source.tags() if not t.startswith(("sha256-", "sha512-"))]
    if not tags:
        raise NotFoundError(f"{repo_ref}: has no tags to back up")
    as_tar = output.endswith(".tar")
    layout_dir = tempfile.mkdtemp(prefix="orasx-backup-") if as_tar else output
    try:
        layout = OCILayoutStore(layout_dir)
        opts = CopyOptions(concurrency=concurrency, hooks=hooks or Hooks())
        roots = []
        for t in tags:
            root, raw = resolve_root(source, t)
            copy_graph(source, layout, root, opts, tag=t, root_content=raw)
            if include_referrers:
                copy_referrers(source, layout, root, opts, root_content=raw)
            roots.append(root)
        if as_tar:
            _write_tar(layout_dir, output)
    finally:
        if as_tar:
            shutil.rmtree(layout_dir, ignore_errors=True)
    return BackupResult(tuple(tags), tuple(roots), output)


def _write_tar(layout_dir: str, output: str) -> None:
    directory = os.path.dirname(os.path.abspath(output))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".orasx-", suffix=".tar")
    os.close(fd)
    try:
        with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
            for name in ("oci-layout", "index.json"):
                tar.add(os.path.join(layout_dir, name), arcname=name)
            blobs = os.path.join(layout_dir, "blobs")
            for alg in sorted(os.listdir(blobs)):
                for blob in sorted(os.listdir(os.path.join(blobs, alg))):
                    tar.add(os.path.join(blobs, alg, blob), arcname=f"blobs/{alg}/{blob}")
        os.replace(tmp, output)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def restore(
    source: str, reference: str, *, exclude_referrers: bool = False, dry_run: bool = False,
    concurrency: int = 3, remote: Remote | None = None, hooks: Hooks | None = None,
) -> BackupResult:
    """Push tags (all when none are named) from an OCI layout dir or tar to a repository."""
    repo_ref, tags = _tags_of(reference)
    layout, _, _ = open_target(source, oci_layout=True, create=False)
    if not tags and isinstance(layout, TagLister):
        tags = list(layout.tags())
    if not tags:
        raise InvalidInputError(f"{source}: the layout has no tags to restore")
    dest, _, _ = open_target(repo_ref, remote=remote)
    opts = CopyOptions(concurrency=concurrency, hooks=hooks or Hooks())
    roots = []
    for t in tags:
        root, raw = resolve_root(layout, t)
        roots.append(root)
        if dry_run:
            continue
        copy_graph(layout, dest, root, opts, tag=t, root_content=raw)
        if not exclude_referrers:
            copy_referrers(layout, dest, root, opts, root_content=raw)
    return BackupResult(tuple(tags), tuple(roots), source)
