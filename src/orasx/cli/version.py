"""``oras version``."""

from __future__ import annotations

from orasx.cli._command import Command, any_args
from orasx.cli._versioninfo import run

command = Command(
    use='version [flags]',
    long=("Show the oras version information\n"
        "\n"
        "Example - print version:\n"
        "  oras version"),
    args=any_args,
    params=('*extra',),
    run=run,
)
