"""``tag_all`` sets tags concurrently when asked (``oras tag --concurrency``), and reports failures."""

from __future__ import annotations

import io
import threading

import pytest

from orasx.content import tag_all
from orasx.content.memory import MemoryStore
from orasx.descriptor import Descriptor
from orasx.digest import Digest


class SlowTagger(MemoryStore):
    """Each tag call waits (up to 5 s) until ``want`` calls are in flight at once, so the peak it
    records does not depend on how fast the machine starts threads."""

    def __init__(self, want: int = 1) -> None:
        super().__init__()
        self.active = 0
        self.peak = 0
        self.want = want
        self.guard = threading.Lock()
        self.enough = threading.Event()

    def tag(self, desc: Descriptor, reference: str) -> None:
        with self.guard:
            self.active += 1
            self.peak = max(self.peak, self.active)
            if self.peak >= self.want:
                self.enough.set()
        self.enough.wait(5)
        if reference == "bad":
            with self.guard:
                self.active -= 1
            raise ValueError("bad tag")
        super().tag(desc, reference)
        with self.guard:
            self.active -= 1


def _manifest(store: MemoryStore) -> tuple[Descriptor, bytes]:
    raw = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}'
    desc = Descriptor("application/vnd.oci.image.manifest.v1+json", Digest.from_bytes(raw), len(raw))
    store.push(desc, io.BytesIO(raw))
    return desc, raw


@pytest.mark.parametrize("concurrency, peak", [(1, 1), (5, 5)])
def test_concurrency_bounds_tags_in_flight(concurrency: int, peak: int) -> None:
    store = SlowTagger(want=peak)
    desc, raw = _manifest(store)
    tags = [f"t{i}" for i in range(8)]
    tag_all(store, desc, raw, tags, concurrency=concurrency)
    assert store.peak == peak
    assert all(store.resolve(t) == desc for t in tags)


def test_a_failing_tag_is_raised() -> None:
    store = SlowTagger(want=3)
    desc, raw = _manifest(store)
    with pytest.raises(ValueError, match="bad tag"):
        tag_all(store, desc, raw, ["a", "bad", "c"], concurrency=3)
