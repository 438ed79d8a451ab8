"""A second Unix user for tests of what another local user can do to our files (and we to theirs).

The suite runs as root in CI. ``mallory`` is an unprivileged user created with ``useradd`` (once per
machine) in a group ``orasx-share``: a directory made group-writable for that group is one she can
change, as a shared cache or a shared output directory is. ``run`` executes a command as her;
``python`` runs a Python snippet as her (with the interpreter the tests run, when she can reach it).
Tests that need her skip, with the reason, where the suite does not run as root or ``useradd`` is
missing.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

USER = "orasx-mallory"
VICTIM = "orasx-victor"
GROUP = "orasx-share"


@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int
    share_gid: int

    def argv(self, argv: list[str]) -> list[str]:
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--init-groups",
                "--reset-env", *argv]

    def run(self, argv: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
        env = kw.pop("env", None)
        full = self.argv(["env", *(f"{k}={v}" for k, v in (env or {}).items()), *argv])
        return subprocess.run(full, capture_output=True, text=True, **kw)

    def popen(self, argv: list[str], **kw: Any) -> subprocess.Popen[str]:
        return subprocess.Popen(self.argv(argv), text=True, **kw)

    def python(self, code: str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        """Run ``code`` with ``sys.executable`` as this user (``sys.argv[1:]`` are ``args``)."""
        return self.run([sys.executable, "-c", code, *args], **kw)


def why_not() -> str | None:
    """Why a second user cannot be had here (None when one can)."""
    if os.geteuid() != 0:
        return "a second Unix user needs the suite to run as root (useradd)"
    for tool in ("useradd", "groupadd", "setpriv"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            return f"{tool} is not installed"
    return None


def can_run_python(user: User) -> str | None:
    """Why ``user`` cannot run this interpreter and the installed orasx (None when it can)."""
    out = user.run([sys.executable, "-c", "import orasx"])
    if out.returncode != 0:
        return (f"{user.name} cannot run {sys.executable} with orasx (build the venv from a "
                f"system Python: {out.stderr.strip().splitlines()[-1:]})")
    return None


def _ensure_group() -> int:
    try:
        return grp.getgrnam(GROUP).gr_gid
    except KeyError:
        subprocess.run(["groupadd", GROUP], check=True, capture_output=True)
        return grp.getgrnam(GROUP).gr_gid


def ensure_user(name: str = USER) -> User:
    """The unprivileged user ``name`` in the shared group, created when missing."""
    share = _ensure_group()
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/sh", "-G", GROUP, name],
                       check=True, capture_output=True)
        pw = pwd.getpwnam(name)
    return User(name, pw.pw_uid, pw.pw_gid, share)
