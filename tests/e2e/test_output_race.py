"""A local user races a pull by swapping a directory of its output for a symlink (issue #19, 13).

Root (the test process) pulls into ``out``, a directory shared with the group ``orasx-share``;
mallory, in that group, keeps exchanging ``out/sub`` with her symlink to a root-owned directory
(``renameat2(RENAME_EXCHANGE)`` in a tight loop) while the pull writes ``sub/*``. Whatever the
timing, nothing may land in the root-owned directory: the pull either writes inside ``out`` or
fails with a one-line error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.users import User

ORAS = os.path.join(os.path.dirname(sys.executable), "oras")
TRIES = 32
FILES = 40

_RACER = r"""
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
sub, link, secret = (a.encode() for a in sys.argv[1:4])
os.symlink(secret, link)
print("ready", flush=True)
end = time.monotonic() + float(sys.argv[4])
while time.monotonic() < end:
    libc.renameat2(-100, sub, -100, link, 2)  # AT_FDCWD, RENAME_EXCHANGE
"""


@pytest.fixture
def arena(shared_tmp_path: Path) -> Path:
    """A directory every user can pass through (pytest's own are private to root)."""
    return shared_tmp_path


def _layout(arena: Path) -> str:
    src = arena / "src"
    (src / "sub").mkdir(parents=True)
    names = []
    for i in range(FILES):
        (src / "sub" / f"f{i:02d}.txt").write_bytes(b"pulled %d\n" % i)
        names.append(f"sub/f{i:02d}.txt")
    subprocess.run([ORAS, "push", "--oci-layout", str(arena / "lay") + ":v1", *names],
                   cwd=src, check=True, capture_output=True, text=True)
    return str(arena / "lay") + ":v1"


def _written_inside(out: Path) -> set[str]:
    return {p.name for p in out.rglob("f*.txt") if not p.is_symlink()}


def test_pull_never_writes_through_a_directory_swapped_for_a_symlink(arena: Path, mallory: User):
    ref = _layout(arena)
    secret = arena / "secret"  # root's: mallory cannot write here, only root's pull could
    secret.mkdir(mode=0o755)
    escaped, tries, failed, unclear = 0, 0, 0, []
    deadline = time.monotonic() + 20
    for _ in range(TRIES):
        if time.monotonic() > deadline:
            break
        tries += 1
        out = arena / "out"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        os.chown(out, 0, mallory.share_gid)
        os.chmod(out, 0o775)
        (out / "sub").mkdir()  # from an earlier pull: root's, 0755
        racer = mallory.popen([sys.executable, "-c", _RACER, str(out / "sub"), str(out / "link"),
                               str(secret), "10"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL)
        try:
            assert racer.stdout is not None and racer.stdout.readline().strip() == "ready"
            proc = subprocess.run([ORAS, "pull", "--oci-layout", ref, "-o", str(out)],
                                  capture_output=True, text=True, timeout=60)
        finally:
            racer.kill()
            racer.wait()
        leaked = sorted(os.listdir(secret))
        if leaked:
            escaped += 1
            for name in leaked:
                (secret / name).unlink()
        elif proc.returncode == 0:
            assert _written_inside(out) == {f"f{i:02d}.txt" for i in range(FILES)}
        else:
            failed += 1
            lines = proc.stderr.strip().splitlines()
            if ("Traceback" in proc.stderr or len(lines) > 2 or not lines
                    or not lines[0].startswith("Error: ") or "symlink" not in lines[0]):
                unclear.append(proc.stderr.strip()[-300:])
    print(f"{tries} tries: {escaped} wrote outside out, {failed - len(unclear)} refused clearly, "
          f"{len(unclear)} failed unclearly")
    assert escaped == 0, f"{escaped} of {tries} pulls wrote into the root-owned directory"
    assert not unclear, unclear[:3]
