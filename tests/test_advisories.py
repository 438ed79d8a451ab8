"""One named regression test per advisory class in shared/reference/security-anchors.md that is not
already covered by name elsewhere (docs/security.md maps every advisory to its test)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orasx import mediatype
from orasx.content import fetch_all
from orasx.content.oci import OCILayoutStore
from orasx.descriptor import Descriptor
from orasx.errors import InvalidManifestError, OrasError, SizeLimitError
from orasx.manifest import MAX_MANIFEST_BYTES, parse_manifest


def test_ghsa_f36w_huge_descriptor_size_is_a_clean_error(tmp_path: Path):
    layout = OCILayoutStore(str(tmp_path / "l"))
    desc = Descriptor(mediatype.OCI_MANIFEST, Descriptor.from_bytes("x", b"{}").digest,
                      4611686018427387904)
    with pytest.raises(SizeLimitError):
        fetch_all(layout, desc)


def test_c1_manifest_over_4_mib_is_refused_but_3_9_mb_works():
    base = {"schemaVersion": 2, "mediaType": mediatype.OCI_MANIFEST,
            "config": Descriptor.from_bytes(mediatype.OCI_EMPTY, b"{}").to_dict(), "layers": []}
    big = dict(base, annotations={f"k{i}": "v" * 10_000 for i in range(390)})
    raw = json.dumps(big).encode()
    assert 3_900_000 < len(raw) < MAX_MANIFEST_BYTES
    parse_manifest(mediatype.OCI_MANIFEST, raw)
    huge = json.dumps(dict(base, annotations={"k": "v" * (5 * 1024 * 1024)})).encode()
    with pytest.raises(InvalidManifestError, match="4 MiB"):
        parse_manifest(mediatype.OCI_MANIFEST, huge)


def test_cve_2021_41190_ambiguous_or_mismatched_manifest_is_refused():
    both = json.dumps({"schemaVersion": 2, "layers": [], "manifests": []}).encode()
    with pytest.raises(InvalidManifestError, match="ambiguous"):
        parse_manifest(mediatype.OCI_MANIFEST, both)
    index = json.dumps({"schemaVersion": 2, "mediaType": mediatype.OCI_INDEX,
                        "manifests": []}).encode()
    with pytest.raises(InvalidManifestError, match="declares"):
        parse_manifest(mediatype.OCI_MANIFEST, index)


def test_d7_layout_blob_that_is_a_symlink_is_refused(tmp_path: Path):
    layout = OCILayoutStore(str(tmp_path / "l"))
    secret = tmp_path / "secret"
    secret.write_bytes(b"{}")
    desc = Descriptor.from_bytes(mediatype.OCI_EMPTY, b"{}")
    blob = Path(layout.root) / "blobs" / "sha256" / desc.digest.encoded
    blob.parent.mkdir(parents=True)
    blob.symlink_to(secret)
    with pytest.raises(InvalidManifestError, match="not a regular file"):
        layout.fetch(desc)






@settings(max_examples=300, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(
                        st.sampled_from(["mediaType", "config", "layers", "manifests", "subject",
                                         "digest", "size", "annotations", "schemaVersion",
                                         "artifactType", "data", "platform"]), c, max_size=6),
                    max_leaves=20))
def test_manifest_parser_rejects_hostile_documents_cleanly(doc):
    raw = json.dumps(doc).encode()
    for media_type in (mediatype.OCI_MANIFEST, mediatype.OCI_INDEX):
        with contextlib.suppress(OrasError):
            parse_manifest(media_type, raw)
