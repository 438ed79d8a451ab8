"""Soak: 4 pushers and 4 pullers for ORASX_SOAK_SECONDS (default 60) through a proxy that
injects random faults. Every pull that succeeds verifies; every push that succeeds is in the
registry; nothing unverified is ever left in an output directory."""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path

import pytest

import orasx
from orasx.errors import OrasError
from tests.support.servers import Proxy, Reply, Request


@pytest.mark.slow
def test_soak_under_random_faults(registry, tmp_path: Path):
    seconds = float(os.environ.get("ORASX_SOAK_SECONDS", "60"))
    rng = random.Random(1234)
    lock = threading.Lock()
    holder: dict[str, Proxy] = {}
    faults: dict[str, int] = {}

    def count(name: str) -> None:
        with lock:
            faults[name] = faults.get(name, 0) + 1

    def hook(req: Request) -> Reply | None:
        with lock:
            roll = rng.random()
        if roll < 0.04:
            count("503")
            return Reply(503, {"Retry-After": "0"})
        if roll < 0.06:
            count("429")
            return Reply(429)
        if req.method == "GET" and "/blobs/sha256:" in req.path and roll < 0.10:
            real = holder["p"].forward(req)
            if real.status == 200 and len(real.body) > 10:
                if roll < 0.08:
                    count("cut")
                    return Reply(200, real.headers, real.body, cut_after=len(real.body) // 2)
                count("flip")
                body = bytearray(real.body)
                body[len(body) // 3] ^= 0x40
                return Reply(200, real.headers, bytes(body))
            return real
        if req.method == "PUT" and "/blobs/uploads/" in req.path and roll < 0.12:
            holder["p"].forward(req)
            count("lost-put-answer")
            return Reply(0, drop=True)
        return None

    proxy = Proxy(registry.host, hook=hook)
    holder["p"] = proxy
    pushed: dict[str, bytes] = {}
    results = {"push_ok": 0, "push_err": 0, "pull_ok": 0, "pull_err": 0, "corrupt": 0}
    deadline = time.monotonic() + seconds

    def pusher(n: int) -> None:
        i = 0
        while time.monotonic() < deadline:
            i += 1
            work = tmp_path / f"push-{n}-{i}"
            work.mkdir()
            data = os.urandom(random.randint(1, 600_000))
            (work / "f.bin").write_bytes(data)
            ref = f"{proxy.host}/soak/w{n}:i{i}"
            try:
                orasx.push(ref, [f"{work / 'f.bin'}"], disable_path_validation=True)
                with lock:
                    pushed[ref] = data
                    results["push_ok"] += 1
            except OrasError:
                with lock:
                    results["push_err"] += 1

    def puller(n: int) -> None:
        i = 0
        while time.monotonic() < deadline:
            with lock:
                refs = list(pushed)
            if not refs:
                time.sleep(0.05)
                continue
            i += 1
            ref = random.choice(refs)
            out = tmp_path / f"pull-{n}-{i}"
            try:
                result = orasx.pull(ref, str(out), allow_path_traversal=True)
            except OrasError:
                with lock:
                    results["pull_err"] += 1
                leftovers = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
                assert not [p for p in leftovers if p.name.startswith(".orasx")]
                continue
            got = Path(result.files[0].path).read_bytes()
            with lock:
                if got == pushed[ref]:
                    results["pull_ok"] += 1
                else:
                    results["corrupt"] += 1

    threads = [threading.Thread(target=pusher, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=puller, args=(n,)) for n in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + 120)
        assert not any(t.is_alive() for t in threads)
    finally:
        proxy.stop()
    print(f"soak: {results}, faults injected: {faults}")
    assert results["corrupt"] == 0
    assert results["push_ok"] > 20 and results["pull_ok"] > 20
    assert sum(faults.values()) > 20
    assert results["push_ok"] >= 0.8 * (results["push_ok"] + results["push_err"])
    for ref in pushed:  # every push that said it worked is in the registry
        direct = ref.replace(proxy.host, registry.host)
        assert orasx.Repository(orasx.parse_reference(direct)).resolve(direct.rsplit(":", 1)[1])
