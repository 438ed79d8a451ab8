"""Repository over a scripted transport: the requests it sends and how it reads the answers.

No sockets and no registry process: :class:`ScriptedTransport` replaces the urllib3 sender under
the real retry wrapper and auth flow, expects each request in order and plays the reply.
"""

from __future__ import annotations

import io
import json
import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import urllib3

from orasx import mediatype
from orasx.descriptor import Descriptor, canonical_json
from orasx.digest import Digest
from orasx.errors import (
    AuthenticationError,
    NetworkError,
    NotFoundError,
    RegistryError,
    VerificationError,
)
from orasx.registry._http import Client, ClientOptions
from orasx.registry._transport import Request, Response
from orasx.registry.auth import Credential
from orasx.registry.remote import Repository, referrers_tag
from orasx.registry.retry import RetryPolicy

HOST = "reg.example.com"
REPO = "team/app"
V2 = f"/v2/{REPO}"


# -- the scripted transport --------------------------------------------------------------------
@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: the connection drops after this many body bytes.
    cut_after: int | None = None


@dataclass
class Sent:
    """A request as the transport saw it (a streamed body is read to bytes)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    authorization: str | None
    streamed: bool

    @property
    def path(self) -> str:
        u = urllib.parse.urlsplit(self.url)
        return u.path + (f"?{u.query}" if u.query else "")

    @property
    def query(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.url).query))


class _Dropping(io.RawIOBase):
    """A body that ends in a connection reset after its bytes."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self._data.readinto(b)
        if n == 0:
            raise ConnectionResetError("connection reset by peer")
        return n


Answer = Reply | Callable[[Sent], Reply] | Exception


