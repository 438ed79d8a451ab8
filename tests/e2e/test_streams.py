"""Streams: ``oras pull REF -o -`` writes an artifact's one file to stdout."""

from __future__ import annotations

import subprocess

from tests.conftest import ORAS


def test_pull_to_stdout_writes_the_single_file(oras, registry, repo_name, tmp_path):
    (tmp_path / "data.bin").write_bytes(bytes(range(256)) * 100)
    ref = f"{registry.localhost}/{repo_name}:v1"
    oras("push", ref, "data.bin")
    proc = subprocess.run([ORAS, "pull", ref, "-o", "-"], capture_output=True, cwd=tmp_path,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == bytes(range(256)) * 100
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["data.bin"]


def test_pull_to_stdout_refuses_several_files(oras, registry, repo_name, tmp_path):
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    ref = f"{registry.localhost}/{repo_name}:v1"
    oras("push", ref, "a.txt", "b.txt")
    proc = oras("pull", ref, "-o", "-", ok=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("Error: ") and "has 2 files" in proc.stderr
    assert "--include" in proc.stderr
    one = subprocess.run([ORAS, "pull", ref, "-o", "-", "--include", "b.*"], capture_output=True,
                         cwd=tmp_path, timeout=60)
    assert one.returncode == 0 and one.stdout == b"b"


def test_pull_include_exclude(oras, registry, repo_name, tmp_path):
    for name in ("x.csv", "y.csv", "z.txt"):
        (tmp_path / name).write_text(name)
    ref = f"{registry.localhost}/{repo_name}:v1"
    oras("push", ref, "x.csv", "y.csv", "z.txt")
    oras("pull", ref, "-o", "out", "--include", "*.csv", "--exclude", "y.*")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["x.csv"]


def test_pull_with_oras_cache_twice(oras, registry, repo_name, tmp_path, monkeypatch):
    (tmp_path / "f.txt").write_text("cached\n")
    ref = f"{registry.localhost}/{repo_name}:v1"
    oras("push", ref, "f.txt")
    env_cache = tmp_path / "cache"
    for out in ("one", "two"):
        proc = subprocess.run([ORAS, "pull", ref, "-o", out], capture_output=True, text=True,
                              cwd=tmp_path, timeout=60, env={**_env(tmp_path),
                                                             "ORAS_CACHE": str(env_cache)})
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / out / "f.txt").read_text() == "cached\n"
    assert (env_cache / "oci-layout").exists() and (env_cache / "index.json").exists()


def _env(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["HOME"] = str(tmp_path / ".home")
    return env


def test_push_from_stdin_streams_one_layer(oras, registry, repo_name, tmp_path):
    import hashlib
    import os

    data = os.urandom(20 * 1024 * 1024 + 17)  # more than two 8 MiB chunks
    ref = f"{registry.localhost}/{repo_name}:v1"
    proc = subprocess.run([ORAS, "push", ref, "-", "--stdin-name", "model.bin"], input=data,
                          capture_output=True, cwd=tmp_path, timeout=120, env=_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    oras("pull", ref, "-o", "out")
    got = (tmp_path / "out" / "model.bin").read_bytes()
    assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()


def test_push_from_stdin_into_an_oci_layout(tmp_path):
    proc = subprocess.run([ORAS, "push", "--oci-layout", "lay:v1", "-"], input=b"piped\n",
                          capture_output=True, cwd=tmp_path, timeout=60, env=_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    out = subprocess.run([ORAS, "pull", "--oci-layout", "lay:v1", "-o", "-"], capture_output=True,
                         cwd=tmp_path, timeout=60, env=_env(tmp_path))
    assert out.returncode == 0 and out.stdout == b"piped\n"
    assert [p.name for p in (tmp_path / "lay" / "blobs" / "sha256").iterdir()
            if p.name.startswith(".")] == []
