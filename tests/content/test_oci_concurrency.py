"""Concurrent writers (processes and threads) to one OCI image layout keep every tag."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from orasx import mediatype
from orasx.content.oci import OCILayoutStore
from orasx.descriptor import EMPTY_DESCRIPTOR, Descriptor
from orasx.pack import pack_manifest

ORAS = os.path.join(os.path.dirname(sys.executable), "oras")
N = 16


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["HOME"] = str(tmp_path / ".home")
    return env


def _run_all(tmp_path: Path, commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """Start every command at once, then wait for all of them."""
    env = _env(tmp_path)
    procs = [subprocess.Popen([ORAS, *args], cwd=tmp_path, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for args in commands]
    done = []
    for args, p in zip(commands, procs, strict=True):
        out, err = p.communicate(timeout=120)
        done.append(subprocess.CompletedProcess([ORAS, *args], p.returncode, out, err))
    return done


def _assert_all_ok(results: list[subprocess.CompletedProcess[str]]) -> None:
    failed = [f"{' '.join(r.args[1:])} exited {r.returncode}: {r.stderr.strip()}"
              for r in results if r.returncode != 0]
    assert not failed, "\n".join(failed)


def _index_tags(layout: Path) -> dict[str, str]:
    """Tag -> manifest digest, read straight from ``index.json``."""
    doc = json.loads((layout / "index.json").read_text())
    out = {}
    for m in doc["manifests"]:
        name = (m.get("annotations") or {}).get("org.opencontainers.image.ref.name")
        if name:
            out[name] = m["digest"]
    return out


def _survivors(expected: set[str], layout: Path) -> str:
    got = set(_index_tags(layout))
    return f"{len(expected & got)}/{len(expected)} tags survived; missing {sorted(expected - got)}"






def _push_artifact(store: OCILayoutStore, i: int) -> Descriptor:
    blob = f"thread blob {i}\n".encode()
    layer = Descriptor.from_bytes(mediatype.OCI_LAYER_TAR, blob)
    store.push(layer, io.BytesIO(blob))
    store.push(EMPTY_DESCRIPTOR, io.BytesIO(b"{}"))
    desc, raw = pack_manifest([layer], artifact_type="application/vnd.test.thread")
    store.push(desc, io.BytesIO(raw))
    return desc


def _run_threads(work: Callable[[int], None], n: int = N) -> None:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


@pytest.mark.parametrize("sharing", ["one-store", "store-per-thread"])
def test_threads_pushing_and_tagging_keep_every_tag(tmp_path: Path, sharing: str):
    root = str(tmp_path / "lay")
    shared = OCILayoutStore(root)

    def work(i: int) -> None:
        store = shared if sharing == "one-store" else OCILayoutStore(root)
        desc = _push_artifact(store, i)
        store.tag(desc, f"t{i}")
        store.tag(desc, f"again{i}")

    _run_threads(work)

    expected = {f"t{i}" for i in range(N)} | {f"again{i}" for i in range(N)}
    assert expected <= set(_index_tags(tmp_path / "lay")), _survivors(expected, tmp_path / "lay")
    fresh = OCILayoutStore(root, create=False)
    assert set(fresh.tags()) == expected
    # A store opened before the threads ran sees their tags too.
    assert set(shared.tags()) == expected
    for i in range(N):
        assert fresh.resolve(f"t{i}") == fresh.resolve(f"again{i}")


def test_threads_untagging_and_tagging_at_once_lose_nothing(tmp_path: Path):
    root = str(tmp_path / "lay")
    setup = OCILayoutStore(root)
    desc = _push_artifact(setup, 0)
    for i in range(N // 2):
        setup.tag(desc, f"old{i}")

    def work(i: int) -> None:
        store = OCILayoutStore(root)  # separate instances, as separate commands would be
        if i % 2:
            store.untag(f"old{i // 2}")
        else:
            store.tag(desc, f"new{i // 2}")

    _run_threads(work)

    assert set(OCILayoutStore(root).tags()) == {f"new{i}" for i in range(N // 2)}


def test_reading_a_layout_takes_no_lock_and_writes_nothing(tmp_path: Path):
    root = tmp_path / "lay"
    desc = _push_artifact(OCILayoutStore(str(root)), 0)
    OCILayoutStore(str(root)).tag(desc, "v1")
    (root / "ingest").rmdir()  # as in a layout another tool wrote (no ingest/)
    before = sorted(p.name for p in root.iterdir())

    store = OCILayoutStore(str(root), create=False)
    assert store.tags() == ["v1"]
    assert store.resolve("v1").digest == store.resolve(str(desc.digest)).digest == desc.digest
    assert sorted(p.name for p in root.iterdir()) == before


def test_blob_writes_never_open_the_umask_for_other_threads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Reading the umask with os.umask(0) would, for a moment, let any thread's mkdir create a
    # world-writable directory.
    real_umask = os.umask
    set_to: list[int] = []

    def spy(mask: int) -> int:
        set_to.append(mask)
        return real_umask(mask)

    monkeypatch.setattr(os, "umask", spy)
    _run_threads(lambda i: _push_artifact(OCILayoutStore(str(tmp_path / "lay")), i), n=4)
    assert 0 not in set_to
