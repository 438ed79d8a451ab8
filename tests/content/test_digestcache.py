from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

import orasx
from orasx.content import _digestcache
from orasx.digest import hash_file
from orasx.errors import OrasError


@pytest.fixture
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ORASX_NO_DIGEST_CACHE", raising=False)
    f = tmp_path / "big.bin"
    f.write_bytes(os.urandom(_digestcache.MIN_SIZE + 10))
    return f


def test_digest_is_remembered_and_forgotten_when_the_file_changes(big: Path, tmp_path: Path):
    first = _digestcache.file_digest(str(big))
    cache = tmp_path / "cache" / "orasx" / "digests.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert list(json.loads(cache.read_text()).values()) == [str(first[0])]
    assert _digestcache.file_digest(str(big)) == first
    with open(big, "ab") as f:
        f.write(b"more")
    changed = _digestcache.file_digest(str(big))
    assert changed == hash_file(str(big)) and changed != first


def test_a_stale_entry_can_never_produce_a_wrong_artifact(big: Path, tmp_path: Path, registry):
    key = _digestcache._key(big.stat())
    cache = tmp_path / "cache" / "orasx" / "digests.json"
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps({key: "sha256:" + "0" * 64}))
    with pytest.raises(OrasError, match="digest mismatch"):
        orasx.push(f"{registry.host}/cache/stale:v1", [str(big)], disable_path_validation=True)
