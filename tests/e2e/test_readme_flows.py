"""The classic ORAS README flows, verbatim, against a real registry on localhost."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.helpers import get_blob, get_manifest


def test_readme_single_file_push_and_pull(oras, registry, tmp_path: Path):
    h = registry.localhost
    (tmp_path / "artifact.txt").write_text("hello world\n")
    out = oras("push", f"{h}/hello-artifact:v1", "--manifest-config",
               "/dev/null:application/vnd.acme.rocket.config.v1+json", "./artifact.txt")
    assert f"Pushed [registry] {h}/hello-artifact:v1" in out.stdout
    assert "Digest: sha256:" in out.stdout
    (tmp_path / "artifact.txt").unlink()
    out = oras("pull", f"{h}/hello-artifact:v1")
    # The config (empty, not the empty JSON) has no title: Go reports it skipped, with its hint
    # instead of the Pulled line.
    assert "Use 'oras copy" in out.stdout and "Pulled [registry]" not in out.stdout
    assert (tmp_path / "artifact.txt").read_text() == "hello world\n"
    doc, _ = get_manifest(registry.host, "hello-artifact", "v1")
    # --config without --artifact-type packs image-spec v1.0, as the Go CLI does.
    assert "artifactType" not in doc
    assert doc["config"]["mediaType"] == "application/vnd.acme.rocket.config.v1+json"
    assert doc["config"]["size"] == 0
    assert doc["layers"][0]["annotations"]["org.opencontainers.image.title"] == "artifact.txt"
    assert doc["layers"][0]["mediaType"] == "application/vnd.oci.image.layer.v1.tar"


def test_readme_config_and_multiple_files(oras, registry, tmp_path: Path):
    h = registry.localhost
    (tmp_path / "artifact.txt").write_text("hello world\n")
    (tmp_path / "readme.md").write_text("Docs on this artifact\n")
    (tmp_path / "config.json").write_text('{"doc":"readme.md"}\n')
    oras("push", f"{h}/hello-artifact:v2", "--manifest-config",
         "config.json:application/vnd.acme.rocket.config.v1+json",
         "artifact.txt:application/vnd.acme.rocket.layer.v1+txt",
         "readme.md:application/vnd.acme.rocket.docs.layer.v1+json")
    doc, _ = get_manifest(registry.host, "hello-artifact", "v2")
    assert [layer["mediaType"] for layer in doc["layers"]] == [
        "application/vnd.acme.rocket.layer.v1+txt",
        "application/vnd.acme.rocket.docs.layer.v1+json",
    ]
    assert get_blob(registry.host, "hello-artifact", doc["config"]["digest"]) == (
        b'{"doc":"readme.md"}\n'
    )
    out_dir = tmp_path / "pulled"
    oras("pull", f"{h}/hello-artifact:v2", "-a", "-o", str(out_dir))
    assert (out_dir / "artifact.txt").read_text() == "hello world\n"
    assert (out_dir / "readme.md").read_text() == "Docs on this artifact\n"


def test_python_dash_m_is_the_same_command(registry, tmp_path: Path):
    import subprocess
    import sys

    (tmp_path / "f.txt").write_text("x")
    proc = subprocess.run(
        [sys.executable, "-m", "orasx", "push", f"{registry.localhost}/dashm:v1", "f.txt",
         "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )
    doc = json.loads(proc.stdout)
    assert doc["reference"] == f"{registry.localhost}/dashm@{doc['digest']}"


def test_help_and_version(oras):
    out = oras("--help").stdout
    for verb in ("push", "pull", "version"):
        assert verb in out
    assert "Version:" in oras("version").stdout
    push_help = oras("push", "--help").stdout
    assert "--config" in push_help and "--artifact-type" in push_help
    pull_help = oras("pull", "--help").stdout
    # -a/--allow-all still works for old scripts but is hidden, as Go 1.3 has no such flag
    assert "--allow-all" not in pull_help and "--keep-old-files" in pull_help


def test_usage_errors_and_runtime_errors_exit_1_as_go(oras, registry):
    usage = oras("push", ok=False)
    assert usage.returncode == 1  # cobra's usage errors exit 1, as the Go CLI's
    assert usage.stderr.startswith('Error: "oras push" requires at least 1 argument')
    proc = oras("pull", f"{registry.localhost}/nothing-here:v1", ok=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith(("Error: ", "Error response from registry: "))
    assert proc.stderr.count("\n") == 1
    proc = oras("push", "localhost:5000/UPPER:v1", ok=False)
    assert proc.returncode == 1 and "invalid repository" in proc.stderr
