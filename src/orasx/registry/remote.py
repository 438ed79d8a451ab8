"""A repository on a remote registry, over the OCI distribution API, as a store."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import time
import urllib.parse
from collections.abc import Callable, Iterator

from orasx import mediatype
from orasx.content import Readable, read_all
from orasx.descriptor import Descriptor, canonical_json
from orasx.digest import CHUNK_SIZE, Digest, VerifyingReader, parse_digest
from orasx.errors import (
    AuthenticationError,
    InvalidManifestError,
    NetworkError,
    NotFoundError,
    OrasError,
    RegistryError,
    SizeLimitError,
    VerificationError,
)
from orasx.manifest import MAX_MANIFEST_BYTES, Index, Manifest, parse_manifest
from orasx.reference import Reference, parse_reference
from orasx.registry import auth
from orasx.registry._http import Client, Response, origin, redact_url

log = logging.getLogger(__name__)

MAX_ERROR_BYTES = 8 * 1024
#: The most pages a tag, repository or referrers listing may take.
MAX_PAGES = 1000
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')
_ACCEPT_MANIFESTS = ", ".join(mediatype.ALL_MANIFEST_TYPES)


def registry_host(registry: str) -> str:
    """The host to talk to for a registry name (Docker Hub's API lives on registry-1.docker.io)."""
    return "registry-1.docker.io" if registry in ("docker.io", "index.docker.io") else registry


def repository_path(registry: str, repository: str) -> str:
    """Docker Hub's single-name repositories live under ``library/``."""
    if registry_host(registry) == "registry-1.docker.io" and "/" not in repository:
        return f"library/{repository}"
    return repository


def _error(resp: Response, method: str, what: str, registry: str) -> RegistryError:
    """Turn an error response into the right exception, with the registry's error codes."""
    body = resp.read_capped(MAX_ERROR_BYTES)
    resp.discard()
    codes: list[str] = []
    messages: list[str] = []
    try:
        doc = json.loads(body)
        for err in doc.get("errors", []) if isinstance(doc, dict) else []:
            if isinstance(err, dict):
                codes.append(str(err.get("code", "")))
                if err.get("message"):
                    messages.append(str(err["message"]))
    except ValueError:
        pass
    detail = "; ".join(
        f"{c}: {m}" if m else c for c, m in zip(codes, messages + [""] * len(codes), strict=False)
    ) or (body[:200].decode(errors="replace").strip() if body else "")
    msg = f"{what}: {method} {redact_url(resp.url)} returned {resp.status}"
    if detail:
        msg += f": {detail}"
    cls: type[RegistryError] = RegistryError
    if resp.status == 401:
        cls, msg = AuthenticationError, f"{what}: unauthorized"
    elif resp.status == 403:
        cls, msg = AuthenticationError, (
            f"{what}: denied: the credentials lack permission for this repository"
        )
    reason = {401: "unauthorized", 403: "denied"}.get(resp.status, "")
    return cls(msg, method=method, url=redact_url(resp.url), status=resp.status,
               codes=tuple(codes), reason=reason, registry=registry)



class Repository:
    """One repository (``registry/name``) on a registry; a :class:`~orasx.content.Target`."""

    def __init__(
        self,
        reference: Reference | str,
        client: Client | None = None,
        *,
        referrers_capability: str | None = None,
    ) -> None:
        """``referrers_capability``: ``"api"`` or ``"tag"`` forces how referrers are read and
        written (``--distribution-spec``); ``None`` detects it."""
        self.referrers_capability = referrers_capability
        self._chunked = False
        if isinstance(reference, str):
            reference = parse_reference(reference)
        self.reference = reference
        self.client = client or Client()
        self.registry = reference.registry
        self.name = repository_path(reference.registry, reference.repository)
        self.host = registry_host(reference.registry)
        self._base = f"{self.client.base_url(self.host)}/v2/{self.name}"
        self._pull = (auth.repository_scope(self.name, "pull"),)
        self._push = (auth.repository_scope(self.name, "pull", "push"),)

    def __repr__(self) -> str:
        return f"Repository({self.registry}/{self.name})"

    # -- helpers ---------------------------------------------------------------------------
    def _ref(self, reference: str | Digest) -> str:
        return f"{self.registry}/{self.name}{'@' if ':' in str(reference) else ':'}{reference}"

    def _error(self, resp: Response, method: str, what: str) -> RegistryError:
        return _error(resp, method, what, self.registry)

    def _not_found(self, resp: Response, what: str) -> NotFoundError:
        resp.discard()
        return NotFoundError(f"{what}: not found")

    # -- Fetcher / ReadOnlyStorage ------------------------------------------------------------
    def fetch(self, desc: Descriptor) -> Readable:
        kind = "manifests" if mediatype.is_manifest_like(desc.media_type) else "blobs"
        headers = {"Accept": _ACCEPT_MANIFESTS if kind == "manifests" else "*/*",
                   "Accept-Encoding": "identity"}
        what = self._ref(desc.digest)
        resp = self.client.request(
            "GET", f"{self._base}/{kind}/{desc.digest}", headers=headers, scopes=self._pull
        )
        if resp.status == 404:
            raise self._not_found(resp, what)
        if resp.status != 200:
            raise self._error(resp, "GET", what)
        length = resp.header("Content-Length")
        if length and length.isdigit() and int(length) != desc.size:
            resp.close()
            raise VerificationError(
                f"{what}: registry sent {length} bytes, the descriptor says {desc.size}"
            )
        header_digest = resp.header("Docker-Content-Digest")
        if header_digest and header_digest != str(desc.digest) and kind == "blobs":
            resp.close()
            raise VerificationError(
                f"{what}: registry says the content is {header_digest}, expected {desc.digest}"
            )
        if kind == "blobs":
            return _ResumingBody(self, f"{self._base}/blobs/{desc.digest}", headers, resp, what)
        return resp

    def blob_descriptor(self, digest: Digest) -> Descriptor:
        """Describe a blob known only by its digest (``HEAD``: its size)."""
        what = f"{self.registry}/{self.name}@{digest}"
        resp = self.client.request("HEAD", f"{self._base}/blobs/{digest}", scopes=self._pull)
        resp.discard()
        if resp.status == 404:
            raise NotFoundError(f"{what}: blob not found")
        if resp.status != 200:
            raise self._error(resp, "HEAD", what)
        size = resp.header("Content-Length")
        if not size.isdigit():
            raise InvalidManifestError(f"{digest}: the registry did not say the blob's size")
        return Descriptor("application/octet-stream", digest, int(size))

    def exists(self, desc: Descriptor) -> bool:
        kind = "manifests" if mediatype.is_manifest_like(desc.media_type) else "blobs"
        headers = {"Accept": _ACCEPT_MANIFESTS} if kind == "manifests" else {}
        resp = self.client.request(
            "HEAD", f"{self._base}/{kind}/{desc.digest}", headers=headers, scopes=self._pull
        )
        resp.discard()
        if resp.status == 200:
            return True
        if resp.status == 404:
            return False
        raise self._error(resp, "HEAD", self._ref(desc.digest))

    # -- Pusher ----------------------------------------------------------------------------
    def push(self, desc: Descriptor, content: Readable) -> None:
        if mediatype.is_manifest_like(desc.media_type):
            self.push_reference(desc, content, str(desc.digest))
        else:
            self._push_blob(desc, content)

    #: Blobs at least this big are uploaded in chunks (resumable); smaller ones in one PUT.
    chunked_threshold = 256 * 1024 * 1024
    #: Chunk size for chunked uploads (raised to the registry's ``OCI-Chunk-Min-Length``).
    chunk_size = 64 * 1024 * 1024

    def _push_blob(self, desc: Descriptor, content: Readable) -> None:
        what = f"{self.registry}/{self.name}@{desc.digest}"
        reader = VerifyingReader(content, desc.digest, desc.size, name=what)
        chunked = self._chunked or desc.size >= self.chunked_threshold
        session = _UploadState.load(self, desc) if chunked else None
        if session is not None and self._resume_upload(desc, reader, session, what):
            return
        resp = self.client.request(
            "POST", f"{self._base}/blobs/uploads/", headers={"Content-Length": "0"},
            body=b"", scopes=self._push,
        )
        if resp.status == 201:  # some registries answer that they already have it
            resp.discard()
            return
        if resp.status != 202:
            raise self._error(resp, "POST", what)
        location = resp.header("Location")
        min_chunk = resp.header("OCI-Chunk-Min-Length")
        resp.discard()
        if not location:
            raise RegistryError(f"{what}: registry started an upload without a Location")
        url = urllib.parse.urljoin(resp.url, location)
        if chunked:
            size = max(self.chunk_size, int(min_chunk) if min_chunk.isdigit() else 0)
            self._upload_chunks(desc, reader, url, 0, size, what)
            return
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(desc.size)}
        resp = self.client.request("PUT", _with_digest(url, desc.digest), headers=headers,
                                   body=_chunks(reader), scopes=self._push)
        if resp.status == 413:
            # A registry or proxy refused the single PUT: use chunks from now on (the copy
            # retries this blob).
            self._chunked = True
        if resp.status not in (201, 204, 200):
            raise self._error(resp, "PUT", what)
        resp.discard()

    def _upload_chunks(self, desc: Descriptor, reader: VerifyingReader, url: str, offset: int,
                       size: int, what: str) -> None:
        """Stream the rest of the blob from ``offset`` as PATCH chunks of ``size``, then PUT.

        Chunks stream from the source (memory stays bounded). After each chunk the session's URL
        and offset are saved, so that a retry of this blob, or a later run, asks the session where
        it stands (``GET`` -> ``Range``) and continues from there instead of starting over.
        """
        state = _UploadState(self, desc)
        while offset < desc.size:
            length = min(size, desc.size - offset)
            headers = {"Content-Type": "application/octet-stream",
                       "Content-Length": str(length),
                       "Content-Range": f"{offset}-{offset + length - 1}"}
            resp = self.client.request("PATCH", url, headers=headers,
                                       body=_limited_chunks(reader, length), scopes=self._push)
            if resp.status not in (202, 204, 201):
                state.clear()
                raise self._error(resp, "PATCH", what)
            location = resp.header("Location")
            resp.discard()
            if location:
                url = urllib.parse.urljoin(resp.url, location)
            offset += length
            state.save(url, offset)
        reader.verify()
        resp = self.client.request("PUT", _with_digest(url, desc.digest),
                                   headers={"Content-Length": "0"}, body=b"", scopes=self._push)
        if resp.status not in (201, 204, 200):
            state.clear()
            raise self._error(resp, "PUT", what)
        resp.discard()
        state.clear()

    def _upload_offset(self, url: str) -> int | None:
        """Bytes the upload session at ``url`` holds (``GET`` -> 204 ``Range: 0-N``)."""
        try:
            resp = self.client.request("GET", url, scopes=self._push)
        except NetworkError:
            return None
        rng = resp.header("Range")
        resp.discard()
        if resp.status not in (204, 202, 200):
            return None
        m = re.fullmatch(r"(?:bytes=)?0-(\d+)", rng.strip())
        if not m or m.group(1) == "0":
            return 0  # Distribution reports an empty session as "0-0"
        return int(m.group(1)) + 1

    def _resume_upload(self, desc: Descriptor, reader: VerifyingReader, session: _UploadState,
                       what: str) -> bool:
        """Continue an upload an earlier run left; False when the session is gone."""
        done = self._upload_offset(session.url)
        if done is None or done > desc.size or done == 0:
            session.clear()
            return False
        log.info("%s: continuing an upload session at byte %d", what, done)
        left = done
        while left:  # hash what the registry already has, without sending it again
            data = reader.read(min(left, CHUNK_SIZE))
            if not data:
                return False
            left -= len(data)
        self._upload_chunks(desc, reader, session.url, done, self.chunk_size, what)
        return True

    def push_reference(self, desc: Descriptor, content: Readable, reference: str) -> None:
        """Push a manifest under ``reference`` (a tag or its digest) in one request."""
        raw = read_all(content, desc)
        what = self._ref(reference)
        resp = self.client.request(
            "PUT",
            f"{self._base}/manifests/{reference}",
            headers={"Content-Type": desc.media_type},
            body=raw,
            scopes=self._push,
        )
        if resp.status not in (201, 200, 202, 204):
            raise self._error(resp, "PUT", what)
        got = resp.header("Docker-Content-Digest")
        subject_header = resp.header("OCI-Subject")
        resp.discard()
        if got and got != str(desc.digest):
            raise VerificationError(
                f"{what}: registry stored the manifest as {got}, expected {desc.digest}"
            )
        if subject_header and self.referrers_capability is None:
            self.referrers_capability = "api"
        if self.referrers_capability != "api":
            subject = _subject_of(desc, raw)
            if subject is not None:
                self._update_referrers_index(subject, add=_referrer_entry(desc, raw))

    # -- Resolver / Tagger -----------------------------------------------------------------
    def resolve(self, reference: str) -> Descriptor:
        desc, _ = self.fetch_reference(reference, head=True)
        return desc

    def fetch_reference(self, reference: str, *, head: bool = False) -> tuple[Descriptor, bytes]:
        """Resolve and (unless ``head``) fetch a manifest by tag or digest.

        The digest is computed from the bytes we received; a digest reference must match it.
        """
        what = self._ref(reference)
        want = parse_digest(reference) if ":" in reference else None
        method = "HEAD" if head else "GET"
        resp = self.client.request(
            method, f"{self._base}/manifests/{reference}",
            headers={"Accept": _ACCEPT_MANIFESTS}, scopes=self._pull,
        )
        if resp.status == 404:
            raise self._not_found(resp, what)
        if resp.status != 200:
            raise self._error(resp, method, what)
        media_type = mediatype.strip_parameters(resp.header("Content-Type"))
        if not mediatype.is_manifest_like(media_type):
            resp.discard()
            raise RegistryError(f"{what}: registry served {media_type!r}, not a manifest")
        if head:
            resp.discard()
            header = resp.header("Docker-Content-Digest")
            length = resp.header("Content-Length")
            if header and length.isdigit():
                digest = parse_digest(header)
                if want is not None and digest != want:
                    raise VerificationError(f"{what}: registry answered with digest {digest}")
                return Descriptor(media_type, digest, int(length)), b""
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

    def tag(self, desc: Descriptor, reference: str) -> None:
        _, raw = self.fetch_reference(str(desc.digest))
        self.push_reference(desc, io.BytesIO(raw), reference)

    # -- listing ---------------------------------------------------------------------------
    def tags(self, *, last: str = "", page_size: int = 0) -> Iterator[str]:
        """Every tag, following ``Link`` pagination on the same origin only."""
        query = {k: v for k, v in (("last", last), ("n", str(page_size) if page_size else ""))
                 if v}
        url = f"{self._base}/tags/list" + ("?" + urllib.parse.urlencode(query) if query else "")
        return _paginate(self.client, url, "tags", self._pull, f"{self.registry}/{self.name}",
                         self.registry)

    # -- delete ----------------------------------------------------------------------------
    def delete(self, desc: Descriptor) -> None:
        """Delete a manifest or blob by digest (and drop it from a referrers tag index)."""
        kind = "manifests" if mediatype.is_manifest_like(desc.media_type) else "blobs"
        what = self._ref(desc.digest)
        raw = b""
        if kind == "manifests" and self.referrers_capability != "api":
            with contextlib.suppress(NotFoundError):
                _, raw = self.fetch_reference(str(desc.digest))
        resp = self.client.request("DELETE", f"{self._base}/{kind}/{desc.digest}",
                                   scopes=(auth.repository_scope(self.name, "delete"),))
        if resp.status == 404:
            raise self._not_found(resp, what)
        if resp.status not in (200, 202, 204):
            raise self._error(resp, "DELETE", what)
        resp.discard()
        subject = _subject_of(desc, raw) if raw else None
        if subject is not None:
            self._update_referrers_index(subject, remove=desc.digest)

    # -- referrers -------------------------------------------------------------------------
    def referrers(self, desc: Descriptor, artifact_type: str = "") -> list[Descriptor]:
        """Manifests whose ``subject`` is ``desc``: the referrers API, or the tag schema."""
        if self.referrers_capability != "tag":
            url = f"{self._base}/referrers/{desc.digest}"
            if artifact_type:
                url += "?" + urllib.parse.urlencode({"artifactType": artifact_type})
            resp = self.client.request("GET", url, headers={"Accept": mediatype.OCI_INDEX},
                                       scopes=self._pull)
            ctype = mediatype.strip_parameters(resp.header("Content-Type"))
            if resp.status == 200 and ctype == mediatype.OCI_INDEX:
                try:
                    body = resp.read_capped(MAX_MANIFEST_BYTES)
                finally:
                    resp.close()
                self.referrers_capability = "api"
                found = list(_index_manifests(body))
                link = _parse_link(resp.header("Link"), resp.url)
                pages = 1
                while link:
                    pages += 1
                    if pages > MAX_PAGES:
                        raise SizeLimitError(f"{self._ref(desc.digest)}: too many referrer pages")
                    page = self.client.request("GET", link, headers={"Accept": mediatype.OCI_INDEX},
                                               scopes=self._pull)
                    try:
                        found += _index_manifests(page.read_capped(MAX_MANIFEST_BYTES))
                    finally:
                        page.close()
                    link = _parse_link(page.header("Link"), page.url)
                return [d for d in found if not artifact_type or d.artifact_type == artifact_type]
            if resp.status == 404 and _is_name_unknown(resp):
                raise NotFoundError(f"{self.registry}/{self.name}: repository not found")
            if resp.status not in (404, 200) and self.referrers_capability == "api":
                raise self._error(resp, "GET", self._ref(desc.digest))
            resp.discard()
            if self.referrers_capability == "api":
                return []
            self.referrers_capability = "tag"
        try:
            _, raw = self.fetch_reference(referrers_tag(desc.digest))
        except NotFoundError:
            return []
        found = _index_manifests(raw)
        return [d for d in found if not artifact_type or d.artifact_type == artifact_type]

    def _update_referrers_index(
        self, subject: Descriptor, *, add: Descriptor | None = None, remove: Digest | None = None
    ) -> None:
        tag = referrers_tag(subject.digest)
        old: Descriptor | None = None
        manifests: list[Descriptor] = []
        try:
            old, raw = self.fetch_reference(tag)
            manifests = list(_index_manifests(raw))
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
        self.push_reference(new, io.BytesIO(raw_new), tag)
        if old is not None:
            # The old index is garbage now; registries that cannot delete keep it (ignored).
            with contextlib.suppress(RegistryError, NotFoundError):
                self.delete(old)

    # -- mount -----------------------------------------------------------------------------
    def mount(self, desc: Descriptor, from_repository: str) -> bool:
        """Cross-repository mount (``POST ?mount=&from=``); False when the registry declined."""
        query = urllib.parse.urlencode({"mount": str(desc.digest), "from": from_repository})
        scopes = (*self._push, auth.repository_scope(from_repository, "pull"))
        resp = self.client.request("POST", f"{self._base}/blobs/uploads/?{query}",
                                   headers={"Content-Length": "0"}, body=b"", scopes=scopes)
        status = resp.status
        location = resp.header("Location")
        resp.discard()
        if status == 201:
            return True
        if status == 202 and location:
            # Declined: cancel the upload session it opened instead.
            with contextlib.suppress(OrasError):
                self.client.request("DELETE", urllib.parse.urljoin(resp.url, location),
                                    scopes=self._push).discard()
            return False
        return False

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
        self._base = f"{self.client.base_url(registry_host(host))}/v2"

    def repositories(self, *, last: str = "", page_size: int = 0) -> Iterator[str]:
        query = {k: v for k, v in (("last", last), ("n", str(page_size) if page_size else ""))
                 if v}
        url = f"{self._base}/_catalog" + ("?" + urllib.parse.urlencode(query) if query else "")
        return _paginate(self.client, url, "repositories", ("registry:catalog:*",), self.host,
                         self.host)


