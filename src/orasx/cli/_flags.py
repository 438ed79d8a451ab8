"""Boolean flags that parse like the Go CLI's (spf13/pflag).

``--flag`` alone is true; ``--flag=VALUE`` and ``-x=VALUE`` take Go's ``strconv.ParseBool``
spellings; the last occurrence wins; a flag never takes the next word as its value; a bad value is
an error worded as Go words it. Click has no ``--flag=false`` for flags, so every boolean flag is a
click boolean with a hidden secondary ``--no-<name>``, and :class:`FlagGroup` (the class of every
group) rewrites ``--name=VALUE`` / ``-x=VALUE`` into ``--name`` or ``--no-name`` before the
command it resolved parses its arguments.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import IO, TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_bool(value: str) -> bool | None:
    """Go's ``strconv.ParseBool``: True, False, or None for anything else."""
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


class BoolFlag(click.Option):
    """A boolean flag whose ``--no-<name>`` form (what ``--name=false`` becomes) is not shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        secondary, self.secondary_opts = self.secondary_opts, []
        try:
            return super().get_help_record(ctx)
        finally:
            self.secondary_opts = secondary

    def go_name(self) -> str:
        """How Go's error messages name the flag: ``-k, --keep-old-files`` or ``--plain-http``."""
        short = [o for o in self.opts if not o.startswith("--")]
        long = [o for o in self.opts if o.startswith("--")]
        return ", ".join(short[:1] + long[:1])


def flag(*decls: str, help: str | None = None, hidden: bool = False,
         default: bool | None = False) -> Callable[[F], F]:
    """A boolean flag: ``flag("-k", "--keep-old-files", help=...)``.

    ``decls`` are the flag's names (shorthand and long, as for ``click.option``) and optionally the
    parameter's name. ``default=None`` makes a tri-state flag: None when not given.
    """
    longs = [d for d in decls if d.startswith("--")]
    if not longs:
        raise TypeError(f"flag {decls!r} needs a long name")
    primary = longs[0]
    negative = f"--no-{primary[2:]}"
    params = [f"{primary}/{negative}" if d == primary else d for d in decls]
    return click.option(*params, cls=BoolFlag, default=default, help=help, hidden=hidden)


class FlagValueError(click.UsageError):
    """A bad ``--flag=VALUE``: Go's words and exit code (1), without click's usage lines."""

    exit_code = 1

    def show(self, file: IO[str] | None = None) -> None:
        click.echo(f"Error: {self.format_message()}", file=file, err=True)


def _flag_token(option: BoolFlag, value: str) -> str:
    parsed = parse_bool(value)
    if parsed is None:
        quoted = json.dumps(value, ensure_ascii=False)
        raise FlagValueError(
            f"invalid argument {quoted} for \"{option.go_name()}\" flag: "
            f"strconv.ParseBool: parsing {quoted}: invalid syntax"
        )
    return option.opts[0] if parsed else option.secondary_opts[0]


def _option_tables(command: click.Command) -> tuple[dict[str, BoolFlag], set[str]]:
    """The command's boolean flags by name, and the names of its options that take a value."""
    flags: dict[str, BoolFlag] = {}
    takes_value: set[str] = set()
    for param in command.params:
        if isinstance(param, BoolFlag):
            flags.update((name, param) for name in param.opts)
        elif isinstance(param, click.Option) and not param.is_flag and not param.count:
            takes_value.update(param.opts)
            takes_value.update(param.secondary_opts)
    return flags, takes_value


def rewrite_flag_values(command: click.Command, args: list[str]) -> list[str]:
    """``args`` with ``--name=VALUE`` and ``-x=VALUE`` of ``command``'s boolean flags turned into
    ``--name`` / ``--no-name`` (and a shorthand's ``-o=VALUE`` into ``-o VALUE``, as pflag reads
    it); values of other options and everything after ``--`` untouched.

    Raises :class:`FlagValueError` for a value Go's ParseBool refuses.
    """
    flags, takes_value = _option_tables(command)
    out: list[str] = []
    rest: Iterator[str] = iter(args)
    for arg in rest:
        if arg == "--":
            out.append(arg)
            out.extend(rest)
            break
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if eq and name in flags:
                out.append(_flag_token(flags[name], value))
                continue
            out.append(arg)
            if not eq and name in takes_value:
                out.extend(_next(rest))  # that option's value, whatever it looks like
            continue
        if arg.startswith("-") and len(arg) > 1:
            out.extend(_shorthands(arg, flags, takes_value, rest))
            continue
        out.append(arg)
    return out


def _next(rest: Iterator[str]) -> list[str]:
    return [v for v in [next(rest, None)] if v is not None]


def _shorthands(arg: str, flags: dict[str, BoolFlag], takes_value: set[str],
                rest: Iterator[str]) -> list[str]:
    """One ``-abc`` word as pflag reads it: ``-kT=false`` is ``-k -T=false``, ``-o=DIR`` is
    ``-o DIR``."""
    for i in range(1, len(arg)):
        name = "-" + arg[i]
        attached = arg[i + 1:i + 2] == "="
        if name in flags:
            if attached:
                if i + 2 == len(arg):  # pflag reads "-k=" as -k and an unknown flag "-="
                    raise FlagValueError("unknown shorthand flag: '=' in -=")
                head = [arg[:i]] if i > 1 else []
                return [*head, _flag_token(flags[name], arg[i + 2:])]
            continue
        if name in takes_value:
            if attached:
                return [arg[:i + 1], arg[i + 2:]]
            if i == len(arg) - 1:
                return [arg, *_next(rest)]  # -o DIR: the next word is the value
        break  # a value attached (-oDIR) or not an option we know: click decides
    return [arg]


class FlagGroup(click.Group):
    """A group whose commands' boolean flags accept ``=VALUE`` as Go's do."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not isinstance(command, click.Group):
            rest = rewrite_flag_values(command, rest)
        return name, command, rest
