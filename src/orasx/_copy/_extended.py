"""A graph with its referrers, as oras-go's ``ExtendedCopyGraph`` and the Go CLI's ``cp -r``.

The walk goes up first: from the root through its referrers (and, for an index, those of its
manifests) to the referrers nobody refers to. Those are the roots; each is copied down with its
subject, one copier for all, so a node moves (and is reported) once, and a referrer the
destination holds already stops the walk there, as in the Go CLI.
"""

from __future__ import annotations

from orasx._copy._graph import identity, run_copy, seed
from orasx._copy._options import MAX_REFERRER_DEPTH, CopyOptions
from orasx.content import ReadOnlyStorage, ReferrerLister, Storage, Target, fetch_all, tag_all
from orasx.descriptor import Descriptor
from orasx.errors import OrasError, with_origin
from orasx.manifest import Index, parse_manifest


def find_roots(src: ReadOnlyStorage, root: Descriptor, raw: bytes) -> tuple[list[Descriptor],
                                                                               list[Descriptor]]:
    """The roots to copy down from, and every referrer found on the way up (oras-go's
    ``findRoots`` after the Go CLI's ``prepareCopyOption``), up to :data:`MAX_REFERRER_DEPTH`."""
    if not isinstance(src, ReferrerLister):
        return [root], []
    lister = src

    def referrers(desc: Descriptor) -> list[Descriptor]:
        try:
            return lister.referrers(desc)
        except OrasError as e:
            raise with_origin(e, "source") from None

    node = parse_manifest(root.media_type, raw)
    of_children = [r for m in node.manifests for r in referrers(m) if r.digest != root.digest] \
        if isinstance(node, Index) else []
    of_root = referrers(root)
    roots: dict[tuple[str, str, int], Descriptor] = {}
    if of_children and not of_root:
        roots[identity(root)] = root  # the index itself: no referrer leads down to it
    visited = {identity(root)}
    found: list[Descriptor] = []
    stack = [(r, 1) for r in reversed(of_root + of_children)]
    if not stack:
        return [root], []
    while stack:
        desc, level = stack.pop()
        key = identity(desc)
        if key in visited:
            continue
        visited.add(key)
        found.append(desc)
        above = referrers(desc) if level < MAX_REFERRER_DEPTH else []
        if not above:
            roots.setdefault(key, desc)
            continue
        stack.extend((r, level + 1) for r in reversed(above) if identity(r) not in visited)
    return list(roots.values()), found


def extended_copy(
    src: ReadOnlyStorage, dst: Storage, root: Descriptor, options: CopyOptions | None = None,
    *, tag: str | None = None, root_content: bytes | None = None,
) -> list[Descriptor]:
    """Copy ``root``, its referrers and theirs (for an index, its manifests' too) to ``dst``;
    ``tag`` names the root there. Returns the referrers found (copied, or there already)."""
    opts = options or CopyOptions()
    manifests = seed(root, root_content)
    raw = manifests.get(root.digest)
    if raw is None:
        try:
            raw = fetch_all(src, root)
        except OrasError as e:
            raise with_origin(e, "source") from None
        manifests[root.digest] = raw
    roots, found = find_roots(src, root, raw)
    left = run_copy(src, dst, roots, opts, manifests, {root.digest: tag} if tag else {})
    if left and isinstance(dst, Target):  # the root was not walked: a referrer was there already
        try:
            tag_all(dst, root, raw, list(left.values()))
        except OrasError as e:
            raise with_origin(e, "destination") from None
    return found
