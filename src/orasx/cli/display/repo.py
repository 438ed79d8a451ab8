"""``oras repo ls`` and ``oras repo tags``: one name a line, or the list as a document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orasx.cli.display._base import Document, JSONValue, document, echo

if TYPE_CHECKING:
    from orasx.cli._options import FormatOptions


class ListHandler:
    def on_listed(self, names: list[str]) -> None:
        raise NotImplementedError


class TextListHandler(ListHandler):
    def on_listed(self, names: list[str]) -> None:
        for n in names:
            echo(n)


class DocumentListHandler(ListHandler):
    """``{"repositories": [...], "registry": ...}`` or ``{"tags": [...]}``: ``key`` names the list,
    ``extra`` adds fields before it."""

    def __init__(self, out: Document, key: str, extra: dict[str, JSONValue] | None = None) -> None:
        self.out = out
        self.key = key
        self.extra = extra or {}

    def on_listed(self, names: list[str]) -> None:
        items: list[JSONValue] = list(names)
        self.out.write({**self.extra, self.key: items})


class DocumentRepoListHandler(ListHandler):
    """``repo ls`` as a document: Go's ``{"registry": HOST, "repositories": [full names]}``
    (the text form names repositories relative to the namespace given)."""

    def __init__(self, out: Document, registry: str) -> None:
        self.out = out
        self.host, _, namespace = registry.partition("/")
        self.prefix = namespace.rstrip("/") + "/" if namespace.strip("/") else ""

    def on_listed(self, names: list[str]) -> None:
        items: list[JSONValue] = [self.prefix + n for n in names]
        self.out.write({"registry": self.host, "repositories": items})


def ls_handler(fmt: FormatOptions, registry: str) -> ListHandler:
    out = document(fmt)
    if out is None:
        return TextListHandler()
    return DocumentRepoListHandler(out, registry)


def tags_handler(fmt: FormatOptions) -> ListHandler:
    out = document(fmt)
    return TextListHandler() if out is None else DocumentListHandler(out, "tags")
