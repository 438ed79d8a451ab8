"""``attach``, ``discover``, ``copy``, ``tag`` and ``resolve``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orasx.cli._safe import block
from orasx.cli.display._base import Document, JSONDocument, JSONValue, document, echo, kind

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


class _Node:
    """A node of the Go CLI's tree printer: a value and its children, in the order added."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.nodes: list[_Node] = []

    def add(self, value: str) -> _Node:
        node = _Node(value)
        self.nodes.append(node)
        return node

    def add_path(self, *values: str) -> _Node:
        """The chain of ``values`` below this node, reusing children with the same value."""
        current = self
        for value in values:
            found = next((n for n in current.nodes if n.value == value), None)
            current = found if found is not None else current.add(value)
        return current

    def lines(self, prefix: str = "") -> list[str]:
        """The node and its subtree, with ``├──``/``└──`` edges. A value of several lines (an
        annotation in YAML's ``|`` form) keeps its lines under its node, after ``prefix``: the
        Go CLI prints them from the first column, where they could pass for nodes of the tree."""
        first, *more = self.value.split("\n")
        out = [first, *(prefix + line for line in more)]
        for i, child in enumerate(self.nodes):
            last = i == len(self.nodes) - 1
            sub = child.lines(prefix + ("    " if last else "│   "))
            out.append(prefix + ("└── " if last else "├── ") + sub[0])
            out.extend(sub[1:])
        return out


class TreeDiscoverHandler(DiscoverHandler):
    """``--format tree`` (the default): the referrers grouped by artifact type, each with its
    annotations (``[annotations]``, one ``key: value`` YAML line each, sorted by key).
    ``color``: the Go CLI's colors on a terminal (digests green, artifact types yellow,
    ``[annotations]`` grey)."""

    def __init__(self, color: bool = False) -> None:
        self.color = color

    def _paint(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def on_discovered(self, root: ReferrerNode, name: str) -> None:
        tree = _Node(self._paint("32", block(f"{name}@{root.descriptor.digest}")))
        self._add(tree, root)
        for line in tree.lines():
            # every value was made safe (``block``) as it was added; colors only when asked
            print(line, flush=True)

    def _add(self, tree: _Node, node: ReferrerNode) -> None:
        from orasx.cli.display._yaml import annotation_line

        for r in node.referrers:  # as the Go CLI: each referrer's subtree before the next one
            desc = r.descriptor
            child = tree.add_path(self._paint("93", block(desc.artifact_type or "<unknown>")),
                                  self._paint("32", str(desc.digest)))
            if desc.annotations:
                listed = child.add(self._paint("90", "[annotations]"))
                for key in sorted(desc.annotations):
                    listed.add_path(block(annotation_line(key, desc.annotations[key])))
            self._add(child, r)


class TableDiscoverHandler(DiscoverHandler):
    """``--format table`` (deprecated in the Go CLI): ``Discovered N artifact(s) referencing REF``,
    the subject's digest, then one row per direct referrer, each followed by its descriptor as
    JSON. ``requested``: the reference as typed."""

    def __init__(self, requested: str) -> None:
        self.requested = requested

    def on_discovered(self, root: ReferrerNode, name: str) -> None:
        refs = [r.descriptor for r in root.referrers]
        noun = "artifacts" if len(refs) > 1 else "artifact"
        echo(f"Discovered {len(refs)} {noun} referencing {self.requested}")
        echo(f"Digest: {root.descriptor.digest}")
        if not refs:
            return
        echo()
        width = max([len("Artifact Type")] + [len(d.artifact_type.encode()) for d in refs])

        def row(key: str, value: str) -> None:  # Go's fmt.Println(key, padding, value)
            echo(f"{key} {' ' * (width - len(key.encode()) + 1)} {value}")

        row("Artifact Type", "Digest")
        for d in refs:
            row(d.artifact_type, str(d.digest))
            JSONDocument().write(d.to_dict())


class DocumentDiscoverHandler(DiscoverHandler):
    def __init__(self, out: Document) -> None:
        self.out = out

    def on_discovered(self, root: ReferrerNode, name: str) -> None:
        doc: JSONValue = root.to_dict(name)
        self.out.write(doc)


def discover_handler(fmt: FormatOptions, requested: str = "", *, color: bool = False,
                     ) -> DiscoverHandler:
    """``requested``: the reference as typed (the table names it); ``color``: the tree's colors
    (stdout is a terminal, no ``--no-tty``/``--debug``)."""
    out = document(fmt)
    if out is not None:
        return DocumentDiscoverHandler(out)
    if fmt.kind == "table":
        return TableDiscoverHandler(requested)
    return TreeDiscoverHandler(color)


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
    """``Tagging [registry] REPO@DIGEST`` once the manifest is resolved (before a tag is set),
    then ``Tagged T`` per tag."""

    def on_tagging(self, location: Location, desc: Descriptor) -> None:
        echo(f"Tagging [{kind(location)}] {location.with_digest(desc.digest)}")

    def on_tagged(self, tags: tuple[str, ...]) -> None:
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
