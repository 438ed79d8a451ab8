"""``oras manifest``: fetch, fetch-config, push, delete, index create/update, as the Go CLI
prints them (see ``_base``); also the JSON shapes ``blob`` shares (:func:`descriptor_json`,
:func:`go_indent`)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from orasx._gostr import go_json_escapes
from orasx.cli.display._base import Document, JSONValue, document, echo, write_content

if TYPE_CHECKING:
    from orasx.cli._options import FormatOptions, TargetOptions
    from orasx.descriptor import Descriptor


# -- JSON as Go's encoding/json writes it -------------------------------------------------------

def go_marshal(value: Any) -> str:
    """``json.Marshal``: compact, UTF-8 kept, ``<``, ``>``, ``&`` (and U+2028/9) escaped."""
    return go_json_escapes(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


#: How deep ``encoding/json`` nests (its scanner's ``maxNestingDepth``): ``json.Indent`` of
#: anything deeper fails with ``exceeded max depth``.
GO_MAX_DEPTH = 10_000

#: One JSON token after optional whitespace: punctuation, a string, or a number or literal.
_TOKEN = re.compile(
    r"[ \t\r\n]*(?:([][{},:])"  # punctuation
    r'|("(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*")'  # a string
    r"|(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null))")  # a scalar


def go_indent(raw: bytes) -> bytes:
    """``json.Indent(dst, raw, "", "  ")`` and a newline, as the Go CLI's ``--pretty``: the
    tokens as they are (key order, number spelling, escapes), whitespace between them redone;
    ``ValueError`` when ``raw`` is not JSON (or nests deeper than Go's :data:`GO_MAX_DEPTH`)."""
    return "".join(go_indented(checked_json(raw))).encode("utf-8")


def checked_json(raw: bytes) -> str:
    """``raw`` as text, once it is known to be JSON ``json.Indent`` takes; else ``ValueError``
    with encoding/json's words."""
    text = raw.decode("utf-8", errors="replace")
    try:
        json.loads(text)  # refuse what is not JSON, as json.Indent does
    except json.JSONDecodeError as e:
        raise ValueError(_go_syntax_error(text, e)) from None
    except RecursionError:  # deeper than Python's parser goes (Go's goes to 10,000)
        _check_deep_json(text)
    return text


def _check_deep_json(text: str) -> None:
    """Check, without recursion, that ``text`` is one JSON value nested at most
    :data:`GO_MAX_DEPTH` deep; else ``ValueError`` (encoding/json's words where it is simple)."""
    stack: list[str] = []
    expect = "value"  # value | first-value | key | first-key | colon | next | end
    pos = 0
    while True:
        m = _TOKEN.match(text, pos)
        if m is None:
            rest = text[pos:].lstrip(" \t\r\n")
            if not rest and expect == "end":
                return
            if not rest:
                raise ValueError("unexpected end of JSON input")
            where = ("looking for beginning of value" if "value" in expect
                     else "after top-level value" if expect == "end" else "in JSON")
            raise ValueError(f"invalid character {rest[0]!r} {where}")
        pos = m.end()
        punct, string = m.group(1), m.group(2)
        closes = {"first-value": "]", "first-key": "}", "next": "]" if stack[-1:] == ["["] else "}"}
        if punct is not None and punct == closes.get(expect):
            stack.pop()
            expect = "next" if stack else "end"
        elif expect in ("value", "first-value"):
            if punct in ("[", "{"):
                stack.append(punct)
                if len(stack) > GO_MAX_DEPTH:
                    raise ValueError("exceeded max depth")
                expect = "first-value" if punct == "[" else "first-key"
            elif punct is None:
                expect = "next" if stack else "end"
            else:
                raise ValueError(f"invalid character {punct!r} looking for beginning of value")
        elif expect in ("key", "first-key") and string is not None:
            expect = "colon"
        elif expect == "colon" and punct == ":":
            expect = "value"
        elif expect == "next" and punct == ",":
            expect = "value" if stack[-1] == "[" else "key"
        else:
            token = m.group().lstrip(" \t\r\n")
            where = "after top-level value" if expect == "end" else "in JSON"
            raise ValueError(f"invalid character {token[:1]!r} {where}")


def go_indented(text: str) -> Iterator[str]:
    """The pieces of ``json.Indent``'s output for the JSON ``text`` (checked already), in order;
    the indentation of a document nested thousands deep is far bigger than the document, so
    the output is made as it is written."""
    body = text.lstrip(" \t\r\n")
    stripped = body.rstrip(" \t\r\n")
    trailing = body[len(stripped):]
    depth = 0
    last = ""  # the last piece: an opening bracket whose line break is not written yet
    i, n = 0, len(stripped)
    need_indent = False  # an opening bracket was written; indent unless it closes at once
    while i < n:
        c = stripped[i]
        if c in " \t\r\n":
            i += 1
            continue
        if need_indent and c not in "]}":
            yield "\n" + "  " * depth
        need_indent = False
        if c == '"':
            j = i + 1
            while stripped[j] != '"':
                j += 2 if stripped[j] == "\\" else 1
            last = stripped[i:j + 1]
            yield last
            i = j + 1
            continue
        if c in "{[":
            depth += 1
            last = c
            need_indent = True
        elif c in "}]":
            depth -= 1
            if last not in ("{", "["):
                yield "\n" + "  " * depth
            last = c
        elif c == ",":
            last = ",\n" + "  " * depth
            c = last
        elif c == ":":
            last = c = ": "
        else:
            last = c
        yield c
        i += 1
    yield trailing + "\n"


def _go_syntax_error(text: str, e: json.JSONDecodeError) -> str:
    """encoding/json's words for the first problem in ``text`` (its common cases)."""
    if e.pos >= len(text.rstrip(" \t\r\n")):
        return "unexpected end of JSON input"
    char = text[e.pos]
    shown = "'\\''" if char == "'" else f"'{char}'"
    if e.msg.startswith("Expecting value"):
        return f"invalid character {shown} looking for beginning of value"
    if e.msg.startswith("Extra data"):
        return f"invalid character {shown} after top-level value"
    return f"invalid character {shown}"


def _sorted_maps(value: Any) -> Any:
    """A Go map's order: every object's keys sorted."""
    if isinstance(value, Mapping):
        return {k: _sorted_maps(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_maps(v) for v in value]
    return value


def descriptor_dict(desc: Descriptor) -> dict[str, Any]:
    """A descriptor in the field order of Go's ``ocispec.Descriptor`` (annotations sorted)."""
    return _sorted_top(desc.to_dict())


def _sorted_top(d: dict[str, Any]) -> dict[str, Any]:
    if "annotations" in d:
        d["annotations"] = _sorted_maps(d["annotations"])
    return d


def descriptor_json(desc: Descriptor, *, pretty: bool) -> str:
    """``--descriptor``: one line of JSON without a newline, or (``--pretty``) indented with
    one."""
    compact = go_marshal(descriptor_dict(desc))
    return go_indent(compact.encode()).decode() if pretty else compact


def print_descriptor(desc: Descriptor, *, pretty: bool) -> None:
    echo(descriptor_json(desc, pretty=pretty), nl=False)


def print_content(content: bytes, *, pretty: bool) -> None:
    """Content to stdout: as stored, or (``--pretty``) indented (Go's error when it is not
    JSON, before anything is printed), written as it is made."""
    if not pretty:
        write_content(None, content)
        return
    from orasx.cli._cobra import GoUsageError

    try:
        text = checked_json(content)
    except ValueError as e:
        raise GoUsageError(f"failed to prettify: {e}") from None
    out, batch, size = sys.stdout.buffer, [], 0
    for piece in go_indented(text):
        batch.append(piece)
        size += len(piece)
        if size >= 1 << 16:
            out.write("".join(batch).encode("utf-8"))
            batch, size = [], 0
    out.write("".join(batch).encode("utf-8"))
    out.flush()


def _go_number(text: str) -> int | float:
    """A JSON number as Go's ``any`` decodes and re-encodes it (a float64)."""
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 1e21 else value


def content_value(content: bytes) -> JSONValue:
    """Content as Go's ``json.Unmarshal`` into ``any`` gives it back: objects' keys sorted."""
    parsed: JSONValue = _sorted_maps(json.loads(content, parse_float=_go_number))
    return parsed


# -- fetch --------------------------------------------------------------------------------------


class FetchHandler:
    def on_fetched(self, desc: Descriptor, content: bytes | None) -> None:
        raise NotImplementedError


class TextFetchHandler(FetchHandler):
    """The descriptor (``--descriptor``), or the manifest on stdout (as fetched, or indented
    with ``--pretty``) unless ``-o FILE`` saved it."""

    def __init__(self, *, descriptor: bool, pretty: bool, output: str | None) -> None:
        self.descriptor = descriptor
        self.pretty = pretty
        self.output = output

    def on_fetched(self, desc: Descriptor, content: bytes | None) -> None:
        if self.descriptor:
            print_descriptor(desc, pretty=self.pretty)
        elif content is not None and self.output in (None, "", "-"):
            print_content(content, pretty=self.pretty)


class DocumentFetchHandler(FetchHandler):
    """``--format json|go-template``: ``reference`` (NAME@DIGEST), the descriptor's fields and
    ``content`` (keys sorted, as Go decodes it)."""

    def __init__(self, out: Document, name: str) -> None:
        self.out = out
        self.name = name

    def on_fetched(self, desc: Descriptor, content: bytes | None) -> None:
        doc: dict[str, JSONValue] = {"reference": f"{self.name}@{desc.digest}",
                                     "mediaType": desc.media_type, "digest": str(desc.digest),
                                     "size": desc.size}
        if desc.annotations:
            doc["annotations"] = _sorted_maps(dict(desc.annotations))
        if desc.artifact_type:
            doc["artifactType"] = desc.artifact_type
        doc["content"] = content_value(content) if content is not None else None
        self.out.write(doc)


def fetch_handler(fmt: FormatOptions, *, descriptor: bool, pretty: bool, output: str | None,
                  name: str = "") -> FetchHandler:
    out = document(fmt)
    if out is None:
        return TextFetchHandler(descriptor=descriptor, pretty=pretty, output=output)
    return DocumentFetchHandler(out, name)


# -- fetch-config -------------------------------------------------------------------------------


class FetchConfigHandler:
    """The config to stdout (``-o -`` or none; indented with ``--pretty``), and the config's
    descriptor with ``--descriptor``."""

    def __init__(self, *, descriptor: bool, pretty: bool, output: str | None) -> None:
        self.descriptor = descriptor
        self.pretty = pretty
        self.output = output

    def on_fetched(self, desc: Descriptor, content: bytes | None) -> None:
        if content is not None and self.output in (None, "", "-"):
            print_content(content, pretty=self.pretty)
            return
        if self.descriptor:
            print_descriptor(desc, pretty=self.pretty)


def fetch_config_handler(*, descriptor: bool, pretty: bool,
                         output: str | None) -> FetchConfigHandler:
    return FetchConfigHandler(descriptor=descriptor, pretty=pretty, output=output)


# -- push -----------------------------------------------------------------------------------------


class ManifestPushHandler:
    """``manifest push``: ``Pushed: [registry] REF`` (the first reference as typed), a
    ``Tagged T`` line per extra tag, ``Digest: D``; or only the descriptor (``--descriptor``)."""

    def __init__(self, target: TargetOptions, reference: str, *, descriptor: bool,
                 pretty: bool) -> None:
        self.target = target
        self.reference = reference
        self.descriptor = descriptor
        self.pretty = pretty

    def on_pushed(self, desc: Descriptor) -> None:
        if not self.descriptor:
            echo(f"Pushed: [{self.target.kind}] {self.reference}")

    def on_tagged(self, tag: str) -> None:
        if not self.descriptor:
            echo(f"Tagged {tag}")

    def on_completed(self, desc: Descriptor) -> None:
        if self.descriptor:
            print_descriptor(desc, pretty=self.pretty)
        else:
            echo(f"Digest: {desc.digest}")


def push_handler(target: TargetOptions, reference: str, *, descriptor: bool = False,
                 pretty: bool = False) -> ManifestPushHandler:
    return ManifestPushHandler(target, reference, descriptor=descriptor, pretty=pretty)


# -- index create, index update -------------------------------------------------------------------


class IndexHandler:
    """``index create`` and ``index update``: each step as it happens, then the result. Go's
    lines: ``Fetching  v1``, ``Fetched   DIGEST v1``, ``Packed    SHORT TYPE`` (or ``Updated
    DIGEST``), ``Pushed    [registry] REF``, ``Tagged T`` per extra tag and ``Digest``; with
    ``-o FILE`` the index is written there and not pushed (``-o -``: stdout carries only it)."""

    def __init__(self, target: TargetOptions, reference: str, output: str | None = None,
                 *, update: bool = False) -> None:
        self.target = target
        self.reference = reference
        self.output = output
        self.update = update
        #: what each ``Fetching`` line named, in order (what an error is about)
        self.fetching: list[str] = []

    def on_event(self, event: str, text: str) -> None:
        if event == "Fetching":
            self.fetching.append(text)
        if self.output != "-":
            echo(f"{event:<9} {text}")

    def on_pushed(self, desc: Descriptor, tags: list[str]) -> None:
        from orasx.api import locate

        if self.output:
            if self.output != "-":
                echo(f"Digest: {desc.digest}")
            return
        shown = self.reference
        try:
            where = locate(self.reference, oci_layout=self.target.oci_layout)
            first = where.tag
        except ValueError:
            where, first = None, None
        if self.update:
            where = self.target.location()
            if where.digest is not None:
                shown = where.name  # Go: the repository (or layout), for a digest
        echo(f"{'Pushed':<9} [{self.target.kind}] {shown}")
        for t in tags:
            if t != first:
                echo(f"Tagged {t}")
        echo(f"Digest: {desc.digest}")


def index_create_handler(target: TargetOptions, output: str | None = None) -> IndexHandler:
    from orasx.reference import split_tags

    return IndexHandler(target, split_tags(target.reference)[0], output)


def index_update_handler(target: TargetOptions, output: str | None = None) -> IndexHandler:
    return IndexHandler(target, target.reference, output, update=True)


# -- delete (manifest delete, blob delete) ------------------------------------------------------


class DeleteHandler:
    """``Deleted [registry] REF`` (no digest line, as the Go CLI), or only the descriptor
    (``--descriptor``); ``Missing REF`` when ``-f`` met nothing to delete."""

    def __init__(self, target: TargetOptions, *, descriptor: bool = False,
                 pretty: bool = False) -> None:
        self.target = target
        self.descriptor = descriptor
        self.pretty = pretty

    def on_deleted(self, desc: Descriptor) -> None:
        if self.descriptor:
            print_descriptor(desc, pretty=self.pretty)
        else:
            echo(f"Deleted [{self.target.kind}] {self.target.reference}")

    def on_missing(self) -> None:
        echo(f"Missing {self.target.reference}")
