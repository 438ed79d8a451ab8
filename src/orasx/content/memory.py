"""A store that keeps everything in memory (for small content, tests and packing)."""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping

from orasx.content import Readable, read_all
from orasx.descriptor import Descriptor
from orasx.digest import Digest, parse_digest
from orasx.errors import NotFoundError, Reason

#: Memory stores hold small things; a blob larger than this is refused.
MAX_MEMORY_BLOB = 256 * 1024 * 1024


class MemoryStore:
    """A :class:`~orasx.content.Target` held in memory."""

    def __init__(self) -> None:
        self._blobs: dict[Digest, tuple[Descriptor, bytes]] = {}
        self._tags: dict[str, Descriptor] = {}
        self._lock = threading.Lock()

    def fetch(self, desc: Descriptor) -> Readable:
        with self._lock:
            found = self._blobs.get(desc.digest)
        if found is None:
            raise NotFoundError(f"{desc.digest}: not found in memory store", reason=Reason.NOT_IN_STORE)
        return io.BytesIO(found[1])

    def push(self, desc: Descriptor, content: Readable) -> None:
        data = read_all(content, desc, limit=MAX_MEMORY_BLOB)
        with self._lock:
            self._blobs.setdefault(desc.digest, (desc, data))

    def push_bytes(
        self, media_type: str, data: bytes, annotations: Mapping[str, str] | None = None
    ) -> Descriptor:
        """Add ``data`` and return its descriptor (with ``annotations``, e.g. a title)."""
        desc = Descriptor.from_bytes(media_type, data, annotations=annotations or {})
        self.push(desc, io.BytesIO(data))
        return desc

    def exists(self, desc: Descriptor) -> bool:
        with self._lock:
            return desc.digest in self._blobs

    def resolve(self, reference: str) -> Descriptor:
        with self._lock:
            if reference in self._tags:
                return self._tags[reference]
        if ":" in reference:
            digest = parse_digest(reference)
            with self._lock:
                found = self._blobs.get(digest)
            if found is not None:
                return found[0]
        raise NotFoundError(f"{reference}: not found in memory store", reason=Reason.NOT_IN_STORE)

    def tag(self, desc: Descriptor, reference: str) -> None:
        if not self.exists(desc):
            raise NotFoundError(f"{desc.digest}: cannot tag content the store does not hold")
        with self._lock:
            self._tags[reference] = desc

    def tags(self, *, last: str = "", page_size: int = 0) -> list[str]:
        with self._lock:
            return sorted(t for t in self._tags if not last or t > last)
