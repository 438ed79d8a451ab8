from __future__ import annotations

import json

import pytest

from orasx import mediatype
from orasx.descriptor import CREATED, EMPTY_DESCRIPTOR, Descriptor
from orasx.errors import InvalidInputError
from orasx.pack import pack_manifest

LAYER = Descriptor.from_bytes(mediatype.OCI_LAYER_TAR, b"x",
                              annotations={"org.opencontainers.image.title": "x.txt"})


def test_v1_1_uses_empty_config_with_data_and_default_artifact_type():
    desc, raw = pack_manifest([LAYER])
    doc = json.loads(raw)
    assert doc["artifactType"] == "application/vnd.unknown.artifact.v1"
    assert doc["config"] == {
        "mediaType": "application/vnd.oci.empty.v1+json",
        "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        "size": 2,
        "data": "e30=",
    }
    assert CREATED in doc["annotations"]
    assert list(doc)[:5] == ["schemaVersion", "mediaType", "artifactType", "config", "layers"]
    assert desc.artifact_type == doc["artifactType"]
    assert desc.size == len(raw)


def test_v1_1_without_layers_has_the_empty_layer():
    _, raw = pack_manifest([])
    assert json.loads(raw)["layers"] == [EMPTY_DESCRIPTOR.to_dict()]


def test_v1_0_types_the_config_with_the_artifact_type():
    _, raw = pack_manifest([LAYER], artifact_type="application/vnd.me", image_spec="v1.0")
    doc = json.loads(raw)
    assert "artifactType" not in doc
    assert doc["config"]["mediaType"] == "application/vnd.me"
    assert doc["config"]["digest"] == str(EMPTY_DESCRIPTOR.digest)
    _, raw = pack_manifest([LAYER], image_spec="v1.0")
    assert json.loads(raw)["config"]["mediaType"] == "application/vnd.unknown.config.v1+json"


def test_created_annotation_can_be_set_or_pinned(monkeypatch):
    _, raw = pack_manifest([LAYER], annotations={CREATED: "2000-01-01T00:00:00Z"})
    assert json.loads(raw)["annotations"][CREATED] == "2000-01-01T00:00:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    a = pack_manifest([LAYER])
    b = pack_manifest([LAYER])
    assert a == b
    assert json.loads(a[1])["annotations"][CREATED] == "1970-01-01T00:00:00Z"


def test_v1_0_refuses_subject_and_config_with_artifact_type():
    with pytest.raises(InvalidInputError):
        pack_manifest([LAYER], subject=LAYER, image_spec="v1.0")
    with pytest.raises(InvalidInputError):
        pack_manifest([LAYER], config=LAYER, artifact_type="a/b", image_spec="v1.0")
