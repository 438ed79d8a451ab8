"""Digests of big unchanged files, remembered between runs so a re-push does not re-hash them.

Keyed by (device, inode, size, mtime_ns, ctime_ns): any write to the file changes the key. A stale
entry cannot produce a wrong artifact anyway: every byte sent is verified against the digest while
it streams, and the registry checks it again. Stored in ``~/.cache/orasx/digests.json`` (0600),
written atomically, at most ``MAX_ENTRIES`` entries. ``ORASX_NO_DIGEST_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import threading

from orasx._fsutil import cache_home
from orasx._json import loads
from orasx.digest import Digest, hash_file, parse_digest
from orasx.errors import InvalidDigestError, OrasError

#: Files smaller than this are simply hashed (cheaper than a cache lookup that may miss).
MIN_SIZE = 16 * 1024 * 1024
MAX_ENTRIES = 512

_lock = threading.Lock()


def _path() -> str:
    return os.path.join(cache_home(), "digests.json")


def fingerprint(st: os.stat_result) -> str:
    """The identity and state of a file (device, inode, size, mtime, ctime): any write, link,
    rename or replacement of it changes one of them, and ctime cannot be set back."""
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


_key = fingerprint


def _load(path: str) -> dict[str, str]:
    """The entries, when the file is this user's own and nobody else can write it."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if sys.platform != "win32" and (st.st_uid != os.geteuid() or st.st_mode & 0o022):
                return {}
            doc = loads(f.read(), path, OrasError)
    except (OSError, OrasError):
        return {}
    return {str(k): str(v) for k, v in doc.items()} if isinstance(doc, dict) else {}


def enabled() -> bool:
    return not os.environ.get("ORASX_NO_DIGEST_CACHE")


def lookup(st: os.stat_result) -> Digest | None:
    """The remembered digest of the file whose ``stat`` is ``st``, if any."""
    if st.st_size < MIN_SIZE or not enabled():
        return None
    with _lock:
        cached = _load(_path()).get(_key(st))
    if cached:
        with contextlib.suppress(InvalidDigestError):
            return parse_digest(cached)
    return None


def remember(st: os.stat_result, digest: Digest) -> None:
    """Remember ``digest`` for the file whose ``stat`` (taken before it was read) is ``st``."""
    if st.st_size < MIN_SIZE or not enabled():
        return
    cache_path = _path()
    with _lock:
        entries = _load(cache_path)
        entries[_key(st)] = str(digest)
        while len(entries) > MAX_ENTRIES:
            entries.pop(next(iter(entries)))
        with contextlib.suppress(OSError):
            os.makedirs(os.path.dirname(cache_path), mode=0o700, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(cache_path), prefix=".digests-")
            with os.fdopen(fd, "w") as f:
                json.dump(entries, f)
            os.replace(tmp, cache_path)


def file_digest(path: str) -> tuple[Digest, int]:
    """``hash_file(path)``, remembered for big files between runs."""
    st = os.stat(path)
    if st.st_size < MIN_SIZE or not enabled():
        return hash_file(path)
    cached = lookup(st)
    if cached is not None:
        return cached, st.st_size
    digest, size = hash_file(path)
    if _key(os.stat(path)) == _key(st):  # changed while we read it: do not remember
        remember(st, digest)
    return digest, size
