"""The library as a Python user meets it: push and attach take values (file references, an
annotation mapping, a decided image spec), single files, paths, a layout reference; pull reads
through ``$ORAS_CACHE`` and says what came from the cache. Unit tests use OCI layouts; the last
few run against the real registry."""

from __future__ import annotations

from pathlib import Path

import pytest

import orasx
from orasx.api import Remote, pull, push
from orasx.content import PushPlanner
from orasx.registry.remote import Repository


def test_a_repository_plans_its_pushes(registry, work: Path):
    repo = Repository(f"{registry.host}/api/plan", Remote().client(registry.host))
    assert isinstance(repo, PushPlanner)
    ip = registry.host.replace("localhost", "127.0.0.1")  # not localhost: HTTPS unless told
    first = push(f"{ip}/api/plan:v1", ["iris.csv", "notes.txt"], remote=Remote(plain_http=True))
    skipped: list[str] = []
    again = push(f"{ip}/api/plan:v2", "iris.csv", remote=Remote(plain_http=True),
                 hooks=orasx.Hooks(on_skipped=lambda d: skipped.append(d.title)))
    assert first.tags == ("v1",) and again.tags == ("v2",)
    assert "iris.csv" in skipped  # known from tag v1's manifest: not uploaded again

def test_pull_from_the_registry_through_the_cache(registry, work: Path,
                                                  monkeypatch: pytest.MonkeyPatch):
    ref = f"{registry.host}/api/cached:v1"
    push(ref, Path("iris.csv"))
    monkeypatch.setenv("ORAS_CACHE", str(work / "cache"))
    assert pull(ref, "a").from_cache == ()
    titles_from_cache = {d.title for d in pull(ref, "b").from_cache}
    assert "iris.csv" in titles_from_cache
