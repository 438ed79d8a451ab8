#!/usr/bin/env python3
"""The orasx benchmark: us against oras-py, an oras-go v1.1.1 client and raw curl, on one machine.

Starts its own Distribution registries on 127.0.0.1, makes its inputs, runs every scenario several
times per tool and prints a table (median wall time, min-max, MB/s, peak RSS, our ratio). Run it
through ``bench/run.sh``, which installs the peers. ``--quick`` shrinks the inputs for a smoke run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tests.support.registry import Registry, start_registry

HERE = os.path.dirname(os.path.abspath(__file__))
MIB = 1 << 20
ORAS = os.path.join(os.path.dirname(sys.executable), "oras")


@dataclass
class Result:
    scenario: str
    tool: str
    times: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    nbytes: int = 0
    error: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


def run(cmd: list[str], cwd: str, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one command; raises on failure."""
    # /usr/bin/time reports the command's own peak RSS (a child forked from this big process
    # would inherit its high-water mark).
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rss:
        t = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *cmd], cwd=cwd,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - t
        if proc.returncode != 0:
            err = proc.stderr.decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {(err or [''])[-1][:300]}")
        peak = int(rss.read().strip().splitlines()[-1])
    return elapsed, peak


def shell(script: str, cwd: str) -> tuple[float, int]:
    return run(["bash", "-o", "pipefail", "-ec", script], cwd)


