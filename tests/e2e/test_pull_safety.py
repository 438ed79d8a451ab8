"""Hostile artifacts in a real registry: pull never writes outside -o and never through symlinks."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest

from tests.e2e.helpers import push_crafted


@pytest.mark.parametrize("title", ["../evil.txt", "a/../../evil.txt", "..\\evil.txt"])
def test_pull_refuses_title_with_parent_directory(oras, registry, repo_name, tmp_path, title):
    push_crafted(registry.host, repo_name, "v1", {title: b"pwned"})
    out = tmp_path / "work" / "out"
    out.mkdir(parents=True)
    proc = oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out), ok=False)
    assert proc.returncode == 1
    assert "--allow-path-traversal" in proc.stderr and proc.stderr.count("\n") == 2
    assert sorted(os.listdir(tmp_path / "work")) == ["out"]
    assert os.listdir(out) == []


def test_pull_refuses_absolute_title_and_allows_it_with_T(oras, registry, repo_name, tmp_path):
    target = tmp_path / "elsewhere" / "abs.txt"
    target.parent.mkdir()
    push_crafted(registry.host, repo_name, "v1", {str(target): b"absolute"})
    out = tmp_path / "out"
    proc = oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out), ok=False)
    assert proc.returncode == 1 and not target.exists()
    oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out), "-T")
    assert target.read_bytes() == b"absolute"


def test_allow_path_traversal_writes_parent_relative_titles(oras, registry, repo_name, tmp_path):
    push_crafted(registry.host, repo_name, "v1", {"../up.txt": b"up"})
    out = tmp_path / "out"
    oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out), "--allow-path-traversal")
    assert (tmp_path / "up.txt").read_bytes() == b"up"


def test_pull_refuses_to_write_through_a_symlinked_directory(oras, registry, repo_name, tmp_path):
    push_crafted(registry.host, repo_name, "v1", {"link/passwd": b"pwned"})
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "link").symlink_to(outside)
    proc = oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out), ok=False)
    assert proc.returncode == 1 and "symlink" in proc.stderr
    assert os.listdir(outside) == []


def test_existing_symlink_target_is_replaced_not_written_through(oras, registry, repo_name,
                                                                  tmp_path):
    push_crafted(registry.host, repo_name, "v1", {"keep.txt": b"pulled"})
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (outside / "victim").write_text("original")
    (out / "keep.txt").symlink_to(outside / "victim")
    oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out))
    assert (outside / "victim").read_text() == "original"
    assert not (out / "keep.txt").is_symlink()
    assert (out / "keep.txt").read_bytes() == b"pulled"


def test_pull_refuses_duplicate_titles(oras, registry, repo_name, tmp_path):
    import io as _io

    from orasx import mediatype
    from orasx.descriptor import Descriptor
    from orasx.pack import pack_manifest
    from orasx.registry.remote import Repository

    repo = Repository(f"{registry.host}/{repo_name}")
    layers = []
    for data in (b"one", b"two"):
        d = Descriptor.from_bytes(mediatype.OCI_LAYER_TAR, data,
                                  annotations={"org.opencontainers.image.title": "same.txt"})
        repo.push(d, _io.BytesIO(data))
        layers.append(d)
    repo.push(Descriptor.from_bytes(mediatype.OCI_EMPTY, b"{}"), _io.BytesIO(b"{}"))
    desc, raw = pack_manifest(layers)
    repo.push_reference(desc, _io.BytesIO(raw), "v1")
    proc = oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(tmp_path / "o"),
                ok=False)
    assert proc.returncode == 1 and "duplicate" in proc.stderr


def _tar_gz(entries: list[tuple[tarfile.TarInfo, bytes | None]]) -> tuple[bytes, str]:
    import hashlib

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return gzip.compress(raw.getvalue()), "sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()


def test_tar_slip_in_a_directory_layer_is_refused(oras, registry, repo_name, tmp_path):
    link = tarfile.TarInfo("d/a")
    link.type = tarfile.SYMTYPE
    link.linkname = str(tmp_path / "outside")
    payload = tarfile.TarInfo("d/a/pwned")
    payload.size = 5
    top = tarfile.TarInfo("d")
    top.type = tarfile.DIRTYPE
    gz, tar_digest = _tar_gz([(top, None), (link, None), (payload, b"pwned")])
    (tmp_path / "outside").mkdir()
    push_crafted(registry.host, repo_name, "v1", {"d": gz}, {"d": {
        "io.deis.oras.content.unpack": "true", "io.deis.oras.content.digest": tar_digest}})
    out = tmp_path / "out"
    proc = oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out), ok=False)
    assert proc.returncode == 1
    assert os.listdir(tmp_path / "outside") == []
    assert os.listdir(out) == []


def test_directory_layer_with_wrong_content_digest_leaves_nothing(oras, registry, repo_name,
                                                                   tmp_path: Path):
    top = tarfile.TarInfo("d")
    top.type = tarfile.DIRTYPE
    f = tarfile.TarInfo("d/f")
    f.size = 1
    gz, _ = _tar_gz([(top, None), (f, b"x")])
    bad = "sha256:" + "0" * 64
    push_crafted(registry.host, repo_name, "v1", {"d": gz}, {"d": {
        "io.deis.oras.content.unpack": "true", "io.deis.oras.content.digest": bad}})
    out = tmp_path / "out"
    proc = oras("pull", f"{registry.localhost}/{repo_name}:v1", "-o", str(out), ok=False)
    assert proc.returncode == 1 and "content digest mismatch" in proc.stderr
    assert os.listdir(out) == []
