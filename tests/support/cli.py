"""The invocation of an ``oras`` command path, as a test of the CLI's error texts needs one."""

from __future__ import annotations

from orasx.cli._cobra import find
from orasx.cli._command import Invocation
from orasx.cli.main import ROOT


def command_context(command: str, **params: object) -> Invocation:
    """The invocation of ``oras <command>`` (``"manifest fetch"``) with ``params`` as if parsed."""
    found, names, _ = find(ROOT, command.split())
    return Invocation(found, " ".join(names), dict(params))  # type: ignore[arg-type]
