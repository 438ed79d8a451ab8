"""Help in the Go CLI's layout (cobra's template, pflag's flag table), and ``oras help [command]``.

The texts (a command's description and examples, usage line, aliases, and each flag's description)
are the Go CLI's, from ``_gohelp``; a flag or command the Go CLI lacks is listed as pflag would list
it, so our deliberate extras stay visible: a flag the Go CLI has elsewhere with one meaning
(``--format``, ``--template``) takes the Go description; any other takes our help text in Go's style
(lower case, no final period), its metavar as pflag's varname where the text names it (pflag's
backquoted word), else its type, then pflag's ``(default ...)``.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import click

from orasx.cli._cobra import go_facts, go_name, go_path

_MIN_NAME_PADDING = 11  # cobra's minNamePadding


def _long_names(param: click.Option) -> list[str]:
    return [o[2:] for o in param.opts if o.startswith("--")]


def _varname(param: click.Option) -> str:
    if param.is_flag or param.count:
        return ""
    if param.multiple:
        return "stringArray"
    if isinstance(param.type, click.types.IntParamType):
        return "int"
    if isinstance(param.type, click.types.FloatParamType):
        return "float"
    return "string"


#: flags whose Go description is one text wherever the Go CLI has them with our meaning
_SHARED = ("format", "template")


def _shared_row(param: click.Option) -> tuple[str, str] | None:
    """The Go CLI's row for a shared flag (the description most of its commands give), if it
    states our default."""
    from orasx.cli._gohelp import COMMANDS

    for name in _long_names(param):
        if name not in _SHARED:
            continue
        rows: Counter[tuple[str, str]] = Counter()
        for facts in COMMANDS.values():
            flags = facts.get("flags")
            row = flags.get(name) if isinstance(flags, dict) else None
            if row is not None:
                rows[(str(row[0]), str(row[1]))] += 1
        if not rows:
            return None
        left, usage = rows.most_common(1)[0][0]
        stated = re.search(r'\(default "?([^")]*)"?\)$', usage)
        if (stated.group(1) if stated else None) != (param.default or None):
            return None
        return left, usage
    return None


def go_style(text: str) -> str:
    """A help text as the Go CLI writes its own: lower case first word (not an acronym or a
    placeholder), no final period."""
    text = " ".join(text.split())
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and not first[1:2].isupper():  # "A", "Title"; not "OCI", "TPL"
        text = text[0].lower() + text[1:]
    return text


def _own_row(param: click.Option) -> tuple[str, str]:
    """A flag the Go CLI does not have, as pflag would list it."""
    shared = _shared_row(param)
    if shared is not None:
        return shared
    short = [o for o in param.opts if not o.startswith("--")]
    long = _long_names(param)
    left = (f"  {short[0]}, --{long[0]}" if short else f"      --{long[0]}") if long \
        else f"  {short[0]}"
    usage = go_style(param.help or "")
    metavar = param.metavar
    if metavar and not (param.is_flag or param.count) \
            and re.search(rf"(?<![\w-]){re.escape(metavar)}(?![\w-])", usage):
        varname = metavar  # pflag's varname: the word the usage backquotes
    else:
        varname = _varname(param)
    if varname:
        left += f" {varname}"
    default = param.default
    if isinstance(default, (str, int, float)) and default not in ("", 0) \
            and not isinstance(default, bool) and varname:
        if isinstance(default, str):
            usage += f' (default "{default}")'  # pflag quotes a string's default
        else:
            usage += f" (default {format(default, 'g') if isinstance(default, float) else default})"
    return left, usage


def flag_rows(ctx: click.Context, name: str, go_flags: dict[str, tuple[str, str]],
              ) -> list[tuple[str, str]]:
    """The rows of the ``Flags:`` table, sorted by long name as pflag does."""
    rows: dict[str, tuple[str, str]] = {"help": ("  -h, --help", f"help for {name}")}
    help_option = ctx.command.get_help_option(ctx)
    for param in ctx.command.get_params(ctx):
        if not isinstance(param, click.Option) or param.hidden or param is help_option:
            continue
        longs = _long_names(param)
        if longs == ["no-tty"] and go_flags and "no-tty" not in go_flags:
            continue  # accepted everywhere, listed only where the Go CLI has it
        key = longs[0] if longs else (param.name or "")
        known = next((go_flags[n] for n in longs if n in go_flags), None)
        rows[key] = known if known is not None else _own_row(param)
    return [rows[k] for k in sorted(rows)]


def format_flags(rows: list[tuple[str, str]]) -> str:
    """pflag's ``FlagUsages``: descriptions aligned three columns after the longest flag;
    continuation lines of a description indented to that column."""
    if not rows:
        return ""
    width = max(len(left) for left, _ in rows) + 1
    out = []
    for left, usage in rows:
        usage = usage.replace("\n", "\n" + " " * (width + 2))
        out.append(f"{left} {' ' * (width - len(left))} {usage}")
    return "\n".join(out).rstrip()


def _subcommands(ctx: click.Context) -> list[tuple[str, str]]:
    group = ctx.command
    assert isinstance(group, click.Group)
    listing = getattr(group, "go_listing", None)
    if callable(listing):
        return list(listing())
    here = go_path(ctx)
    rows: dict[str, str] = {}
    for name in group.list_commands(ctx):
        child = group.get_command(ctx, name)
        if child is None or child.hidden:
            continue
        gname = go_name(child)
        facts = go_facts(f"{here} {gname}".strip())
        rows[gname] = str(facts.get("short") or child.get_short_help_str(limit=200))
    return sorted(rows.items())


def render(ctx: click.Context, *, with_text: bool = True) -> str:
    """The help of ``ctx``'s command as cobra prints it (without the final newline);
    ``with_text=False`` is cobra's usage string (no description)."""
    command = ctx.command
    path = go_path(ctx)
    facts: dict[str, Any] = go_facts(path)
    display = f"oras {path}".strip()
    name = path.rsplit(" ", 1)[-1] if path else "oras"
    parts: list[str] = []
    text = facts.get("text") if facts else None
    if text is None:
        text = (command.help or "").strip()
    if with_text and text:
        parts.append(str(text) + "\n")
    is_group = isinstance(command, click.Group)
    usage = facts.get("usage") or ([f"{display} [command]"] if is_group else [f"{display} [flags]"])
    parts.append("Usage:\n" + "\n".join(f"  {u}" for u in usage))
    aliases = facts.get("aliases") or []
    if aliases:
        parts.append("\nAliases:\n  " + ", ".join([name, *aliases]))
    if is_group:
        subs = _subcommands(ctx)
        if subs:
            pad = max(_MIN_NAME_PADDING, *(len(n) for n, _ in subs))
            parts.append("\nAvailable Commands:\n"
                         + "\n".join(f"  {n.ljust(pad)} {s}" for n, s in subs))
    if with_text or path:  # cobra adds the root's -h only when the root itself runs
        parts.append("\nFlags:\n" + format_flags(flag_rows(ctx, name, facts.get("flags") or {})))
    if is_group:
        parts.append(f'\nUse "{display} [command] --help" for more information about a command.')
    return "\n".join(parts)


@click.command("help", add_help_option=True, context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1)
@click.pass_context
def help_command(ctx: click.Context, command: tuple[str, ...]) -> None:
    """``oras help [command]``: the command's help on stdout; an unknown one is ``Unknown help
    topic`` and the root's usage on stderr (exit 0), as cobra."""
    root_ctx = ctx.find_root()
    group = root_ctx.command
    assert isinstance(group, click.Group)
    current: click.Context = root_ctx
    for word in command:
        cmd = group.get_command(current, word) if isinstance(group, click.Group) else None
        if cmd is None:
            if current is root_ctx:
                topics = " ".join(f"`{w}`" for w in command)
                click.echo(f"Unknown help topic [{topics}]", err=True)
                click.echo(render(root_ctx, with_text=False), err=True)
                return
            break
        current = click.Context(cmd, info_name=cmd.name, parent=current)
        group = cmd
    click.echo(current.command.get_help(current))


#: lets ``go_check_args`` of the help command accept any number of arguments
help_command.go_check_args = lambda ctx, args: None  # type: ignore[attr-defined]
