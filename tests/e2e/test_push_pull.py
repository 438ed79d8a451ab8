"""``oras push`` and ``oras pull`` end to end against a real registry and OCI layouts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.e2e.helpers import get_blob, get_manifest


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return path


def test_multiple_tags_artifact_type_annotations_and_json(oras, registry, repo_name, tmp_path):
    write(tmp_path / "hi.txt", "hi\n")
    ref = f"{registry.localhost}/{repo_name}"
    out = oras("push", f"{ref}:v1,v2,latest", "hi.txt", "--artifact-type",
               "application/vnd.example+type", "-a", "k1=v1", "--annotation", "k2=v=2",
               "--format", "json")
    doc = json.loads(out.stdout)
    assert doc["reference"] == f"{ref}@{doc['digest']}"  # Go's: name@digest
    assert doc["referenceAsTags"] == [f"{ref}:latest", f"{ref}:v1", f"{ref}:v2"]  # sorted, as Go
    assert doc["artifactType"] == "application/vnd.example+type"
    assert doc["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    digests = {get_manifest(registry.host, repo_name, t)[0]["annotations"]["k2"]
               for t in ("v1", "v2", "latest")}
    assert digests == {"v=2"}
    m, raw = get_manifest(registry.host, repo_name, "latest")
    assert m["artifactType"] == "application/vnd.example+type"
    assert m["annotations"]["k1"] == "v1"
    assert "org.opencontainers.image.created" in m["annotations"]
    empty = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    assert m["config"] == {"mediaType": "application/vnd.oci.empty.v1+json",
                           "digest": empty,
                           "size": 2, "data": "e30="}
    assert doc["digest"] == "sha256:" + __import__("hashlib").sha256(raw).hexdigest()


def test_push_without_files_is_an_empty_artifact(oras, registry, repo_name):
    oras("push", f"{registry.localhost}/{repo_name}:v1")
    m, _ = get_manifest(registry.host, repo_name, "v1")
    assert m["layers"] == [m["config"]]
    assert m["artifactType"] == "application/vnd.unknown.artifact.v1"


def test_annotation_file_and_export_manifest(oras, registry, repo_name, tmp_path):
    write(tmp_path / "cake.txt", "cake")
    write(tmp_path / "juice.txt", "juice")
    write(tmp_path / "ann.json", json.dumps({
        "$manifest": {"foo": "bar"}, "$config": {"hello": "world"},
        "cake.txt": {"fun": "more cream"}}))
    oras("push", f"{registry.localhost}/{repo_name}:v1", "--annotation-file", "ann.json",
         "--export-manifest", "exported.json", "cake.txt", "juice.txt")
    m, raw = get_manifest(registry.host, repo_name, "v1")
    assert (tmp_path / "exported.json").read_bytes() == raw
    assert m["annotations"]["foo"] == "bar"
    assert m["config"]["annotations"] == {"hello": "world"}
    assert m["layers"][0]["annotations"]["fun"] == "more cream"
    assert m["layers"][1]["annotations"] == {"org.opencontainers.image.title": "juice.txt"}
    proc = oras("push", f"{registry.localhost}/{repo_name}:v2", "--annotation-file", "ann.json",
                "-a", "x=y", "cake.txt", ok=False)
    assert proc.returncode == 1 and "cannot be both specified" in proc.stderr


def test_image_spec_v1_0(oras, registry, repo_name, tmp_path):
    write(tmp_path / "a.txt", "a")
    oras("push", "--image-spec", "v1.0", "--artifact-type", "application/vnd.me.config",
         f"{registry.localhost}/{repo_name}:v1", "a.txt")
    m, _ = get_manifest(registry.host, repo_name, "v1")
    assert "artifactType" not in m
    assert m["config"]["mediaType"] == "application/vnd.me.config"
    assert get_blob(registry.host, repo_name, m["config"]["digest"]) == b"{}"
    proc = oras("push", "--image-spec", "v1.1", "--config", "a.txt",
                f"{registry.localhost}/{repo_name}:v2", ok=False)
    assert proc.returncode == 1 and "--artifact-type" in proc.stderr


def test_directories_round_trip_with_nested_dirs_empty_files_and_symlinks(
    oras, registry, repo_name, tmp_path
):
    src = tmp_path / "src"
    write(src / "bundle" / "top.txt", "top")
    write(src / "bundle" / "empty", b"")
    write(src / "bundle" / "a" / "b" / "c" / "deep.bin", os.urandom(300_000))
    (src / "bundle" / "emptydir").mkdir()
    (src / "bundle" / "link").symlink_to("a/b/c/deep.bin")
    (src / "bundle" / "a" / "up").symlink_to("../top.txt")
    write(src / "single.txt", "single")
    oras("push", f"{registry.localhost}/{repo_name}:v1", "bundle", "single.txt", cwd=src)
    m, _ = get_manifest(registry.host, repo_name, "v1")
    layer = m["layers"][0]
    assert layer["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip"
    assert layer["annotations"]["io.deis.oras.content.unpack"] == "true"
    assert layer["annotations"]["io.deis.oras.content.digest"].startswith("sha256:")
    out = tmp_path / "out"
    oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out))
    got = out / "bundle"
    assert (got / "top.txt").read_text() == "top"
    assert (got / "empty").read_bytes() == b""
    assert (got / "emptydir").is_dir()
    assert (got / "a" / "b" / "c" / "deep.bin").read_bytes() == (
        src / "bundle" / "a" / "b" / "c" / "deep.bin").read_bytes()
    assert os.readlink(got / "link") == "a/b/c/deep.bin"
    assert (got / "a" / "up").read_text() == "top"
    assert (out / "single.txt").read_text() == "single"
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    # Pulling again over an existing tree replaces it.
    oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out))
    assert (got / "top.txt").read_text() == "top"


def test_nested_path_titles_and_second_push_reports_exists(oras, registry, repo_name, tmp_path):
    write(tmp_path / "docs" / "guide.md", "guide")
    oras("push", f"{registry.localhost}/{repo_name}:v1", "docs/guide.md")
    # Another manifest (an annotation) over the same blob: the blob Exists. (The same manifest
    # again would only be tagged, with no status lines, as the Go CLI does.)
    again = oras("push", f"{registry.localhost}/{repo_name}:v2", "docs/guide.md", "-a", "k=v")
    assert "Exists    " in again.stdout
    out = tmp_path / "o"
    oras("pull", f"{registry.localhost}/{repo_name}:v2", "-o", str(out))
    assert (out / "docs" / "guide.md").read_text() == "guide"


def test_push_refuses_absolute_paths_unless_asked(oras, registry, repo_name, tmp_path):
    f = write(tmp_path / "abs.txt", "abs")
    proc = oras("push", f"{registry.localhost}/{repo_name}:v1", str(f), ok=False)
    assert proc.returncode == 1 and "--disable-path-validation" in proc.stderr
    oras("push", f"{registry.localhost}/{repo_name}:v1", str(f), "--disable-path-validation")
    m, _ = get_manifest(registry.host, repo_name, "v1")
    assert m["layers"][0]["annotations"]["org.opencontainers.image.title"] == str(f)


def test_push_refuses_duplicate_titles_and_missing_files(oras, registry, repo_name, tmp_path):
    write(tmp_path / "a.txt", "a")
    proc = oras("push", f"{registry.localhost}/{repo_name}:v1", "a.txt", "./a.txt", ok=False)
    assert proc.returncode == 1 and "duplicate" in proc.stderr
    proc = oras("push", f"{registry.localhost}/{repo_name}:v1", "missing.txt", ok=False)
    assert proc.returncode == 1 and "missing.txt" in proc.stderr


def test_file_names_with_colons(oras, registry, repo_name, tmp_path):
    write(tmp_path / "hi:txt", "colon")
    oras("push", f"{registry.localhost}/{repo_name}:v1", "hi:txt:")
    out = tmp_path / "o"
    oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out))
    assert (out / "hi:txt").read_text() == "colon"


def test_pull_keep_old_files(oras, registry, repo_name, tmp_path):
    write(tmp_path / "k.txt", "new")
    oras("push", f"{registry.localhost}/{repo_name}:v1", "k.txt")
    out = tmp_path / "o"
    write(out / "k.txt", "old")
    proc = oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out), "-k", ok=False)
    assert proc.returncode == 1 and "overwrite disallowed" in proc.stderr
    assert (out / "k.txt").read_text() == "old"
    oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out))
    assert (out / "k.txt").read_text() == "new"


def test_pull_config_saves_the_config_blob(oras, registry, repo_name, tmp_path):
    write(tmp_path / "config.json", '{"a":1}')
    write(tmp_path / "f.txt", "f")
    oras("push", f"{registry.localhost}/{repo_name}:v1", "--config",
         "config.json:application/vnd.me.config", "--artifact-type", "application/vnd.me",
         "f.txt")
    out = tmp_path / "o"
    oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out), "--config", "saved.json")
    assert (out / "saved.json").read_text() == '{"a":1}'
    assert (out / "f.txt").read_text() == "f"


def test_pull_by_digest_and_json_output(oras, registry, repo_name, tmp_path):
    write(tmp_path / "d.txt", "digest")
    pushed = json.loads(oras("push", f"{registry.localhost}/{repo_name}:v1", "d.txt",
                             "--format", "json").stdout)
    out = tmp_path / "o"
    ref = f"{registry.localhost}/{repo_name}@{pushed['digest']}"
    doc = json.loads(oras("pull", ref, "-o", str(out), "--format", "json").stdout)
    assert doc["reference"] == ref
    assert doc["files"][0]["path"] == str(out / "d.txt")
    assert doc["files"][0]["annotations"]["org.opencontainers.image.title"] == "d.txt"
    assert (out / "d.txt").read_text() == "digest"


def test_layers_without_title_are_skipped_with_a_hint(oras, registry, repo_name, tmp_path):
    from tests.e2e.helpers import push_crafted

    push_crafted(registry.host, repo_name, "v1", {"": b"untitled", "named.txt": b"named"})
    out = tmp_path / "o"
    proc = oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out))
    assert "Skipped pulling layers without file name" in proc.stdout
    assert "--to-oci-layout" in proc.stdout
    assert sorted(os.listdir(out)) == ["named.txt"]


def test_pull_with_platform_selects_from_an_index(oras, registry, repo_name, tmp_path):
    import io

    from orasx import mediatype
    from orasx.descriptor import Descriptor, Platform, canonical_json
    from orasx.registry.remote import Repository

    repo = Repository(f"{registry.host}/{repo_name}")
    children = []
    for arch in ("amd64", "arm64"):
        data = f"built for {arch}".encode()
        layer = Descriptor.from_bytes(mediatype.OCI_LAYER_TAR, data,
                                      annotations={"org.opencontainers.image.title": "bin.txt"})
        repo.push(layer, io.BytesIO(data))
        cfg_raw = canonical_json({"os": "linux", "architecture": arch})
        cfg = Descriptor.from_bytes(mediatype.OCI_CONFIG, cfg_raw)
        repo.push(cfg, io.BytesIO(cfg_raw))
        raw = canonical_json({"schemaVersion": 2, "mediaType": mediatype.OCI_MANIFEST,
                              "config": cfg.to_dict(), "layers": [layer.to_dict()]})
        desc = Descriptor.from_bytes(mediatype.OCI_MANIFEST, raw,
                                     platform=Platform("linux", arch))
        repo.push(desc, io.BytesIO(raw))
        children.append(desc)
    index_raw = canonical_json({"schemaVersion": 2, "mediaType": mediatype.OCI_INDEX,
                                "manifests": [c.to_dict() for c in children]})
    index = Descriptor.from_bytes(mediatype.OCI_INDEX, index_raw)
    repo.push_reference(index, io.BytesIO(index_raw), "multi")
    out = tmp_path / "o"
    oras("pull", f"{registry.localhost}/{repo_name}:multi", "--platform", "linux/arm64",
         "-o", str(out))
    assert (out / "bin.txt").read_text() == "built for arm64"
    proc = oras("pull", f"{registry.localhost}/{repo_name}:multi", "--platform",
                "linux/s390x", "-o", str(out), ok=False)
    # Go's words: no manifest of the index matches the platform
    assert proc.returncode == 1 and "no matching manifest was found" in proc.stderr, proc.stderr


def test_oci_layout_push_and_pull(oras, tmp_path):
    write(tmp_path / "a.txt", "layout")
    (tmp_path / "dir").mkdir()
    write(tmp_path / "dir" / "x", "x")
    out = oras("push", "--oci-layout", "lay:v1", "a.txt", "dir")
    assert "Pushed [oci-layout] lay:v1" in out.stdout
    index = json.loads((tmp_path / "lay" / "index.json").read_text())
    assert index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == "v1"
    assert json.loads((tmp_path / "lay" / "oci-layout").read_text()) == {
        "imageLayoutVersion": "1.0.0"}
    got = tmp_path / "got"
    oras("pull", "--oci-layout", "lay:v1", "-o", str(got))
    assert (got / "a.txt").read_text() == "layout"
    assert (got / "dir" / "x").read_text() == "x"
    proc = oras("pull", "--oci-layout", "nosuchdir:v1", ok=False)
    assert proc.returncode == 1


def test_pull_of_a_tampered_layout_blob_writes_nothing(oras, tmp_path):
    write(tmp_path / "a.txt", "original content")
    oras("push", "--oci-layout", "lay:v1", "a.txt")
    import hashlib

    blob = tmp_path / "lay" / "blobs" / "sha256" / hashlib.sha256(b"original content").hexdigest()
    os.chmod(blob, 0o644)
    blob.write_bytes(b"tampered content")
    got = tmp_path / "got"
    proc = oras("pull", "--oci-layout", "lay:v1", "-o", str(got), ok=False)
    assert proc.returncode == 1 and "digest mismatch" in proc.stderr
    assert os.listdir(got) == []
    blob.write_bytes(b"short")
    proc = oras("pull", "--oci-layout", "lay:v1", "-o", str(got), ok=False)
    assert proc.returncode == 1 and "content ended" in proc.stderr
    assert os.listdir(got) == []


def test_basic_auth_with_username_and_password(oras, auth_registry, tmp_path):
    write(tmp_path / "s.txt", "secret stuff")
    ref = f"{auth_registry.localhost}/private:v1"
    proc = oras("push", ref, "s.txt", ok=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: basic credential not found\nPlease check whether the "
                                  "registry credential stored in the authentication file at")
    proc = oras("push", ref, "s.txt", "-u", "alice", "-p", "s3cret-pw")
    assert "WARNING! Using --password via the CLI is insecure" in proc.stderr
    proc = oras("pull", ref, "-u", "alice", "--password-stdin", "-o", "o", input="s3cret-pw\n")
    assert (tmp_path / "o" / "s.txt").read_text() == "secret stuff"
    proc = oras("pull", ref, "-u", "alice", "-p", "wrong", "-o", "o2", ok=False)
    assert proc.returncode == 1 and "unauthorized" in proc.stderr
    assert "wrong" not in proc.stderr and not (tmp_path / "o2" / "s.txt").exists()


def test_debug_output_redacts_credentials(oras, auth_registry, tmp_path):
    write(tmp_path / "s.txt", "x")
    proc = oras("push", f"{auth_registry.localhost}/dbg:v1", "s.txt", "-u", "alice",
                "--password-stdin", "--debug", input="s3cret-pw")
    assert '"Authorization": "*****"' in proc.stderr
    import base64

    assert "s3cret-pw" not in proc.stderr + proc.stdout
    assert base64.b64encode(b"alice:s3cret-pw").decode() not in proc.stderr


@pytest.mark.parametrize("flag", ["--plain-http=false"])
def test_plain_http_false_forces_https(oras, registry, tmp_path, flag):
    write(tmp_path / "a.txt", "a")
    proc = oras("push", flag, f"{registry.localhost}/https-only:v1", "a.txt", ok=False)
    assert proc.returncode == 1 and "https://" in proc.stderr


@pytest.mark.parametrize("size", [1 << 20, 70 << 20])  # spooled first, and streamed as it verifies
def test_stdout_closed_by_its_reader_ends_silently_by_sigpipe(oras, registry, repo_name, tmp_path,
                                                            size):
    """``oras pull REF -o - | head -c 10`` (and ``blob fetch``): the reader leaving is not an
    error: no ``Error: Broken pipe``, the process ends by SIGPIPE as the Go CLI does (141 in a
    shell), and no byte was dropped before the pipe closed."""
    import signal
    import subprocess

    from tests.conftest import ORAS

    data = (bytes(range(256)) * (size // 256 + 1))[:size]
    write(tmp_path / "big.bin", data)
    ref = f"{registry.localhost}/{repo_name}"
    oras("push", f"{ref}:big", "big.bin")
    digest = json.loads(oras("manifest", "fetch", f"{ref}:big").stdout)["layers"][0]["digest"]
    for argv in (["pull", f"{ref}:big", "-o", "-"], ["blob", "fetch", f"{ref}@{digest}", "-o", "-"]):
        cli = subprocess.Popen([ORAS, *argv], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
        assert cli.stdout is not None and cli.stderr is not None
        head = cli.stdout.read(10)
        cli.stdout.close()
        err = cli.stderr.read()
        assert cli.wait(timeout=60) == -signal.SIGPIPE, err
        assert head == data[:10] and err == b""