def make_file(path: str, size: int) -> None:
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 4 * MIB)
            f.write(os.urandom(n))
            left -= n


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while b := f.read(4 * MIB):
            h.update(b)
    return "sha256:" + h.hexdigest()


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = tempfile.mkdtemp(prefix="orasx-bench-")
        self.results: list[Result] = []
        self.counter = 0
        self.tools: dict[str, Callable[[str, str, list[str], str], list[str]]] = {"orasx": self._orasx}
        if args.oras_py:
            self.tools["oras-py"] = self._oras_py
        if args.orasgo:
            self.tools["oras-go v1"] = self._orasgo

    # -- tool command lines -----------------------------------------------------------------
    def _orasx(self, op: str, ref: str, files: list[str], out: str) -> list[str]:
        return [ORAS, "push", ref, *files] if op == "push" else [ORAS, "pull", ref, "-o", out]

    def _oras_py(self, op: str, ref: str, files: list[str], out: str) -> list[str]:
        script = os.path.join(HERE, "oraspy_client.py")
        return [self.args.oras_py, script, op, ref, *(files if op == "push" else [out])]

    def _orasgo(self, op: str, ref: str, files: list[str], out: str) -> list[str]:
        return [self.args.orasgo, op, ref, *(files if op == "push" else [out])]

    def repo(self, reg: Registry, base: str) -> str:
        self.counter += 1
        return f"{reg.host}/{base.lower()}-{self.counter}"

    def record(self, scenario: str, tool: str, nbytes: int, fn: Callable[[], tuple[float, int]],
               runs: int) -> None:
        res = Result(scenario, tool, nbytes=nbytes)
        for _ in range(runs):
            try:
                t, rss = fn()
            except Exception as e:  # a peer that cannot do a scenario shows why
                res.error = str(e).splitlines()[0][:120]
                break
            res.times.append(t)
            res.rss_kb.append(rss)
        self.results.append(res)
        status = f"{res.median:.2f}s" if res.times else f"failed: {res.error}"
        print(f"  {scenario:<34} {tool:<12} {status}", file=sys.stderr, flush=True)

    # -- scenarios --------------------------------------------------------------------------
    def push_pull(self, reg: Registry, name: str, files: list[str], nbytes: int,
                  curl_blob: str | None = None) -> None:
        runs = self.args.runs
        for tool, cmdline in self.tools.items():
            refs: list[str] = []

            def push(cmdline: Callable[..., list[str]] = cmdline,
                     refs: list[str] = refs) -> tuple[float, int]:
                ref = self.repo(reg, name) + ":v1"
                refs.append(ref)
                return run(cmdline("push", ref, files, ""), self.work)

            self.record(f"push {name}", tool, nbytes, push, runs)
            if not refs:
                continue
            if name.startswith(("200x4KiB", "1x")):
                # orasx's digest cache is on here (a re-push of unchanged files is its use);
                # everywhere else the benchmark turns it off so first pushes hash as they must.
                env = {k: v for k, v in os.environ.items() if k != "ORASX_NO_DIGEST_CACHE"}
                run(cmdline("push", refs[0], files, ""), self.work, env)  # warm the cache
                self.record(f"re-push {name} (all exist)", tool, nbytes,
                            lambda cmdline=cmdline, ref=refs[0], env=env: run(
                                cmdline("push", ref, files, ""), self.work, env), runs)
            def pull(cmdline: Callable[..., list[str]] = cmdline,
                     ref: str = refs[0]) -> tuple[float, int]:
                out = tempfile.mkdtemp(dir=self.work, prefix="pull-")
                try:
                    return run(cmdline("pull", ref, [], out), self.work)
                finally:
                    shutil.rmtree(out, ignore_errors=True)

            self.record(f"pull {name}", tool, nbytes, pull, runs)
        if curl_blob:
            self.curl(reg, name, curl_blob, nbytes)

    def curl(self, reg: Registry, name: str, path: str, nbytes: int) -> None:
        digest = sha256_file(path)
        runs = self.args.runs

        def upload() -> tuple[float, int]:
            repo = self.repo(reg, "curl")
            base = f"http://{reg.host}/v2/{repo.split('/', 1)[1]}/blobs"
            script = (
                f"loc=$(curl -s -D- -o /dev/null -X POST {base}/uploads/ | tr -d '\\r' "
                "| sed -n 's/^[Ll]ocation: //p'); "
                f"curl -sf -T {path} -H 'Content-Type: application/octet-stream' "
                f"\"$loc&digest={digest}\" -o /dev/null"
            )
            self.curl_repo = repo
            return shell(script, self.work)

        self.record(f"push {name}", "curl", nbytes, upload, runs)
        url = f"http://{reg.host}/v2/{self.curl_repo.split('/', 1)[1]}/blobs/{digest}"
        out = os.path.join(self.work, "curl-out")
        self.record(f"pull {name}", "curl", nbytes,
                    lambda: shell(f"curl -sf -o {out} {url} && rm -f {out}", self.work), runs)

    def hashing(self, path: str, nbytes: int) -> None:
        def h() -> tuple[float, int]:
            t = time.perf_counter()
            sha256_file(path)
            return time.perf_counter() - t, 0

        self.record("sha256 of the big file", "hashlib", nbytes, h, self.args.runs)

    def copies(self, reg: Registry, reg2: Registry, size: int) -> None:
        label = f"{size // MIB} MiB" if size < 1024 * MIB else f"{size // (1024 * MIB)} GiB"
        src = self.repo(reg, "copysrc") + ":v1"
        run([ORAS, "push", src, "big.bin"], self.work)
        self.record(f"copy {label}, same registry", "orasx", size,
                    lambda: run([ORAS, "cp", src, self.repo(reg, "copydst") + ":v1"], self.work),
                    self.args.runs)
        self.record(f"copy {label}, across registries", "orasx", size,
                    lambda: run([ORAS, "cp", src, self.repo(reg2, "copydst") + ":v1"], self.work),
                    self.args.runs)
        manifest = json.loads(subprocess.run([ORAS, "manifest", "fetch", src], capture_output=True,
                                             check=True).stdout)
        digest = manifest["layers"][0]["digest"]
        url = f"http://{reg.host}/v2/{src.split('/', 1)[1].split(':')[0]}/blobs/{digest}"

        def piped() -> tuple[float, int]:
            repo = self.repo(reg2, "curlcopy").split("/", 1)[1]
            base = f"http://{reg2.host}/v2/{repo}/blobs"
            script = (
                f"loc=$(curl -s -D- -o /dev/null -X POST {base}/uploads/ | tr -d '\\r' "
                "| sed -n 's/^[Ll]ocation: //p'); "
                f"curl -sf {url} | curl -sf -T - -H 'Content-Type: application/octet-stream' "
                f"\"$loc&digest={digest}\" -o /dev/null"
            )
            return shell(script, self.work)

        self.record(f"copy {label}, across registries", "curl -> curl", size, piped, self.args.runs)

    def startup(self) -> None:
        runs = max(self.args.runs, 5)
        self.record("start-up: oras version", "orasx", 0, lambda: run([ORAS, "version"], self.work),
                    runs)
        self.record("start-up: oras push --help", "orasx", 0,
                    lambda: run([ORAS, "push", "--help"], self.work), runs)
        if self.args.oras_py:
            self.record("start-up: import oras.client", "oras-py", 0,
                        lambda: run([self.args.oras_py, "-c", "import oras.client"], self.work),
                        runs)

    # -- report -----------------------------------------------------------------------------
    def table(self) -> str:
        lines = ["| scenario | tool | median s | min-max s | MB/s | peak RSS MB | orasx vs tool |",
                 "|---|---|---|---|---|---|---|"]
        ours = {r.scenario: r for r in self.results if r.tool == "orasx"}
        for r in self.results:
            if not r.times:
                lines.append(f"| {r.scenario} | {r.tool} | failed: {r.error} | | | | |")
                continue
            mbs = f"{r.nbytes / r.median / 1e6:.0f}" if r.nbytes else "-"
            rss = f"{max(r.rss_kb) / 1024:.0f}"
            ratio = ""
            mine = ours.get(r.scenario)
            if mine is not None and mine.times and r.tool != "orasx":
                ratio = f"{r.median / mine.median:.2f}x"
            lines.append(f"| {r.scenario} | {r.tool} | {r.median:.3f} | {min(r.times):.3f}-"
                         f"{max(r.times):.3f} | {mbs} | {rss} | {ratio} |")
        return "\n".join(lines)

    def main(self) -> None:
        os.environ["ORASX_NO_DIGEST_CACHE"] = "1"
        os.environ["XDG_CACHE_HOME"] = os.path.join(self.work, "cache")
        q = self.args.quick
        big = (64 if q else 1024) * MIB
        reg, reg2 = start_registry(), start_registry()
        try:
            os.chdir(self.work)
            print(f"inputs in {self.work}", file=sys.stderr)
            make_file("big.bin", big)
            small_dir = "small"
            os.mkdir(small_dir)
            small = []
            for i in range(200):
                p = f"{small_dir}/f{i:03d}.bin"
                make_file(p, 4096)
                small.append(p)
            eights = []
            for i in range(8):
                make_file(f"m{i}.bin", (16 if q else 128) * MIB)
                eights.append(f"m{i}.bin")
            tree = "tree"
            for i in range(20):
                os.makedirs(f"{tree}/d{i}")
                for j in range(100):
                    make_file(f"{tree}/d{i}/f{j}.bin", (10 if q else 100) * 1024)
            label = "64 MiB" if q else "1 GiB"
            self.push_pull(reg, f"1x{label.replace(' ', '')}", ["big.bin"], big, curl_blob="big.bin")
            self.hashing("big.bin", big)
            self.push_pull(reg, "200x4KiB", small, 200 * 4096)
            self.push_pull(reg, f"8x{16 if q else 128}MiB", eights, 8 * (16 if q else 128) * MIB)
            self.push_pull(reg, "dir-2000-files", [tree], 2000 * (10 if q else 100) * 1024)
            self.copies(reg, reg2, big)
            self.startup()
        finally:
            reg.stop()
            reg2.stop()
            os.chdir("/")
            shutil.rmtree(self.work, ignore_errors=True)
        print(self.table())
        if self.args.json:
            with open(self.args.json, "w") as f:
                json.dump([r.__dict__ for r in self.results], f, indent=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="small inputs, for a smoke run")
    ap.add_argument("--oras-py", default="", help="python of a venv with the PyPI oras package")
    ap.add_argument("--orasgo", default="", help="the oras-go v1.1.1 client binary")
    ap.add_argument("--json", default="", help="also write raw results here")
    Bench(ap.parse_args()).main()


if __name__ == "__main__":
    main()
