"""Command-line parsing errors, help and command lookup as the Go CLI's (spf13/cobra and pflag).

Every click command and group of ``oras`` gets these behaviours through :func:`goify`, which the
root group (``main.py``) applies to each command it hands out (groups apply it to their
subcommands in turn), so command modules keep declaring plain ``@click.command(...)``:

- usage errors print ``Error: <cobra's words>`` (plus, for a wrong argument count, the
  ``Usage:``/``Please specify ...`` lines) and exit 1: unknown flags, a missing flag value, a bad
  int, the argument count (from the Go CLI's facts in ``_gohelp``), required flags;
- ``-h``/``--help`` prints the Go layout (``_help.render``);
- a group finds its subcommands by Go's aliases too (``manifest get``, ``repo list``, ...); a bare or
  unknown subcommand of a group prints the group's help and exits 0, an unknown command of the
  root is ``Error: unknown command "x" for "oras"`` with cobra's suggestions.

Helpers for command modules (stable API):

- :class:`GoUsageError` (``raise GoUsageError("...")``): ``Error: ...`` on stderr, exit 1;
- :func:`go_path` (``"manifest fetch"``): the Go command path of a click context;
- :func:`argument_count_error`: the cobra error for a wrong argument count of the current command.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO, Any

import click

from orasx._gostr import go_quote
from orasx.cli._flags import FlagGroup

#: our command names whose Go name differs
GO_NAMES = {"copy": "cp"}


class GoUsageError(click.ClickException):
    """A usage error printed as cobra does: ``Error: <message>`` on stderr (the message may hold
    more lines), exit code 1."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {self.format_message()}", file=file, err=True)


def go_name(command: click.Command) -> str:
    name = command.name or ""
    return GO_NAMES.get(name, name)


def go_path(ctx: click.Context) -> str:
    """The Go command path below ``oras`` of ``ctx``'s command: ``""`` for the root,
    ``"manifest fetch"``, ``"cp"`` (also when invoked as ``copy``)."""
    names: list[str] = []
    while ctx.parent is not None:
        names.append(go_name(ctx.command))
        ctx = ctx.parent
    return " ".join(reversed(names))


def go_facts(path: str) -> dict[str, Any]:
    """The Go CLI's facts about a command path (``_gohelp.COMMANDS``), or ``{}``."""
    from orasx.cli._gohelp import COMMANDS

    return COMMANDS.get(path, {})


def _display_path(path: str) -> str:
    return f"oras {path}".strip()


def use_line(path: str, command: click.Command | None = None) -> str:
    """The command's usage line as cobra's error shows it (``oras pull [flags] <name>...``)."""
    facts = go_facts(path)
    use = facts.get("use")
    if isinstance(use, str):
        return use
    usage = facts.get("usage")
    if isinstance(usage, list) and usage:
        return str(usage[0])
    return f"{_display_path(path)} [flags]"


def argument_count_error(ctx: click.Context, got: int) -> GoUsageError:
    """cobra's error for ``got`` arguments, with the command's Go usage line and hint."""
    path = go_path(ctx)
    kind, n, what = _arity(path, ctx.command)
    name = _display_path(path)
    return GoUsageError(
        f'"{name}" requires {kind} {n} argument but got {got}\n'
        f"Usage: {use_line(path, ctx.command)}\n"
        f'Please specify {kind} {n} argument as {what}. Run "{name} -h" for more options and examples'
    )


def _arity(path: str, command: click.Command) -> tuple[str, int, str]:
    facts = go_facts(path).get("arity")
    if facts:
        kind, n, what = facts
        return str(kind), int(n), str(what)
    low, high = _click_arity(command)
    return ("exactly" if low == high else "at least"), low, "the command's arguments"


def _click_arity(command: click.Command) -> tuple[int, int | None]:
    """(fewest, most or None) positional arguments ``command``'s click arguments take."""
    low, high = 0, 0
    unbounded = False
    for p in command.params:
        if isinstance(p, click.Argument):
            if p.nargs < 0:
                unbounded = True
                low += 1 if p.required else 0
            else:
                high += p.nargs
                low += p.nargs if p.required else 0
    return low, None if unbounded else high


def _arity_ok(path: str, command: click.Command, got: int) -> bool:
    facts = go_facts(path).get("arity")
    if facts:
        kind, n, _ = facts
        return bool(got == n) if kind == "exactly" else bool(got >= n)
    low, high = _click_arity(command)
    return got >= low and (high is None or got <= high)


# -- flag values as pflag parses them --------------------------------------------------------------