def _paginate(client: Client, url: str, key: str, scopes: tuple[str, ...], what: str,
          registry: str) -> Iterator[str]:
    pages = 0
    while url:
        pages += 1
        if pages > MAX_PAGES:
            raise SizeLimitError(f"{what}: more than {MAX_PAGES} pages")
        resp = client.request("GET", url, scopes=scopes)
        if resp.status == 404:
            resp.discard()
            raise NotFoundError(f"{what}: not found")
        if resp.status != 200:
            raise _error(resp, "GET", what, registry)
        try:
            body = resp.read_capped(MAX_MANIFEST_BYTES)
        finally:
            resp.close()
        if len(body) > MAX_MANIFEST_BYTES:
            raise SizeLimitError(f"{what}: a page is over the 4 MiB limit")
        try:
            items = json.loads(body).get(key) or []
        except (ValueError, AttributeError):
            raise RegistryError(f"{what}: the registry sent a malformed list") from None
        yield from (str(i) for i in items)
        url = _parse_link(resp.header("Link"), resp.url)



class _ResumingBody:
    """A blob download that continues with ``Range: bytes=N-`` after a dropped connection.

    When the registry answers a range request with 200 (ranges refused), the first N bytes of the
    new body are skipped: the content is addressed by its digest, so they are the same bytes, and
    the reader above still verifies the digest of the whole.
    """

    MAX_RESUMES = 8

    def __init__(self, repo: Repository, url: str, headers: dict[str, str], resp: Response,
                 what: str) -> None:
        self._repo = repo
        self._url = url
        self._headers = headers
        self._resp = resp
        self._what = what
        self._offset = 0
        self._resumes = 0
        opts = repo.client.options
        self._window = opts.stall_window
        self._min_bytes = opts.stall_min_bytes
        self._window_start = time.monotonic()
        self._window_bytes = 0

    def read(self, n: int = -1, /) -> bytes:
        while True:
            try:
                data = self._resp.read(n)
                self._check_stall(len(data))
            except NetworkError as e:
                self._resume(e)
                continue
            self._offset += len(data)
            return data

    def _check_stall(self, got: int) -> None:
        self._window_bytes += got
        now = time.monotonic()
        if now - self._window_start < self._window:
            return
        slow = self._window_bytes < self._min_bytes and got > 0
        self._window_start, self._window_bytes = now, 0
        if slow:
            raise NetworkError(
                f"{self._what}: transfer stalled (under {self._min_bytes} bytes in "
                f"{self._window:.0f}s)"
            )

    def _resume(self, cause: Exception) -> None:
        self._resp.close()
        self._resumes += 1
        if self._resumes > self.MAX_RESUMES:
            raise NetworkError(f"{self._what}: download failed after {self.MAX_RESUMES} resumes: "
                               f"{cause}") from None
        log.info("resuming %s at byte %d after: %s", self._what, self._offset, cause)
        headers = {**self._headers, "Range": f"bytes={self._offset}-"}
        resp = self._repo.client.request("GET", self._url, headers=headers,
                                         scopes=self._repo._pull)
        if resp.status == 206:
            self._resp = resp
            return
        if resp.status != 200:
            raise self._repo._error(resp, "GET", self._what)
        skip = self._offset  # ranges refused: start over, dropping what we already have
        while skip:
            chunk = resp.read(min(skip, CHUNK_SIZE))
            if not chunk:
                resp.close()
                raise NetworkError(f"{self._what}: body ended while restarting the download")
            skip -= len(chunk)
        self._resp = resp

    def close(self) -> None:
        self._resp.close()


