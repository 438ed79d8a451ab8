"""Referrers of a manifest: the referrers API, or the referrers tag schema and its index.

A registry with the referrers API (``GET /v2/<name>/referrers/<digest>``) keeps the list itself;
on one without it, referrers are listed in an OCI index tagged ``<alg>-<ref>`` which a client
updates on every push and delete of a manifest with a ``subject``. ``capability`` records which
of the two this registry uses (``"api"``, ``"tag"``, or None: not known yet).
"""

from __future__ import annotations

import contextlib
import io
from typing import Protocol

from orasx import mediatype
from orasx.content import Readable
from orasx.descriptor import Descriptor, canonical_json
from orasx.digest import Digest
from orasx.errors import InvalidManifestError, NotFoundError, RegistryError
from orasx.manifest import Index, Manifest, parse_manifest
from orasx.registry import auth
from orasx.registry._errors import is_name_unknown, registry_error
from orasx.registry._http import Client
from orasx.registry._listing import ListLimits, follow_pages
from orasx.registry._urls import RepositoryURLs


class ManifestOps(Protocol):
    """The manifest operations the tag schema is kept with (the repository's manifest store)."""

    def fetch_reference(self, reference: str, *, head: bool = False) -> tuple[Descriptor, bytes]:
        ...

    def push_reference(self, desc: Descriptor, content: Readable, reference: str) -> None: ...

    def delete(self, desc: Descriptor) -> None: ...


def referrers_tag(digest: Digest) -> str:
    """The referrers tag schema: ``<alg>-<ref>`` (ref truncated to 64 characters)."""
    return f"{digest.algorithm}-{digest.encoded[:64]}"


class ReferrerStore:
    """Lists referrers and keeps the referrers tag index of the repository at ``urls``."""

    def __init__(self, client: Client, urls: RepositoryURLs, capability: str | None,
                 gc: bool = False) -> None:
        self.client = client
        self.urls = urls
        self.capability = capability
        #: delete the index an update supersedes (oras-go's default); off, as the Go CLI sets
        #: ``SkipReferrersGC``: a reader that resolved the old index can still fetch it.
        self.gc = gc
        self.pull_scopes = (auth.repository_scope(urls.name, "pull"),)

    @property
    def keeps_index(self) -> bool:
        """Must pushes and deletes of manifests with a subject update the tag schema's index?"""
        return self.capability != "api"

    @property
    def limits(self) -> ListLimits:
        """How many referrers (and bytes of referrers pages) one manifest may have."""
        o = self.client.options
        return ListLimits(o.max_referrers, o.max_listing_bytes, "referrers", "max_referrers")

    def referrers(self, store: ManifestOps, desc: Descriptor,
                  artifact_type: str = "") -> list[Descriptor]:
        """Manifests whose ``subject`` is ``desc``: the referrers API, or the tag schema."""
        if self.capability != "tag":
            found = self._from_api(desc, artifact_type)
            if found is not None:
                return [d for d in found if not artifact_type or d.artifact_type == artifact_type]
            if self.capability == "api":
                return []
            self.capability = "tag"
        try:
            _, raw = store.fetch_reference(referrers_tag(desc.digest))
        except NotFoundError:
            return []
        found = index_manifests(raw)
        self.limits.check_items(len(found), self.urls.ref(desc.digest))
        return [d for d in found if not artifact_type or d.artifact_type == artifact_type]

    def _from_api(self, desc: Descriptor, artifact_type: str) -> list[Descriptor] | None:
        """The referrers API's answer, every page of it; None when the registry has no API."""
        what = self.urls.ref(desc.digest)
        accept = {"Accept": mediatype.OCI_INDEX}
        resp = self.client.request("GET", self.urls.referrers(desc.digest, artifact_type),
                                   headers=accept, scopes=self.pull_scopes, metadata=True)
        ctype = mediatype.strip_parameters(resp.header("Content-Type"))
        if resp.status == 200 and ctype == mediatype.OCI_INDEX:
            self.capability = "api"
            limits = self.limits
            found: list[Descriptor] = []
            for body in follow_pages(self.client, resp, what=what, registry=self.urls.registry,
                                     scopes=self.pull_scopes, limits=limits, headers=accept):
                found += index_manifests(body)
                limits.check_items(len(found), what)
            return found
        if resp.status == 404 and is_name_unknown(resp):
            raise NotFoundError(f"{self.urls.registry}/{self.urls.name}: repository not found")
        if resp.status not in (404, 200) and self.capability == "api":
            raise registry_error(resp, "GET", what, self.urls.registry)
        resp.discard()
        return None

    def pushed(self, store: ManifestOps, desc: Descriptor, raw: bytes, subject_header: str) -> None:
        """A manifest was pushed (the registry answered ``OCI-Subject: subject_header``)."""
        if subject_header and self.capability is None:
            self.capability = "api"
        if self.keeps_index:
            subject = subject_of(desc, raw)
            if subject is not None:
                self.update_index(store, subject, add=referrer_entry(desc, raw))

    def update_index(
        self, store: ManifestOps, subject: Descriptor, *, add: Descriptor | None = None,
        remove: Digest | None = None,
    ) -> None:
        """Add or remove a referrer in the index tagged for ``subject`` (the tag schema)."""
        tag = referrers_tag(subject.digest)
        old: Descriptor | None = None
        manifests: list[Descriptor] = []
        try:
            old, raw = store.fetch_reference(tag)
            manifests = list(index_manifests(raw))
        except NotFoundError:
            pass
        if add is not None and not any(m.digest == add.digest for m in manifests):
            manifests.append(add)
        if remove is not None:
            manifests = [m for m in manifests if m.digest != remove]
        doc = {"schemaVersion": 2, "mediaType": mediatype.OCI_INDEX,
               "manifests": [m.to_dict() for m in manifests]}
        raw_new = canonical_json(doc)
        new = Descriptor.from_bytes(mediatype.OCI_INDEX, raw_new)
        if old is not None and old.digest == new.digest:
            return
        store.push_reference(new, io.BytesIO(raw_new), tag)
        if old is not None and self.gc:
            # The old index is garbage now; registries that cannot delete keep it (ignored).
            with contextlib.suppress(RegistryError, NotFoundError):
                store.delete(old)


def index_manifests(raw: bytes) -> list[Descriptor]:
    node = parse_manifest(mediatype.OCI_INDEX, raw)
    assert isinstance(node, Index)
    return list(node.manifests)


def subject_of(desc: Descriptor, raw: bytes) -> Descriptor | None:
    """The ``subject`` of a manifest, if it has one (and parses)."""
    if not mediatype.is_manifest_like(desc.media_type):
        return None
    try:
        return parse_manifest(desc.media_type, raw).subject
    except InvalidManifestError:
        return None


def referrer_entry(desc: Descriptor, raw: bytes) -> Descriptor:
    """How a referrer is listed in a referrers index: its artifactType and annotations."""
    node = parse_manifest(desc.media_type, raw)
    artifact_type = node.artifact_type
    if not artifact_type and isinstance(node, Manifest):
        artifact_type = node.config.media_type
    return Descriptor(desc.media_type, desc.digest, desc.size,
                      annotations=dict(node.annotations), artifact_type=artifact_type)