def flag_name(param: click.Parameter) -> str:
    """How pflag's errors name a flag: ``-o, --output`` or ``--concurrency``."""
    opts = list(getattr(param, "opts", []))
    short = [o for o in opts if not o.startswith("--")]
    long = [o for o in opts if o.startswith("--")]
    return ", ".join(short[:1] + long[:1])


class GoInt(click.ParamType):  # type: ignore[type-arg]
    """An int flag: Go's ``strconv.ParseInt`` error for a bad value."""

    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):
            return value
        text = str(value)
        try:
            if not text or text.strip() != text or "_" in text:
                raise ValueError(text)
            return int(text, 10)
        except ValueError:
            name = flag_name(param) if param else "?"
            raise GoUsageError(f'invalid argument {go_quote(text)} for "{name}" flag: '
                               f"strconv.ParseInt: parsing {go_quote(text)}: invalid syntax") from None


class GoChoice(click.Choice):  # type: ignore[type-arg]
    """A flag with a fixed set of values (``--distribution-spec``, ``--image-spec``): Go's
    ``unknown <what> flag: X`` and ``Available options: ...``."""

    def __init__(self, choices: Sequence[str], what: str, listed: Sequence[str]) -> None:
        super().__init__(list(choices))
        self.what = what
        self.listed = list(listed)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        name = flag_name(param) if param else "?"
        raise GoUsageError(f'invalid argument {go_quote(str(value))} for "{name}" flag: '
                           f"unknown {self.what} flag: {value}\n"
                           f"Available options: {', '.join(self.listed)}")


_CHOICES = {
    "distribution-spec": ("distribution specification", ["v1.1-referrers-tag", "v1.1-referrers-api"]),
    "image-spec": ("image specification", ["v1.1", "v1.0"]),
}


def _go_types(command: click.Command) -> None:
    for p in command.params:
        if not isinstance(p, click.Option):
            continue
        if isinstance(p.type, click.types.IntParamType) and not isinstance(p.type, click.IntRange):
            p.type = GoInt()
        elif isinstance(p.type, click.Choice) and not isinstance(p.type, GoChoice):
            long = next((o[2:] for o in p.opts if o.startswith("--")), "")
            for suffix, (what, listed) in _CHOICES.items():
                if long.endswith(suffix):
                    p.type = GoChoice([str(c) for c in p.type.choices], what, listed)


# -- parsing ---------------------------------------------------------------------------------------


#: Go's words for too few arguments where its own check (not cobra's) reports them
_FEW_ARGUMENTS = {"tag": "dstReferences cannot be empty: missing reference"}


def _translate(e: click.UsageError, ctx: click.Context | None = None) -> GoUsageError:
    """click's parser errors in pflag's words."""
    if isinstance(e, click.NoSuchOption):
        name = e.option_name
        if name.startswith("--"):
            return GoUsageError(f"unknown flag: {name.split('=', 1)[0]}")
        return GoUsageError(f"unknown shorthand flag: '{name[1:2]}' in {name}")
    if isinstance(e, click.BadOptionUsage) and "requires an argument" in e.message:
        name = e.option_name
        if name.startswith("--"):
            return GoUsageError(f"flag needs an argument: {name}")
        return GoUsageError(f"flag needs an argument: '{name[1:2]}' in {name}")
    if isinstance(e, click.MissingParameter) and isinstance(e.param, click.Argument) \
            and ctx is not None:
        few = _FEW_ARGUMENTS.get(go_path(ctx))
        return GoUsageError(few) if few else argument_count_error(ctx, len(ctx.args))
    if isinstance(e, click.MissingParameter) and isinstance(e.param, click.Option):
        long = next((o[2:] for o in e.param.opts if o.startswith("--")), e.param.name)
        return GoUsageError(f'required flag(s) "{long}" not set')
    if isinstance(e, click.BadParameter) and e.param is not None:
        return GoUsageError(f"invalid argument for \"{flag_name(e.param)}\" flag: {e.message}")
    return GoUsageError(e.format_message())


def _pre_parse(command: click.Command, ctx: click.Context, args: list[str],
               ) -> tuple[dict[str, Any], list[str]]:
    """The options and the positional arguments in ``args``, as click's parser splits them,
    without converting anything."""
    parser = command.make_parser(ctx)
    options_only = type(parser)(ctx)
    options_only.allow_interspersed_args = parser.allow_interspersed_args
    options_only.ignore_unknown_options = parser.ignore_unknown_options
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            param.add_to_parser(options_only, ctx)
    try:
        opts, positional, _ = options_only.parse_args(args=list(args))
    except click.UsageError as e:
        raise _translate(e) from None
    return opts, positional


