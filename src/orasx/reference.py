"""References to content in a registry: ``registry/repository[:tag][@digest]``."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import overload

from orasx._gostr import go_quote
from orasx.digest import Digest, parse_digest
from orasx.errors import InvalidDigestError, InvalidReferenceError, Reason

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
)
_MAX_REPOSITORY = 255
_WINDOWS = sys.platform == "win32"


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


_GO_DIGEST = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}


def digest_problem(s: str) -> str:
    """Why ``s`` is not a digest, in go-digest's words (``""``: go-digest would accept it)."""
    i = s.find(":")
    if i <= 0 or i + 1 == len(s):
        return "invalid checksum digest format"
    algorithm, encoded = s[:i], s[i + 1:]
    if algorithm not in _DIGEST_LENGTHS:
        if not _GO_DIGEST.fullmatch(s):
            return "invalid checksum digest format"
        return "unsupported digest algorithm"
    if len(encoded) != _DIGEST_LENGTHS[algorithm]:
        return "invalid checksum digest length"
    if not re.fullmatch(r"[a-f0-9]+", encoded):
        return "invalid checksum digest format"
    return ""


def is_go_digest(s: str) -> bool:
    """Would go-digest's ``Parse`` accept ``s`` (``sha256:<64 hex>``, ``sha384``, ``sha512``)?"""
    return not digest_problem(s)


def _invalid(s: str, problem: str) -> InvalidReferenceError:
    """The error for reference ``s``, in the Go CLI's words: ``"<s>": invalid reference:
    <problem>``; its reason ``"reference-form"`` lets the CLI show the reference's form."""
    return InvalidReferenceError(f"{go_quote(s)}: invalid reference: {problem}",
                                 reason=Reason.REFERENCE_FORM)


def parse_reference(s: str) -> Reference:
    """Parse ``registry/repository[:tag][@digest]``; the registry part is required.

    Split as oras-go does: the registry ends at the first ``/``, the tag starts at the first
    ``:`` after it. Errors name the part that is wrong as oras-go does (``"<s>": invalid
    reference: invalid tag "v1:v2"``)."""
    parsed = _parse(s)
    if isinstance(parsed, str):
        raise _invalid(s, parsed)
    return parsed


def reference_problem(s: str) -> str:
    """Why ``s`` is no reference, in oras-go's words after ``invalid reference: `` (``invalid
    repository "A"``), or ``""`` when it parses."""
    parsed = _parse(s)
    return parsed if isinstance(parsed, str) else ""


def _parse(s: str) -> Reference | str:
    """The reference, or what is wrong with it."""
    registry, slash, rest = s.partition("/")
    if not slash:  # oras-go: "/r" has an empty registry, "r/" an empty repository
        return "missing registry or repository"
    digest: Digest | None = None
    dgst = ""
    if "@" in rest:
        rest, _, dgst = rest.partition("@")
    tag: str | None = None
    if ":" in rest:
        rest, _, tag = rest.partition(":")
    if not _HOST.fullmatch(registry):
        return f"invalid registry {go_quote(registry)}"
    if len(rest) > _MAX_REPOSITORY or not _REPOSITORY.fullmatch(rest):
        return f"invalid repository {go_quote(rest)}"
    if dgst or "@" in s:
        try:
            digest = parse_digest(dgst)
        except InvalidDigestError as e:
            problem = digest_problem(dgst) or str(e)
            return f"invalid digest {go_quote(dgst)}: {problem}"
    if tag is not None and not _TAG.fullmatch(tag):
        return f"invalid tag {go_quote(tag)}"
    return Reference(registry, rest, tag, digest)  # every check of __post_init__ passed above


@dataclass(frozen=True)
class LayoutReference:
    """A tag or digest in the OCI image layout at ``path`` (the CLI's ``--oci-layout-path``).

    ``reference`` is the tag or digest as typed, taken whole (``""``: none): any text is a tag
    here (the Go CLI tags ``example.com:test`` or ``localhost:5000/repo:v1`` this way), a digest
    is a digest. ``path`` is the layout's directory. Where a plain ``dir[:tag|@digest]`` string
    would be split, this one is not. ``str()`` gives ``reference`` (what the Go CLI shows).
    """

    reference: str
    path: str

    def __str__(self) -> str:
        return self.reference


@overload
def split_tags(s: str) -> tuple[str, list[str]]: ...


@overload
def split_tags(s: LayoutReference) -> tuple[LayoutReference, list[str]]: ...


def split_tags(s: str | LayoutReference) -> tuple[str | LayoutReference, list[str]]:
    """``reg/repo:t1,t2`` -> (``reg/repo:t1``, [``t1``, ``t2``]); the list is empty without tags.
    A :class:`LayoutReference` splits at every comma, each part a tag taken whole (the Go CLI's
    ``strings.Split``), and stays one."""
    if isinstance(s, LayoutReference):
        first, *rest = s.reference.split(",")
        return LayoutReference(first, s.path), [first, *rest] if rest else []
    head, sep, tail = s.rpartition(":")
    if not sep or "/" in tail or "@" in s or "," not in tail:
        return s, []
    tags = tail.split(",")
    for t in tags:
        if not is_valid_tag(t):
            raise InvalidReferenceError(f"invalid tag {t!r} in {s!r}")
    return f"{head}:{tags[0]}", tags


def parse_layout_reference(s: str) -> tuple[str, str]:
    """``path[:tag|@digest]`` -> (path, tag-or-digest or ``""``) for an OCI layout target.

    Split as the Go CLI does: at the last ``@`` if there is one, else at the last ``:`` (not the
    drive letter's on Windows). Whatever follows is the tag or digest, taken whole: a layout takes
    any non-empty tag (``DIR:sp ace``, ``DIR:.bad``), and ``DIR:`` names no tag. An empty path is
    refused (``found empty file path in ":v1"``).
    """
    if "@" in s:
        path, _, ref = s.rpartition("@")
        return path, ref
    i = s.rfind(":")
    if i < 0 or (i == 1 and _WINDOWS):
        path, ref = s, ""
    else:
        path, ref = s[:i], s[i + 1:]
    if not path:
        raise InvalidReferenceError(f"found empty file path in {go_quote(s)}\ninvalid reference")
    return path, ref
