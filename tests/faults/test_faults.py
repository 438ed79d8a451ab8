"""Faults between orasx and a real registry, injected by a proxy: each ends in success or a clear
one-line error, and never leaves a partial or unverified file behind."""

from __future__ import annotations

import email.utils
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ORAS
from tests.e2e.test_signals import default_signals
from tests.support.servers import Proxy, Reply, Request

BLOB = 3 * 1024 * 1024


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "big.bin").write_bytes(os.urandom(BLOB))
    (tmp_path / "small.txt").write_text("small")
    return tmp_path


def is_blob_get(req: Request) -> bool:
    return req.method == "GET" and "/blobs/sha256:" in req.path


def only_files(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


def pushed(oras, registry, repo: str, work: Path) -> None:
    oras("push", f"{registry.host}/{repo}:v1", "big.bin", "small.txt", cwd=work)


def test_503_then_success_honours_retry_after(oras, registry, work):
    seen: list[float] = []
    import hashlib

    big = "sha256:" + hashlib.sha256((work / "big.bin").read_bytes()).hexdigest()

    def hook(req: Request) -> Reply | None:
        if req.method == "HEAD" and big in req.path:
            seen.append(time.monotonic())
            if len(seen) <= 2:
                return Reply(503, {"Retry-After": "1"})
        return None

    proxy = Proxy(registry.host, hook=hook)
    try:
        # The repository exists already, so the push asks whether the blob is there (a new
        # repository holds nothing and gets no HEAD at all).
        oras("push", f"{proxy.host}/f/retry:seed", "small.txt", cwd=work)
        pushed(oras, proxy, "f/retry", work)
        assert len(seen) == 3
        assert seen[1] - seen[0] >= 0.9 and seen[2] - seen[1] >= 0.9
    finally:
        proxy.stop()


def test_429_with_an_http_date(oras, registry, work):
    count = {"n": 0}

    def hook(req: Request) -> Reply | None:
        if req.method == "POST" and count["n"] == 0:
            count["n"] += 1
            when = email.utils.formatdate(time.time() + 1, usegmt=True)
            return Reply(429, {"Retry-After": when})
        return None

    proxy = Proxy(registry.host, hook=hook)
    try:
        pushed(oras, proxy, "f/429", work)
        assert count["n"] == 1
    finally:
        proxy.stop()


def test_persistent_503_gives_up_with_one_line(oras, registry, work):
    proxy = Proxy(registry.host, hook=lambda r: Reply(503, body=b'{"errors":[{"code":"UNAVAILABLE"}]}'))
    try:
        t = time.monotonic()
        proc = oras("push", f"{proxy.host}/f/down:v1", "small.txt", cwd=work, ok=False)
        assert proc.returncode == 1 and proc.stderr.count("\n") == 1
        assert "503" in proc.stderr and time.monotonic() - t < 30
        per_path: dict[str, int] = {}
        for r in proxy.requests:
            per_path[r.path] = per_path.get(r.path, 0) + 1
        assert per_path and max(per_path.values()) == 5  # the policy's attempts, then it gave up
    finally:
        proxy.stop()


def test_digest_invalid_is_not_retried(oras, registry, work):
    def hook(req: Request) -> Reply | None:
        if req.method == "PUT" and "/blobs/uploads/" in req.path:
            return Reply(400, body=b'{"errors":[{"code":"DIGEST_INVALID","message":"bad"}]}')
        return None

    proxy = Proxy(registry.host, hook=hook)
    try:
        proc = oras("push", f"{proxy.host}/f/bad:v1", "small.txt", cwd=work, ok=False)
        # Go's words for the registry's error code and message
        assert proc.returncode == 1 and "digest invalid: bad" in proc.stderr
        puts = [r.path.split("digest=")[1] for r in proxy.requests if r.method == "PUT"]
        assert puts and len(puts) == len(set(puts))  # no blob was sent twice
    finally:
        proxy.stop()


def _download_fault(registry, make_reply):
    """A proxy whose blob GETs (without a Range header) get the reply ``make_reply`` builds."""
    state = {"n": 0}
    holder: dict[str, Proxy] = {}

    def hook(req: Request) -> Reply | None:
        if not is_blob_get(req) or "Range" in req.headers:
            return None
        real = holder["p"].forward(req)
        if real.status != 200 or len(real.body) < 1024 * 1024:
            return real
        state["n"] += 1
        return make_reply(real, state["n"])

    proxy = Proxy(registry.host, hook=hook)
    holder["p"] = proxy
    return proxy, state


def test_reset_mid_download_resumes_with_range(oras, registry, work):
    pushed(oras, registry, "f/reset", work)
    proxy, _ = _download_fault(
        registry, lambda real, n: Reply(200, real.headers, real.body, cut_after=1024 * 1024)
        if n == 1 else real)
    try:
        oras("pull", f"{proxy.host}/f/reset:v1", "-o", "out", cwd=work)
        assert (work / "out" / "big.bin").read_bytes() == (work / "big.bin").read_bytes()
        assert any("Range" in r.headers for r in proxy.requests if is_blob_get(r))
    finally:
        proxy.stop()


def test_refused_ranges_restart_cleanly(oras, registry, work):
    pushed(oras, registry, "f/norange", work)
    holder: dict[str, Proxy] = {}
    cuts = {"n": 0}

    def hook(req: Request) -> Reply | None:
        if not is_blob_get(req):
            return None
        headers = {k: v for k, v in req.headers.items() if k.lower() != "range"}
        real = holder["p"].forward(Request(req.method, req.path, headers, req.body))
        real.headers.pop("Accept-Ranges", None)
        if len(real.body) > 1024 * 1024 and cuts["n"] == 0:
            cuts["n"] += 1
            return Reply(200, real.headers, real.body, cut_after=512 * 1024)
        return real

    proxy = Proxy(registry.host, hook=hook)
    holder["p"] = proxy
    try:
        oras("pull", f"{proxy.host}/f/norange:v1", "-o", "out", cwd=work)
        assert (work / "out" / "big.bin").read_bytes() == (work / "big.bin").read_bytes()
    finally:
        proxy.stop()


def test_truncated_body_every_time_fails_and_leaves_nothing(oras, registry, work):
    pushed(oras, registry, "f/trunc", work)
    proxy = Proxy(registry.host)
    proxy.hook = lambda req: _truncate_all(proxy, req)
    try:
        proc = oras("pull", f"{proxy.host}/f/trunc:v1", "-o", "out", cwd=work, ok=False)
        assert proc.returncode == 1 and proc.stderr.startswith("Error: ")
        assert "big.bin" not in only_files(work / "out")
        assert not [n for n in only_files(work / "out") if n.startswith(".orasx")]
    finally:
        proxy.stop()


def _truncate_all(proxy: Proxy, req: Request) -> Reply | None:
    if not is_blob_get(req):
        return None
    real = proxy.forward(Request("GET", req.path, {}, b""))
    if len(real.body) < 1024 * 1024:
        return real
    start = 0
    if "Range" in req.headers:
        start = int(req.headers["Range"].split("=")[1].split("-")[0])
        body = real.body[start:]
        headers = {**real.headers, "Content-Range": f"bytes {start}-{BLOB - 1}/{BLOB}"}
        return Reply(206, headers, body, cut_after=min(len(body) // 2, 1000))
    return Reply(200, real.headers, real.body, cut_after=len(real.body) // 2)


def test_flipped_byte_once_is_fetched_again(oras, registry, work):
    pushed(oras, registry, "f/flip1", work)

    def flip(real: Reply, n: int) -> Reply:
        if n > 1:
            return real
        body = bytearray(real.body)
        body[12345] ^= 0xFF
        return Reply(200, real.headers, bytes(body))

    proxy, _ = _download_fault(registry, flip)
    try:
        oras("pull", f"{proxy.host}/f/flip1:v1", "-o", "out", cwd=work)
        assert (work / "out" / "big.bin").read_bytes() == (work / "big.bin").read_bytes()
    finally:
        proxy.stop()


def test_flipped_byte_always_fails_with_no_file(oras, registry, work):
    pushed(oras, registry, "f/flip", work)

    def flip(real: Reply, n: int) -> Reply:
        body = bytearray(real.body)
        body[777] ^= 0x01
        return Reply(200, real.headers, bytes(body))

    proxy, state = _download_fault(registry, flip)
    try:
        proc = oras("pull", f"{proxy.host}/f/flip:v1", "-o", "out", cwd=work, ok=False)
        assert proc.returncode == 1 and "digest mismatch" in proc.stderr
        assert "big.bin" not in only_files(work / "out")
        assert not [n for n in only_files(work / "out") if n.startswith(".")]
        assert state["n"] == 3  # each try read the blob afresh, then it gave up
    finally:
        proxy.stop()


def test_stalled_response_times_out_and_is_retried(oras, registry, work, monkeypatch):
    pushed(oras, registry, "f/stall", work)
    proxy, _ = _download_fault(
        registry, lambda real, n: Reply(200, real.headers, real.body, delay=3) if n == 1 else real)
    monkeypatch.setenv("ORASX_READ_TIMEOUT", "1")
    try:
        t = time.monotonic()
        oras("pull", f"{proxy.host}/f/stall:v1", "-o", "out", cwd=work)
        assert time.monotonic() - t < 20
        assert (work / "out" / "big.bin").read_bytes() == (work / "big.bin").read_bytes()
    finally:
        proxy.stop()


def test_response_lost_after_the_registry_committed_the_upload(oras, registry, work):
    holder: dict[str, Proxy] = {}
    dropped = {"n": 0}

    def hook(req: Request) -> Reply | None:
        if req.method == "PUT" and "/blobs/uploads/" in req.path and len(req.body) > 1024 * 1024 \
                and dropped["n"] == 0:
            holder["p"].forward(req)  # the registry stores the blob ...
            dropped["n"] += 1
            return Reply(0, drop=True)  # ... and the answer never arrives
        return None

    proxy = Proxy(registry.host, hook=hook)
    holder["p"] = proxy
    try:
        oras("push", f"{proxy.host}/f/lost:v1", "big.bin", cwd=work)
        assert dropped["n"] == 1
        oras("pull", f"{registry.host}/f/lost:v1", "-o", "out", cwd=work)
        assert (work / "out" / "big.bin").read_bytes() == (work / "big.bin").read_bytes()
    finally:
        proxy.stop()


def test_413_on_a_large_put_falls_back_to_chunks(oras, registry, work):
    holder: dict[str, Proxy] = {}
    lost = {"n": 0}

    def hook(req: Request) -> Reply | None:
        if req.method == "PUT" and "/blobs/uploads/" in req.path and len(req.body) > 1024 * 1024:
            return Reply(413, body=b"Request Entity Too Large")
        if req.method == "PATCH" and lost["n"] == 0:
            holder["p"].forward(req)
            lost["n"] += 1
            return Reply(0, drop=True)  # and the first PATCH's answer is lost too
        return None

    proxy = Proxy(registry.host, hook=hook)
    holder["p"] = proxy
    try:
        oras("push", f"{proxy.host}/f/413:v1", "big.bin", cwd=work)
        assert any(r.method == "PATCH" for r in proxy.requests)
        assert lost["n"] == 1
        oras("pull", f"{registry.host}/f/413:v1", "-o", "out", cwd=work)
        assert (work / "out" / "big.bin").read_bytes() == (work / "big.bin").read_bytes()
    finally:
        proxy.stop()


def test_interrupted_push_continues_its_upload_session_next_time(registry, work, monkeypatch):
    import io

    from orasx.descriptor import Descriptor
    from orasx.errors import OrasError
    from orasx.registry.remote import Repository

    monkeypatch.setenv("XDG_CACHE_HOME", str(work / "cache"))
    data = (work / "big.bin").read_bytes()
    desc = Descriptor.from_bytes("application/octet-stream", data)
    patches = {"n": 0, "fail": True}

    def hook(req: Request) -> Reply | None:
        if req.method == "PATCH":
            patches["n"] += 1
            if patches["fail"] and patches["n"] >= 2:
                return Reply(0, drop=True)  # the link dies after the first chunk
        return None

    proxy = Proxy(registry.host, hook=hook)
    try:
        repo = Repository(f"{proxy.host}/f/resume")
        repo.chunked_threshold = repo.chunk_size = 1024 * 1024
        with pytest.raises(OrasError):
            repo.push(desc, io.BytesIO(data))
        state = list((work / "cache" / "orasx" / "uploads").iterdir())
        assert len(state) == 1 and state[0].stat().st_mode & 0o777 == 0o600
        patches["fail"] = False
        before = len(proxy.requests)
        repo2 = Repository(f"{proxy.host}/f/resume")
        repo2.chunked_threshold = repo2.chunk_size = 1024 * 1024
        repo2.push(desc, io.BytesIO(data))
        ranges = [r.headers.get("Content-Range", "") for r in proxy.requests[before:]
                  if r.method == "PATCH"]
        assert ranges and not ranges[0].startswith("0-")  # it went on from where it stopped
        assert not any(r.method == "POST" for r in proxy.requests[before:])
        assert repo2.exists(desc)
        assert list((work / "cache" / "orasx" / "uploads").iterdir()) == []
    finally:
        proxy.stop()


def test_ctrl_c_ends_a_pull_promptly_with_no_partial_file(oras, registry, work):
    pushed(oras, registry, "f/intr", work)
    proxy, _ = _download_fault(registry, lambda real, n: Reply(200, real.headers, real.body,
                                                               trickle=0.2))
    try:
        out = work / "out"
        proc = subprocess.Popen([ORAS, "pull", f"{proxy.host}/f/intr:v1", "-o", str(out)],
                                cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                preexec_fn=default_signals)
        time.sleep(2.5)
        t = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
        assert time.monotonic() - t < 8  # a trickle piece arrives every 0.2 s: prompt, with slack
        assert proc.returncode != 0
        assert "big.bin" not in only_files(out)
        assert not [n for n in only_files(out) if n.startswith(".orasx")]
    finally:
        proxy.stop()


def test_trickling_download_is_detected_and_resumed(oras, registry, work, monkeypatch):
    pushed(oras, registry, "f/trickle", work)
    proxy, _ = _download_fault(registry, lambda real, n: Reply(200, real.headers, real.body,
                                                               trickle=0.3))
    monkeypatch.setenv("ORASX_STALL_SECONDS", "1")
    monkeypatch.setenv("ORASX_STALL_MIN_BYTES", str(1024 * 1024))
    try:
        t = time.monotonic()
        oras("pull", f"{proxy.host}/f/trickle:v1", "-o", "out", cwd=work)
        assert time.monotonic() - t < 8  # the trickle alone would take ~15 s
        assert (work / "out" / "big.bin").read_bytes() == (work / "big.bin").read_bytes()
        assert any("Range" in r.headers for r in proxy.requests if is_blob_get(r))
    finally:
        proxy.stop()