class GoCommandMixin(click.Command):
    """cobra's parsing errors and help for a click command (see the module docstring)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.resilient_parsing:
            return super().parse_args(ctx, args)
        opts, positional = _pre_parse(self, ctx, args)
        help_option = self.get_help_option(ctx)
        if help_option is not None and opts.get(help_option.name or ""):
            return super().parse_args(ctx, args)
        path = go_path(ctx)
        check = getattr(self, "go_check_args", None)
        if callable(check):
            check(ctx, positional)
        elif not _arity_ok(path, self, len(positional)):
            raise argument_count_error(ctx, len(positional))
        missing = [next((o[2:] for o in p.opts if o.startswith("--")), p.name or "")
                   for p in self.get_params(ctx)
                   if isinstance(p, click.Option) and p.required and p.name not in opts]
        if missing:
            raise GoUsageError(f"required flag(s) {', '.join(go_quote(m) for m in missing)} not set")
        try:
            return super().parse_args(ctx, args)
        except GoUsageError:
            raise
        except click.UsageError as e:
            raise _translate(e, ctx) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GoUsageError:
            raise
        except click.UsageError as e:  # raised by the command itself: Go has one error shape
            raise GoUsageError(e.format_message()) from None

    def get_help(self, ctx: click.Context) -> str:
        from orasx.cli._help import render

        return render(ctx)


class GoGroupMixin(FlagGroup):
    """cobra's command lookup, parsing errors and help for a click group."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            command = self._by_go_name(ctx, cmd_name)
        return goify(command) if command is not None else None

    def _by_go_name(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A subcommand by its Go name or one of its Go aliases."""
        here = go_path(ctx)
        for name in super().list_commands(ctx):
            child = super().get_command(ctx, name)
            if child is None:
                continue
            gname = go_name(child)
            facts = go_facts(f"{here} {gname}".strip())
            if cmd_name == gname or cmd_name in facts.get("aliases", []):
                return child
        return None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:
            click.echo(self.get_help(ctx))
            ctx.exit(0)
        try:
            return super().parse_args(ctx, args)
        except GoUsageError:
            raise
        except click.UsageError as e:
            raise _translate(e) from None

    def resolve_command(self, ctx: click.Context, args: list[str],
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        if not name.startswith("-") and self.get_command(ctx, name) is None \
                and not ctx.resilient_parsing:
            if ctx.parent is None:
                raise GoUsageError(f'unknown command "{name}" for "oras"{_suggestions(self, ctx, name)}'
                                   "\nRun 'oras --help' for usage.")
            click.echo(self.get_help(ctx))
            ctx.exit(0)
        return super().resolve_command(ctx, args)

    def get_help(self, ctx: click.Context) -> str:
        from orasx.cli._help import render

        return render(ctx)


def _levenshtein(a: str, b: str) -> int:
    a, b = a.lower(), b.lower()
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _suggestions(group: click.Group, ctx: click.Context, typed: str) -> str:
    """cobra's ``Did you mean this?`` block (distance 2 or a prefix), or ``""``."""
    names = sorted({go_name(c) for n in group.list_commands(ctx)
                    if (c := group.get_command(ctx, n)) is not None and not c.hidden} - {"help"})
    found = [n for n in names if _levenshtein(typed, n) <= 2 or n.lower().startswith(typed.lower())]
    if not found:
        return ""
    return "\n\nDid you mean this?\n" + "".join(f"\t{n}\n" for n in found)


_CLASSES: dict[type, type] = {}


def goify(command: click.Command) -> click.Command:
    """``command`` with the Go CLI's parsing errors, help and lookup (its class swapped for a
    subclass that mixes them in; idempotent). Returns ``command``."""
    cls = type(command)
    if issubclass(cls, (GoCommandMixin, GoGroupMixin)):
        return command
    mixin: type = GoGroupMixin if isinstance(command, click.Group) else GoCommandMixin
    go_cls = _CLASSES.get(cls)
    if go_cls is None:
        go_cls = type(f"Go{cls.__name__}", (mixin, cls), {"__module__": __name__})
        _CLASSES[cls] = go_cls
    command.__class__ = go_cls
    _go_types(command)
    return command


def echo_err(text: str) -> None:
    """Write ``text`` to stderr as is."""
    sys.stderr.write(text)
    sys.stderr.flush()
