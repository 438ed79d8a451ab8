from __future__ import annotations

import json
from pathlib import Path

import pytest

import orasx
from orasx.content import _digestcache
from orasx.errors import OrasError


def test_a_stale_entry_can_never_produce_a_wrong_artifact(big: Path, tmp_path: Path, registry):
    key = _digestcache._key(big.stat())
    cache = tmp_path / "cache" / "orasx" / "digests.json"
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps({key: "sha256:" + "0" * 64}))
    with pytest.raises(OrasError, match="digest mismatch"):
        orasx.push(f"{registry.host}/cache/stale:v1", [str(big)], disable_path_validation=True)
