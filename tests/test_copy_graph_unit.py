"""The copy engine as the Go CLI reports it: each node once, duplicate titles, foreign layers, and
referrers walked from their roots (oras-go's ExtendedCopyGraph)."""

from __future__ import annotations

import io

from orasx import mediatype
from orasx._copy import CopyOptions, Hooks, copy, extended_copy
from orasx.content.memory import MemoryStore
from orasx.descriptor import Descriptor, canonical_json
from orasx.pack import pack_manifest
from tests.test_copy_unit import Recording, artifact

TITLE = "org.opencontainers.image.title"


class Listing(Recording):
    """A memory store that lists referrers (by each manifest's ``subject``)."""

    def __init__(self) -> None:
        super().__init__()
        self.subjects: dict[str, list[Descriptor]] = {}

    def add_referrer(self, subject: Descriptor, referrer: Descriptor) -> None:
        self.subjects.setdefault(str(subject.digest), []).append(referrer)

    def referrers(self, desc: Descriptor, artifact_type: str = "") -> list[Descriptor]:
        return list(self.subjects.get(str(desc.digest), []))


def _events() -> tuple[dict[str, list[str]], Hooks]:
    seen: dict[str, list[str]] = {}

    def record(kind: str):  # type: ignore[no-untyped-def]
        return lambda d: seen.setdefault(kind, []).append(d.title or str(d.digest)[7:19])

    return seen, Hooks(on_start=record("start"), on_copied=record("copied"),
                       on_skipped=record("exists"), on_duplicate=record("duplicate"))


def test_a_blob_under_two_titles_moves_once_and_the_other_title_is_reported():
    src, dst = Recording(), Recording()
    root, _, layers = artifact(src, b"same", b"same", b"other")
    seen, hooks = _events()
    copy(src, str(root.digest), dst, "", CopyOptions(hooks=hooks))
    assert dst.calls[f"push {layers[0].digest}"] == 1
    assert seen["duplicate"] == ["f1"]
    assert "f1" not in seen["start"] and "f0" in seen["copied"]


def test_non_distributable_layers_are_left_out():
    src, dst = Recording(), Recording()
    src.push_bytes(mediatype.OCI_EMPTY, b"{}")
    kept = src.push_bytes(mediatype.OCI_LAYER_TAR_GZIP, b"kept")
    for foreign_type in mediatype.FOREIGN_LAYER_TYPES:
        foreign = Descriptor.from_bytes(foreign_type, b"not in the store")
        root, raw = pack_manifest([foreign, kept])
        src.push(root, io.BytesIO(raw))
        seen, hooks = _events()
        copy(src, str(root.digest), dst, "", CopyOptions(hooks=hooks))
        assert dst.exists(root) and not dst.exists(foreign)
        assert src.calls[f"fetch {foreign.digest}"] == 0
        assert "duplicate" not in seen


def test_referrers_copied_again_report_only_the_referrers_nobody_refers_to():
    src, dst = Listing(), Recording()
    root, _, _ = artifact(src, b"subject")
    sig, _, _ = artifact(src, b"signature", subject=root, artifact_type="application/sig")
    sig2, _, _ = artifact(src, b"signature of it", subject=sig, artifact_type="application/sig2")
    src.add_referrer(root, sig)
    src.add_referrer(sig, sig2)
    src.tag(root, "v1")
    _first, hooks = _events()
    copy(src, "v1", dst, "v1", CopyOptions(referrers=True, hooks=hooks))
    assert dst.exists(sig2) and dst.resolve("v1").digest == root.digest
    again, hooks = _events()
    copy(src, "v1", dst, "v1", CopyOptions(referrers=True, hooks=hooks))
    assert again == {"exists": [str(sig2.digest)[7:19]]}  # Go: the root of the walk, nothing else


def test_an_index_and_the_referrers_of_its_manifests_are_copied_from_their_roots():
    src, dst = Listing(), MemoryStore()
    amd, _, _ = artifact(src, b"amd")
    arm, _, _ = artifact(src, b"arm")
    entries = [amd, arm]
    raw = canonical_json({"schemaVersion": 2, "mediaType": mediatype.OCI_INDEX,
                          "manifests": [e.to_dict() for e in entries]})
    index = Descriptor.from_bytes(mediatype.OCI_INDEX, raw)
    src.push(index, io.BytesIO(raw))
    sig, _, _ = artifact(src, b"sig of amd", subject=amd, artifact_type="application/sig")
    src.add_referrer(amd, sig)
    found = extended_copy(src, dst, index, tag="multi")
    assert [d.digest for d in found] == [sig.digest]
    assert dst.exists(index) and dst.exists(sig) and dst.exists(arm)
    assert dst.resolve("multi").digest == index.digest
