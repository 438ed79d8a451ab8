"""Round trips a push costs, counted at a proxy in front of the real registry."""

from __future__ import annotations

import threading
import time

import pytest

from tests.support.servers import Proxy, Reply, Request


@pytest.fixture
def counted(registry):
    state = {"now": 0, "peak": 0}
    lock = threading.Lock()

    def hook(req: Request) -> Reply | None:
        if "/blobs/" in req.path:
            with lock:
                state["now"] += 1
                state["peak"] = max(state["peak"], state["now"])
            time.sleep(0.05)  # hold the request, so that concurrent ones overlap
            with lock:
                state["now"] -= 1
        return None

    proxy = Proxy(registry.host, hook=hook)
    proxy.state = state  # type: ignore[attr-defined]
    yield proxy
    proxy.stop()


def _files(tmp_path, n):
    names = []
    for i in range(n):
        (tmp_path / f"f{i}.txt").write_text(f"file {i}\n")
        names.append(f"f{i}.txt")
    return names


def test_a_new_repository_gets_no_existence_checks(oras, counted, repo_name, tmp_path):
    names = _files(tmp_path, 40)
    oras("push", "--plain-http", f"{counted.host}/{repo_name}:v1", *names)
    heads = [r for r in counted.requests if r.method == "HEAD" and "/blobs/" in r.path]
    assert heads == []
    counted.requests.clear()
    (tmp_path / "f0.txt").write_text("changed\n")
    oras("push", "--plain-http", f"{counted.host}/{repo_name}:v2", *names)
    heads = [r for r in counted.requests if r.method == "HEAD" and "/blobs/" in r.path]
    assert len(heads) == 1  # only the changed file: the others are named by tag v1's manifest
    roots = [r for r in counted.requests if r.method == "HEAD" and "/manifests/sha256:" in r.path]
    assert len(roots) == 1  # the new manifest is asked about once (then pushed)


def test_small_blobs_move_many_at_once(oras, counted, repo_name, tmp_path):
    names = _files(tmp_path, 60)
    oras("push", "--plain-http", f"{counted.host}/{repo_name}:v1", *names)
    assert counted.state["peak"] > 5  # more than --concurrency (5): small blobs are not bound by it
    assert counted.state["peak"] <= 32
