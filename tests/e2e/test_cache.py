"""The shared cache and snapshot against a real registry, through a proxy that counts requests."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

import orasx
from orasx.api._content import fetch_manifest
from orasx.api._snapshot import snapshot
from orasx.errors import NetworkError, NotFoundError
from tests.e2e.helpers import PLAIN
from tests.support.servers import Proxy


def _blob_gets(proxy: Proxy) -> list[str]:
    return [r.path for r in proxy.requests if r.method == "GET" and "/blobs/" in r.path]


@pytest.fixture
def pushed(proxy, repo_name, tmp_path, monkeypatch) -> str:
    src = tmp_path / "src"
    (src / "data" / "sub").mkdir(parents=True)
    (src / "model.bin").write_bytes(os.urandom(300_000))
    (src / "notes.txt").write_text("notes\n")
    (src / "data" / "sub" / "x.csv").write_text("a,b\n1,2\n")
    monkeypatch.chdir(src)
    ref = f"{proxy.host}/{repo_name}:v1"
    orasx.push(ref, ["model.bin", "notes.txt", "data"], remote=PLAIN)
    monkeypatch.chdir(tmp_path)
    proxy.requests.clear()
    return ref


def test_a_second_pull_makes_no_blob_request(proxy, pushed, tmp_path):
    cache = tmp_path / "cache"
    orasx.pull(pushed, str(tmp_path / "one"), remote=PLAIN, cache_dir=str(cache))
    assert len(_blob_gets(proxy)) == 3
    proxy.requests.clear()
    orasx.pull(pushed, str(tmp_path / "two"), remote=PLAIN, cache_dir=str(cache))
    assert _blob_gets(proxy) == []
    for name in ("model.bin", "notes.txt", "data/sub/x.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_the_cache_holds_each_manifests_config(proxy, repo_name, tmp_path, monkeypatch):
    """A pull does not read an unnamed config, but the cache keeps it (one small request, once),
    so each manifest it records is whole for OCI tools (skopeo, umoci: tests/interop)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.json").write_text('{"architecture":"amd64","os":"linux"}')
    (tmp_path / "f.txt").write_text("f\n")
    ref = f"{proxy.host}/{repo_name}:cfg"
    orasx.push(ref, ["f.txt"], config="config.json:application/vnd.oci.image.config.v1+json",
               image_spec="v1.0", remote=PLAIN)
    config = json.loads(fetch_manifest(ref, remote=PLAIN)[1])["config"]["digest"]
    proxy.requests.clear()
    cache = tmp_path / "cache"
    orasx.pull(ref, str(tmp_path / "one"), remote=PLAIN, cache_dir=str(cache))
    assert sorted(p.rsplit("/", 1)[1] for p in _blob_gets(proxy)) == sorted(
        [config, json.loads(fetch_manifest(ref, remote=PLAIN)[1])["layers"][0]["digest"]])
    assert (cache / "blobs" / "sha256" / config.split(":")[1]).read_bytes() == (
        tmp_path / "config.json").read_bytes()
    proxy.requests.clear()
    orasx.pull(ref, str(tmp_path / "two"), remote=PLAIN, cache_dir=str(cache))
    assert _blob_gets(proxy) == []


def test_the_cache_is_shared_across_repositories(proxy, pushed, tmp_path, repo_name):
    cache = tmp_path / "cache"
    orasx.pull(pushed, str(tmp_path / "one"), remote=PLAIN, cache_dir=str(cache))
    other = f"{proxy.host}/{repo_name}-other:v2"
    orasx.copy(orasx.Repository(orasx.parse_reference(pushed), PLAIN.client(proxy.host)), "v1",
               orasx.Repository(orasx.parse_reference(other), PLAIN.client(proxy.host)), "v2")
    proxy.requests.clear()
    orasx.pull(other, str(tmp_path / "two"), remote=PLAIN, cache_dir=str(cache))
    assert _blob_gets(proxy) == []


