"""An OCI image layout directory (``oci-layout``, ``index.json``, ``blobs/<alg>/<hex>``) as a store."""

from __future__ import annotations

import json
import os
import re
import stat
import threading
from typing import Any

from orasx import mediatype
from orasx._fsutil import atomic_writer, read_capped, umask_mode
from orasx.content import Readable
from orasx.descriptor import Descriptor, canonical_json
from orasx.digest import CHUNK_SIZE, Digest, VerifyingReader, parse_digest
from orasx.errors import InvalidManifestError, NotFoundError
from orasx.manifest import MAX_MANIFEST_BYTES, Index, Manifest, detect_media_type, parse_manifest

REF_NAME = "org.opencontainers.image.ref.name"
_LAYOUT = b'{"imageLayoutVersion":"1.0.0"}'


class OCILayoutStore:
    """Read and write an OCI image layout directory; tags live in ``index.json``."""

    def __init__(self, root: str, *, create: bool = True) -> None:
        self.root = os.path.abspath(root)
        self._lock = threading.Lock()
        layout = os.path.join(self.root, "oci-layout")
        if not os.path.exists(layout):
            if not create:
                raise NotFoundError(f"{root}: not an OCI image layout (no oci-layout file)")
            os.makedirs(self.root, exist_ok=True)
            with atomic_writer(layout) as f:
                f.write(_LAYOUT)
        self._index: list[dict[str, Any]] = self._load_index()

    # -- index.json -------------------------------------------------------------------------
    def _load_index(self) -> list[dict[str, Any]]:
        path = os.path.join(self.root, "index.json")
        if not os.path.exists(path):
            return []
        try:
            doc = json.loads(read_capped(path, MAX_MANIFEST_BYTES))
        except ValueError as e:
            raise InvalidManifestError(f"{path}: not valid JSON: {e}") from None
        manifests = doc.get("manifests") if isinstance(doc, dict) else None
        if not isinstance(manifests, list):
            raise InvalidManifestError(f"{path}: has no 'manifests' list")
        for m in manifests:
            Descriptor.from_dict(m)  # validate every entry up front
        return manifests

    def _save_index(self) -> None:
        doc = {"schemaVersion": 2, "mediaType": mediatype.OCI_INDEX, "manifests": self._index}
        with atomic_writer(os.path.join(self.root, "index.json"), mode=umask_mode()) as f:
            f.write(canonical_json(doc))

    # -- blobs ------------------------------------------------------------------------------
    def _blob_path(self, desc: Descriptor) -> str:
        return os.path.join(self.root, "blobs", desc.digest.algorithm, desc.digest.encoded)

    def fetch(self, desc: Descriptor) -> Readable:
        path = self._blob_path(desc)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            raise NotFoundError(f"{desc.digest}: not found in OCI layout {self.root}") from None
        if not stat.S_ISREG(st.st_mode):
            raise InvalidManifestError(
                f"{path}: blob is not a regular file (symlinks are refused in layouts)"
            )
        return open(path, "rb", buffering=0)

    def blob_descriptor(self, digest: Digest) -> Descriptor:
        """Describe a blob known only by its digest (its size on disk)."""
        probe = Descriptor("application/octet-stream", digest, 0)
        if not self.exists(probe):
            raise NotFoundError(f"{digest}: blob not found in {self.root}")
        return Descriptor(probe.media_type, digest, os.path.getsize(self._blob_path(probe)))

    def exists(self, desc: Descriptor) -> bool:
        try:
            return stat.S_ISREG(os.lstat(self._blob_path(desc)).st_mode)
        except FileNotFoundError:
            return False

    def push(self, desc: Descriptor, content: Readable) -> None:
        path = self._blob_path(desc)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if not self.exists(desc):
            reader = VerifyingReader(content, desc.digest, desc.size)
            with atomic_writer(path, mode=umask_mode(0o444)) as f:
                while data := reader.read(CHUNK_SIZE):
                    f.write(data)
                reader.verify()
        if mediatype.is_manifest_like(desc.media_type):
            with self._lock:
                if not any(m.get("digest") == str(desc.digest) for m in self._index):
                    self._index.append(Descriptor(desc.media_type, desc.digest, desc.size,
                                                  artifact_type=desc.artifact_type).to_dict())
                    self._save_index()

    # -- references -------------------------------------------------------------------------
    def resolve(self, reference: str) -> Descriptor:
        with self._lock:
            for m in self._index:
                if (m.get("annotations") or {}).get(REF_NAME) == reference:
                    return _strip_ref(Descriptor.from_dict(m))
        if ":" in reference:
            digest = parse_digest(reference)
            with self._lock:
                for m in self._index:
                    if m.get("digest") == reference:
                        return _strip_ref(Descriptor.from_dict(m))
            probe = Descriptor(mediatype.OCI_MANIFEST, digest, 0)
            path = self._blob_path(probe)
            if self.exists(probe):
                raw = read_capped(path, MAX_MANIFEST_BYTES)
                return Descriptor.from_bytes(detect_media_type(raw), raw)
        raise NotFoundError(f"{reference}: not found in OCI layout {self.root}")

    def tag(self, desc: Descriptor, reference: str) -> None:
        if not self.exists(desc):
            raise NotFoundError(f"{desc.digest}: cannot tag content the layout does not hold")
        entry = Descriptor(
            desc.media_type,
            desc.digest,
            desc.size,
            annotations={REF_NAME: reference},
            artifact_type=desc.artifact_type,
            platform=desc.platform,
        ).to_dict()
        with self._lock:
            kept = []
            for m in self._index:
                ann = m.get("annotations") or {}
                if ann.get(REF_NAME) == reference:
                    continue
                if m.get("digest") == str(desc.digest) and REF_NAME not in ann:
                    continue  # the untagged entry is replaced by the tagged one
                kept.append(m)
            kept.append(entry)
            self._index = kept
            self._save_index()

    def tags(self) -> list[str]:
        with self._lock:
            names = {(m.get("annotations") or {}).get(REF_NAME) for m in self._index}
        return sorted(n for n in names if isinstance(n, str) and n)

    def untag(self, reference: str) -> None:
        with self._lock:
            self._index = [m for m in self._index
                           if (m.get("annotations") or {}).get(REF_NAME) != reference]
            self._save_index()

    def delete(self, desc: Descriptor) -> None:
        """Remove a blob or manifest (and its ``index.json`` entries)."""
        if not self.exists(desc):
            raise NotFoundError(f"{desc.digest}: not found in OCI layout {self.root}")
        os.unlink(self._blob_path(desc))
        with self._lock:
            self._index = [m for m in self._index if m.get("digest") != str(desc.digest)]
            self._save_index()

    def manifests(self) -> list[Descriptor]:
        """Every manifest reachable from ``index.json`` (children of indexes included)."""
        seen: dict[str, Descriptor] = {}
        with self._lock:
            todo = [_strip_ref(Descriptor.from_dict(m)) for m in self._index]
        while todo:
            d = todo.pop()
            if str(d.digest) in seen or not mediatype.is_manifest_like(d.media_type):
                continue
            seen[str(d.digest)] = d
            if mediatype.is_index(d.media_type) and self.exists(d):
                raw = read_capped(self._blob_path(d), MAX_MANIFEST_BYTES)
                node = parse_manifest(d.media_type, raw)
                if isinstance(node, Index):
                    todo.extend(node.manifests)
        return list(seen.values())

    def referrers(self, desc: Descriptor, artifact_type: str = "") -> list[Descriptor]:
        """Manifests in the layout whose ``subject`` is ``desc``."""
        out = []
        for d in self.manifests():
            if not self.exists(d):
                continue
            node = parse_manifest(d.media_type, read_capped(self._blob_path(d), MAX_MANIFEST_BYTES))
            if node.subject is None or node.subject.digest != desc.digest:
                continue
            at = node.artifact_type or (node.config.media_type if isinstance(node, Manifest)
                                        else "")
            if artifact_type and at != artifact_type:
                continue
            out.append(Descriptor(d.media_type, d.digest, d.size,
                                  annotations=dict(node.annotations), artifact_type=at))
        return out

    @classmethod
    def from_tar(cls, tar_path: str, into: str) -> OCILayoutStore:
        """Open a layout packed as a tar file, unpacked into the empty directory ``into``.

        Only ``oci-layout``, ``index.json`` and ``blobs/<alg>/<hex>`` regular files are taken.
        """
        import tarfile

        allowed = re.compile(r"(?:\./)?(oci-layout|index\.json|blobs/sha(?:256|512)/[a-f0-9]{64,128})")
        try:
            with tarfile.open(tar_path, "r:*") as tar:
                for member in tar:
                    m = allowed.fullmatch(member.name)
                    if not m or not member.isreg():
                        continue
                    dest = os.path.join(into, *m.group(1).split("/"))
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    src = tar.extractfile(member)
                    assert src is not None
                    with open(dest, "wb") as f:
                        while data := src.read(CHUNK_SIZE):
                            f.write(data)
        except tarfile.TarError as e:
            raise InvalidManifestError(f"{tar_path}: not a readable OCI layout tar: {e}") from None
        return cls(into, create=False)


def _strip_ref(desc: Descriptor) -> Descriptor:
    ann = {k: v for k, v in desc.annotations.items() if k != REF_NAME}
    return desc.with_annotations(ann)
