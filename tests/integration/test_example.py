from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_simple_push_pull_example_runs_against_the_registry(registry, tmp_path: Path):
    ref = f"{registry.localhost}/oras:test"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "simple_push_pull.py"), ref, str(tmp_path)],
        capture_output=True, text=True, check=True,
    )
    assert f"Pushed to {ref} with digest sha256:" in proc.stdout
    assert (tmp_path / "hello.txt").read_bytes() == b"Hello World!\n"
