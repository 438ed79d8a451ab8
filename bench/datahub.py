#!/usr/bin/env python3
"""Data-hub targets: a cached second pull, a ranged read through fsspec, a reproducible re-push.

Starts a Distribution registry on 127.0.0.1 behind a request-counting proxy, pushes a 1 GiB file
(``--size`` to change it), and prints a table:

- ``oras pull`` with ``ORAS_CACHE``: the first pull, then a second pull into a new directory (wall
  seconds and blob requests; hashed as it is copied); ``orasx.snapshot`` the first time (the entry
  hashed, then linked) and again (each file's recorded fingerprint checked, median of 5);
- a 1 MiB read from the middle of the layer through ``fsspec.open("oras://...")`` (bytes fetched);
- ``oras push --reproducible`` of an unchanged directory after a ``touch`` of every file (bytes
  uploaded, digest equal).

Run: ``.venv/bin/python bench/datahub.py`` (after ``bash scripts/test.sh`` installed the tools).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from tests.support.registry import start_registry  # noqa: E402
from tests.support.servers import Proxy  # noqa: E402

ORAS = os.path.join(os.path.dirname(sys.executable), "oras")
MIB = 1 << 20


def _oras(*args: str, cwd: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([ORAS, *args], cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def _blob_requests(proxy: Proxy) -> int:
    return sum(1 for r in proxy.requests if r.method == "GET" and "/blobs/" in r.path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024, help="layer size in MiB (1024)")
    parser.add_argument("--only", choices=("all", "dataset", "copy"), default="all",
                        help="dataset: the Dask read; copy: the cache-to-directory copy")
    args = parser.parse_args()
    if args.only != "all":
        from orasx.api import Remote as _Remote
        from orasx.registry._http import ClientOptions as _Options

        reg = start_registry()
        work = tempfile.mkdtemp(prefix="orasx-datahub-")
        remote = _Remote(options=_Options(plain_http=True), use_credential_store=False)
        try:
            rows = (_dataset_rows(reg.host, work, remote) if args.only == "dataset"
                    else _copy_rows(reg.host, work, remote, args.size))
        finally:
            reg.stop()
            shutil.rmtree(work, ignore_errors=True)
        print("| scenario | result |\n|---|---|")
        for name, value in rows:
            print(f"| {name} | {value} |")
        return
    import fsspec

    import orasx
    from orasx.api import Remote
    from orasx.registry._http import ClientOptions

    reg = start_registry()
    proxy = Proxy(reg.host)
    work = tempfile.mkdtemp(prefix="orasx-datahub-")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DOCKER_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(HOME=work, ORASX_NO_DIGEST_CACHE="1",
               PYTHONPYCACHEPREFIX=os.path.join(work, "pycache"))
    # the command runs as a user's would: compiled once, as pip does on install
    subprocess.run([sys.executable, "-m", "compileall", "-q",
                    os.path.dirname(os.path.dirname(orasx.__file__))], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    rows: list[tuple[str, str]] = []
    try:
        size = args.size * MIB
        with open(os.path.join(work, "model.bin"), "wb") as f:
            for _ in range(args.size):
                f.write(os.urandom(MIB))
        port = proxy.host.rpartition(":")[2]
        ref = f"localhost:{port}/bench/datahub:v1"
        _oras("push", ref, "model.bin", cwd=work, env=env)
        cache = os.path.join(work, "cache")
        cenv = {**env, "ORAS_CACHE": cache}
        proxy.requests.clear()
        first = _oras("pull", ref, "-o", "one", cwd=work, env=cenv)
        first_blobs = _blob_requests(proxy)
        proxy.requests.clear()
        second = _oras("pull", ref, "-o", "two", cwd=work, env=cenv)
        second_blobs = _blob_requests(proxy)
        rows.append((f"oras pull {args.size} MiB, ORAS_CACHE, first",
                     f"{first:.2f} s, {first_blobs} blob GET"))
        rows.append((f"oras pull {args.size} MiB, ORAS_CACHE, second (copy from cache)",
                     f"{second:.2f} s, {second_blobs} blob GET"))
        # the same directory again (the user's usual loop): unchanged files are not rewritten
        denv = {k: v for k, v in cenv.items() if k != "ORASX_NO_DIGEST_CACHE"}
        _oras("pull", ref, "-o", "three", cwd=work, env=denv)
        proxy.requests.clear()
        _oras("pull", ref, "-o", "three", cwd=work, env=denv)
        counted = _blob_requests(proxy)
        # timed straight at the registry (the counting proxy, Python in this process, adds its
        # own delay to every request), after the earlier copies' gigabytes reached the disk (this
        # pull writes nothing, but a disk busy with writeback slows every command's start)
        direct = f"{reg.host}/bench/datahub:v1"
        os.sync()
        again = sorted(_oras("pull", direct, "-o", "three", cwd=work, env=denv) for _ in range(5))
        rows.append((f"oras pull {args.size} MiB, ORAS_CACHE, again into the same directory "
                     "(median of 5, no proxy)",
                     f"{again[2]:.2f} s (runs {again[0]:.2f}-{again[-1]:.2f}), {counted} blob GET"))
        remote = Remote(options=ClientOptions(plain_http=True), use_credential_store=False)
        # the same pull from Python (no process start): the digest cache the command used
        os.environ["XDG_CACHE_HOME"] = os.path.join(work, ".cache")
        os.environ.pop("ORASX_NO_DIGEST_CACHE", None)
        lib = []
        for _ in range(5):
            start = time.perf_counter()
            orasx.pull(direct, os.path.join(work, "three"), cache_dir=cache, remote=remote)
            lib.append(time.perf_counter() - start)
        lib.sort()
        rows.append((f"orasx.pull {args.size} MiB, cache_dir, again into the same directory "
                     "(in-process, median of 5)", f"{lib[2]:.3f} s"))
        start = time.perf_counter()
        orasx.snapshot(ref, cache_dir=cache, remote=remote)
        rows.append((f"orasx.snapshot {args.size} MiB, first call (the cache entry hashed, then "
                     "linked)", f"{time.perf_counter() - start:.3f} s"))
        proxy.requests.clear()
        snaps = []
        for _ in range(5):
            start = time.perf_counter()
            path = orasx.snapshot(ref, cache_dir=cache, remote=remote)
            snaps.append(time.perf_counter() - start)
        snaps.sort()
        assert os.path.getsize(path / "model.bin") == size
        rows.append((f"orasx.snapshot {args.size} MiB, again (in-process, median of 5)",
                     f"{snaps[2]:.3f} s, {_blob_requests(proxy)} blob GET"))

        proxy.requests.clear()
        with fsspec.open(f"oras://{ref}/model.bin", skip_instance_cache=True) as f:
            f.seek(size // 2)
            data = f.read(MIB)
        assert len(data) == MIB
        fetched = 0
        for r in proxy.requests:
            rng = r.headers.get("Range") or r.headers.get("range")
            if r.method == "GET" and "/blobs/" in r.path and rng:
                a, b = rng.removeprefix("bytes=").split("-")
                fetched += int(b) - int(a) + 1
        rows.append(("fsspec: 1 MiB read from the middle of the layer",
                     f"{fetched / MIB:.2f} MiB fetched"))

        tree = os.path.join(work, "tree")
        os.makedirs(os.path.join(tree, "bundle"))
        for i in range(50):
            with open(os.path.join(tree, "bundle", f"f{i}.txt"), "w") as f:
                f.write(f"file {i}\n" * 100)
        rref = f"localhost:{port}/bench/repro"
        subprocess.run([ORAS, "push", "--reproducible", f"{rref}:a", "bundle"], cwd=tree, env=env,
                       check=True, capture_output=True)
        time.sleep(1.1)
        for name in os.listdir(os.path.join(tree, "bundle")):
            os.utime(os.path.join(tree, "bundle", name))
        proxy.requests.clear()
        out = subprocess.run([ORAS, "push", "--reproducible", "--format", "go-template={{.digest}}",
                              f"{rref}:b", "bundle"], cwd=tree, env=env, check=True,
                             capture_output=True, text=True).stdout
        uploaded = sum(len(r.body) for r in proxy.requests if r.method in ("PUT", "PATCH")
                       and "/blobs/" in r.path)
        same = out.strip() == subprocess.run(
            [ORAS, "resolve", f"{rref}:a"], cwd=tree, env=env, capture_output=True,
            text=True).stdout.strip()
        rows.append(("push --reproducible of an unchanged, touched directory",
                     f"{uploaded} blob bytes uploaded, same digest: {same}"))
    finally:
        proxy.stop()
        reg.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("| scenario | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


def _dataset_rows(reg_host: str, work: str, remote: object, shards: int = 64) -> list[tuple[str, str]]:
    """Dask (2 worker processes) reading ``shards`` Parquet shards through ``oras://``, against
    ``orasx.pull`` of the same artifact then pandas over the files."""
    import dask.dataframe as dd
    import numpy
    import pandas
    from distributed import Client, LocalCluster

    import orasx

    src = os.path.join(work, "ds")
    os.makedirs(os.path.join(src, "shards"))
    names = []
    for i in range(shards):
        name = f"shards/part-{i:03d}.parquet"
        pandas.DataFrame({"id": numpy.arange(20_000) + i * 20_000,
                          "x": numpy.random.rand(20_000)}).to_parquet(os.path.join(src, name))
        names.append(name)
    ref = f"{reg_host}/bench/dataset:v1"
    cwd = os.getcwd()
    os.chdir(src)
    try:
        orasx.push(ref, names, remote=remote)  # type: ignore[arg-type]
    finally:
        os.chdir(cwd)
    start = time.perf_counter()
    out = os.path.join(work, "ds-pulled")
    orasx.pull(ref, out, remote=remote)  # type: ignore[arg-type]
    frame = pandas.concat(pandas.read_parquet(os.path.join(out, n)) for n in names)
    pulled = time.perf_counter() - start
    assert len(frame) == shards * 20_000
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        start = time.perf_counter()
        rows = len(dd.read_parquet(f"oras://{ref}/shards/*.parquet",
                                   storage_options={"skip_instance_cache": True}).compute())
        dask_time = time.perf_counter() - start
    assert rows == shards * 20_000
    return [(f"{shards} Parquet shards: Dask, 2 workers, oras:// glob", f"{dask_time:.2f} s"),
            (f"{shards} Parquet shards: orasx.pull then pandas", f"{pulled:.2f} s")]


def _copy_rows(reg_host: str, work: str, remote: object, mib: int) -> list[tuple[str, str]]:
    """A cached pull into a new directory (kernel copy, hashed as placed) against
    ``cp --reflink=auto`` of the same cache entry; medians of 5."""
    import orasx

    src = os.path.join(work, "copy-src")
    os.makedirs(src)
    with open(os.path.join(src, "blob.bin"), "wb") as f:
        for _ in range(mib):
            f.write(os.urandom(MIB))
    ref = f"{reg_host}/bench/copy:v1"
    cwd = os.getcwd()
    os.chdir(src)
    try:
        desc = orasx.push(ref, ["blob.bin"], remote=remote).descriptor  # type: ignore[arg-type]
    finally:
        os.chdir(cwd)
    cache = os.path.join(work, "copy-cache")
    os.environ["ORASX_NO_DIGEST_CACHE"] = "1"
    orasx.pull(ref, os.path.join(work, "c0"), cache_dir=cache, remote=remote)  # type: ignore[arg-type]
    manifest = orasx.pull(ref, os.path.join(work, "c0"), cache_dir=cache,  # type: ignore[arg-type]
                          remote=remote).files[0].descriptor
    entry = os.path.join(cache, "blobs", "sha256", manifest.digest.encoded)
    ours, cps = [], []
    for i in range(5):
        os.sync()
        start = time.perf_counter()
        subprocess.run(["cp", "--reflink=auto", entry, os.path.join(work, f"cp{i}")], check=True)
        cps.append(time.perf_counter() - start)
        os.sync()
        start = time.perf_counter()
        orasx.pull(ref, os.path.join(work, f"c{i + 1}"), cache_dir=cache, remote=remote)  # type: ignore[arg-type]
        ours.append(time.perf_counter() - start)
        os.remove(os.path.join(work, f"cp{i}"))
        shutil.rmtree(os.path.join(work, f"c{i + 1}"))
    ours.sort()
    cps.sort()
    del desc
    return [(f"cache to a new directory, {mib} MiB: orasx.pull (kernel copy, hashed as placed, "
             "median of 5)", f"{ours[2]:.2f} s"),
            (f"cache to a new directory, {mib} MiB: cp --reflink=auto (median of 5)",
             f"{cps[2]:.2f} s ({cps[2] / ours[2]:.2f}x of ours)")]


if __name__ == "__main__":
    main()
