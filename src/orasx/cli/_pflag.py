"""Flags as spf13/pflag declares and parses them: :class:`Flag` (one flag: names, type, default,
usage) and :func:`parse` (a command line -> values, the flags given, the positional arguments),
with pflag's error messages.

pflag's rules: flags and arguments may be interspersed; ``--`` ends the flags; ``--name=value``
or ``--name value`` (a boolean takes no next word: ``--name``, ``--name=false``); shorthands
cluster (``-kT``), take a value attached (``-oDIR``, ``-o=DIR``) or as the next word; a later
occurrence replaces the value (arrays append); booleans take Go's ``strconv.ParseBool`` words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from orasx._gostr import go_quote

#: pflag's value types we use: bool, string, int, float64, stringArray, stringSlice
Kind = Literal["bool", "string", "int", "float", "stringArray", "stringSlice"]
#: a parsed value: what a command's keyword argument receives
Value = bool | str | int | float | tuple[str, ...] | None

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
_VARNAMES = {"bool": "", "string": "string", "int": "int", "float": "float",
             "stringArray": "stringArray", "stringSlice": "strings"}


class FlagError(Exception):
    """A command line pflag refuses, in its words (the CLI prints ``Error: <message>``)."""


@dataclass(frozen=True)
class Flag:
    """One flag of a command, declared once: parsing, ``--help`` and completion read it.

    ``usage`` is pflag's: a ```backquoted``` word names the value in help (``--config path``)
    and loses its quotes there. ``default=None`` is "not given" (a tri-state boolean, an
    optional string); help shows pflag's ``(default ...)`` for a non-zero default, or
    ``default_text`` when given (Go's default where ours is None).
    """

    name: str
    usage: str = ""
    short: str = ""
    kind: Kind = "bool"
    default: Value = False
    #: the command's keyword for the value (default: the name with ``_`` for ``-``)
    dest: str = ""
    hidden: bool = False
    #: cobra's deprecation: ``Flag --NAME has been deprecated, <deprecated>`` when it is given
    deprecated: str = ""
    #: a flag the Go CLI does not have (our extra)
    ours: bool = False
    #: more long names for the same flag (old spellings users copy from the README)
    spellings: tuple[str, ...] = ()
    #: the values a string flag takes, and what the error calls them (``image specification``)
    choices: tuple[str, ...] = ()
    choice_what: str = ""
    default_text: str | None = None
    required: bool = False
    #: the shorthand works but help does not list it (ours where the Go CLI has none)
    short_hidden: bool = False

    @property
    def key(self) -> str:
        return self.dest or self.name.replace("-", "_")

    def label(self) -> str:
        """How pflag's errors name the flag: ``-o, --output`` or ``--concurrency``."""
        return f"-{self.short}, --{self.name}" if self.short else f"--{self.name}"

    def takes_value(self) -> bool:
        return self.kind != "bool"

    def usage_parts(self) -> tuple[str, str]:
        """(value name, usage without the quotes) as pflag's ``UnquoteUsage``."""
        m = re.search(r"`([^`]*)`", self.usage)
        if m:
            return m.group(1), self.usage[:m.start()] + m.group(1) + self.usage[m.end():]
        return _VARNAMES[self.kind], self.usage

    def help_row(self) -> tuple[str, str]:
        """(left column, usage) of the ``Flags:`` table, as pflag's ``FlagUsages``."""
        varname, usage = self.usage_parts()
        short = self.short and not self.short_hidden
        left = f"  -{self.short}, --{self.name}" if short else f"      --{self.name}"
        if varname:
            left += f" {varname}"
        if self.default_text is not None:
            usage += f" (default {self.default_text})"
        elif self.default not in (None, False, "", 0, ()):
            shown = f'"{self.default}"' if isinstance(self.default, str) else (
                format(self.default, "g") if isinstance(self.default, float) else self.default)
            usage += f" (default {shown})"
        return left, usage

    def convert(self, text: str, old: Value) -> Value:
        """The value after ``text`` is given (arrays append to what earlier occurrences gave)."""
        if self.kind == "bool":
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise self._invalid(text, f"strconv.ParseBool: parsing {go_quote(text)}: invalid syntax")
        if self.kind == "int":
            if not text or text.strip() != text or "_" in text:
                raise self._invalid(text, f"strconv.ParseInt: parsing {go_quote(text)}: invalid syntax")
            try:
                return int(text, 10)
            except ValueError:
                raise self._invalid(
                    text, f"strconv.ParseInt: parsing {go_quote(text)}: invalid syntax") from None
        if self.kind == "float":
            try:
                if text.strip() != text or "_" in text:
                    raise ValueError(text)
                return float(text)
            except ValueError:
                raise self._invalid(
                    text, f"strconv.ParseFloat: parsing {go_quote(text)}: invalid syntax") from None
        before = old if isinstance(old, tuple) else ()
        if self.kind == "stringArray":
            return (*before, text)
        if self.kind == "stringSlice":
            return (*before, *(text.split(",") if text else ()))
        if self.choices and text not in self.choices:
            raise self._invalid(text, f"unknown {self.choice_what} flag: {text}\n"
                                      f"Available options: {', '.join(self.choices)}")
        return text

    def _invalid(self, text: str, why: str) -> FlagError:
        return FlagError(f'invalid argument {go_quote(text)} for "{self.label()}" flag: {why}')


@dataclass
class Parsed:
    """What :func:`parse` read: values by :attr:`Flag.key` (defaults filled in), the keys given
    on the command line (pflag's ``Changed``), the positional arguments, the deprecation
    warnings to print."""

    values: dict[str, Value]
    changed: set[str] = field(default_factory=set)
    positional: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse(flags: Iterable[Flag], args: Sequence[str]) -> Parsed:
    """``args`` as pflag parses them for ``flags``; raises :class:`FlagError`."""
    flags = list(flags)
    by_long = {n: f for f in flags for n in (f.name, *f.spellings)}
    by_short = {f.short: f for f in flags if f.short}
    parsed = Parsed({f.key: f.default for f in flags})

    def set_value(flag: Flag, text: str) -> None:
        parsed.values[flag.key] = flag.convert(
            text, parsed.values[flag.key] if flag.key in parsed.changed else ())
        if flag.deprecated and flag.key not in parsed.changed:
            parsed.warnings.append(f"Flag --{flag.name} has been deprecated, {flag.deprecated}")
        parsed.changed.add(flag.key)

    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if len(arg) < 2 or arg[0] != "-":
            parsed.positional.append(arg)
        elif arg == "--":
            parsed.positional.extend(rest)
            break
        elif arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            if not name or name[0] in "-=":
                raise FlagError(f"bad flag syntax: {arg}")
            flag = by_long.get(name)
            if flag is None:
                raise FlagError(f"unknown flag: --{name}")
            if not eq and flag.takes_value():
                if not rest:
                    raise FlagError(f"flag needs an argument: {arg}")
                value = rest.pop(0)
            set_value(flag, value if eq or flag.takes_value() else "true")
        else:
            shorts = arg[1:]
            while shorts:
                c, tail = shorts[0], shorts[1:]
                flag = by_short.get(c)
                if flag is None:
                    raise FlagError(f"unknown shorthand flag: {_rune(c)} in -{shorts}")
                if len(shorts) > 2 and shorts[1] == "=":
                    value, tail = shorts[2:], ""
                elif not flag.takes_value():
                    value = "true"
                elif len(shorts) > 1:
                    value, tail = shorts[1:], ""
                elif rest:
                    value = rest.pop(0)
                else:
                    raise FlagError(f"flag needs an argument: {_rune(c)} in -{shorts}")
                set_value(flag, value)
                shorts = tail
    return parsed


def _rune(c: str) -> str:
    """Go's ``%q`` of a rune: ``'x'``."""
    return "'\\''" if c == "'" else f"'{c}'"


def parse_bool(value: str) -> bool | None:
    """Go's ``strconv.ParseBool``: True, False, or None for anything else."""
    return True if value in _TRUE else False if value in _FALSE else None
