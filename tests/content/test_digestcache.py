from __future__ import annotations

import json
import stat
from pathlib import Path

from orasx.content import _digestcache
from orasx.digest import hash_file


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