def _index_manifests(raw: bytes) -> list[Descriptor]:
    node = parse_manifest(mediatype.OCI_INDEX, raw)
    assert isinstance(node, Index)
    return list(node.manifests)


def _is_name_unknown(resp: Response) -> bool:
    body = resp.read_capped(MAX_ERROR_BYTES)
    return b"NAME_UNKNOWN" in body


def _subject_of(desc: Descriptor, raw: bytes) -> Descriptor | None:
    if not mediatype.is_manifest_like(desc.media_type):
        return None
    try:
        return parse_manifest(desc.media_type, raw).subject
    except InvalidManifestError:
        return None


def _referrer_entry(desc: Descriptor, raw: bytes) -> Descriptor:
    """How a referrer is listed in a referrers index: its artifactType and annotations."""
    node = parse_manifest(desc.media_type, raw)
    artifact_type = node.artifact_type
    if not artifact_type and isinstance(node, Manifest):
        artifact_type = node.config.media_type
    return Descriptor(desc.media_type, desc.digest, desc.size,
                      annotations=dict(node.annotations), artifact_type=artifact_type)


def referrers_tag(digest: Digest) -> str:
    """The referrers tag schema: ``<alg>-<ref>`` (ref truncated to 64 characters)."""
    return f"{digest.algorithm}-{digest.encoded[:64]}"


