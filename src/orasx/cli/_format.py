"""``--format`` and ``--template``: :class:`FormatFlags` declares them (with the formats a
command lists in its help) and builds one :class:`FormatOptions`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orasx._gostr import go_quote
from orasx.cli._command import GoUsageError, Invocation
from orasx.cli._pflag import Flag

FORMATS = ("text", "json", "go-template")

#: the formats most commands list, in the Go CLI's order and words
STANDARD = (("json", "Print in JSON format"),
            ("go-template", "Print output using the given Go template"),
            ("text", "Print in text format"))


@dataclass(frozen=True)
class FormatOptions:
    """``--format``: ``kind`` is ``text`` (the default), ``json``, ``go-template`` (with
    ``template``) or a command's own (``tree``, ``table``)."""

    kind: str = "text"
    template: str = ""

    @property
    def document(self) -> bool:
        """The result is printed as a document (json, go-template): stdout carries only that, so
        no status lines."""
        return self.kind in ("json", "go-template")


def parse_format(value: str, template: str | None, allowed: Sequence[str] = FORMATS,
                 listed: Sequence[str] | None = None) -> FormatOptions:
    """``--format VALUE`` and ``--template`` -> :class:`FormatOptions`; the Go CLI's errors for a
    kind not in ``allowed`` (naming ``listed``, default ``allowed``), a go-template without a template, or
    ``--template`` without ``--format go-template`` (also beside ``go-template=TPL``)."""
    kind, eq, inline = value.partition("=")
    if kind not in allowed or (eq and kind != "go-template"):
        raise GoUsageError(f"invalid format type: {go_quote(value)}\n"
                           f"supported types: {', '.join(allowed if listed is None else listed)}")
    if template is not None and (kind != "go-template" or eq):
        raise GoUsageError("--template must be used with --format go-template")
    if kind == "go-template":
        template = inline if eq else template
        if not template:
            raise GoUsageError('"go-template" format specified but no template given\n'
                               "use `--format go-template=TEMPLATE` to specify the template")
    return FormatOptions(kind, template or "")


@dataclass(frozen=True)
class FormatFlags:
    """``--format`` listing ``kinds`` (name, what it prints) with ``default``, and
    ``--template``; ``unlisted`` kinds are accepted too. ``output_alias``: discover's deprecated
    ``-o/--output`` that stands for ``--format``."""

    kinds: tuple[tuple[str, str], ...] = STANDARD
    default: str = "text"
    unlisted: tuple[str, ...] = ()
    output_alias: bool = False
    ours: bool = False
    into: str = "fmt"
    arguments: tuple[str, ...] = ()

    def flags(self) -> list[Flag]:
        listing = "".join("\n" + f"'{k}':".ljust(16) + text for k, text in self.kinds)
        flags = [
            Flag("format", "[Experimental] format output using a custom template:" + listing,
                 kind="string", default=self.default, dest="output_format", ours=self.ours),
            Flag("template", "[Experimental] template string used to format output",
                 kind="string", default=None, ours=self.ours),
        ]
        if self.output_alias:
            flags.append(Flag("output", "[Deprecated] format in which to display referrers "
                                        "(table, json, or tree).", short="o", kind="string",
                              default=None, default_text=f'"{self.default}"'))
        return flags

    def build(self, invocation: Invocation) -> FormatOptions:
        value = invocation.text("output_format")
        if self.output_alias and invocation.given("output"):
            if invocation.given("output_format"):
                raise GoUsageError("--format, --output cannot be used at the same time")
            value = invocation.text("output")
        listed = tuple(k for k, _ in self.kinds)
        return parse_format(value, invocation.optional_text("template"),
                            (*listed, *self.unlisted), listed)
