"""``--format go-template``: the template language.

Supported (a documented subset of Go's text/template): literal text; ``{{.field}}`` and
``{{.a.b}}`` (``{{.}}`` is the whole value); ``{{json X}}`` and ``{{toJson X}}`` (compact JSON of
X); ``{{range .list}}...{{end}}`` (``.`` is the item inside); ``{{- `` and `` -}}`` trim the
whitespace beside them. Anything else is an error that names the unsupported action.
"""

from __future__ import annotations

import json
import re
from typing import TypeAlias

import click

#: What a document is made of (what ``json.loads`` gives).
JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"

_ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)


class TemplateError(click.UsageError):
    pass


def _lookup(data: JSONValue, path: str) -> JSONValue:
    if path == ".":
        return data
    if not path.startswith("."):
        raise TemplateError(f"unsupported template value {path!r}: use .field")
    value = data
    for part in path[1:].split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


def _text(value: JSONValue) -> str:
    if value is None:
        return "<no value>"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _tokens(template: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _ACTION.finditer(template):
        literal = template[pos:m.start()]
        if m.group(1):
            literal = literal.rstrip()
        out.append(("text", literal))
        out.append(("action", m.group(2)))
        pos = m.end()
        if m.group(3):
            rest = template[pos:]
            pos += len(rest) - len(rest.lstrip())
    out.append(("text", template[pos:]))
    return out


def render(template: str, data: JSONValue) -> str:
    """Render ``template`` (the supported go-template subset) against ``data``."""
    tokens = _tokens(template)
    out, i = _render(tokens, 0, data)
    if i != len(tokens):
        raise TemplateError("unexpected {{end}} in template")
    return out


def _render(tokens: list[tuple[str, str]], i: int, data: JSONValue) -> tuple[str, int]:
    out: list[str] = []
    while i < len(tokens):
        kind, value = tokens[i]
        i += 1
        if kind == "text":
            out.append(value)
            continue
        words = value.split()
        if not words:
            raise TemplateError("empty template action {{}}")
        if words[0] == "end":
            return "".join(out), i - 1
        if words[0] == "range" and len(words) == 2:
            items = _lookup(data, words[1]) or []
            start = i
            body_end = i
            for item in items if isinstance(items, list) else []:
                text, body_end = _render(tokens, start, item)
                out.append(text)
            if not items:
                _, body_end = _render(tokens, start, {})
            if body_end >= len(tokens) or tokens[body_end] != ("action", "end"):
                raise TemplateError("{{range}} without {{end}} in template")
            i = body_end + 1
            continue
        if words[0] in ("json", "toJson") and len(words) == 2:
            out.append(json.dumps(_lookup(data, words[1]), separators=(",", ":")))
            continue
        if len(words) == 1:
            out.append(_text(_lookup(data, words[0])))
            continue
        raise TemplateError(f"unsupported template action {{{{{value}}}}}: see 'oras --help'")
    return "".join(out), i
