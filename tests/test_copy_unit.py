"""The copy engine against in-memory stores: dedupe, skip, mount, retry, cancel, errors, referrers."""

from __future__ import annotations

import io
import threading
from collections import Counter

import pytest

from orasx import mediatype
from orasx._copy import CopyOptions, DestinationFacts, Hooks, copy, copy_graph, copy_referrers
from orasx.content.memory import MemoryStore
from orasx.descriptor import Descriptor, Platform
from orasx.digest import Readable
from orasx.errors import CopyError, NetworkError, NotFoundError, RegistryError, VerificationError
from orasx.pack import pack_manifest
from orasx.retry import RetryPolicy

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0)


class Recording(MemoryStore):
    """A memory store that counts calls and can fail the first N pushes or fetches of a blob."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self.fail_push: dict[str, list[Exception]] = {}
        self.fail_fetch: dict[str, list[Exception]] = {}
        self.guard = threading.Lock()

    def fetch(self, desc: Descriptor) -> Readable:
        with self.guard:
            self.calls[f"fetch {desc.digest}"] += 1
            errors = self.fail_fetch.get(str(desc.digest))
            if errors:
                raise errors.pop(0)
        return super().fetch(desc)

    def push(self, desc: Descriptor, content: Readable) -> None:
        with self.guard:
            self.calls[f"push {desc.digest}"] += 1
            errors = self.fail_push.get(str(desc.digest))
            if errors:
                raise errors.pop(0)
        super().push(desc, content)

    def exists(self, desc: Descriptor) -> bool:
        with self.guard:
            self.calls[f"exists {desc.digest}"] += 1
        return super().exists(desc)


def artifact(store: MemoryStore, *contents: bytes, subject: Descriptor | None = None,
             artifact_type: str = "") -> tuple[Descriptor, bytes, list[Descriptor]]:
    layers = [store.push_bytes(mediatype.OCI_LAYER_TAR, c, annotations={
        "org.opencontainers.image.title": f"f{i}"}) for i, c in enumerate(contents)]
    store.push_bytes(mediatype.OCI_EMPTY, b"{}")
    desc, raw = pack_manifest(layers, subject=subject, artifact_type=artifact_type)
    store.push(desc, io.BytesIO(raw))
    return desc, raw, layers


def test_shared_blobs_are_copied_once():
    src, dst = Recording(), Recording()
    root, _, layers = artifact(src, b"same", b"same", b"other")
    copy_graph(src, dst, root, CopyOptions(concurrency=4))
    assert dst.calls[f"push {layers[0].digest}"] == 1
    assert dst.exists(root) and all(dst.exists(d) for d in layers)


def test_blobs_the_destination_has_are_skipped():
    src, dst = Recording(), Recording()
    root, _, layers = artifact(src, b"a", b"b")
    dst.push_bytes(mediatype.OCI_LAYER_TAR, b"a")
    skipped: list[Descriptor] = []
    copy_graph(src, dst, root, CopyOptions(hooks=Hooks(on_skipped=skipped.append)))
    assert src.calls[f"fetch {layers[0].digest}"] == 0
    assert [d.digest for d in skipped] == [layers[0].digest]


def test_known_digests_need_no_existence_check():
    src, dst = Recording(), Recording()
    root, _, layers = artifact(src, b"a")
    dst.push_bytes(mediatype.OCI_LAYER_TAR, b"a")
    copy_graph(src, dst, root,
               CopyOptions(destination=DestinationFacts(present=frozenset([layers[0].digest]))))
    assert dst.calls[f"exists {layers[0].digest}"] == 0


def test_a_mounted_blob_is_not_copied():
    src, dst = Recording(), Recording()
    root, _, layers = artifact(src, b"a")

    def mount(desc: Descriptor) -> bool:
        dst.push(desc, src.fetch(desc))  # what a registry does server-side
        return True

    mounted: list[Descriptor] = []
    copy_graph(src, dst, root, CopyOptions(mount=mount, hooks=Hooks(on_mounted=mounted.append)))
    assert layers[0].digest in {m.digest for m in mounted}
    assert dst.calls[f"push {layers[0].digest}"] == 1  # only the registry's own copy


@pytest.mark.parametrize("error", [NetworkError("reset"), VerificationError("corrupt"),
                                   RegistryError("busy", status=503)])
def test_transient_blob_failures_are_retried(error):
    src, dst = Recording(), Recording()
    root, _, layers = artifact(src, b"a")
    dst.fail_push[str(layers[0].digest)] = [error]
    copy_graph(src, dst, root, CopyOptions(retry=FAST_RETRY))
    assert dst.calls[f"push {layers[0].digest}"] == 2 and dst.exists(layers[0])


def test_permanent_failures_keep_their_class_and_side():
    src, dst = Recording(), Recording()
    root, _, layers = artifact(src, b"a")
    dst.fail_push[str(layers[0].digest)] = [RegistryError("denied", status=403)]
    with pytest.raises(RegistryError) as info:
        copy_graph(src, dst, root, CopyOptions(retry=FAST_RETRY))
    assert info.value.origin == "destination"
    assert dst.calls[f"push {layers[0].digest}"] == 1


def test_a_missing_source_blob_is_a_not_found_from_the_source():
    src, dst = Recording(), Recording()
    root, _, layers = artifact(src, b"a")
    src.fail_fetch[str(layers[0].digest)] = [NotFoundError("gone")]
    with pytest.raises(NotFoundError) as info:
        copy_graph(src, dst, root)
    assert info.value.origin == "source"
    assert not dst.exists(root)  # the manifest never lands without its blobs


def test_retries_stop_after_the_policy_gives_up():
    src, dst = Recording(), Recording()
    root, _, layers = artifact(src, b"a")
    dst.fail_push[str(layers[0].digest)] = [NetworkError("reset") for _ in range(5)]
    with pytest.raises(NetworkError):
        copy_graph(src, dst, root, CopyOptions(retry=FAST_RETRY))
    assert dst.calls[f"push {layers[0].digest}"] == 3


def test_one_failed_blob_cancels_the_others():
    src, dst = Recording(), Recording()
    root, _, layers = artifact(src, *(bytes([i]) * 10 for i in range(20)))
    dst.fail_push[str(layers[0].digest)] = [RegistryError("denied", status=403)]
    with pytest.raises((RegistryError, CopyError)):
        copy_graph(src, dst, root, CopyOptions(concurrency=1, retry=FAST_RETRY))
    assert not dst.exists(root)
    assert sum(1 for d in layers if dst.exists(d)) < len(layers)


def test_copy_tags_extra_tags_and_uses_the_root_it_resolved():
    src, dst = Recording(), Recording()
    root, _, _ = artifact(src, b"a")
    src.tag(root, "v1")
    got = copy(src, "v1", dst, "", tags=["latest", "stable"])
    assert got == root
    assert {dst.resolve(t).digest for t in ("v1", "latest", "stable")} == {root.digest}
    assert src.calls[f"fetch {root.digest}"] == 1  # fetched once, when it was resolved


def test_copy_selects_a_platform_from_an_index():
    src, dst = Recording(), Recording()
    amd, _, _ = artifact(src, b"amd")
    arm, _, _ = artifact(src, b"arm")
    from orasx.descriptor import canonical_json

    children = [Descriptor(amd.media_type, amd.digest, amd.size,
                           platform=Platform("linux", "amd64")),
                Descriptor(arm.media_type, arm.digest, arm.size,
                           platform=Platform("linux", "arm64"))]
    raw = canonical_json({"schemaVersion": 2, "mediaType": mediatype.OCI_INDEX,
                          "manifests": [c.to_dict() for c in children]})
    index = src.push_bytes(mediatype.OCI_INDEX, raw)
    src.tag(index, "multi")
    got = copy(src, "multi", dst, "arm", CopyOptions(platform=Platform("linux", "arm64")))
    assert got.digest == arm.digest and dst.resolve("arm").digest == arm.digest
    assert not dst.exists(amd)


def test_copy_with_referrers_copies_the_referrer_graph():
    src, dst = Recording(), Recording()
    root, _, _ = artifact(src, b"subject")
    sig, _, _ = artifact(src, b"signature", subject=root, artifact_type="application/sig")
    src.tag(root, "v1")

    # MemoryStore does not list referrers: give the source the capability.
    src.referrers = lambda desc, artifact_type="": (  # type: ignore[attr-defined]
        [sig] if desc.digest == root.digest else [])
    copy(src, "v1", dst, "v1", CopyOptions(referrers=True))
    assert dst.exists(sig)
    assert copy_referrers(MemoryStore(), dst, root) == []  # no ReferrerLister: nothing to copy


def test_manifests_nested_too_deep_stop_with_an_error():
    from orasx._copy import MAX_GRAPH_DEPTH
    from orasx.descriptor import canonical_json
    from orasx.errors import InvalidManifestError

    src = Recording()
    node, _, _ = artifact(src, b"leaf")
    for _ in range(MAX_GRAPH_DEPTH + 300):  # deeper than Python's stack would allow unchecked
        raw = canonical_json({"schemaVersion": 2, "mediaType": mediatype.OCI_INDEX,
                              "manifests": [node.to_dict()]})
        node = src.push_bytes(mediatype.OCI_INDEX, raw)
    with pytest.raises(InvalidManifestError, match="nested more than"):
        copy_graph(src, Recording(), node)


def test_progress_reporting_keeps_a_file_a_file(tmp_path):
    # An upload hashed while it is sent tells a regular file by its fileno/tell: the progress
    # wrapper must not hide them (nor invent them for a stream that has none).
    from orasx._copy import reporting
    from orasx.descriptor import EMPTY_DESCRIPTOR
    from orasx.registry._streams import _regular_file

    path = tmp_path / "f.bin"
    path.write_bytes(b"0123456789")
    seen: list[int] = []
    hooks = Hooks(on_progress=lambda _d, n: seen.append(n))
    with open(path, "rb") as f:
        wrapped = reporting(f, EMPTY_DESCRIPTOR, hooks)
        assert _regular_file(wrapped) is not None
        assert wrapped.read(4) == b"0123" and wrapped.read() == b"456789" and seen == [4, 10]
    assert _regular_file(reporting(io.BytesIO(b"x"), EMPTY_DESCRIPTOR, hooks)) is None
