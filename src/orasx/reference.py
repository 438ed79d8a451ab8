"""References to content in a registry: ``registry/repository[:tag][@digest]``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from orasx.digest import Digest, parse_digest
from orasx.errors import InvalidDigestError, InvalidReferenceError

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
)
_MAX_REPOSITORY = 255


def is_valid_tag(tag: str) -> bool:
    return bool(_TAG.fullmatch(tag))


@dataclass(frozen=True)
class Reference:
    """A parsed reference. ``tag`` and ``digest`` are optional; a digest wins over a tag."""

    registry: str
    repository: str
    tag: str | None = None
    digest: Digest | None = None

    def __post_init__(self) -> None:
        if not _HOST.fullmatch(self.registry):
            raise InvalidReferenceError(f"invalid registry {self.registry!r}")
        if len(self.repository) > _MAX_REPOSITORY or not _REPOSITORY.fullmatch(self.repository):
            raise InvalidReferenceError(
                f"invalid repository {self.repository!r}: use lower-case letters, digits and "
                "separators (., _, __, -, /)"
            )
        if self.tag is not None and not _TAG.fullmatch(self.tag):
            raise InvalidReferenceError(
                f"invalid tag {self.tag!r}: use up to 128 letters, digits, '_', '.' and '-'"
            )

    @property
    def reference(self) -> str:
        """The digest if there is one, else the tag, else ``""``."""
        if self.digest is not None:
            return str(self.digest)
        return self.tag or ""

    def with_reference(self, ref: str | Digest | None) -> Reference:
        """The same repository with another tag or digest (or none)."""
        if ref is None or ref == "":
            return Reference(self.registry, self.repository)
        if isinstance(ref, Digest):
            return Reference(self.registry, self.repository, digest=ref)
        if ":" in ref:
            return Reference(self.registry, self.repository, digest=parse_digest(ref))
        return Reference(self.registry, self.repository, tag=ref)

    def __str__(self) -> str:
        s = f"{self.registry}/{self.repository}"
        if self.tag is not None:
            s += f":{self.tag}"
        if self.digest is not None:
            s += f"@{self.digest}"
        return s


def parse_reference(s: str) -> Reference:
    """Parse ``registry/repository[:tag][@digest]``; the registry part is required."""
    if not s or "/" not in s:
        raise InvalidReferenceError(
            f"invalid reference {s!r}: expected registry/repository[:tag|@digest], "
            "e.g. localhost:5000/hello:v1"
        )
    registry, _, rest = s.partition("/")
    digest: Digest | None = None
    if "@" in rest:
        rest, _, dgst = rest.partition("@")
        try:
            digest = parse_digest(dgst)
        except InvalidDigestError as e:
            raise InvalidReferenceError(f"invalid reference {s!r}: {e}") from None
    tag: str | None = None
    if ":" in rest:
        rest, _, tag = rest.rpartition(":")
    try:
        return Reference(registry, rest, tag, digest)
    except InvalidReferenceError as e:
        raise InvalidReferenceError(f"invalid reference {s!r}: {e}") from None


def split_tags(s: str) -> tuple[str, list[str]]:
    """``reg/repo:t1,t2`` -> (``reg/repo:t1``, [``t1``, ``t2``]); the list is empty without tags."""
    head, sep, tail = s.rpartition(":")
    if not sep or "/" in tail or "@" in s or "," not in tail:
        return s, []
    tags = tail.split(",")
    for t in tags:
        if not is_valid_tag(t):
            raise InvalidReferenceError(f"invalid tag {t!r} in {s!r}")
    return f"{head}:{tags[0]}", tags


def parse_layout_reference(s: str) -> tuple[str, str]:
    """``path[:tag|@digest]`` -> (path, tag-or-digest or ``""``) for an OCI layout target."""
    if "@" in s:
        path, _, dgst = s.rpartition("@")
        try:
            parse_digest(dgst)
        except InvalidDigestError:
            pass
        else:
            return path, dgst
    path, sep, tag = s.rpartition(":")
    if sep and path and "/" not in tag and "\\" not in tag and tag and is_valid_tag(tag):
        return path, tag
    return s, ""
