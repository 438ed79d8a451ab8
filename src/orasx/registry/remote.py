"""A repository on a remote registry, over the OCI distribution API, as a store."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator

from orasx import mediatype
from orasx.content import Readable, read_all
from orasx.descriptor import Descriptor
from orasx.digest import CHUNK_SIZE, Digest, VerifyingReader, parse_digest
from orasx.errors import (
    AuthenticationError,
    NotFoundError,
    RegistryError,
    SizeLimitError,
    VerificationError,
)
from orasx.manifest import MAX_MANIFEST_BYTES
from orasx.reference import Reference
from orasx.registry import auth
from orasx.registry._http import Client, Response, redact_url

MAX_ERROR_BYTES = 8 * 1024
_ACCEPT_MANIFESTS = ", ".join(mediatype.ALL_MANIFEST_TYPES)


def registry_host(registry: str) -> str:
    """The host to talk to for a registry name (Docker Hub's API lives on registry-1.docker.io)."""
    return "registry-1.docker.io" if registry in ("docker.io", "index.docker.io") else registry


def repository_path(registry: str, repository: str) -> str:
    """Docker Hub's single-name repositories live under ``library/``."""
    if registry_host(registry) == "registry-1.docker.io" and "/" not in repository:
        return f"library/{repository}"
    return repository


class Repository:
    """One repository (``registry/name``) on a registry; a :class:`~orasx.content.Target`."""

    def __init__(self, reference: Reference | str, client: Client | None = None) -> None:
        if isinstance(reference, str):
            from orasx.reference import parse_reference

            reference = parse_reference(reference if "/" in reference else reference + "/x")
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
            cls, msg = AuthenticationError, (
                f"{what}: unauthorized: run 'oras login {self.registry}' or pass -u/-p"
            )
        elif resp.status == 403:
            cls, msg = AuthenticationError, (
                f"{what}: denied: the credentials lack permission for this repository"
            )
        return cls(msg, method=method, url=redact_url(resp.url), status=resp.status,
                   codes=tuple(codes))

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
        return resp

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

    def _push_blob(self, desc: Descriptor, content: Readable) -> None:
        what = f"{self.registry}/{self.name}@{desc.digest}"
        resp = self.client.request(
            "POST", f"{self._base}/blobs/uploads/", headers={"Content-Length": "0"},
            body=b"", scopes=self._push,
        )
        if resp.status != 202:
            raise self._error(resp, "POST", what)
        location = resp.header("Location")
        resp.discard()
        if not location:
            raise RegistryError(f"{what}: registry started an upload without a Location")
        url = urllib.parse.urljoin(resp.url, location)
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        query.append(("digest", str(desc.digest)))
        url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
        reader = VerifyingReader(content, desc.digest, desc.size, name=what)
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(desc.size)}
        resp = self.client.request("PUT", url, headers=headers, body=_chunks(reader),
                                   scopes=self._push)
        if resp.status not in (201, 204, 200):
            raise self._error(resp, "PUT", what)
        resp.discard()

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
        resp.discard()
        if got and got != str(desc.digest):
            raise VerificationError(
                f"{what}: registry stored the manifest as {got}, expected {desc.digest}"
            )

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
        import io

        self.push_reference(desc, io.BytesIO(raw), reference)


def _chunks(reader: VerifyingReader) -> Iterator[bytes]:
    while data := reader.read(CHUNK_SIZE):
        yield data
    reader.verify()
