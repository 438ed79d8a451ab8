"""Uploads hashed while they are sent (a first push of a big file reads it once).

Over the scripted transport of ``test_repository_unit``: the requests sent, how often the file is
read, and that a file that changes while it is sent is never finished (no ``PUT ?digest=``).
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from orasx.errors import NetworkError, VerificationError
from orasx.registry import _streams
from tests.registry.test_repository_unit import V2, Reply, ScriptedTransport, Sent, repo_on


@pytest.fixture
def net() -> ScriptedTransport:
    t = ScriptedTransport()
    yield t
    assert not t.steps, f"requests never sent: {t.steps}"


class CountingFile(io.FileIO):
    """A file that counts the bytes read from it."""

    bytes_read = 0

    def read(self, size: int = -1, /) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def make(tmp_path: Path, size: int) -> tuple[Path, bytes]:
    data = os.urandom(size)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    return path, data


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_a_file_is_read_once_and_sent_as_one_patch_then_put_with_its_digest(net, tmp_path):
    path, data = make(tmp_path, 3 * 1024 * 1024 + 5)
    net.on("POST", f"{V2}/blobs/uploads/", Reply(202, {"Location": f"{V2}/blobs/uploads/s1"}))
    net.on("PATCH", f"{V2}/blobs/uploads/s1", Reply(202, {"Location": f"{V2}/blobs/uploads/s2"}))
    net.on("PUT", rf"{V2}/blobs/uploads/s2\?digest=.*", Reply(201))
    with CountingFile(path) as f:
        desc = repo_on(net).push_stream("application/x-big", f, {"k": "v"})
        assert f.bytes_read == len(data)  # read exactly once: no hashing pass before
    assert str(desc.digest) == sha(data) and desc.size == len(data)
    assert desc.media_type == "application/x-big" and desc.annotations == {"k": "v"}
    patch = net.sent[1]
    assert patch.streamed and patch.body == data
    assert patch.headers["Content-Length"] == str(len(data))
    assert patch.headers["Content-Range"] == f"0-{len(data) - 1}"
    assert net.sent[2].query["digest"] == sha(data) and net.sent[2].body == b""


def test_a_file_changed_while_it_is_sent_is_not_finished(net, tmp_path):
    path, data = make(tmp_path, 4096)

    def rewrite(_sent: Sent) -> Reply:  # same size, other bytes, after they were read
        path.write_bytes(b"x" * len(data))
        os.utime(path, ns=(1, 1))
        return Reply(202)

    net.on("POST", f"{V2}/blobs/uploads/", Reply(202, {"Location": f"{V2}/blobs/uploads/s"}))
    net.on("PATCH", f"{V2}/blobs/uploads/s", rewrite)
    net.on("DELETE", f"{V2}/blobs/uploads/s", Reply(204))  # the session is cancelled: no PUT
    with open(path, "rb") as f, pytest.raises(VerificationError, match="changed while"):
        repo_on(net).push_stream("application/octet-stream", f)
    assert [s.method for s in net.sent] == ["POST", "PATCH", "DELETE"]


def test_a_file_that_shrinks_while_it_is_sent_fails_the_request(net, tmp_path):
    path, _ = make(tmp_path, 3 * 1024 * 1024)

    class Shrinking(io.FileIO):
        def read(self, size: int = -1, /) -> bytes:
            got = super().read(size)
            os.truncate(path, 1024 * 1024)  # cut short after the first piece
            return got

    net.on("POST", f"{V2}/blobs/uploads/", Reply(202, {"Location": f"{V2}/blobs/uploads/s"}))
    net.on("DELETE", f"{V2}/blobs/uploads/s", Reply(204))
    with Shrinking(path) as f, pytest.raises(VerificationError, match="shorter"):
        repo_on(net).push_stream("application/octet-stream", f)
    assert [s.method for s in net.sent] == ["POST", "DELETE"]  # the PATCH never completed


def test_a_big_file_goes_in_chunks_and_a_failed_push_continues_the_session(
        net, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(_streams, "CHUNKED_THRESHOLD", 1000)
    monkeypatch.setattr(_streams, "CHUNK_BYTES", 1000)
    path, data = make(tmp_path, 2500)
    net.on("POST", f"{V2}/blobs/uploads/", Reply(202, {"Location": f"{V2}/blobs/uploads/t"}))
    net.on("PATCH", f"{V2}/blobs/uploads/t", Reply(202))
    net.on("PATCH", f"{V2}/blobs/uploads/t", NetworkError("PATCH: connection reset"))
    with open(path, "rb") as f, pytest.raises(NetworkError):
        repo_on(net).push_stream("application/octet-stream", f)
    assert len(list((tmp_path / "cache" / "orasx" / "uploads").iterdir())) == 1

    net.on("GET", f"{V2}/blobs/uploads/t", Reply(204, {"Range": "0-999"}))
    net.on("PATCH", f"{V2}/blobs/uploads/t", Reply(202))
    net.on("PATCH", f"{V2}/blobs/uploads/t", Reply(202))
    net.on("PUT", rf"{V2}/blobs/uploads/t\?digest=.*", Reply(201))
    with CountingFile(path) as f:
        desc = repo_on(net).push_stream("application/octet-stream", f)
        assert f.bytes_read == len(data)  # what the registry holds is hashed, not sent again
    resumed = [s for s in net.sent[-3:] if s.method == "PATCH"]
    assert [p.headers["Content-Range"] for p in resumed] == ["1000-1999", "2000-2499"]
    assert b"".join(p.body for p in resumed) == data[1000:]
    assert str(desc.digest) == sha(data) == net.sent[-1].query["digest"]
    assert not list((tmp_path / "cache" / "orasx" / "uploads").iterdir())


def test_a_pipe_still_goes_in_pieces_of_unknown_length(net):
    data = b"y" * 10
    net.on("POST", f"{V2}/blobs/uploads/", Reply(202, {"Location": f"{V2}/blobs/uploads/p"}))
    net.on("PATCH", f"{V2}/blobs/uploads/p", Reply(202))
    net.on("PUT", rf"{V2}/blobs/uploads/p\?digest=.*", Reply(201))
    desc = repo_on(net).push_stream("application/octet-stream", io.BytesIO(data))
    assert str(desc.digest) == sha(data) and not net.sent[1].streamed
