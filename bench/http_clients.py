#!/usr/bin/env python3
"""Which HTTP client downloads a blob fastest from a local Distribution registry?

Starts its own registry on 127.0.0.1, uploads a random blob with curl, then downloads it to a file
with curl, httpx (default 64 KiB raw reads and 1 MiB reads) and urllib3 (1 MiB raw reads, with and
without sha256 hashing), several runs each, and prints a table of MB/s.

    python bench/http_clients.py [--size-mib 512] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tests.support.registry import start_registry

CHUNK = 1 << 20


def make_blob(path: str, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(size // CHUNK):
            data = os.urandom(CHUNK)
            h.update(data)
            f.write(data)
    return "sha256:" + h.hexdigest()


def upload_with_curl(base: str, path: str, digest: str) -> None:
    head = subprocess.run(["curl", "-s", "-D-", "-o/dev/null", "-XPOST", f"{base}/uploads/"],
                          capture_output=True, text=True, check=True).stdout
    location = next(line.split(": ", 1)[1].strip() for line in head.splitlines()
                    if line.lower().startswith("location"))
    sep = "&" if "?" in location else "?"
    subprocess.run(["curl", "-s", "-XPUT", "-H", "Content-Type: application/octet-stream",
                    "--data-binary", f"@{path}", f"{location}{sep}digest={digest}"], check=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mib", type=int, default=512)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    size = args.size_mib * CHUNK
    reg = start_registry()
    work = tempfile.mkdtemp(prefix="orasx-bench-")
    blob, out = os.path.join(work, "blob"), os.path.join(work, "out")
    try:
        digest = make_blob(blob, size)
        base = f"http://{reg.host}/v2/bench/blobs"
        upload_with_curl(base, blob, digest)
        url = f"{base}/{digest}"

        def curl() -> None:
            subprocess.run(["curl", "-s", "-o", out, "-L", url], check=True)

        def httpx_reads(chunk: int | None) -> Callable[[], None]:
            def run() -> None:
                import httpx

                with httpx.Client() as c, c.stream("GET", url, follow_redirects=True) as r, \
                        open(out, "wb") as f:
                    for data in r.iter_raw(chunk):
                        f.write(data)
            return run

        def urllib3_reads(hashing: bool) -> Callable[[], None]:
            def run() -> None:
                import urllib3

                h = hashlib.sha256()
                r = urllib3.PoolManager().request("GET", url, preload_content=False,
                                                  decode_content=False)
                with open(out, "wb") as f:
                    while data := r.read(CHUNK):
                        if hashing:
                            h.update(data)
                        f.write(data)
            return run

        cases: list[tuple[str, Callable[[], None]]] = [
            ("curl -o file", curl),
            ("httpx iter_raw() 64 KiB", httpx_reads(None)),
            ("httpx iter_raw(1 MiB)", httpx_reads(CHUNK)),
            ("urllib3 read(1 MiB)", urllib3_reads(False)),
            ("urllib3 read(1 MiB) + sha256", urllib3_reads(True)),
        ]
        print(f"| client ({args.size_mib} MiB download) | median MB/s | min | max |")
        print("|---|---|---|---|")
        for name, fn in cases:
            speeds = []
            for _ in range(args.runs):
                t = time.perf_counter()
                fn()
                speeds.append(size / (time.perf_counter() - t) / 1e6)
            print(f"| {name} | {statistics.median(speeds):.0f} | {min(speeds):.0f} | "
                  f"{max(speeds):.0f} |")
    finally:
        reg.stop()
        subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    main()
