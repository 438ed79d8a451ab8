#!/usr/bin/env python3
"""Would HTTP/2 pay? 200 small blobs over TLS, HTTP/1.1 with many connections against HTTP/2 on one.

Starts a TLS Distribution registry on 127.0.0.1 (a CA made here) and the 40 ms delay line in front
of it, pushes 200 x 4 KiB blobs with orasx, then downloads them all (every body's sha256 checked)
with: urllib3 over HTTP/1.1, 24 connections from 24 threads (what orasx's transport does for small
blobs); httpx over HTTP/2, all 200 streams on one connection (asyncio); and the ``oras pull`` of the
same artifact. Prints the network phase of each (imports excluded), medians of 3, as a table.

Run with the project's venv: ``.venv/bin/python bench/http2.py --h2-python VENV/bin/python``, where
that venv has ``httpx[http2]`` (kept out of orasx's dependencies; ``bench/run.sh`` does not need it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
from delayline import DelayLine  # noqa: E402

from tests.support.pki import CA  # noqa: E402
from tests.support.registry import start_registry  # noqa: E402

N = 200

CLIENT = r'''
import asyncio, hashlib, json, sys, time
mode, base, ca, digests = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
def check(d, body):
    assert "sha256:" + hashlib.sha256(body).hexdigest() == d, d
if mode == "urllib3-h1":
    import concurrent.futures, urllib3
    pool = urllib3.PoolManager(maxsize=24, ca_certs=ca)
    def one(d):
        check(d, pool.request("GET", f"{base}/blobs/{d}").data)
    t = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(24) as ex:
        list(ex.map(one, digests))
else:
    import httpx
    async def main():
        async with httpx.AsyncClient(http2=True, verify=ca) as c:
            async def one(d):
                r = await c.get(f"{base}/blobs/{d}")
                assert r.http_version == "HTTP/2", r.http_version
                check(d, r.content)
            await asyncio.gather(*(one(d) for d in digests))
    t = time.perf_counter()
    asyncio.run(main())
print(time.perf_counter() - t)
'''


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--h2-python", required=True, help="python of a venv with httpx[http2]")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rtt-ms", type=float, default=40.0)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="orasx-h2-"))
    ca = CA(work / "pki")
    server = ca.issue("registry", hosts=("127.0.0.1", "localhost"))
    reg = start_registry(tls=(server.cert, server.key))
    oras = os.path.join(os.path.dirname(sys.executable), "oras")
    try:
        with DelayLine("127.0.0.1", reg.port, args.rtt_ms / 2000) as line:
            files = work / "small"
            files.mkdir()
            for i in range(N):
                (files / f"f{i:03d}.bin").write_bytes(os.urandom(4096))
            tls = ["--ca-file", str(ca.cert_path)]
            ref = f"{line.host}/bench/h2:v1"
            subprocess.run([oras, "push", *tls, ref, *sorted(p.name for p in files.iterdir())],
                           cwd=files, check=True, capture_output=True)
            man = subprocess.run([oras, "manifest", "fetch", *tls, ref], check=True,
                                 capture_output=True).stdout
            digests = [layer["digest"] for layer in json.loads(man)["layers"]]
            base = f"https://{line.host}/v2/bench/h2"
            rows: dict[str, list[float]] = {"urllib3, HTTP/1.1, 24 connections": [],
                                            "httpx, HTTP/2, 1 connection": [],
                                            "oras pull (whole command)": []}
            for _ in range(args.runs):
                for mode, py, label in (("urllib3-h1", sys.executable,
                                         "urllib3, HTTP/1.1, 24 connections"),
                                        ("httpx-h2", args.h2_python, "httpx, HTTP/2, 1 connection")):
                    out = subprocess.run([py, "-c", CLIENT, mode, base, str(ca.cert_path),
                                          json.dumps(digests)], check=True, capture_output=True,
                                         text=True).stdout
                    rows[label].append(float(out))
                dest = tempfile.mkdtemp(dir=work)
                t = time.perf_counter()
                subprocess.run([oras, "pull", *tls, ref, "-o", dest], check=True,
                               capture_output=True)
                rows["oras pull (whole command)"].append(time.perf_counter() - t)
                pulled = {"sha256:" + hashlib.sha256((Path(dest) / f).read_bytes()).hexdigest()
                          for f in os.listdir(dest)}
                assert pulled == set(digests), "oras pull wrote other content"
        print(f"| {N} x 4 KiB over TLS, {args.rtt_ms:g} ms RTT | median s | runs |")
        print("|---|---|---|")
        for label, times in rows.items():
            print(f"| {label} | {statistics.median(times):.3f} | "
                  + " ".join(f"{x:.3f}" for x in times) + " |")
    finally:
        reg.stop()


if __name__ == "__main__":
    main()
