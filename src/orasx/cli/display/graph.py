"""``attach``, ``discover``, ``copy``, ``tag`` and ``resolve``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orasx.cli.display._base import Document, JSONValue, document, echo, kind

if TYPE_CHECKING:
    from orasx.api import AttachResult, CopyResult, Location, ReferrerNode
    from orasx.cli._options import FormatOptions
    from orasx.descriptor import Descriptor


# -- attach -------------------------------------------------------------------------------------


class AttachHandler:
    def on_attached(self, result: AttachResult) -> None:
        raise NotImplementedError


class TextAttachHandler(AttachHandler):
    def on_attached(self, result: AttachResult) -> None:
        subject = result.location.with_digest(result.subject.digest)
        echo(f"Attached to [{kind(result.location)}] {subject}")
        echo(f"Digest: {result.descriptor.digest}")


class DocumentAttachHandler(AttachHandler):
    def __init__(self, out: Document) -> None:
        self.out = out

    def on_attached(self, result: AttachResult) -> None:
        reference = str(result.location.with_digest(result.descriptor.digest))
        self.out.write({"reference": reference, **result.descriptor.to_dict()})


def attach_handler(fmt: FormatOptions) -> AttachHandler:
    out = document(fmt)
    return TextAttachHandler() if out is None else DocumentAttachHandler(out)


# -- discover -----------------------------------------------------------------------------------


class DiscoverHandler:
    def on_discovered(self, root: ReferrerNode, name: str) -> None:
        """``root``: the artifact and its referrers; ``name``: its repository or layout."""
        raise NotImplementedError


class TreeDiscoverHandler(DiscoverHandler):
    """``--format tree`` (the default): the referrers grouped by artifact type."""

    def on_discovered(self, root: ReferrerNode, name: str) -> None:
        echo(f"{name}@{root.descriptor.digest}")
        self._tree(root, "")

    def _tree(self, node: ReferrerNode, prefix: str) -> None:
        groups: dict[str, list[ReferrerNode]] = {}
        for r in node.referrers:
            groups.setdefault(r.descriptor.artifact_type or "<unknown>", []).append(r)
        items = list(groups.items())
        for gi, (artifact_type, refs) in enumerate(items):
            last_group = gi == len(items) - 1
            echo(f"{prefix}{'└── ' if last_group else '├── '}{artifact_type}")
            inner = prefix + ("    " if last_group else "│   ")
            for ri, r in enumerate(refs):
                last = ri == len(refs) - 1
                echo(f"{inner}{'└── ' if last else '├── '}{r.descriptor.digest}")
                self._tree(r, inner + ("    " if last else "│   "))


class TableDiscoverHandler(DiscoverHandler):
    """``--format table``: one row per referrer, depth first."""

    def on_discovered(self, root: ReferrerNode, name: str) -> None:
        rows: list[tuple[str, str]] = []

        def collect(node: ReferrerNode) -> None:
            for r in node.referrers:
                rows.append((r.descriptor.artifact_type or "-", str(r.descriptor.digest)))
                collect(r)

        collect(root)
        width = max([len("Artifact Type")] + [len(a) for a, _ in rows])
        echo(f"{'Artifact Type':<{width}}  Digest")
        for a, d in rows:
            echo(f"{a:<{width}}  {d}")


class DocumentDiscoverHandler(DiscoverHandler):
    def __init__(self, out: Document) -> None:
        self.out = out

    def on_discovered(self, root: ReferrerNode, name: str) -> None:
        doc: JSONValue = root.to_dict(name)
        self.out.write(doc)


def discover_handler(fmt: FormatOptions) -> DiscoverHandler:
    out = document(fmt)
    if out is not None:
        return DocumentDiscoverHandler(out)
    return TableDiscoverHandler() if fmt.kind == "table" else TreeDiscoverHandler()


# -- copy ---------------------------------------------------------------------------------------


class CopyHandler:
    def on_copied(self, result: CopyResult) -> None:
        raise NotImplementedError


class TextCopyHandler(CopyHandler):
    """``source``, ``destination``: the references as the user typed them."""

    def __init__(self, source: str, destination: str) -> None:
        self.source = source
        self.destination = destination

    def on_copied(self, result: CopyResult) -> None:
        from orasx.reference import split_tags

        first, extra = split_tags(self.destination)
        echo(f"Copied [{kind(result.source)}] {self.source} => "
             f"[{kind(result.destination)}] {first}")
        for t in extra[1:]:
            echo(f"Tagged {t}")
        echo(f"Digest: {result.descriptor.digest}")


class DocumentCopyHandler(CopyHandler):
    def __init__(self, out: Document) -> None:
        self.out = out

    def on_copied(self, result: CopyResult) -> None:
        reference = str(result.destination.with_digest(result.descriptor.digest))
        self.out.write({"reference": reference, **result.descriptor.to_dict()})


def copy_handler(fmt: FormatOptions, source: str, destination: str) -> CopyHandler:
    out = document(fmt)
    return TextCopyHandler(source, destination) if out is None else DocumentCopyHandler(out)


# -- tag and resolve (text only) ----------------------------------------------------------------


class TextTagHandler:
    def on_tagged(self, location: Location, desc: Descriptor, tags: tuple[str, ...]) -> None:
        echo(f"Tagging [{kind(location)}] {location.with_digest(desc.digest)}")
        for t in tags:
            echo(f"Tagged {t}")


class TextResolveHandler:
    """The digest, or with ``full_reference`` (``-l``) ``repository@digest``."""

    def __init__(self, full_reference: bool) -> None:
        self.full_reference = full_reference

    def on_resolved(self, location: Location, desc: Descriptor) -> None:
        if self.full_reference:
            echo(str(location.with_digest(desc.digest)))
        else:
            echo(str(desc.digest))
