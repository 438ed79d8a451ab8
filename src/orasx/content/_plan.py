"""What a copy knows of its destination beforehand, and the optional capability that plans a push.

A push to a registry learns what the repository holds while the files are hashed (the tag's
manifest, another tag's, whether the repository is new), uploads big files while it hashes them,
and sends the config beside the first of those. A destination that can do this implements
:class:`PushPlanner`; a push to any other store asks it as the copy goes (local stores answer
without a round trip).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from orasx.descriptor import Descriptor
from orasx.digest import Digest, Readable


@dataclass(frozen=True)
class DestinationFacts:
    """What the caller of a copy knows of the destination, so that no request asks it again.

    ``present``: digests it holds (no existence check is made). ``sent``: digests the caller
    uploaded itself just before (no request; reported as copied: ``on_start``, ``on_copied``).
    ``missing``: digests it lacks (not asked about). ``empty``: it holds nothing but ``present``
    and ``sent`` (a new repository): nothing is asked at all (a wrong guess only re-uploads).
    """

    present: frozenset[Digest] = frozenset()
    sent: frozenset[Digest] = frozenset()
    missing: frozenset[Digest] = frozenset()
    empty: bool = False

    def holds(self, digest: Digest) -> bool | None:
        """True or False when known, None when the destination must be asked."""
        if digest in self.present or digest in self.sent:
            return True
        if self.empty or digest in self.missing:
            return False
        return None


#: ``watch(pending, stream)``: the stream to send for a file whose digest is not known yet
#: (``pending`` carries :data:`PENDING_DIGEST`, the title and the size), e.g. one that reports
#: progress; called as its upload starts.
UploadWatcher = Callable[[Descriptor, Readable], Readable]

#: The digest a blob is reported with while it is hashed as it uploads (not known yet).
PENDING_DIGEST = Digest("sha256", "0" * 64)


class PushPlan(Protocol):
    """One push's knowledge of its destination (from :meth:`PushPlanner.plan_push`).

    Used as a context manager: on the way out, work it started in the background is waited for.
    """

    def upload(self, path: str, title: str, media_type: str) -> Descriptor | None:
        """Upload the file at ``path`` now, hashing it as it goes out, when that pays (a big
        file the destination most likely lacks): its descriptor; None: hash it and copy it as
        usual."""
        ...

    def beside_first_upload(self, start: Callable[[], None]) -> None:
        """Run ``start`` in the background as the first :meth:`upload` begins (the config goes
        out beside a big file, not two round trips after it)."""
        ...

    def started_beside(self) -> bool:
        """Wait for what :meth:`beside_first_upload` started (its failure is raised here);
        False when it never started."""
        ...

    def holds(self, desc: Descriptor) -> bool:
        """Does the destination hold the manifest ``desc`` already (the push then only tags)?
        Asked once: a manifest found missing is not asked about again by the copy."""
        ...

    def facts(self, present: frozenset[Digest] = frozenset()) -> DestinationFacts:
        """What the copy may take as known (``present``: digests the caller knows are there)."""
        ...

    def __enter__(self) -> PushPlan: ...

    def __exit__(self, *exc: object) -> None: ...


@runtime_checkable
class PushPlanner(Protocol):
    """A destination that plans a push itself (a registry repository)."""

    def plan_push(self, reference: str, *, watch: UploadWatcher | None = None) -> PushPlan:
        """Start learning what the destination holds for a push to ``reference`` (a tag, a
        digest or ``""``); ``watch`` sees each file uploaded while it is hashed."""
        ...
