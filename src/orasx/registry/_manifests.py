"""The manifest store of a remote repository: resolve, fetch, push by tag or digest, tag, delete
and list tags (oras-go's ``manifestStore``); pushes and deletes keep the referrers tag index."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

from orasx import mediatype
from orasx.content import Readable, read_all
from orasx.descriptor import Descriptor
from orasx.digest import Digest, parse_digest
from orasx.errors import NotFoundError, RegistryError, SizeLimitError, VerificationError
from orasx.manifest import MAX_MANIFEST_BYTES
from orasx.registry import auth
from orasx.registry._errors import expect_content, expect_deleted, not_found, registry_error
from orasx.registry._http import Client, Response
from orasx.registry._listing import paginate
from orasx.registry._referrers import ReferrerStore, subject_of
from orasx.registry._urls import RepositoryURLs

ACCEPT_MANIFESTS = ", ".join(mediatype.ALL_MANIFEST_TYPES)


class ManifestStore:
    """The manifests and tags of the repository at ``urls``; ``referrers`` keeps its index."""

    def __init__(self, client: Client, urls: RepositoryURLs, referrers: ReferrerStore) -> None:
        self.client = client
        self.urls = urls
        self.referrers = referrers
        self.pull_scopes = (auth.repository_scope(urls.name, "pull"),)
        self.push_scopes = (auth.repository_scope(urls.name, "pull", "push"),)

    def fetch(self, desc: Descriptor) -> Response:
        """Open a manifest by its descriptor (the caller verifies what it reads)."""
        what = self.urls.ref(desc.digest)
        resp = self.client.request(
            "GET", self.urls.manifest(desc.digest),
            headers={"Accept": ACCEPT_MANIFESTS, "Accept-Encoding": "identity"},
            scopes=self.pull_scopes, metadata=True,
        )
        expect_content(resp, what, self.urls.registry, desc.size)
        return resp

    def exists(self, desc: Descriptor) -> bool:
        resp = self.client.request("HEAD", self.urls.manifest(desc.digest),
                                   headers={"Accept": ACCEPT_MANIFESTS}, scopes=self.pull_scopes,
                                   metadata=True)
        resp.discard()
        if resp.status == 200:
            return True
        if resp.status == 404:
            return False
        raise registry_error(resp, "HEAD", self.urls.ref(desc.digest), self.urls.registry)

    def resolve(self, reference: str) -> Descriptor:
        desc, _ = self.fetch_reference(reference, head=True)
        return desc

    def fetch_reference(self, reference: str, *, head: bool = False) -> tuple[Descriptor, bytes]:
        """Resolve and (unless ``head``) fetch a manifest by tag or digest.

        The digest is computed from the bytes we received; a digest reference must match it.
        """
        what = self.urls.ref(reference)
        want = parse_digest(reference) if ":" in reference else None
        method = "HEAD" if head else "GET"
        resp = self.client.request(method, self.urls.manifest(reference),
                                   headers={"Accept": ACCEPT_MANIFESTS}, scopes=self.pull_scopes,
                                   metadata=True)
        if resp.status == 404:
            raise not_found(resp, what)
        if resp.status != 200:
            raise registry_error(resp, method, what, self.urls.registry)
        media_type = mediatype.strip_parameters(resp.header("Content-Type"))
        if not mediatype.is_manifest_like(media_type):
            resp.discard()
            raise RegistryError(f"{what}: registry served {media_type!r}, not a manifest")
        if head:
            resp.discard()
            header = resp.header("Docker-Content-Digest")
            length = resp.content_length(what)
            if header and length is not None:
                digest = parse_digest(header)
                if want is not None and digest != want:
                    raise VerificationError(f"{what}: registry answered with digest {digest}")
                return Descriptor(media_type, digest, length), b""
            return self.fetch_reference(reference)
        try:
            raw = resp.read_capped(MAX_MANIFEST_BYTES)
        finally:
            resp.close()
        if len(raw) > MAX_MANIFEST_BYTES:
            raise SizeLimitError(f"{what}: manifest is over the 4 MiB limit")
        digest = Digest.from_bytes(raw, want.algorithm if want else "sha256")
        if want is not None and digest != want:
            raise VerificationError(f"{what}: manifest content hashes to {digest}")
        header = resp.header("Docker-Content-Digest")
        if want is None and header and header.startswith("sha256:") and header != str(digest):
            raise VerificationError(
                f"{what}: registry says the manifest is {header}, its content hashes to {digest}"
            )
        return Descriptor(media_type, digest, len(raw)), raw

    def push_reference(self, desc: Descriptor, content: Readable, reference: str) -> None:
        """Push a manifest under ``reference`` (a tag or its digest) in one request."""
        raw = read_all(content, desc)
        what = self.urls.ref(reference)
        resp = self.client.request("PUT", self.urls.manifest(reference),
                                   headers={"Content-Type": desc.media_type}, body=raw,
                                   scopes=self.push_scopes, metadata=True)
        if resp.status not in (201, 200, 202, 204):
            raise registry_error(resp, "PUT", what, self.urls.registry)
        got = resp.header("Docker-Content-Digest")
        subject_header = resp.header("OCI-Subject")
        resp.discard()
        if got and got != str(desc.digest):
            raise VerificationError(
                f"{what}: registry stored the manifest as {got}, expected {desc.digest}"
            )
        self.referrers.pushed(self, desc, raw, subject_header)

    def tag(self, desc: Descriptor, reference: str) -> None:
        _, raw = self.fetch_reference(str(desc.digest))
        self.push_reference(desc, io.BytesIO(raw), reference)

    def tags(self, *, last: str = "", page_size: int = 0) -> Iterator[str]:
        """Every tag, following ``Link`` pagination on the same origin only."""
        return paginate(self.client, self.urls.tags(last=last, page_size=page_size), "tags",
                        self.pull_scopes, f"{self.urls.registry}/{self.urls.name}",
                        self.urls.registry)

    def delete(self, desc: Descriptor) -> None:
        """Delete a manifest by digest (and drop it from a referrers tag index)."""
        what = self.urls.ref(desc.digest)
        raw = b""
        if self.referrers.keeps_index:
            with contextlib.suppress(NotFoundError):
                _, raw = self.fetch_reference(str(desc.digest))
        resp = self.client.request("DELETE", self.urls.manifest(desc.digest),
                                   scopes=(auth.repository_scope(self.urls.name, "delete"),),
                                   metadata=True)
        expect_deleted(resp, what, self.urls.registry)
        subject = subject_of(desc, raw) if raw else None
        if subject is not None:
            self.referrers.update_index(self, subject, remove=desc.digest)