def test_a_pull_by_digest_works_with_the_registry_down(proxy, pushed, tmp_path):
    cache = tmp_path / "cache"
    result = orasx.pull(pushed, str(tmp_path / "one"), remote=PLAIN, cache_dir=str(cache))
    by_digest = pushed.rpartition(":")[0] + f"@{result.descriptor.digest}"
    proxy.stop()
    orasx.pull(by_digest, str(tmp_path / "two"), remote=PLAIN, cache_dir=str(cache))
    assert (tmp_path / "two" / "notes.txt").read_text() == "notes\n"
    with pytest.raises(NetworkError):  # a tag still asks the registry unless offline
        orasx.pull(pushed, str(tmp_path / "three"), remote=PLAIN, cache_dir=str(cache))


def test_a_damaged_cache_entry_is_detected_and_fetched_again(proxy, pushed, tmp_path):
    cache = tmp_path / "cache"
    orasx.pull(pushed, str(tmp_path / "one"), remote=PLAIN, cache_dir=str(cache))
    blobs = [p for p in (cache / "blobs" / "sha256").iterdir() if p.stat().st_size == 300_000]
    os.chmod(blobs[0], 0o644)
    with open(blobs[0], "r+b") as f:  # edited in place: same size, other bytes
        f.write(b"XXXX")
    proxy.requests.clear()
    orasx.pull(pushed, str(tmp_path / "two"), remote=PLAIN, cache_dir=str(cache))
    assert len(_blob_gets(proxy)) == 1
    assert (tmp_path / "two" / "model.bin").read_bytes() == \
        (tmp_path / "one" / "model.bin").read_bytes()


def test_concurrent_pulls_share_one_cache(proxy, pushed, tmp_path):
    cache = tmp_path / "cache"
    errors: list[BaseException] = []

    def pull(i: int) -> None:
        try:
            orasx.pull(pushed, str(tmp_path / f"out{i}"), remote=PLAIN, cache_dir=str(cache))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=pull, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for i in range(6):
        assert (tmp_path / f"out{i}" / "data" / "sub" / "x.csv").read_text() == "a,b\n1,2\n"


def test_snapshot_is_read_only_stable_and_works_offline(proxy, pushed, tmp_path):
    cache = str(tmp_path / "cache")
    path = snapshot(pushed, cache_dir=cache, remote=PLAIN)
    assert (path / "notes.txt").read_text() == "notes\n"
    assert (path / "data" / "sub" / "x.csv").read_text() == "a,b\n1,2\n"
    assert not (path / "model.bin").stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    proxy.requests.clear()
    again = snapshot(pushed, cache_dir=cache, remote=PLAIN)
    assert again == path and _blob_gets(proxy) == []
    proxy.stop()
    assert snapshot(pushed, cache_dir=cache, remote=PLAIN, offline=True) == path


def test_snapshot_selects_files_by_glob(proxy, pushed, tmp_path):
    cache = str(tmp_path / "cache")
    path = snapshot(pushed, cache_dir=cache, remote=PLAIN, allow_patterns=["*.txt", "data"],
                    ignore_patterns=["data"])
    assert sorted(p.name for p in path.iterdir()) == ["notes.txt"]
    assert len(_blob_gets(proxy)) == 1
    path = snapshot(pushed, cache_dir=cache, remote=PLAIN, allow_patterns=["*.bin"])
    assert sorted(p.name for p in path.iterdir()) == ["model.bin", "notes.txt"]


def test_offline_without_a_cached_tag_says_so(tmp_path, registry, repo_name):
    with pytest.raises(NotFoundError, match="pull it once online"):
        snapshot(f"{registry.host}/{repo_name}:never", cache_dir=str(tmp_path / "c"),
                 remote=PLAIN, offline=True)


def test_pull_include_and_exclude_select_titles(proxy, pushed, tmp_path):
    result = orasx.pull(pushed, str(tmp_path / "out"), remote=PLAIN, include=["*.txt", "*.bin"],
                        exclude=["*.bin"])
    assert [Path(f.path).name for f in result.files] == ["notes.txt"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["notes.txt"]
