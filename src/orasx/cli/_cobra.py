"""Running a command line as spf13/cobra runs the Go CLI's: find the command (by name or alias),
parse its flags (``_pflag``), then help, the argument check, required flags, and the run.

- usage errors print ``Error: <cobra's words>`` on stderr and exit 1 (unknown flags, a missing
  flag value, a bad value, the argument count, required flags);
- ``-h``/``--help`` prints the command's help (``_help.render``); a bare or unknown subcommand
  of a group prints the group's help and exits 0; an unknown command of the root is
  ``Error: unknown command "x" for "oras"`` with cobra's suggestions;
- a deprecated flag given prints cobra's warning first.
"""

from __future__ import annotations

import sys

from orasx._gostr import go_quote
from orasx.cli._command import (
    Command,
    GoUsageError,
    Invocation,
    Options,
    _current,
    current,
    use_line,
)
from orasx.cli._pflag import Flag, FlagError, parse

__all__ = ["GoUsageError", "current", "execute", "find", "go_path", "use_line"]


def go_path(invocation: Invocation | None) -> str:
    """The Go command path below ``oras`` (``"manifest fetch"``, ``"cp"``), ``""`` outside one."""
    return invocation.path if invocation is not None else ""


def _takes_value(word: str, flags: dict[str, Flag]) -> bool:
    """Does ``word`` (``--name`` or ``-x``) look like a flag followed by its value (cobra's
    ``stripFlags``: a flag it does not know counts as one)?"""
    flag = flags.get(word)
    return flag is None or flag.takes_value()


def _names(command: Command) -> dict[str, Flag]:
    """The command's flags by ``--name`` and ``-x``, without ``-h`` (cobra adds it only when the
    command runs, after the search)."""
    out: dict[str, Flag] = {}
    for f in command.all_flags()[1:]:
        out[f"--{f.name}"] = f
        if f.short:
            out[f"-{f.short}"] = f
    return out


def _strip_flags(args: list[str], command: Command) -> list[str]:
    """The words of ``args`` that are not flags or their values (cobra's ``stripFlags``)."""
    flags = _names(command)
    words: list[str] = []
    rest = list(args)
    while rest:
        s = rest.pop(0)
        if s == "--":
            break
        if s.startswith("-") and "=" not in s and (s.startswith("--") or len(s) == 2) \
                and _takes_value(s, flags):
            if len(rest) <= 1:
                break
            rest.pop(0)
        elif s and not s.startswith("-"):
            words.append(s)
    return words


def _without(args: list[str], word: str, command: Command) -> list[str]:
    """``args`` without the first ``word`` that is not a flag's value (``argsMinusFirstX``)."""
    flags = _names(command)
    pos = 0
    while pos < len(args):
        s = args[pos]
        if s == "--":
            break
        if s.startswith("-") and "=" not in s and (s.startswith("--") or len(s) == 2) \
                and _takes_value(s, flags):
            pos += 2
            continue
        if s == word:
            return args[:pos] + args[pos + 1:]
        pos += 1
    return args


def find(root: Command, args: list[str]) -> tuple[Command, list[str], list[str]]:
    """(the command ``args`` name, its path of names, the rest of ``args``) as cobra's ``Find``;
    an unknown command of the root raises cobra's error."""
    command, path, rest = root, [], list(args)
    while command.commands:
        words = _strip_flags(rest, command)
        if not words:
            break
        child = command.find(words[0])
        if child is None:
            if command is root:
                raise GoUsageError(f'unknown command "{words[0]}" for "oras"'
                                   f"{_suggestions(root, words[0])}\nRun 'oras --help' for usage.")
            break
        rest = _without(rest, words[0], command)
        command = child
        path.append(child.name)
    return command, path, rest


def _levenshtein(a: str, b: str) -> int:
    a, b = a.lower(), b.lower()
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _suggestions(group: Command, typed: str) -> str:
    """cobra's ``Did you mean this?`` block (distance 2 or a prefix), or ``""``."""
    names = sorted(c.name for c in group.commands if not c.hidden and c.name != "help")
    found = [n for n in names if _levenshtein(typed, n) <= 2 or n.lower().startswith(typed.lower())]
    if not found:
        return ""
    return "\n\nDid you mean this?\n" + "".join(f"\t{n}\n" for n in found)


def execute(root: Command, args: list[str]) -> int:
    """Run the command line ``args`` (after ``oras``); the exit code."""
    try:
        command, path, rest = find(root, args)
        invocation = Invocation(command, " ".join(path))
        return _execute(invocation, rest)
    except (GoUsageError, FlagError) as e:
        _error(str(e))
        return 1


def _error(message: str) -> None:
    sys.stdout.flush()
    sys.stderr.write(f"Error: {message}\n")
    sys.stderr.flush()


def _execute(invocation: Invocation, args: list[str]) -> int:
    from orasx.cli._help import render

    command = invocation.command
    parsed = parse(command.all_flags(), args)
    for warning in parsed.warnings:
        sys.stderr.write(warning + "\n")
    if parsed.values["help"] or command.run is None:
        sys.stdout.write(render(command, invocation.path) + "\n")
        return 0
    command.args(invocation, parsed.positional)
    missing = [f.name for f in command.all_flags() if f.required and f.key not in parsed.changed]
    if missing:
        raise GoUsageError(f"required flag(s) {', '.join(go_quote(m) for m in missing)} not set")
    invocation.params = {**parsed.values, **_bind(command.params, parsed.positional)}
    invocation.changed = parsed.changed
    _current.append(invocation)
    try:
        command.run(**_keywords(command, invocation))
    finally:
        _current.pop()
    return 0


def _bind(names: tuple[str, ...], positional: list[str]) -> dict[str, str | tuple[str, ...]]:
    """The positional arguments by name (``*rest`` takes what is left, as a tuple)."""
    out: dict[str, str | tuple[str, ...]] = {}
    for i, name in enumerate(names):
        if name.startswith("*"):
            out[name[1:]] = tuple(positional[i:])
        else:
            out[name] = positional[i] if i < len(positional) else ""
    return out


def _keywords(command: Command, invocation: Invocation) -> dict[str, object]:
    """The keyword arguments of the command's ``run``: each flag's value, each group's value."""
    params = invocation.params
    kwargs: dict[str, object] = {n.lstrip("*"): params[n.lstrip("*")] for n in command.params}
    for item in command.flags:
        if isinstance(item, Flag):
            kwargs[item.key] = params[item.key]
    for item in command.flags:
        if not isinstance(item, Flag):
            group: Options = item
            for name in group.arguments:
                kwargs.pop(name, None)
            kwargs[group.into] = group.build(invocation)
    return kwargs

