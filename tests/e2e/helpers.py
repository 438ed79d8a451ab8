"""Helpers for end-to-end tests: read what the registry holds, and craft artifacts by hand."""

from __future__ import annotations

import io
import json
import urllib.request
from typing import Any

from orasx import mediatype
from orasx.api import Remote
from orasx.descriptor import Descriptor
from orasx.pack import pack_manifest
from orasx.registry._http import ClientOptions
from orasx.registry.remote import Repository

ACCEPT = ", ".join(mediatype.ALL_MANIFEST_TYPES)
#: Library calls to the test registries: plain HTTP, no credential store.
PLAIN = Remote(options=ClientOptions(plain_http=True), use_credential_store=False)


def get_manifest(host: str, repo: str, ref: str) -> tuple[dict[str, Any], bytes]:
    req = urllib.request.Request(f"http://{host}/v2/{repo}/manifests/{ref}",
                                 headers={"Accept": ACCEPT})
    with urllib.request.urlopen(req, timeout=10) as resp:
        raw = resp.read()
    return json.loads(raw), raw


def get_blob(host: str, repo: str, digest: str) -> bytes:
    with urllib.request.urlopen(f"http://{host}/v2/{repo}/blobs/{digest}", timeout=10) as r:
        return bytes(r.read())


def push_crafted(host: str, repo: str, tag: str, files: dict[str, bytes],
                 annotations: dict[str, dict[str, str]] | None = None) -> Descriptor:
    """Push layers with arbitrary (possibly hostile) titles straight through the library."""
    target = Repository(f"{host}/{repo}")
    layers = []
    for title, data in files.items():
        ann = {"org.opencontainers.image.title": title} if title else {}
        ann.update((annotations or {}).get(title, {}))
        desc = Descriptor.from_bytes(mediatype.OCI_LAYER_TAR, data, annotations=ann)
        target.push(desc, io.BytesIO(data))
        layers.append(desc)
    empty = Descriptor.from_bytes(mediatype.OCI_EMPTY, b"{}")
    target.push(empty, io.BytesIO(b"{}"))
    desc, raw = pack_manifest(layers)
    target.push_reference(desc, io.BytesIO(raw), tag)
    return desc
