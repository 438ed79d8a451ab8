"""A repository on a remote registry, over the OCI distribution API, as a store.

:class:`Repository` is a small facade, as oras-go's ``remote.Repository``: blobs go to a
:class:`~orasx.registry._blobs.BlobStore` (downloads that resume, uploads in
:mod:`~orasx.registry._uploads`, mount), manifests to a
:class:`~orasx.registry._manifests.ManifestStore` (resolve, tags, delete), referrers to a
:class:`~orasx.registry._referrers.ReferrerStore` (API or tag schema). URLs are built in
:mod:`~orasx.registry._urls`, errors mapped in :mod:`~orasx.registry._errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from orasx import mediatype
from orasx.content import Readable, UploadWatcher
from orasx.descriptor import Descriptor
from orasx.digest import Digest
from orasx.reference import Reference, parse_reference
from orasx.registry._blobs import BlobStore
from orasx.registry._errors import MAX_ERROR_BYTES
from orasx.registry._http import Client
from orasx.registry._listing import MAX_PAGES, paginate
from orasx.registry._manifests import ManifestStore
from orasx.registry._pushplan import RegistryPushPlan
from orasx.registry._ranges import fetch_range
from orasx.registry._referrers import ReferrerStore, referrers_tag
from orasx.registry._streams import push_stream
from orasx.registry._urls import RepositoryURLs, catalog_url, registry_host, repository_path

__all__ = [
    "MAX_ERROR_BYTES",
    "MAX_PAGES",
    "Registry",
    "Repository",
    "referrers_tag",
    "registry_host",
    "repository_path",
]


class Repository:
    """One repository (``registry/name``) on a registry; a :class:`~orasx.content.Target`."""

    def __init__(
        self,
        reference: Reference | str,
        client: Client | None = None,
        *,
        referrers_capability: str | None = None,
        referrers_gc: bool = False,
    ) -> None:
        """``referrers_capability``: ``"api"`` or ``"tag"`` forces how referrers are read and
        written (``--distribution-spec``); ``None`` detects it. ``referrers_gc``: on a registry
        without the referrers API, delete the referrers index an update supersedes (oras-go's
        default); off by default, as in the Go CLI, so a concurrent reader never loses it."""
        if isinstance(reference, str):
            reference = parse_reference(reference)
        self.reference = reference
        self.client = client or Client()
        self.registry = reference.registry
        self.host = registry_host(reference.registry)
        urls = RepositoryURLs.build(reference.registry, reference.repository,
                                    self.client.base_url(self.host))
        self.name = urls.name
        self._blobs = BlobStore(self.client, urls, self.host)
        self._referrers = ReferrerStore(self.client, urls, referrers_capability, referrers_gc)
        self._manifests = ManifestStore(self.client, urls, self._referrers)

    def __repr__(self) -> str:
        return f"Repository({self.registry}/{self.name})"

    # -- settings --------------------------------------------------------------------------
    @property
    def referrers_capability(self) -> str | None:
        """``"api"``, ``"tag"``, or None while not known (detected on first use)."""
        return self._referrers.capability

    @referrers_capability.setter
    def referrers_capability(self, value: str | None) -> None:
        self._referrers.capability = value

    @property
    def chunked_threshold(self) -> int:
        """Blobs at least this big are uploaded in chunks (resumable); smaller ones in one PUT."""
        return self._blobs.uploader.chunked_threshold

    @chunked_threshold.setter
    def chunked_threshold(self, value: int) -> None:
        self._blobs.uploader.chunked_threshold = value

    @property
    def chunk_size(self) -> int:
        """Chunk size for chunked uploads (raised to the registry's ``OCI-Chunk-Min-Length``)."""
        return self._blobs.uploader.chunk_size

    @chunk_size.setter
    def chunk_size(self, value: int) -> None:
        self._blobs.uploader.chunk_size = value

    # -- Fetcher / ReadOnlyStorage ------------------------------------------------------------
    def fetch(self, desc: Descriptor) -> Readable:
        if mediatype.is_manifest_like(desc.media_type):
            return self._manifests.fetch(desc)
        return self._blobs.fetch(desc)

    def fetch_range(self, desc: Descriptor, offset: int, length: int) -> bytes:
        """``length`` bytes of the blob ``desc`` from ``offset`` (a ranged ``GET``; not digest
        checked: read the whole blob, or through the cache, where that matters)."""
        return fetch_range(self.client, self._blobs.urls, self._blobs.pull_scopes, desc.digest,
                           offset, length)

    def push_stream(self, media_type: str, stream: Readable,
                    annotations: dict[str, str] | None = None) -> Descriptor:
        """Upload a stream of unknown length as a blob (chunks hashed as they go out); returns
        its descriptor."""
        return push_stream(self.client, self._blobs.urls, self._blobs.push_scopes, media_type,
                           stream, annotations)

    def plan_push(self, reference: str, *, watch: UploadWatcher | None = None,
                  ) -> RegistryPushPlan:
        """Plan a push to ``reference`` (:class:`~orasx.content.PushPlanner`): what the
        repository holds is asked in the background while the files are hashed; big files of a
        first push are hashed while they upload (``watch`` sees each)."""
        return RegistryPushPlan(self, reference, watch)

    def blob_descriptor(self, digest: Digest) -> Descriptor:
        """Describe a blob known only by its digest (``HEAD``: its size)."""
        return self._blobs.describe(digest)

    def exists(self, desc: Descriptor) -> bool:
        if mediatype.is_manifest_like(desc.media_type):
            return self._manifests.exists(desc)
        return self._blobs.exists(desc)

    # -- Pusher ----------------------------------------------------------------------------
    def push(self, desc: Descriptor, content: Readable) -> None:
        if mediatype.is_manifest_like(desc.media_type):
            self._manifests.push_reference(desc, content, str(desc.digest))
        else:
            self._blobs.push(desc, content)

    def push_reference(self, desc: Descriptor, content: Readable, reference: str) -> None:
        """Push a manifest under ``reference`` (a tag or its digest) in one request."""
        self._manifests.push_reference(desc, content, reference)

    # -- Resolver / Tagger -----------------------------------------------------------------
    def resolve(self, reference: str) -> Descriptor:
        return self._manifests.resolve(reference)

    def fetch_reference(self, reference: str, *, head: bool = False) -> tuple[Descriptor, bytes]:
        """Resolve and (unless ``head``) fetch a manifest by tag or digest.

        The digest is computed from the bytes we received; a digest reference must match it.
        """
        return self._manifests.fetch_reference(reference, head=head)

    def tag(self, desc: Descriptor, reference: str) -> None:
        self._manifests.tag(desc, reference)

    # -- listing ---------------------------------------------------------------------------
    def tags(self, *, last: str = "", page_size: int = 0) -> Iterator[str]:
        """Every tag, following ``Link`` pagination on the same origin only."""
        return self._manifests.tags(last=last, page_size=page_size)

    # -- delete ----------------------------------------------------------------------------
    def delete(self, desc: Descriptor) -> None:
        """Delete a manifest or blob by digest (and drop it from a referrers tag index)."""
        if mediatype.is_manifest_like(desc.media_type):
            self._manifests.delete(desc)
        else:
            self._blobs.delete(desc)

    # -- referrers -------------------------------------------------------------------------
    def referrers(self, desc: Descriptor, artifact_type: str = "") -> list[Descriptor]:
        """Manifests whose ``subject`` is ``desc``: the referrers API, or the tag schema."""
        return self._referrers.referrers(self._manifests, desc, artifact_type)

    # -- mount -----------------------------------------------------------------------------
    def mount(self, desc: Descriptor, from_repository: str) -> bool:
        """Cross-repository mount (``POST ?mount=&from=``); False when the registry declined."""
        return self._blobs.mount(desc, from_repository)

    def mount_from(self, source: object) -> Callable[[Descriptor], bool] | None:
        """Mount blobs of ``source`` when it is another repository of this registry reached with
        the same credentials (never across credentials); None otherwise."""
        if not isinstance(source, Repository):
            return None
        if source.host != self.host or source.name == self.name:
            return None
        if source.client.credential_for(source.host) != self.client.credential_for(self.host):
            return None
        name = source.name
        return lambda desc: self.mount(desc, name)


class Registry:
    """A registry as a whole: the repository catalog."""

    def __init__(self, host: str, client: Client | None = None) -> None:
        self.host = host
        self.client = client or Client()
        self._base_url = self.client.base_url(registry_host(host))

    def repositories(self, *, last: str = "", page_size: int = 0) -> Iterator[str]:
        url = catalog_url(self._base_url, last=last, page_size=page_size)
        return paginate(self.client, url, "repositories", ("registry:catalog:*",), self.host,
                        self.host)
