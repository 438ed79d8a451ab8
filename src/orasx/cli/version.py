"""``oras version``."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

from orasx._version import __version__
from orasx.cli._command import Command, any_args


def _git_commit() -> tuple[str, str]:
    """(commit, tree state) of this build, as far as it is known without running anything: a pip
    install from a VCS URL records its commit (a clean checkout); a source checkout has its HEAD
    (tree state unknown). ``("", "")`` when neither."""
    # pip's record, found by a glob rather than importlib.metadata (which costs 50 ms to import:
    # `oras version` stays a start-up measure).
    for entry in sys.path:
        for record in Path(entry or ".").glob("orasx-*.dist-info/direct_url.json"):
            try:
                commit = json.loads(record.read_text()).get("vcs_info", {}).get("commit_id", "")
            except (OSError, ValueError, AttributeError):
                continue
            if isinstance(commit, str) and commit:
                return commit, "clean"
    git = Path(__file__).resolve().parents[3] / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            head = (git / head[5:]).read_text().strip()
    except OSError:
        return "", ""
    return (head, "unknown") if len(head) == 40 else ("", "")


def run(extra: tuple[str, ...]) -> None:
    if extra:
        print(f'warning: `oras version` requires no argument, "{",".join(extra)}" will be '
                   "ignored", file=sys.stderr)
    rows = [("Version", __version__), ("Python version", platform.python_version()),
            ("OS/Arch", f"{sys.platform}/{_arch()}")]
    commit, state = _git_commit()
    if commit:
        rows.append(("Git commit", commit))
    if state:
        rows.append(("Git tree state", state))
    width = max(len(k) for k, _ in rows) + 2
    for key, value in rows:
        print(f"{key + ':':<{width}}{value}")


def _arch() -> str:
    """Go's GOARCH spelling of this machine."""
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}.get(machine, machine)


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
