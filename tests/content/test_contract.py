"""One contract, every store: memory, OCI layout, file store (unnamed content) and, in the integration
tier, a registry (tests/integration/content/test_contract_registry.py runs these same tests)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from orasx import mediatype
from orasx.content import Target, fetch_all
from orasx.content.file import FileStore
from orasx.content.memory import MemoryStore
from orasx.content.oci import OCILayoutStore
from orasx.descriptor import Descriptor
from orasx.digest import Digest
from orasx.errors import NotFoundError, VerificationError
from orasx.pack import pack_manifest

BLOB = b"contract blob\n" * 100
BLOB_DESC = Descriptor.from_bytes(mediatype.OCI_LAYER_TAR, BLOB)


@pytest.fixture(params=["memory", "oci-layout", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    """Each store on disk or in memory (the registry's run of this contract is in
    tests/integration/content/test_contract_registry.py)."""
    kind = request.param
    if kind == "memory":
        yield MemoryStore()
    elif kind == "oci-layout":
        yield OCILayoutStore(str(tmp_path / "layout"))
    else:
        with FileStore(str(tmp_path / "files")) as fs:
            yield fs


def _read(store: Target, desc: Descriptor) -> bytes:
    stream = store.fetch(desc)
    try:
        return b"".join(iter(lambda: stream.read(4096), b""))
    finally:
        stream.close()


def test_push_then_fetch_returns_the_same_bytes(store: Target):
    assert not store.exists(BLOB_DESC)
    store.push(BLOB_DESC, io.BytesIO(BLOB))
    assert store.exists(BLOB_DESC)
    assert _read(store, BLOB_DESC) == BLOB


def test_fetch_of_missing_content_is_not_found(store: Target):
    missing = Descriptor(mediatype.OCI_LAYER_TAR, Digest.from_bytes(b"nope"), 4)
    with pytest.raises(NotFoundError):
        _read(store, missing)
    assert not store.exists(missing)


def test_push_of_corrupt_content_is_refused_and_invisible(store: Target):
    with pytest.raises(VerificationError):
        store.push(BLOB_DESC, io.BytesIO(BLOB[:-1] + b"X"))
    assert not store.exists(BLOB_DESC)


def test_push_of_short_content_is_refused(store: Target):
    with pytest.raises(VerificationError):
        store.push(BLOB_DESC, io.BytesIO(BLOB[:10]))
    assert not store.exists(BLOB_DESC)


def test_manifest_push_tag_resolve(store: Target):
    store.push(BLOB_DESC, io.BytesIO(BLOB))
    empty = Descriptor.from_bytes(mediatype.OCI_EMPTY, b"{}")
    store.push(empty, io.BytesIO(b"{}"))
    desc, raw = pack_manifest([BLOB_DESC])
    store.push(desc, io.BytesIO(raw))
    store.tag(desc, "v1")
    got = store.resolve("v1")
    assert (got.digest, got.size, got.media_type) == (desc.digest, desc.size, desc.media_type)
    assert fetch_all(store, got) == raw
    with pytest.raises(NotFoundError):
        store.resolve("v2")
