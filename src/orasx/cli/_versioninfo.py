"""What ``oras version`` prints, with nothing imported that the answer does not need (the
command is a start-up measure: see docs/performance.md)."""

from __future__ import annotations

import os
import sys

from orasx._version import __version__


def _git_commit() -> tuple[str, str]:
    """(commit, tree state) of this build, as far as it is known without running anything: a pip
    install from a VCS URL records its commit (a clean checkout); a source checkout has its HEAD
    (tree state unknown). ``("", "")`` when neither."""
    # pip's record, found by listing sys.path rather than importlib.metadata (which costs 50 ms
    # to import) or pathlib's glob.
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if not (name.startswith("orasx-") and name.endswith(".dist-info")):
                continue
            try:
                with open(os.path.join(entry or ".", name, "direct_url.json"), "rb") as f:
                    data = f.read()
                if b"vcs_info" not in data:  # (an editable or a local install: no commit)
                    continue
                import json

                commit = json.loads(data).get("vcs_info", {}).get("commit_id", "")
            except (OSError, ValueError, AttributeError):
                continue
            if isinstance(commit, str) and commit:
                return commit, "clean"
    git = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.realpath(__file__))))), ".git")
    try:
        with open(os.path.join(git, "HEAD")) as f:
            head = f.read().strip()
        if head.startswith("ref: "):
            with open(os.path.join(git, head[5:])) as f:
                head = f.read().strip()
    except (OSError, ValueError):
        return "", ""
    return (head, "unknown") if len(head) == 40 else ("", "")


def run(extra: tuple[str, ...] = ()) -> None:
    if extra:
        print(f'warning: `oras version` requires no argument, "{",".join(extra)}" will be '
                   "ignored", file=sys.stderr)
    rows = [("Version", __version__), ("Python version", sys.version.split()[0]),
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
    if sys.platform != "win32":
        machine = os.uname().machine.lower()
    else:
        import platform

        machine = platform.machine().lower()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}.get(machine, machine)
