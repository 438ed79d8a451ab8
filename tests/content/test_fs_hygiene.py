"""What orasx leaves on disk and says about it (issue #19, case 15): private parents for the
credentials file, durable renames (fsync) in a layout, and errors that name the user's file."""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from orasx import OCILayoutStore
from orasx.descriptor import Descriptor
from orasx.digest import Digest
from orasx.registry.auth import Credential
from orasx.registry.credentials import CredentialStore

ORAS = os.path.join(os.path.dirname(sys.executable), "oras")


@pytest.fixture
def umask022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_docker_config_parents_are_created_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   umask022: None):
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "a" / "b" / "c"))
    assert CredentialStore(include_podman=False).store("localhost:5000", Credential("u", "p"))
    for sub in ("a", "a/b", "a/b/c"):  # as Go's os.MkdirAll(dir, 0o700)
        assert stat.S_IMODE(os.stat(tmp_path / sub).st_mode) == 0o700, sub
    assert stat.S_IMODE(os.stat(tmp_path / "a/b/c/config.json").st_mode) == 0o600


def _record_sync_and_renames(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Events ``("fsync", path)`` and ``("replace", destination)`` in the order they happen."""
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        real_fsync(fd)
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))

    def replace(src: str, dst: str, *, src_dir_fd: int | None = None,
                dst_dir_fd: int | None = None) -> None:
        real_replace(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)
        base = os.readlink(f"/proc/self/fd/{dst_dir_fd}") if dst_dir_fd is not None else ""
        events.append(("replace", os.path.join(base, dst)))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return events


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to name an fd")
def test_layout_blob_and_index_are_synced_before_and_after_the_rename(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    store = OCILayoutStore(str(tmp_path / "lay"))
    data = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",' \
           b'"config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":' \
           b'"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",' \
           b'"size":2},"layers":[]}'
    desc = Descriptor("application/vnd.oci.image.manifest.v1+json", Digest.from_bytes(data), len(data))
    events = _record_sync_and_renames(monkeypatch)
    store.push(desc, io.BytesIO(data))
    store.tag(desc, "v1")
    blob = str(tmp_path / "lay" / "blobs" / "sha256" / desc.digest.encoded)
    index = str(tmp_path / "lay" / "index.json")
    for final in (blob, index):
        i = events.index(("replace", final))
        before, after = events[:i], events[i + 1:]
        assert any(e == "fsync" and ".orasx-" in p and os.path.dirname(p) == os.path.dirname(final)
                   for e, p in before), (final, events)  # the temp file's data, then ...
        assert ("fsync", os.path.dirname(final)) in after, (final, events)  # ... the rename