class ScriptedTransport:
    """Plays ``(method, path regex, answer)`` steps in order; fails on any other request."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, str, Answer]] = []
        self.sent: list[Sent] = []

    def on(self, method: str, path: str, answer: Answer) -> ScriptedTransport:
        self.steps.append((method, path, answer))
        return self

    def send(self, request: Request) -> Response:
        body = request.body
        streamed = body is not None and not isinstance(body, bytes)
        data = b"".join(body) if streamed else body  # type: ignore[arg-type]
        sent = Sent(request.method, request.url, dict(request.headers), data,
                    request.authorization, streamed)
        self.sent.append(sent)
        assert self.steps, f"unexpected request {sent.method} {sent.path}"
        method, pattern, answer = self.steps.pop(0)
        assert sent.method == method and re.fullmatch(pattern, sent.path), (
            f"expected {method} {pattern}, got {sent.method} {sent.path}")
        if isinstance(answer, Exception):
            raise answer
        reply = answer(sent) if callable(answer) else answer
        headers = dict(reply.headers)
        if reply.cut_after is not None:
            stream: io.IOBase = io.BufferedReader(_Dropping(reply.body[:reply.cut_after]))
        else:
            stream = io.BytesIO(reply.body)
            if request.method != "HEAD":
                headers.setdefault("Content-Length", str(len(reply.body)))
        raw = urllib3.HTTPResponse(body=stream, headers=headers, status=reply.status,
                                   preload_content=False)
        return Response(raw, request.url)

    def close(self) -> None:
        pass


@pytest.fixture
def net() -> ScriptedTransport:
    t = ScriptedTransport()
    yield t
    assert not t.steps, f"requests never sent: {t.steps}"


def repo_on(net: ScriptedTransport, *, credential: Credential | None = None,
            retry: RetryPolicy | None = None, **kw) -> Repository:
    options = ClientOptions(retry=retry or RetryPolicy(max_attempts=1), sleep=lambda _s: None)
    return Repository(f"{HOST}/{REPO}", Client(options, credential, transport=net), **kw)


def manifest(subject: Descriptor | None = None, artifact_type: str = "") -> tuple[Descriptor, bytes]:
    doc: dict = {"schemaVersion": 2, "mediaType": mediatype.OCI_MANIFEST,
                 "config": {"mediaType": mediatype.OCI_EMPTY, "size": 2,
                            "digest": str(Digest.from_bytes(b"{}"))},
                 "layers": []}
    if artifact_type:
        doc["artifactType"] = artifact_type
    if subject is not None:
        doc["subject"] = subject.to_dict()
    raw = canonical_json(doc)
    return Descriptor.from_bytes(mediatype.OCI_MANIFEST, raw), raw


def index_of(descs: Iterable[Descriptor]) -> bytes:
    return canonical_json({"schemaVersion": 2, "mediaType": mediatype.OCI_INDEX,
                           "manifests": [d.to_dict() for d in descs]})


def blob(data: bytes) -> Descriptor:
    return Descriptor.from_bytes("application/octet-stream", data)


# -- resolve -----------------------------------------------------------------------------------
def test_resolve_by_tag_uses_head_and_the_digest_header(net):
    desc, _ = manifest()
    net.on("HEAD", f"{V2}/manifests/v1", Reply(200, {
        "Content-Type": mediatype.OCI_MANIFEST, "Docker-Content-Digest": str(desc.digest),
        "Content-Length": str(desc.size)}))
    assert repo_on(net).resolve("v1") == desc
    sent = net.sent[0]
    assert sent.url == f"https://{HOST}{V2}/manifests/v1"
    assert mediatype.OCI_INDEX in sent.headers["Accept"]
    assert sent.headers["User-Agent"].startswith("orasx/")


def test_resolve_falls_back_to_get_when_head_has_no_digest(net):
    desc, raw = manifest()
    net.on("HEAD", f"{V2}/manifests/v1", Reply(200, {"Content-Type": mediatype.OCI_MANIFEST}))
    net.on("GET", f"{V2}/manifests/v1", Reply(200, {"Content-Type": mediatype.OCI_MANIFEST}, raw))
    assert repo_on(net).resolve("v1") == desc


def test_resolve_by_digest_refuses_another_digest(net):
    desc, _ = manifest()
    other, _ = manifest(artifact_type="x/y")
    net.on("HEAD", f"{V2}/manifests/{desc.digest}", Reply(200, {
        "Content-Type": mediatype.OCI_MANIFEST, "Docker-Content-Digest": str(other.digest),
        "Content-Length": "9"}))
    with pytest.raises(VerificationError, match="registry answered with digest"):
        repo_on(net).resolve(str(desc.digest))


def test_fetch_reference_by_digest_hashes_what_it_received(net):
    desc, raw = manifest()
    net.on("GET", f"{V2}/manifests/{desc.digest}",
           Reply(200, {"Content-Type": mediatype.OCI_MANIFEST}, raw + b" "))
    with pytest.raises(VerificationError, match="manifest content hashes to"):
        repo_on(net).fetch_reference(str(desc.digest))


def test_fetch_reference_refuses_a_non_manifest_media_type(net):
    net.on("GET", f"{V2}/manifests/v1", Reply(200, {"Content-Type": "text/html"}, b"<html>"))
    with pytest.raises(RegistryError, match="registry served 'text/html', not a manifest"):
        repo_on(net).fetch_reference("v1")


# -- blob uploads ------------------------------------------------------------------------------
def test_small_blob_is_pushed_in_one_put_to_the_session_location(net):
    data = b"hello blob"
    desc = blob(data)
    net.on("POST", f"{V2}/blobs/uploads/",
           Reply(202, {"Location": f"{V2}/blobs/uploads/abc?_state=s1"}))
    net.on("PUT", rf"{V2}/blobs/uploads/abc\?.*", Reply(201))
    repo_on(net).push(desc, io.BytesIO(data))
    post, put = net.sent
    assert post.body == b"" and post.headers["Content-Length"] == "0"
    assert put.query == {"_state": "s1", "digest": str(desc.digest)}
    assert put.body == data and put.streamed
    assert put.headers["Content-Length"] == str(len(data))


def test_post_answering_201_means_the_blob_is_there(net):
    net.on("POST", f"{V2}/blobs/uploads/", Reply(201))
    repo_on(net).push(blob(b"x"), io.BytesIO(b"x"))


def test_upload_without_location_is_an_error(net):
    net.on("POST", f"{V2}/blobs/uploads/", Reply(202))
    with pytest.raises(RegistryError, match="started an upload without a Location"):
        repo_on(net).push(blob(b"x"), io.BytesIO(b"x"))


def test_big_blob_is_pushed_in_chunks_then_a_closing_put(net, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    data = bytes(range(256)) * 40  # 10240 bytes
    desc = blob(data)
    net.on("POST", f"{V2}/blobs/uploads/",
           Reply(202, {"Location": f"{V2}/blobs/uploads/s1", "OCI-Chunk-Min-Length": "4096"}))
    net.on("PATCH", f"{V2}/blobs/uploads/s1", Reply(202, {"Location": f"{V2}/blobs/uploads/s2"}))
    net.on("PATCH", f"{V2}/blobs/uploads/s2", Reply(202, {"Location": f"{V2}/blobs/uploads/s3"}))
    net.on("PATCH", f"{V2}/blobs/uploads/s3", Reply(202, {"Location": f"{V2}/blobs/uploads/s4"}))
    net.on("PUT", rf"{V2}/blobs/uploads/s4\?digest=.*", Reply(201))
    repo = repo_on(net)
    repo.chunked_threshold, repo.chunk_size = 1024, 1000  # raised to the registry's minimum
    repo.push(desc, io.BytesIO(data))
    patches = [s for s in net.sent if s.method == "PATCH"]
    assert [p.headers["Content-Range"] for p in patches] == ["0-4095", "4096-8191", "8192-10239"]
    assert b"".join(p.body for p in patches) == data
    assert net.sent[-1].body == b"" and net.sent[-1].query["digest"] == str(desc.digest)
    assert not list((tmp_path / "orasx" / "uploads").iterdir())  # the session state is gone


def test_413_on_a_single_put_switches_the_repository_to_chunks(net, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    data = b"z" * 3000
    desc = blob(data)
    net.on("POST", f"{V2}/blobs/uploads/", Reply(202, {"Location": f"{V2}/blobs/uploads/a"}))
    net.on("PUT", rf"{V2}/blobs/uploads/a\?digest=.*", Reply(413, body=b"too large"))
    net.on("POST", f"{V2}/blobs/uploads/", Reply(202, {"Location": f"{V2}/blobs/uploads/b"}))
    net.on("PATCH", f"{V2}/blobs/uploads/b", Reply(202))
    net.on("PATCH", f"{V2}/blobs/uploads/b", Reply(202))
    net.on("PUT", rf"{V2}/blobs/uploads/b\?digest=.*", Reply(201))
    repo = repo_on(net)
    repo.chunk_size = 2000
    with pytest.raises(RegistryError) as err:
        repo.push(desc, io.BytesIO(data))
    assert err.value.status == 413 and str(err.value).endswith(
        "response status code 413: Request Entity Too Large: too large")
    repo.push(desc, io.BytesIO(data))  # the copy's retry of the blob: chunks now
    assert [s.headers.get("Content-Range") for s in net.sent if s.method == "PATCH"] == [
        "0-1999", "2000-2999"]


def test_chunked_upload_continues_a_saved_session(net, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    data = b"0123456789" * 300
    desc = blob(data)
    net.on("POST", f"{V2}/blobs/uploads/", Reply(202, {"Location": f"{V2}/blobs/uploads/s"}))
    net.on("PATCH", f"{V2}/blobs/uploads/s", Reply(202))
    net.on("PATCH", f"{V2}/blobs/uploads/s", Reply(400, body=b'{"errors":[{"code":"BLOB_UPLOAD_INVALID"}]}'))
    repo = repo_on(net)
    repo.chunked_threshold = repo.chunk_size = 1000
    with pytest.raises(RegistryError, match="response status code 400: blob upload invalid"):
        repo.push(desc, io.BytesIO(data))
    assert not list((tmp_path / "orasx" / "uploads").iterdir())  # a refused session is dropped

    net.on("POST", f"{V2}/blobs/uploads/", Reply(202, {"Location": f"{V2}/blobs/uploads/t"}))
    net.on("PATCH", f"{V2}/blobs/uploads/t", Reply(202))
    net.on("PATCH", f"{V2}/blobs/uploads/t", NetworkError("PATCH: connection reset"))
    with pytest.raises(NetworkError):
        repo.push(desc, io.BytesIO(data))
    assert len(list((tmp_path / "orasx" / "uploads").iterdir())) == 1

    again = repo_on(net)
    again.chunked_threshold = again.chunk_size = 1000
    net.on("GET", f"{V2}/blobs/uploads/t", Reply(204, {"Range": "0-999"}))
    net.on("PATCH", f"{V2}/blobs/uploads/t", Reply(202))
    net.on("PATCH", f"{V2}/blobs/uploads/t", Reply(202))
    net.on("PUT", rf"{V2}/blobs/uploads/t\?digest=.*", Reply(201))
    again.push(desc, io.BytesIO(data))
    resumed = [s for s in net.sent[-3:] if s.method == "PATCH"]
    assert [p.headers["Content-Range"] for p in resumed] == ["1000-1999", "2000-2999"]
    assert b"".join(p.body for p in resumed) == data[1000:]


# -- mount -------------------------------------------------------------------------------------
def test_mount_success(net):
    desc = blob(b"shared")
    net.on("POST", rf"{V2}/blobs/uploads/\?mount=.*", Reply(201))
    assert repo_on(net).mount(desc, "other/repo") is True
    assert net.sent[0].query == {"mount": str(desc.digest), "from": "other/repo"}


def test_mount_declined_cancels_the_session_it_opened(net):
    net.on("POST", rf"{V2}/blobs/uploads/\?mount=.*",
           Reply(202, {"Location": f"{V2}/blobs/uploads/opened"}))
    net.on("DELETE", f"{V2}/blobs/uploads/opened", Reply(204))
    assert repo_on(net).mount(blob(b"shared"), "other/repo") is False


def test_mount_declined_even_when_the_cancel_fails(net):
    net.on("POST", rf"{V2}/blobs/uploads/\?mount=.*",
           Reply(202, {"Location": f"{V2}/blobs/uploads/opened"}))
    net.on("DELETE", f"{V2}/blobs/uploads/opened", NetworkError("DELETE: connection refused"))
    assert repo_on(net).mount(blob(b"shared"), "other/repo") is False


def test_mount_from_only_another_repository_of_the_registry_with_the_same_credentials(net):
    src = repo_on(net)
    other = Repository(f"{HOST}/other/repo", src.client)
    assert src.mount_from(object()) is None
    assert src.mount_from(repo_on(net)) is None  # the same repository
    stranger = Repository(f"{HOST}/other/repo", Client(credentials=Credential("someone", "else")))
    assert src.mount_from(stranger) is None
    assert src.mount_from(Repository(f"elsewhere.example.com/{REPO}", src.client)) is None
    mount = src.mount_from(other)
    assert mount is not None
    net.on("POST", rf"{V2}/blobs/uploads/\?mount=.*", Reply(201))
    assert mount(blob(b"shared")) is True
    assert net.sent[0].query["from"] == "other/repo"


# -- blob downloads ----------------------------------------------------------------------------
def test_blob_fetch_resumes_with_a_range_after_a_dropped_connection(net):
    data = bytes(range(256)) * 64
    desc = blob(data)
    net.on("GET", f"{V2}/blobs/{desc.digest}",
           Reply(200, {"Content-Length": str(len(data))}, data, cut_after=5000))
    net.on("GET", f"{V2}/blobs/{desc.digest}", Reply(206, {}, data[5000:]))
    stream = repo_on(net).fetch(desc)
    got = b""
    while chunk := stream.read(4096):
        got += chunk
    stream.close()
    assert got == data
    assert net.sent[1].headers["Range"] == "bytes=5000-"


def test_blob_fetch_refuses_a_size_the_descriptor_does_not_say(net):
    desc = blob(b"abc")
    net.on("GET", f"{V2}/blobs/{desc.digest}", Reply(200, {}, b"abcd"))
    with pytest.raises(VerificationError, match="registry sent 4 bytes, the descriptor says 3"):
        repo_on(net).fetch(desc)


def test_blob_descriptor_reads_the_size_from_head(net):
    desc = blob(b"abc")
    net.on("HEAD", f"{V2}/blobs/{desc.digest}", Reply(200, {"Content-Length": "3"}))
    assert repo_on(net).blob_descriptor(desc.digest) == desc


# -- referrers ---------------------------------------------------------------------------------
def test_referrers_api_follows_link_pagination_and_filters(net):
    subject, _ = manifest()
    a, _ = manifest(subject, "x/sig")
    b, _ = manifest(subject, "x/sbom")
    a = Descriptor(a.media_type, a.digest, a.size, artifact_type="x/sig")
    b = Descriptor(b.media_type, b.digest, b.size, artifact_type="x/sbom")
    page2 = f"{V2}/referrers/{subject.digest}?n=1&last=p1"
    net.on("GET", f"{V2}/referrers/{subject.digest}",
           Reply(200, {"Content-Type": mediatype.OCI_INDEX, "Link": f'<{page2}>; rel="next"'},
                 index_of([a])))
    net.on("GET", re.escape(page2), Reply(200, {"Content-Type": mediatype.OCI_INDEX},
                                          index_of([b])))
    repo = repo_on(net)
    assert repo.referrers(subject) == [a, b]
    assert repo.referrers_capability == "api"
    net.on("GET", rf"{V2}/referrers/{subject.digest}\?artifactType=x%2Fsbom",
           Reply(200, {"Content-Type": mediatype.OCI_INDEX}, index_of([a, b])))
    assert repo.referrers(subject, "x/sbom") == [b]


def test_referrers_fall_back_to_the_tag_schema(net):
    subject, _ = manifest()
    a, _ = manifest(subject, "x/sig")
    net.on("GET", f"{V2}/referrers/{subject.digest}", Reply(404, body=b"404 page not found"))
    net.on("GET", f"{V2}/manifests/{referrers_tag(subject.digest)}",
           Reply(200, {"Content-Type": mediatype.OCI_INDEX}, index_of([a])))
    repo = repo_on(net)
    assert repo.referrers(subject) == [a]
    assert repo.referrers_capability == "tag"
    net.on("GET", f"{V2}/manifests/{referrers_tag(subject.digest)}", Reply(404))
    assert repo.referrers(subject) == []  # no API probe once the tag schema is known


def test_referrers_of_a_missing_repository(net):
    subject, _ = manifest()
    net.on("GET", f"{V2}/referrers/{subject.digest}",
           Reply(404, body=b'{"errors":[{"code":"NAME_UNKNOWN"}]}'))
    with pytest.raises(NotFoundError, match=f"{HOST}/{REPO}: repository not found"):
        repo_on(net).referrers(subject)


def _referrer_over_a_tag_schema_index(net):
    """A referrer to push, and the registry's answers: its subject's tag-schema index holds one
    older referrer (``old_ref``; the index's bytes ``old_raw``)."""
    subject, _ = manifest()
    old_ref, _ = manifest(subject, "x/old")
    old_raw = index_of([old_ref])
    desc, raw = manifest(subject, "x/sig")
    tag = referrers_tag(subject.digest)
    net.on("PUT", f"{V2}/manifests/{desc.digest}", Reply(201))
    net.on("GET", f"{V2}/manifests/{tag}", Reply(200, {"Content-Type": mediatype.OCI_INDEX},
                                                  old_raw))
    net.on("PUT", f"{V2}/manifests/{tag}", Reply(201))
    return old_ref, old_raw, desc, raw, tag


def test_pushing_a_referrer_updates_the_tag_schema_index(net):
    old_ref, _old_raw, desc, raw, _tag = _referrer_over_a_tag_schema_index(net)
    repo_on(net, referrers_capability="tag").push(desc, io.BytesIO(raw))
    put_index = net.sent[2]
    assert put_index.headers["Content-Type"] == mediatype.OCI_INDEX
    entries = [Descriptor.from_dict(d) for d in
               json.loads(put_index.body)["manifests"]]
    assert [e.digest for e in entries] == [old_ref.digest, desc.digest]
    assert entries[1].artifact_type == "x/sig"
    # the superseded index stays (the Go CLI's SkipReferrersGC): a reader may still fetch it
    assert not any(r.method == "DELETE" for r in net.sent)


def test_referrers_gc_deletes_the_superseded_tag_schema_index(net):
    _old_ref, old_raw, desc, raw, _tag = _referrer_over_a_tag_schema_index(net)
    old_index = Descriptor.from_bytes(mediatype.OCI_INDEX, old_raw)
    net.on("GET", f"{V2}/manifests/{old_index.digest}",
           Reply(200, {"Content-Type": mediatype.OCI_INDEX}, old_raw))
    net.on("DELETE", f"{V2}/manifests/{old_index.digest}", Reply(202))
    repo_on(net, referrers_capability="tag", referrers_gc=True).push(desc, io.BytesIO(raw))
    assert net.sent[-1].method == "DELETE"


def test_oci_subject_header_means_the_registry_keeps_referrers(net):
    subject, _ = manifest()
    desc, raw = manifest(subject, "x/sig")
    net.on("PUT", f"{V2}/manifests/v1", Reply(201, {"OCI-Subject": str(subject.digest)}))
    repo = repo_on(net)
    repo.push_reference(desc, io.BytesIO(raw), "v1")
    assert repo.referrers_capability == "api"


# -- listing -----------------------------------------------------------------------------------
def test_tags_follow_link_pagination_on_the_same_origin(net):
    net.on("GET", f"{V2}/tags/list\\?n=2",
           Reply(200, {"Link": f'<{V2}/tags/list?n=2&last=b>; rel="next"'},
                 b'{"tags":["a","b"]}'))
    net.on("GET", f"{V2}/tags/list\\?n=2&last=b", Reply(200, {}, b'{"tags":["c"]}'))
    assert list(repo_on(net).tags(page_size=2)) == ["a", "b", "c"]


def test_tags_refuse_a_link_to_another_origin(net):
    net.on("GET", f"{V2}/tags/list",
           Reply(200, {"Link": '<https://evil.example.com/v2/x/tags/list?last=b>; rel="next"'},
                 b'{"tags":["a"]}'))
    with pytest.raises(RegistryError, match="refusing pagination link to another origin"):
        list(repo_on(net).tags())


# -- error mapping -----------------------------------------------------------------------------
def test_404_is_not_found(net):
    net.on("GET", f"{V2}/manifests/v9", Reply(404, body=b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}'))
    with pytest.raises(NotFoundError, match=rf"^{HOST}/{REPO}:v9: not found$"):
        repo_on(net).fetch_reference("v9")


def test_error_body_codes_and_messages_are_kept(net):
    body = b'{"errors":[{"code":"DIGEST_INVALID","message":"bad digest"},{"code":"SIZE_INVALID"}]}'
    net.on("DELETE", rf"{V2}/blobs/sha256:.*", Reply(400, body=body))
    desc = blob(b"x")
    with pytest.raises(RegistryError) as err:
        repo_on(net).delete(desc)
    e = err.value
    assert type(e) is RegistryError and e.status == 400 and e.method == "DELETE"
    assert e.codes == ("DIGEST_INVALID", "SIZE_INVALID") and e.registry == HOST
    assert str(e) == (f'DELETE "https://{HOST}{V2}/blobs/{desc.digest}": response status code '
                      "400: digest invalid: bad digest; size invalid")
    assert e.detail == "digest invalid: bad digest; size invalid"


def test_a_body_that_is_not_json_is_quoted(net):
    net.on("HEAD", f"{V2}/manifests/v1", Reply(500))
    net.on("GET", rf"{V2}/tags/list", Reply(502, body=b"<html>bad gateway</html>"))
    repo = repo_on(net)
    with pytest.raises(RegistryError, match=r"response status code 500: Internal Server Error$"):
        repo.resolve("v1")
    with pytest.raises(RegistryError,
                       match=r"response status code 502: Bad Gateway: <html>bad gateway</html>$"):
        list(repo.tags())


def test_403_is_denied(net):
    net.on("HEAD", f"{V2}/manifests/v1", Reply(403, body=b'{"errors":[{"code":"DENIED"}]}'))
    with pytest.raises(AuthenticationError) as err:
        repo_on(net).resolve("v1")
    e = err.value
    assert str(e) == f'HEAD "https://{HOST}{V2}/manifests/v1": response status code 403: denied'
    assert (e.status, e.reason, e.registry, e.codes) == (403, "denied", HOST, ("DENIED",))


def test_401_without_credentials(net):
    net.on("HEAD", f"{V2}/manifests/v1",
           Reply(401, {"WWW-Authenticate": f'Basic realm="{HOST}"'}))
    with pytest.raises(AuthenticationError) as err:
        repo_on(net).resolve("v1")
    assert str(err.value) == f"{HOST}: unauthorized: no credentials"
    assert (err.value.reason, err.value.registry) == ("unauthorized", HOST)


def test_401_after_basic_credentials_is_refused(net):
    challenge = {"WWW-Authenticate": f'Basic realm="{HOST}"'}
    net.on("HEAD", f"{V2}/manifests/v1", Reply(401, challenge))
    net.on("HEAD", f"{V2}/manifests/v1", Reply(401, challenge))
    with pytest.raises(AuthenticationError) as err:
        repo_on(net, credential=Credential("u", "p")).resolve("v1")
    assert str(err.value) == (f'HEAD "https://{HOST}{V2}/manifests/v1": response status code '
                              "401: Unauthorized")
    assert err.value.reason == "credentials-refused" and err.value.detail == ""
    assert net.sent[0].authorization is None and net.sent[1].authorization.startswith("Basic ")


def test_bearer_challenge_gets_a_scoped_token_once(net):
    desc, _ = manifest()
    realm = "https://auth.example.com/token"
    net.on("HEAD", f"{V2}/manifests/v1", Reply(401, {
        "WWW-Authenticate": f'Bearer realm="{realm}",service="reg",scope="repository:{REPO}:pull"'}))
    net.on("GET", r"/token\?.*", Reply(200, {}, b'{"token":"t0k"}'))
    ok = Reply(200, {"Content-Type": mediatype.OCI_MANIFEST,
                     "Docker-Content-Digest": str(desc.digest), "Content-Length": str(desc.size)})
    net.on("HEAD", f"{V2}/manifests/v1", ok)
    net.on("HEAD", f"{V2}/manifests/v2", ok)
    repo = repo_on(net, credential=Credential("u", "p"))
    assert repo.resolve("v1") == desc
    assert repo.resolve("v2") == desc  # the cached token, no second token request
    token_req = net.sent[1]
    assert token_req.query == {"service": "reg", "scope": f"repository:{REPO}:pull"}
    assert token_req.headers["Authorization"].startswith("Basic ")
    assert [s.authorization for s in net.sent[2:]] == ["Bearer t0k", "Bearer t0k"]


def test_token_server_refusal(net):
    net.on("HEAD", f"{V2}/manifests/v1", Reply(401, {
        "WWW-Authenticate": 'Bearer realm="https://auth.example.com/token",service="reg"'}))
    net.on("GET", r"/token\?.*", Reply(401))
    with pytest.raises(AuthenticationError, match="the token server refused the credentials"):
        repo_on(net, credential=Credential("u", "bad")).resolve("v1")


def test_503_is_retried_for_a_request_that_can_be_repeated(net):
    desc, _ = manifest()
    net.on("HEAD", f"{V2}/manifests/v1", Reply(503, {"Retry-After": "0"}))
    net.on("HEAD", f"{V2}/manifests/v1", Reply(200, {
        "Content-Type": mediatype.OCI_MANIFEST, "Docker-Content-Digest": str(desc.digest),
        "Content-Length": str(desc.size)}))
    assert repo_on(net, retry=RetryPolicy(max_attempts=3)).resolve("v1") == desc