def _parse_link(header: str, current: str) -> str:
    """The next page from a ``Link`` header, only if it stays on the same origin."""
    m = _LINK.search(header)
    if not m:
        return ""
    nxt: str = urllib.parse.urljoin(current, str(m.group(1)))
    if origin(nxt) != origin(current):
        raise RegistryError(
            f"refusing pagination link to another origin: {redact_url(nxt)}"
        )
    return nxt


def _with_digest(url: str, digest: Digest) -> str:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query.append(("digest", str(digest)))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _limited_chunks(reader: VerifyingReader, n: int) -> Iterator[bytes]:
    """The next ``n`` bytes of ``reader`` as 1 MiB pieces."""
    while n > 0:
        data = reader.read(min(n, CHUNK_SIZE))
        if not data:
            return
        n -= len(data)
        yield data


class _UploadState:
    """Where a chunked upload stands, in the user's cache, so a later run can continue it.

    ``~/.cache/orasx/uploads/<hash of registry, repository and digest>.json`` holds the session
    URL and offset; entries older than a day are ignored and removed.
    """

    MAX_AGE = 24 * 3600

    def __init__(self, repo: Repository, desc: Descriptor) -> None:
        import hashlib

        key = hashlib.sha256(f"{repo.host}/{repo.name}@{desc.digest}".encode()).hexdigest()
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        self.path = os.path.join(base, "orasx", "uploads", key[:32] + ".json")
        self.url = ""

    @classmethod
    def load(cls, repo: Repository, desc: Descriptor) -> _UploadState | None:
        state = cls(repo, desc)
        try:
            st = os.stat(state.path)
            if time.time() - st.st_mtime > cls.MAX_AGE:
                state.clear()
                return None
            with open(state.path) as f:
                doc = json.load(f)
        except (OSError, ValueError):
            return None
        url = doc.get("url") if isinstance(doc, dict) else None
        if not isinstance(url, str) or origin(url) != origin(repo._base):
            state.clear()
            return None
        state.url = url
        return state

    def save(self, url: str, offset: int) -> None:
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            tmp = self.path + ".tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump({"url": url, "offset": offset}, f)
            os.replace(tmp, self.path)
        except OSError:
            pass  # resuming later is a convenience; the upload itself goes on

    def clear(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.path)


def _chunks(reader: VerifyingReader) -> Iterator[bytes]:
    while data := reader.read(CHUNK_SIZE):
        yield data
    reader.verify()
