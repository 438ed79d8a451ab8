"""Help as cobra prints it (its help template, pflag's flag table), from a command's table
(:class:`~orasx.cli._command.Command`), and ``oras help [command]``."""

from __future__ import annotations

import sys

from orasx.cli._command import Command, Lazy, any_args

_MIN_NAME_PADDING = 11  # cobra's minNamePadding


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


def flag_rows(command: Command) -> list[tuple[str, str]]:
    """The rows of the ``Flags:`` table (hidden flags left out), sorted by name as pflag does."""
    flags = sorted((f for f in command.all_flags() if not f.hidden), key=lambda f: f.name)
    return [f.help_row() for f in flags]


def subcommands(command: Command) -> list[Command | Lazy]:
    """The subcommands a group lists, by name."""
    return sorted((c for c in command.commands if not c.hidden), key=lambda c: c.name)


def render(command: Command, path: str, *, with_text: bool = True) -> str:
    """The help of ``command`` (at Go path ``path``) as cobra prints it, without the final
    newline; ``with_text=False`` is cobra's usage string (no description)."""
    display = f"oras {path}".strip()
    parent = path.rpartition(" ")[0]
    parts: list[str] = []
    text = command.long or command.short
    if with_text and text:
        parts.append(text + "\n")
    usage = f"{display} [command]" if command.commands else \
        " ".join(w for w in ("oras", parent, command.use) if w)
    parts.append(f"Usage:\n  {usage}")
    if command.aliases:
        parts.append("\nAliases:\n  " + ", ".join([command.name, *command.aliases]))
    subs = subcommands(command)
    if subs:
        pad = max(_MIN_NAME_PADDING, *(len(c.name) for c in subs))
        parts.append("\nAvailable Commands:\n"
                     + "\n".join(f"  {c.name.ljust(pad)} {c.short}" for c in subs))
    if with_text or path:  # cobra adds the root's -h only when the root itself runs
        parts.append("\nFlags:\n" + format_flags(flag_rows(command)))
    if command.commands:
        parts.append(f'\nUse "{display} [command] --help" for more information about a command.')
    return "\n".join(parts)


def _help(command: tuple[str, ...]) -> None:
    """``oras help [command]``: the command's help on stdout; an unknown one is ``Unknown help
    topic`` and the root's usage on stderr (exit 0), as cobra."""
    from orasx.cli._cobra import GoUsageError, find
    from orasx.cli.main import ROOT

    try:
        found, path, _ = find(ROOT, list(command))
    except GoUsageError:
        topics = " ".join(f"`{w}`" for w in command)
        sys.stderr.write(f"Unknown help topic [{topics}]\n{render(ROOT, '', with_text=False)}\n")
        return
    sys.stdout.write(render(found, " ".join(path)) + "\n")


command = Command(
    use="help [command] [flags]",
    long="Help provides help for any command in the application.\n"
         "Simply type oras help [path to command] for full details.",
    args=any_args,
    params=("*command",),
    run=_help,
)
