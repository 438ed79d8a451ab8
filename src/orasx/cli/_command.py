"""A command declared once, as the Go CLI's ``cobra.Command`` literal: :class:`Command` (usage,
help, aliases, argument check, flags, what runs) and the groups of flags several commands share
(:class:`Options`: each declares its flags and builds one typed value from them, as the Go CLI's
``cmd/oras/internal/option`` structs). Parsing, ``--help`` and completion (``_cobra``,
``_help``, ``completion``) all read these tables.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from orasx.cli._pflag import Flag, Value


class GoUsageError(Exception):
    """A usage error printed as cobra does: ``Error: <message>`` on stderr (the message may hold
    more lines), exit code 1."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def format_message(self) -> str:
        return self.message


@dataclass
class Invocation:
    """The command running and what its command line gave: ``params`` by keyword (positional
    arguments by their names, flags by :attr:`Flag.key`, before groups build their values),
    ``changed`` the keys given on the command line (pflag's ``Changed``)."""

    command: Command
    path: str
    params: dict[str, Value] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)

    def given(self, key: str) -> bool:
        return key in self.changed

    def text(self, key: str) -> str:
        value = self.params[key]
        if not isinstance(value, str):
            raise TypeError(f"{key}: expected a string, got {value!r}")
        return value

    def optional_text(self, key: str) -> str | None:
        return None if self.params[key] is None else self.text(key)

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.params[key]
        if not isinstance(value, tuple):
            raise TypeError(f"{key}: expected strings, got {value!r}")
        return tuple(str(v) for v in value)

    def boolean(self, key: str) -> bool:
        value = self.params[key]
        if not isinstance(value, bool):
            raise TypeError(f"{key}: expected a boolean, got {value!r}")
        return value

    def tristate(self, key: str) -> bool | None:
        return None if self.params[key] is None else self.boolean(key)


_current: list[Invocation] = []


def current() -> Invocation | None:
    """The invocation of the command running (None outside one)."""
    return _current[-1] if _current else None


class Options(Protocol):
    """A group of flags bound together (``--oci-layout`` and the remote flags of a target...):
    its flags, and the one value the command receives for them as keyword ``into``."""

    @property
    def into(self) -> str: ...

    @property
    def arguments(self) -> Sequence[str]:
        """The positional arguments the group reads (the command's ``run`` does not get them)."""

    def flags(self) -> Sequence[Flag]: ...

    def build(self, invocation: Invocation) -> object: ...


#: checks the positional arguments (cobra's ``Args``); raises :class:`GoUsageError`
ArgsCheck = Callable[[Invocation, list[str]], None]


def count_error(invocation: Invocation, kind: str, n: int, what: str, got: int) -> GoUsageError:
    """The Go CLI's error for a wrong number of arguments (``argument.Exactly``/``AtLeast``)."""
    name = f"oras {invocation.path}"
    return GoUsageError(
        f'"{name}" requires {kind} {n} argument but got {got}\n'
        f"Usage: {use_line(invocation)}\n"
        f'Please specify {kind} {n} argument as {what}. Run "{name} -h" for more options and '
        "examples")


def exactly(n: int, what: str) -> ArgsCheck:
    def check(invocation: Invocation, args: list[str]) -> None:
        if len(args) != n:
            raise count_error(invocation, "exactly", n, what, len(args))
    return check


def at_least(n: int, what: str) -> ArgsCheck:
    def check(invocation: Invocation, args: list[str]) -> None:
        if len(args) < n:
            raise count_error(invocation, "at least", n, what, len(args))
    return check


def any_args(invocation: Invocation, args: list[str]) -> None:
    """cobra's ``ArbitraryArgs``."""


def no_args(invocation: Invocation, args: list[str]) -> None:
    """cobra's ``NoArgs``."""
    if args:
        raise GoUsageError(f'unknown command "{args[0]}" for "oras {invocation.path}"')


@dataclass(frozen=True)
class Command:
    """One command, as cobra's ``Command``: ``use`` is its usage line after the parent's path
    (its first word is the name); ``params`` name the positional arguments as the command's
    keywords (``*files``: all the rest); ``run`` is called with every flag's value by key, each
    :class:`Options` group's value by ``into``, and the arguments by name; a group has
    ``commands`` instead."""

    use: str
    short: str = ""
    long: str = ""
    aliases: tuple[str, ...] = ()
    args: ArgsCheck = any_args
    params: tuple[str, ...] = ()
    flags: tuple[Flag | Options, ...] = ()
    run: Callable[..., None] | None = None
    commands: tuple[Command | Lazy, ...] = ()
    hidden: bool = False

    @property
    def name(self) -> str:
        return self.use.split(" ", 1)[0]

    def all_flags(self) -> list[Flag]:
        """Every flag, groups' included, and cobra's ``-h, --help``."""
        out = [Flag("help", f"help for {self.name}", short="h")]
        for item in self.flags:
            out.extend([item] if isinstance(item, Flag) else item.flags())
        return out

    def children(self) -> list[Command | Lazy]:
        return list(self.commands)

    def find(self, word: str) -> Command | None:
        """The subcommand named or aliased ``word`` (imported if it is lazy)."""
        for child in self.commands:
            if word == child.name or word in child.aliases:
                return child.load() if isinstance(child, Lazy) else child
        return None


@dataclass(frozen=True)
class Lazy:
    """A subcommand whose module is imported only when it runs (``module:attribute`` holding its
    :class:`Command`); the name, aliases and short help the parent lists are declared here, the
    rest in the module."""

    name: str
    target: str
    short: str
    aliases: tuple[str, ...] = ()
    hidden: bool = False

    def load(self) -> Command:
        import dataclasses

        module, _, attr = self.target.partition(":")
        command = getattr(importlib.import_module(module), attr)
        if not isinstance(command, Command):
            raise TypeError(f"{self.target} is not a Command")
        return dataclasses.replace(command, short=self.short, aliases=self.aliases)


def use_line(invocation: Invocation | str) -> str:
    """The usage line of the command running, or at a Go path (``"attach"``), as cobra's
    errors show it: ``oras pull [flags] <name>{:<tag>|@<digest>}`` (its ``Use``, without the
    ``[flags]`` help appends at the end)."""
    if isinstance(invocation, str):
        from orasx.cli._cobra import find
        from orasx.cli.main import ROOT

        command, names, _ = find(ROOT, invocation.split())
        invocation = Invocation(command, " ".join(names))
    parent = invocation.path.rpartition(" ")[0]
    use = invocation.command.use.removesuffix(" [flags]")
    return " ".join(w for w in ("oras", parent, use) if w)
