"""Big blobs pulled as parallel Range requests (issue #23 part 4): written in place, verified over
the whole, following the registry's redirect to another origin without our credentials, one
stream where Range is not honoured, a corrupt range caught, and memory bounded."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import subprocess
import urllib.parse
from pathlib import Path

import pytest

from orasx import ClientOptions, Credential, Remote, pull, push
from orasx.errors import OrasError
from orasx.registry import _rangedget
from tests.conftest import ORAS
from tests.support.registry import Registry
from tests.support.servers import Proxy, Reply, Request

MIB = 1 << 20


@pytest.fixture(autouse=True)
def _parallel_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback is faster than any capped flow, and the client is what is busy there: here
    every download brings in its other connections at once, as one over a capped link does
    after ``RAMP``."""
    monkeypatch.setattr(_rangedget, "FAST_FLOW", float("inf"))
    monkeypatch.setattr(_rangedget, "RAMP", 0.0)
    monkeypatch.setattr(_rangedget, "CPU_BOUND", float("inf"))


def _blob(path: Path, size: int) -> str:
    data = os.urandom(size)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _remote(reg: Registry | None = None) -> Remote:
    """The library's remote with big blobs from 2 MiB on (a few MiB take the ranged path)."""
    cred = (Credential(username=reg.username or "", password=reg.password or "") if reg
            else Credential())
    return Remote(options=ClientOptions(range_threshold=2 * MIB, range_connections=4),
                  credential=cred, use_credential_store=False)


def _push(ref: str, src: Path, remote: Remote) -> None:
    with contextlib.chdir(src):
        push(ref, ["big.bin"], remote=remote)


def _ranges(requests: list[Request]) -> list[str]:
    return [r.headers.get("Range", "") for r in requests
            if r.method == "GET" and "/blobs/sha256:" in r.path]


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".orasx-"))


