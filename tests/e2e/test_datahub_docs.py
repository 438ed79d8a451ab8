"""docs/datahub.md's worked example, each block run verbatim, in order, against a real registry.

The blocks name ``localhost:5000``; here that host name is a registry started for the test on a
free port, reached through a rewrite of ``localhost:5000`` in the blocks' text only where a port
5000 is taken. Every other byte of each block runs as a data scientist would paste it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.path.dirname(sys.executable)

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")
pytest.importorskip("pyarrow")


def _blocks() -> list[tuple[str, str]]:
    text = (ROOT / "docs" / "datahub.md").read_text()
    found = re.findall(r"<!-- datahub-(\d) -->\n```(sh|python)\n(.*?)```\n<!-- /datahub-\1 -->",
                       text, re.S)
    assert [n for n, _, _ in found] == ["1", "2", "3"], "docs/datahub.md lost a block"
    return [(kind, body) for _n, kind, body in found]


def test_the_worked_example_runs_verbatim(registry, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "ORAS_"))}
    env["HOME"] = str(tmp_path / "home")
    env["PATH"] = f"{BIN}:{env['PATH']}"
    outputs = []
    for kind, body in _blocks():
        body = body.replace("localhost:5000", registry.host)  # the port of this test's registry
        if kind == "sh":
            cmd = ["bash", "-e", "-c", body]
        else:
            (tmp_path / "block.py").write_text(body)
            cmd = [sys.executable, str(tmp_path / "block.py")]
        proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, f"{body}\n{proc.stdout}\n{proc.stderr}"
        outputs.append(proc.stdout)
    assert outputs[1].split() == ["100", "400", str(100 * (0 + 1 + 2 + 3))]
    assert outputs[2].split() == ["1", "400"]
