"""Files inside a pushed directory (one tar+gzip layer), against a real registry: listed and
opened through ``oras://``, picked by ``snapshot(allow_patterns=...)``, after one verified fetch
of the layer; the member index is this user's, and a tar with an entry outside is refused."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import tarfile

import pytest

import orasx
from orasx import mediatype
from orasx.descriptor import TITLE, UNPACK
from orasx.errors import PathTraversalError
from tests.conftest import ORAS
from tests.e2e.helpers import PLAIN, push_crafted

fsspec = pytest.importorskip("fsspec")


@pytest.fixture
def model(proxy, repo_name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model" / "sub").mkdir(parents=True)
    (tmp_path / "model" / "config.json").write_text('{"layers": 2}')
    (tmp_path / "model" / "weights.bin").write_bytes(b"\x01" * 4096)
    (tmp_path / "model" / "sub" / "vocab.json").write_text('["a", "b"]')
    (tmp_path / "readme.txt").write_text("hi\n")
    ref = f"localhost:{proxy.host.rpartition(':')[2]}/{repo_name}:v1"
    orasx.push(ref, ["model", "readme.txt"], remote=PLAIN, reproducible=True)
    proxy.requests.clear()
    return ref


def _fs(tmp_path, **options):
    return fsspec.filesystem("oras", cache_dir=str(tmp_path / "cache"), skip_instance_cache=True,
                             **options)


def test_files_inside_a_directory_are_listed_and_opened(model, tmp_path, proxy):
    fs = _fs(tmp_path)
    names = sorted(e.rpartition(":v1/")[2] for e in fs.find(f"oras://{model}"))
    assert names == ["model/config.json", "model/sub/vocab.json", "model/weights.bin",
                     "readme.txt"]
    with fs.open(f"oras://{model}/model/config.json") as f:
        assert json.load(f) == {"layers": 2}
    info = fs.info(f"oras://{model}/model/sub/vocab.json")
    assert info["size"] == 10 and info["digest"].startswith("sha256:")
    assert fs.cat_file(f"oras://{model}/model/weights.bin") == b"\x01" * 4096
    layer_gets = [r for r in proxy.requests if r.method == "GET" and "/blobs/" in r.path]
    assert len(layer_gets) == 1  # the layer, fetched once; the rest from the cache
    proxy.requests.clear()
    again = _fs(tmp_path)  # a new filesystem: the index this user recorded, no fetch
    assert again.cat_file(f"oras://{model}/model/sub/vocab.json") == b'["a", "b"]'
    assert [r for r in proxy.requests if "/blobs/" in r.path] == []


def test_fsspec_open_of_a_member_without_a_cache_dir(model, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("ORAS_CACHE", raising=False)
    with fsspec.open(f"oras://{model}/model/config.json") as f:
        assert f.read() == b'{"layers": 2}'


def test_a_damaged_member_entry_is_dropped_and_read_again(model, tmp_path):
    fs = _fs(tmp_path)
    fs.cat_file(f"oras://{model}/model/config.json")
    digest = fs.info(f"oras://{model}/model/config.json")["digest"].partition(":")[2]
    entry = tmp_path / "cache" / "blobs" / "sha256" / digest
    entry.chmod(0o644)
    entry.write_bytes(b'{"layers": 9}')  # same size, other bytes
    assert _fs(tmp_path).cat_file(f"oras://{model}/model/config.json") == b'{"layers": 2}'


def test_snapshot_allow_patterns_pick_files_inside_directories(model, tmp_path):
    snap = orasx.snapshot(model, cache_dir=str(tmp_path / "cache"), remote=PLAIN,
                          allow_patterns=["*.json"])
    got = sorted(str(p.relative_to(snap)) for p in snap.rglob("*") if p.is_file())
    assert got == ["model/config.json", "model/sub/vocab.json"]
    assert (snap / "model" / "sub" / "vocab.json").read_text() == '["a", "b"]'
    again = orasx.snapshot(model, cache_dir=str(tmp_path / "cache"), remote=PLAIN,
                           allow_patterns=["*.json"], offline=True)
    assert again == snap


def _tar_gz(entries: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return gzip.compress(raw.getvalue())


@pytest.mark.parametrize("bad", ["outside", "link-out"])
def test_a_layer_with_an_entry_outside_is_refused(registry, repo_name, tmp_path, bad):
    ok = tarfile.TarInfo("d/ok.txt")
    ok.size = 2
    if bad == "outside":
        evil = tarfile.TarInfo("d/../../evil.txt")
        evil.size = 1
        entries = [(ok, b"ok"), (evil, b"x")]
    else:
        evil = tarfile.TarInfo("d/link")
        evil.type = tarfile.SYMTYPE
        evil.linkname = "../../etc/passwd"
        entries = [(ok, b"ok"), (evil, None)]
    push_crafted(registry.host, repo_name, "v1", {"d": _tar_gz(entries)},
                 annotations={"d": {UNPACK: "true", TITLE: "d"}})
    fs = _fs(tmp_path)
    with pytest.raises(PathTraversalError):
        fs.find(f"oras://{registry.host}/{repo_name}:v1")
    assert mediatype.DEFAULT_FILE  # (the module's imports stay used)


@pytest.mark.parametrize("cached", [False, True])
def test_pull_include_picks_files_inside_directories(model, tmp_path, proxy, cached):
    """``oras pull --include`` selects files inside a directory layer (with or without the
    cache: without one, a private one is used for the pull and removed after it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORAS")}
    env["HOME"] = str(tmp_path)
    if cached:
        env["ORAS_CACHE"] = str(tmp_path / "cache")
    out = tmp_path / f"out-{cached}"
    done = subprocess.run(
        [ORAS, "pull", model, "--include", "model/*.json", "--exclude", "*vocab*", "-o",
         str(out)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    got = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert got == ["model/config.json"]
    assert (out / "model" / "config.json").read_text() == '{"layers": 2}'
    result = orasx.pull(model, str(tmp_path / f"lib-{cached}"), remote=PLAIN,
                        include=["model/sub/*"], cache_dir=str(tmp_path / "cache") if cached
                        else False)
    assert [f.descriptor.title for f in result.files] == ["model/sub/vocab.json"]
    assert not list(tmp_path.glob("orasx-members-*"))