def test_big_blob_is_pulled_as_parallel_ranges_and_verifies(registry, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    want = _blob(src / "big.bin", 23 * MIB + 12345)
    _push(f"{registry.host}/t/ranged:v1", src, _remote())
    proxy = Proxy(registry.host)
    try:
        out = tmp_path / "out"
        pull(f"{proxy.host}/t/ranged:v1", out, remote=_remote())
        assert hashlib.sha256((out / "big.bin").read_bytes()).hexdigest() == want
        assert _leftovers(out) == []
        ranges = _ranges(proxy.requests)
        assert ranges[0] == ""  # the first request asks for the whole blob ...
        assert len(ranges) >= 2 and all(r.startswith("bytes=") for r in ranges[1:])  # ... then parts
    finally:
        proxy.stop()


def test_redirected_ranges_carry_no_credentials_to_the_other_origin(auth_registry, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    want = _blob(src / "big.bin", 11 * MIB + 7)
    remote = _remote(auth_registry)
    _push(f"{auth_registry.host}/t/redirected:v1", src, remote)
    basic = base64.b64encode(f"{auth_registry.username}:{auth_registry.password}".encode()).decode()

    def as_storage(req: Request) -> Reply | None:  # the storage origin signs its own requests
        req.headers = {**req.headers, "Authorization": f"Basic {basic}"}
        return None

    storage = Proxy(auth_registry.host)
    seen: list[dict[str, str]] = []
    storage.hook = lambda req: (seen.append(dict(req.headers)), as_storage(req))[1]

    def redirect(req: Request) -> Reply | None:
        if req.method == "GET" and "/blobs/sha256:" in req.path:
            path = urllib.parse.urlsplit(req.path).path
            return Reply(307, {"Location": f"http://127.0.0.1:{storage.host.split(':')[1]}{path}"})
        return None

    front = Proxy(auth_registry.host, hook=redirect)
    try:
        out = tmp_path / "out"
        pull(f"{front.host}/t/redirected:v1", out, remote=remote)
        assert hashlib.sha256((out / "big.bin").read_bytes()).hexdigest() == want
        assert len(seen) >= 2  # the parts came from the other origin ...
        assert not any(k.lower() == "authorization" for h in seen for k in h)  # ... without ours
        assert any(r.startswith("bytes=") for r in _ranges(storage.requests))
        assert any("Authorization" in r.headers for r in front.requests)  # the registry had them
    finally:
        front.stop()
        storage.stop()


def test_registry_that_ignores_range_is_read_as_one_stream(registry, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    want = _blob(src / "big.bin", 9 * MIB + 3)
    _push(f"{registry.host}/t/norange:v1", src, _remote())

    def no_ranges(req: Request) -> None:
        req.headers = {k: v for k, v in req.headers.items() if k.lower() != "range"}

    def strip(_req: Request, rep: Reply) -> Reply:
        rep.headers = {k: v for k, v in rep.headers.items() if k.lower() != "accept-ranges"}
        return rep

    proxy = Proxy(registry.host, hook=lambda r: no_ranges(r), rewrite=strip)
    try:
        out = tmp_path / "out"
        pull(f"{proxy.host}/t/norange:v1", out, remote=_remote())
        assert hashlib.sha256((out / "big.bin").read_bytes()).hexdigest() == want
        blob_gets = [r for r in proxy.requests if r.method == "GET" and "/blobs/" in r.path]
        assert len(blob_gets) == 1  # one stream, no parts asked for
        assert _leftovers(out) == []
    finally:
        proxy.stop()


def test_corrupt_range_is_caught_and_the_blob_fetched_again(registry, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    want = _blob(src / "big.bin", 13 * MIB)
    _push(f"{registry.host}/t/corrupt:v1", src, _remote())
    corrupted: list[str] = []

    def corrupt(req: Request, rep: Reply) -> Reply:
        if req.headers.get("Range") and rep.status == 206 and not corrupted and len(rep.body) > 10:
            corrupted.append(req.headers["Range"])
            body = bytearray(rep.body)
            body[len(body) // 2] ^= 0xFF
            rep.body = bytes(body)
        return rep

    proxy = Proxy(registry.host, rewrite=corrupt)
    try:
        out = tmp_path / "out"
        pull(f"{proxy.host}/t/corrupt:v1", out, remote=_remote())
        assert corrupted, "no range was served"
        assert hashlib.sha256((out / "big.bin").read_bytes()).hexdigest() == want
        assert _leftovers(out) == []
    finally:
        proxy.stop()


def test_range_corrupt_every_time_fails_and_places_nothing(registry, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _blob(src / "big.bin", 5 * MIB)
    _push(f"{registry.host}/t/corrupt-always:v1", src, _remote())

    def corrupt(req: Request, rep: Reply) -> Reply:
        if "/blobs/sha256:" in req.path and req.method == "GET" and len(rep.body) > 10:
            rep.body = bytes([rep.body[0] ^ 0xFF]) + rep.body[1:]  # (a flip: never a no-op)
        return rep

    proxy = Proxy(registry.host, rewrite=corrupt)
    try:
        out = tmp_path / "out"
        out.mkdir()
        with pytest.raises(OrasError):
            pull(f"{proxy.host}/t/corrupt-always:v1", out, remote=_remote())
        assert sorted(p.name for p in out.iterdir()) == []  # no file, no partial file
    finally:
        proxy.stop()


def test_cli_pull_of_a_big_blob_stays_under_80_mb(registry, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    size = 160 * MIB
    h = hashlib.sha256()
    with open(src / "big.bin", "wb") as f:
        for _ in range(size // (16 * MIB)):
            chunk = os.urandom(16 * MIB)
            h.update(chunk)
            f.write(chunk)
    ref = f"{registry.host}/t/ranged-rss:v1"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["HOME"] = str(tmp_path)
    subprocess.run([ORAS, "push", ref, "big.bin"], cwd=src, env=env, check=True,
                   capture_output=True, timeout=120)
    (src / "big.bin").unlink()
    out = tmp_path / "out"
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", ORAS, "pull", ref, "-o", str(out)],
                          env={**env, "ORASX_RANGE_CONNECTIONS": "8"}, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rss_mb = int(proc.stderr.strip().splitlines()[-1]) / 1024
    assert rss_mb < 80, f"peak RSS {rss_mb:.0f} MB"
    with open(out / "big.bin", "rb") as f:
        got = hashlib.sha256()
        while chunk := f.read(16 * MIB):
            got.update(chunk)
    assert got.hexdigest() == h.hexdigest()
    assert _leftovers(out) == []
    (out / "big.bin").unlink()
