"""The ``oras`` command: the root's table of commands; each command's module is imported only
when it runs (or shows its help)."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # (the root's table and typing are imported only when a command needs them)
if TYPE_CHECKING:
    from typing import NoReturn

    from orasx.cli._command import Command


def _make_root() -> Command:
    """The root, as the Go CLI's ``oras`` (its commands' name, aliases and short help are listed
    here; the rest of each is declared in its module)."""
    from orasx.cli._command import Command, Lazy

    return Command(use="oras", commands=(
        Lazy("attach", "orasx.cli.graph:attach", "Attach files to an existing artifact"),
        Lazy("backup", "orasx.cli.backup:backup",
             "[Experimental] Back up artifacts from a registry into an OCI image layout"),
        Lazy("blob", "orasx.cli.blob:command", "Blob operations"),
        Lazy("completion", "orasx.cli.completion:command",
             "Generate the autocompletion script for the specified shell"),
        Lazy("cp", "orasx.cli.graph:copy", "Copy artifacts from one target to another",
             aliases=("copy",)),
        Lazy("discover", "orasx.cli.graph:discover",
             "[Preview] Discover referrers of a manifest in a registry or an OCI image layout"),
        Lazy("help", "orasx.cli._help:command", "Help about any command"),
        Lazy("login", "orasx.cli.login:command", "Log in to a remote registry"),
        Lazy("logout", "orasx.cli.logout:command", "Log out from a remote registry"),
        Lazy("manifest", "orasx.cli.manifest:command", "Manifest operations"),
        Lazy("pull", "orasx.cli.pull:command", "Pull files from a registry or an OCI image layout"),
        Lazy("push", "orasx.cli.push:command", "Push files to a registry or an OCI image layout"),
        Lazy("repo", "orasx.cli.repo:command", "Repository operations", aliases=("repository",)),
        Lazy("resolve", "orasx.cli.graph:resolve", "[Preview] Resolves digest of the target artifact",
             aliases=("digest",)),
        Lazy("restore", "orasx.cli.backup:restore",
             "[Experimental] Restore artifacts to a registry from an OCI image layout"),
        Lazy("tag", "orasx.cli.graph:tag", "Tag a manifest in a registry or an OCI image layout"),
        Lazy("version", "orasx.cli.version:command", "Show the oras version information"),
    ))


_ROOT: list[Command] = []


def __getattr__(name: str) -> Command:
    if name == "ROOT":  # the root, made on first use
        if not _ROOT:
            _ROOT.append(_make_root())
        return _ROOT[0]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Root:
    """The root for ``click.testing.CliRunner``-style callers: ``main(args=...)`` runs a command
    line and exits with its code."""

    name = "oras"

    def main(self, args: list[str] | tuple[str, ...] = (), prog_name: str = "oras",
             **_: object) -> NoReturn:
        raise SystemExit(_run(list(args)))


cli = _Root()


def main(argv: list[str] | None = None) -> object:
    """Entry point for the ``oras`` command; errors and usage errors exit 1 with the Go CLI's
    messages (see _cobra); SIGTERM and SIGHUP clean up as Ctrl-C does and
    exit 128 + the signal's number (143, 129; Ctrl-C: 130)."""
    if argv is None:  # the process itself: leave without the interpreter's slow teardown
        code: object
        try:
            code = _run(sys.argv[1:])
        except SystemExit as e:
            code = e.code
        _exit_now(code)
    return _run(argv)


def _exit_now(code: object) -> NoReturn:
    """Exit with ``code`` as ``SystemExit`` would, skipping the interpreter's teardown (module
    and object finalisation: 0.07-0.1 s a command): everything the command wrote is flushed and
    the ``atexit`` handlers (logging, temp-directory cleanup) run first. Nothing is left to
    finish: every worker thread of a command is joined before it returns."""
    import atexit
    import os

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        from orasx.cli import _signals

        _signals.broken_pipe()  # stdout's reader left (| head): silent, as the Go CLI
    except (OSError, ValueError):
        raise SystemExit(code) from None  # a closed pipe: the usual exit reports it
    atexit._run_exitfuncs()
    os._exit(status)


def _run(args: list[str]) -> int:
    if args == ["version"]:  # the whole command: no flags to parse, nothing else to import
        from orasx.cli._versioninfo import run

        run()
        return 0
    from orasx.cli import _signals

    root = __getattr__("ROOT")
    if args[:1] in (["__complete"], ["__completeNoDesc"]):
        from orasx.cli.completion import run_complete

        run_complete(root, args[1:], descriptions=args[0] == "__complete")
        return 0
    from orasx.cli._cobra import execute

    with _signals.handled():
        try:
            return execute(root, args)
        except KeyboardInterrupt as e:  # outside a command's own handling (_common)
            return _signals.exit_code(e)
        except SystemExit:
            signum = _signals.received()
            if signum is not None:  # also when it hit outside a command
                raise SystemExit(128 + signum) from None
            raise
