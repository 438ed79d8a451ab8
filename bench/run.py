#!/usr/bin/env python3
"""The orasx benchmark: us against the Go oras CLI, oras-py, an oras-go v1.1.1 client and curl.

Starts one Distribution registry on 127.0.0.1 and a delay line in front of it (bench/delayline.py,
40 ms round trip by default), makes its inputs, and runs every scenario on both paths with every
tool against that same registry, in the same run: ``runs`` repetitions, the tools interleaved within
each repetition so that noise on the machine hits them alike. Every pull's output is checked (sizes
and sha256 of every file) and every push's manifest is read back, so a tool that did less does not
look fast. orasx's digest cache is off and its cache directory empty for every run, so first pushes
hash as they must.

Prints one markdown table: median wall seconds per scenario for loopback and the delay line, orasx
and the Go CLI side by side with the ratio Go/orasx (above 1: orasx is faster), then the other
peers where the scenario fits them; peak RSS of the 1 GiB rows and start-up times are rows too.
Run it through ``bench/run.sh``, which installs the peers. ``--quick`` is a smoke run (small inputs,
one repetition, under a minute); ``--extended`` adds the older loopback rows (8 big files, a
directory of 2000 files, a copy across registries).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
from delayline import DelayLine  # noqa: E402

from tests.support.registry import Registry, start_registry  # noqa: E402

MIB = 1 << 20
GIB = 1 << 30
ROOT = os.path.normpath(os.path.join(HERE, ".."))
GO_CLI = os.path.normpath(os.path.join(ROOT, "..", "shared", "tools", "oras-go", "oras"))
LOOP = "loopback"
MANIFEST_ACCEPT = ", ".join([
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
])

# The start-up rows (issue #23 part 1) and Python's floor they are held to.
FLOOR_BARE = "floor: python -c pass (bare interpreter)"
FLOOR_HTTP = "floor: python -c 'import http.client'"
VERSION = "start-up: oras version"
RESOLVE = "start-up: oras resolve of a tag, loopback"
PULL_ONE = "start-up: oras pull of one 4 KiB file, loopback"

# Column order of the table: orasx and the Go CLI first, then the other peers.
TOOL_ORDER = ["orasx", "Go CLI", "oras-py", "oras-go v1", "curl"]


@dataclass
class Sample:
    """One run: wall seconds, peak RSS (KiB) and CPU seconds (user + system) of the command."""

    wall: float
    rss_kb: int
    cpu: float


@dataclass
class Cell:
    """Runs of one tool in one scenario on one path."""

    times: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    error: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


#: ``--split-cpus``: the CPUs every measured command runs on (the servers get the others).
CLIENT_CPUS: list[int] = []


def run(cmd: list[str], cwd: str, env: dict[str, str] | None = None) -> Sample:
    """Wall time, and peak RSS and CPU time as ``/usr/bin/time -v`` reports them, of one command."""
    if CLIENT_CPUS:
        cmd = ["taskset", "-c", ",".join(map(str, CLIENT_CPUS)), *cmd]
    # /usr/bin/time reports the command's own peak RSS (a child forked from this big process
    # would inherit its high-water mark).
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as out:
        t = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", out.name, *cmd], cwd=cwd,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - t
        if proc.returncode != 0:
            err = proc.stderr.decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"{os.path.basename(cmd[0])} exited {proc.returncode}: "
                               f"{(err or [''])[-1][:200]}")
        rss, user, sys_ = out.read().strip().splitlines()[-1].split()
    return Sample(elapsed, int(rss), float(user) + float(sys_))


def shell(script: str, cwd: str) -> Sample:
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


def size_label(n: int) -> str:
    if n >= GIB:
        return f"{n // GIB} GiB"
    if n >= MIB:
        return f"{n // MIB} MiB"
    return f"{n // 1024} KiB"


@dataclass
class Files:
    """An input: the paths to push and what a pull must produce (relative path -> size, digest)."""

    label: str
    paths: list[str]
    expect: dict[str, tuple[int, str]]
    nbytes: int
    #: the layer digests a push must list (empty for a directory: its tar is made by the tool)
    layers: set[str]


def make_files(label: str, paths_sizes: list[tuple[str, int]]) -> Files:
    expect = {}
    for p, size in paths_sizes:
        os.makedirs(os.path.dirname(p) or ".", exist_ok=True)
        make_file(p, size)
        expect[p] = (size, sha256_file(p))
    return Files(label, [p for p, _ in paths_sizes], expect, sum(s for _, s in paths_sizes),
                 {d for _, d in expect.values()})


def snapshot_orasx(dest: str, rev: str = "", src_dir: str = "") -> tuple[str, str, str]:
    """A frozen copy of orasx to measure: src/ may change under a long run (others edit it).

    Copies the working tree's ``src/orasx`` (or, with ``rev``, that git revision's; with
    ``src_dir``, that directory's ``orasx`` package) under ``dest``
    and writes an ``oras`` launcher like the one pip installs. Returns (the directory to put on
    PYTHONPATH, the launcher, a description of what was copied).
    """
    src = os.path.join(dest, "src")
    os.makedirs(src)
    if rev:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", rev], check=True,
                                capture_output=True, text=True).stdout.strip()
        tar = subprocess.run(["git", "-C", ROOT, "archive", commit, "src/orasx"], check=True,
                             capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", dest], input=tar, check=True)
        what = f"orasx at {commit}"
    elif src_dir:
        shutil.copytree(os.path.join(src_dir, "orasx"), os.path.join(src, "orasx"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        what = f"orasx copied from {src_dir}"
    else:
        shutil.copytree(os.path.join(ROOT, "src", "orasx"), os.path.join(src, "orasx"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        what = "orasx from the working tree"
    launcher = os.path.join(dest, "oras")
    with open(launcher, "w") as f:
        f.write(f"#!{sys.executable}\nimport sys\nfrom orasx.cli.main import main\n"
                "if __name__ == '__main__':\n    sys.exit(main())\n")
    os.chmod(launcher, 0o755)
    return src, launcher, what


class Tool:
    """How to push files and pull an artifact with one client."""

    def __init__(self, name: str, push: Callable[[str, list[str]], list[str]],
                 pull: Callable[[str, str], list[str]]) -> None:
        self.name = name
        self.push = push
        self.pull = pull


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = tempfile.mkdtemp(prefix="orasx-bench-")
        self.notes: list[str] = []
        self.cells: dict[tuple[str, str, str], Cell] = {}
        self.rows: list[str] = []  # scenario names in order
        self.counter = 0
        self.reg: Registry | None = None
        self.line: DelayLine | None = None
        self.net_label = f"{args.rtt_ms:g} ms"
        pythonpath, self.oras, what = snapshot_orasx(os.path.join(self.work, "orasx"),
                                                     args.orasx_rev, args.orasx_src)
        self.notes.append(f"measured: {what}")
        oras = self.oras
        tools = [Tool("orasx", lambda ref, files: [oras, "push", "--plain-http", ref, *files],
                      lambda ref, out: [oras, "pull", "--plain-http", ref, "-o", out])]
        go = args.go_cli
        if go and os.access(go, os.X_OK):
            tools.append(Tool("Go CLI", lambda ref, files: [go, "push", "--plain-http", ref, *files],
                              lambda ref, out: [go, "pull", "--plain-http", ref, "-o", out]))
        elif go:
            print(f"Go CLI not found at {go}: skipping it", file=sys.stderr)
        if args.oras_py and not args.go_only:
            script = os.path.join(HERE, "oraspy_client.py")
            py = args.oras_py
            tools.append(Tool("oras-py", lambda ref, files: [py, script, "push", ref, *files],
                              lambda ref, out: [py, script, "pull", ref, out]))
        if args.orasgo and not args.go_only:
            v1 = args.orasgo
            tools.append(Tool("oras-go v1", lambda ref, files: [v1, "push", ref, *files],
                              lambda ref, out: [v1, "pull", ref, out]))
        self.tools = tools
        self.curl = shutil.which("curl") is not None
        # Python tools run as a user's would: with compiled bytecode (an environment with
        # PYTHONDONTWRITEBYTECODE=1 would make every orasx run compile its sources again), kept
        # out of the source tree under the benchmark's cache.
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env["ORASX_NO_DIGEST_CACHE"] = "1"
        cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
        self.env.setdefault("PYTHONPYCACHEPREFIX",
                            os.path.join(cache_home, "orasx-bench", "pycache"))
        self.env["PYTHONPATH"] = os.pathsep.join(
            p for p in (pythonpath, os.environ.get("PYTHONPATH", "")) if p)
        # Compile the copy once, as pip does on install (into the cache prefix, removed at the end).
        subprocess.run([sys.executable, "-m", "compileall", "-q", pythonpath], env=self.env,
                       check=True, stdout=subprocess.DEVNULL)

    # -- plumbing ---------------------------------------------------------------------------
    def host(self, net: str) -> str:
        assert self.reg is not None
        if net == LOOP:
            return self.reg.host
        assert self.line is not None
        return self.line.host

    def repo(self, base: str) -> str:
        self.counter += 1
        return f"{base.lower()}-{self.counter}"

    def cell(self, scenario: str, net: str, tool: str) -> Cell:
        if scenario not in self.rows:
            self.rows.append(scenario)
        return self.cells.setdefault((scenario, net, tool), Cell())

    def record(self, scenario: str, net: str, tool: str,
               fn: Callable[[], Sample]) -> None:
        """One timed run; a failure marks the cell (a peer that cannot do a scenario shows why)."""
        c = self.cell(scenario, net, tool)
        if c.error:
            return
        try:
            sample = fn()
        except Exception as e:
            c.error = str(e).splitlines()[0][:100] if str(e) else type(e).__name__
            print(f"  {scenario:<32} {net:<9} {tool:<11} failed: {c.error}", file=sys.stderr,
                  flush=True)
            return
        c.times.append(sample.wall)
        c.rss_kb.append(sample.rss_kb)
        c.cpu.append(sample.cpu)
        print(f"  {scenario:<32} {net:<9} {tool:<11} {sample.wall:.3f}s  "
              f"{sample.rss_kb // 1024} MB  cpu {sample.cpu:.2f}s", file=sys.stderr, flush=True)

    def tool_run(self, cmd: list[str]) -> Sample:
        """Run a tool with an empty cache directory (no digest cache, no upload state)."""
        cache = tempfile.mkdtemp(dir=self.work, prefix="cache-")
        try:
            return run(cmd, self.work, {**self.env, "XDG_CACHE_HOME": cache})
        finally:
            shutil.rmtree(cache, ignore_errors=True)

    def manifest_layers(self, repo: str, tag: str) -> list[str]:
        assert self.reg is not None
        req = urllib.request.Request(f"http://{self.reg.host}/v2/{repo}/manifests/{tag}",
                                     headers={"Accept": MANIFEST_ACCEPT})
        with urllib.request.urlopen(req, timeout=30) as r:
            doc = json.load(r)
        return [layer["digest"] for layer in doc.get("layers", [])]

    def check_push(self, repo: str, tag: str, files: Files) -> None:
        layers = self.manifest_layers(repo, tag)
        if files.layers and set(layers) != files.layers:
            raise RuntimeError(f"pushed manifest lists {len(layers)} layers, expected "
                               f"{len(files.layers)}")
        if not layers:
            raise RuntimeError("pushed manifest has no layers")

    @staticmethod
    def check_pull(out: str, files: Files) -> None:
        for rel, (size, digest) in files.expect.items():
            p = os.path.join(out, rel)
            if not os.path.isfile(p):
                raise RuntimeError(f"pull did not write {rel}")
            if os.path.getsize(p) != size:
                raise RuntimeError(f"{rel}: {os.path.getsize(p)} bytes, expected {size}")
            if sha256_file(p) != digest:
                raise RuntimeError(f"{rel}: wrong content")

    def timed_pull(self, files: Files, pull: Callable[[str], Sample]) -> Sample:
        """``pull(out)`` into a fresh directory, checked against ``files``, then removed."""
        out = tempfile.mkdtemp(dir=self.work, prefix="pull-")
        try:
            res = pull(out)
            self.check_pull(out, files)
            return res
        finally:
            shutil.rmtree(out, ignore_errors=True)

    def some_tools(self, peers: bool) -> list[Tool]:
        """All tools, or only orasx and the Go CLI."""
        return self.tools if peers else [t for t in self.tools if t.name in ("orasx", "Go CLI")]

    def nets(self, loopback_only: bool) -> list[str]:
        return [LOOP] if loopback_only or self.line is None else [LOOP, self.net_label]

    def wanted(self, scenario: str) -> bool:
        """Is ``scenario`` to be run (``--only``: its name contains one of the given texts)?"""
        return not self.args.only or any(o in scenario for o in self.args.only)

    # -- scenarios --------------------------------------------------------------------------
    def push(self, files: Files, *, loopback_only: bool = False, curl_blob: bool = False,
             peers: bool = True) -> None:
        scenario = f"push {files.label}"
        if not self.wanted(scenario):
            return
        for net in self.nets(loopback_only):
            for _ in range(self.args.runs):
                for tool in self.some_tools(peers):
                    def once(tool: Tool = tool, net: str = net) -> Sample:
                        repo = self.repo("push")
                        res = self.tool_run(tool.push(f"{self.host(net)}/{repo}:v1", files.paths))
                        self.check_push(repo, "v1", files)
                        return res

                    self.record(scenario, net, tool.name, once)
                if curl_blob and self.curl:
                    self.record(scenario, net, "curl", lambda net=net: self.curl_push(net, files))

    def repush(self, files: Files, *, loopback_only: bool = False) -> None:
        """Push the same files again to a new tag of the repository that has them."""
        scenario = f"re-push {files.label}, new tag"
        if not self.wanted(scenario):
            return
        for net in self.nets(loopback_only):
            repos: dict[str, str] = {}
            for tool in self.tools:
                repo = self.repo("repush")
                try:
                    self.tool_run(tool.push(f"{self.host(LOOP)}/{repo}:v1", files.paths))
                    repos[tool.name] = repo
                except Exception as e:
                    self.cell(scenario, net, tool.name).error = f"first push: {e}"[:100]
            for i in range(self.args.runs):
                for tool in self.tools:
                    if tool.name not in repos:
                        continue

                    def once(tool: Tool = tool, net: str = net, i: int = i,
                             repo: str = repos[tool.name]) -> Sample:
                        res = self.tool_run(tool.push(f"{self.host(net)}/{repo}:r{i}",
                                                      files.paths))
                        self.check_push(repo, f"r{i}", files)
                        return res

                    self.record(scenario, net, tool.name, once)

    def pull(self, files: Files, *, loopback_only: bool = False, curl_blob: bool = False,
             label: str = "", peers: bool = True) -> None:
        """Every tool pulls the same artifact (pushed once by the Go CLI, or by orasx)."""
        scenario = f"pull {files.label}{label}"
        if not self.wanted(scenario):
            return
        pusher = next((t for t in self.tools if t.name == "Go CLI"), self.tools[0])
        repo = self.repo("pullsrc")
        self.tool_run(pusher.push(f"{self.host(LOOP)}/{repo}:v1", files.paths))
        self.check_push(repo, "v1", files)
        for net in self.nets(loopback_only):
            for _ in range(self.args.runs):
                for tool in self.some_tools(peers):
                    def once(tool: Tool = tool, net: str = net) -> Sample:
                        return self.timed_pull(files, lambda out: self.tool_run(
                            tool.pull(f"{self.host(net)}/{repo}:v1", out)))

                    self.record(scenario, net, tool.name, once)
                if curl_blob and self.curl:
                    self.record(scenario, net, "curl",
                                lambda net=net: self.curl_pull(net, repo, files))

    def capped_pull(self, files: Files) -> None:
        """Pull one big blob over a link that caps each TCP flow (``--cap-mb`` MB/s each way, the
        delay line's round trip), from a registry front that answers blob GETs with a 307 to
        a second origin (the registry behind its own capped delay line), as registries send
        blobs to CDNs and object stores: orasx, the Go CLI, and curl -L on the blob URL."""
        scenario = (f"pull {files.label}, {self.args.cap_mb:g} MB/s per flow, blob redirected")
        if not self.wanted(scenario) or not files.paths or self.args.cap_mb <= 0:
            return
        from tests.support.servers import Proxy, Reply, Request

        assert self.reg is not None
        delay, rate = self.args.rtt_ms / 2000, self.args.cap_mb * 1e6
        with contextlib.ExitStack() as stack:
            blobs = stack.enter_context(DelayLine("127.0.0.1", self.reg.port, delay, rate=rate))

            def redirect(req: Request) -> Reply | None:
                if req.method == "GET" and "/blobs/sha256:" in req.path:
                    return Reply(307, {"Location": f"http://{blobs.host}{req.path}"})
                return None

            front = Proxy(self.reg.host, hook=redirect)
            stack.callback(front.stop)
            port = int(front.host.rsplit(":", 1)[1])
            line = stack.enter_context(DelayLine("127.0.0.1", port, delay, rate=rate))
            pusher = next((t for t in self.tools if t.name == "Go CLI"), self.tools[0])
            repo = self.repo("capped")
            self.tool_run(pusher.push(f"{self.reg.host}/{repo}:v1", files.paths))
            self.check_push(repo, "v1", files)
            net = self.net_label if self.line is not None else LOOP
            (_, (_, digest)), = files.expect.items()
            for _ in range(self.args.runs):
                for tool in self.some_tools(False):
                    def once(tool: Tool = tool) -> Sample:
                        return self.timed_pull(files, lambda out: self.tool_run(
                            tool.pull(f"{line.host}/{repo}:v1", out)))

                    self.record(scenario, net, tool.name, once)
                if self.curl:
                    def curl(url: str = f"http://{line.host}/v2/{repo}/blobs/{digest}") -> Sample:
                        (path, _), = files.expect.items()
                        return self.timed_pull(files, lambda out: shell(
                            f"curl -sfL -o {os.path.join(out, path)} {url}", self.work))

                    self.record(scenario, net, "curl", curl)

    def curl_push(self, net: str, files: Files) -> Sample:
        """The ceiling for one blob: POST an upload, then one monolithic PUT of the file."""
        (path, (size, digest)), = files.expect.items()
        repo = self.repo("curl")
        base = f"http://{self.host(net)}/v2/{repo}/blobs"
        script = (
            f"loc=$(curl -sf -D- -o /dev/null -X POST {base}/uploads/ | tr -d '\\r' "
            "| sed -n 's/^[Ll]ocation: //p'); "
            f"curl -sf -T {path} -H 'Expect:' -H 'Content-Type: application/octet-stream' "
            f"\"$loc&digest={digest}\" -o /dev/null"
        )
        res = shell(script, self.work)
        assert self.reg is not None
        req = urllib.request.Request(f"http://{self.reg.host}/v2/{repo}/blobs/{digest}",
                                     method="HEAD")
        with urllib.request.urlopen(req, timeout=30) as r:
            if int(r.headers.get("Content-Length", -1)) != size:
                raise RuntimeError("curl's upload has the wrong size")
        return res

    def curl_pull(self, net: str, repo: str, files: Files) -> Sample:
        """The ceiling for one blob: GET it to a file."""
        (path, (_, digest)), = files.expect.items()

        def get(out: str) -> Sample:
            os.makedirs(os.path.join(out, os.path.dirname(path)), exist_ok=True)
            return shell(f"curl -sf -o {os.path.join(out, path)} "
                         f"http://{self.host(net)}/v2/{repo}/blobs/{digest}", self.work)

        return self.timed_pull(files, get)

    def copy_across(self, reg2: Registry, files: Files) -> None:
        """Copy an artifact to a second registry: orasx and the Go CLI, against curl piped."""
        scenario = f"copy {files.label} across registries"
        assert self.reg is not None
        src_repo = self.repo("copysrc")
        self.tool_run(self.tools[0].push(f"{self.reg.host}/{src_repo}:v1", files.paths))
        src = f"{self.reg.host}/{src_repo}:v1"
        (_, (_, digest)), = files.expect.items()
        for _ in range(self.args.runs):
            for tool in self.tools:
                binary = {"orasx": self.oras, "Go CLI": self.args.go_cli}.get(tool.name)
                if binary is None:
                    continue
                self.record(scenario, LOOP, tool.name, lambda b=binary: self.tool_run(
                    [b, "cp", "--from-plain-http", "--to-plain-http", src,
                     f"{reg2.host}/{self.repo('copydst')}:v1"]))
            if self.curl:
                url = f"http://{self.reg.host}/v2/{src_repo}/blobs/{digest}"

                def piped(url: str = url) -> Sample:
                    base = f"http://{reg2.host}/v2/{self.repo('curlcopy')}/blobs"
                    return shell(
                        f"loc=$(curl -sf -D- -o /dev/null -X POST {base}/uploads/ | tr -d '\\r' "
                        "| sed -n 's/^[Ll]ocation: //p'); "
                        f"curl -sf {url} | curl -sf -T - -H 'Expect:' -H 'Content-Type: "
                        f"application/octet-stream' \"$loc&digest={digest}\" -o /dev/null",
                        self.work)

                self.record(scenario, LOOP, "curl", piped)

    def warm_up(self, files: Files) -> None:
        """One untimed push and pull per tool: bytecode compiled, binaries in the page cache."""
        for tool in self.tools:
            repo = self.repo("warm")
            out = tempfile.mkdtemp(dir=self.work, prefix="pull-")
            try:
                self.tool_run(tool.push(f"{self.host(LOOP)}/{repo}:v1", files.paths))
                self.tool_run(tool.pull(f"{self.host(LOOP)}/{repo}:v1", out))
            except Exception as e:
                print(f"  warm-up of {tool.name} failed: {e}", file=sys.stderr)
            finally:
                shutil.rmtree(out, ignore_errors=True)
        run([sys.executable, "-c", "import orasx"], self.work, self.env)

    def startup(self) -> None:
        """Start-up per command (issue #23 part 1), against Python's floor measured in the same
        run: the bare interpreter and ``python -c 'import http.client'`` (ssl and email, which
        any Python HTTP client loads). ``oras resolve`` of a tag and ``oras pull`` of one 4 KiB
        file run on loopback against the registry, orasx and the Go CLI interleaved."""
        runs = 1 if self.args.quick else max(self.args.runs, 11)
        py, env = sys.executable, self.env
        names = {t.name for t in self.tools}
        go = self.args.go_cli if "Go CLI" in names else ""
        repo = self.repo("startup")
        one = make_files("4 KiB", [("one.bin", 4096)])
        pusher = next((t for t in self.tools if t.name == "Go CLI"), self.tools[0])
        self.tool_run(pusher.push(f"{self.host(LOOP)}/{repo}:v1", one.paths))
        ref = f"{self.host(LOOP)}/{repo}:v1"

        def pull_one(binary: str) -> Sample:
            return self.timed_pull(one, lambda out: self.tool_run([binary, "pull", ref, "-o", out]))

        rows: list[tuple[str, str, Callable[[], Sample]]] = [
            (FLOOR_BARE, "orasx", lambda: run([py, "-c", "pass"], self.work, env)),
            (FLOOR_HTTP, "orasx", lambda: run([py, "-c", "import http.client"], self.work, env)),
            (VERSION, "orasx", lambda: run([self.oras, "version"], self.work, env)),
            (RESOLVE, "orasx", lambda: self.tool_run([self.oras, "resolve", ref])),
            (PULL_ONE, "orasx", lambda: pull_one(self.oras)),
            ("start-up: python -c 'import orasx'", "orasx",
             lambda: run([py, "-c", "import orasx"], self.work, env)),
        ]
        if go:
            rows += [(VERSION, "Go CLI", lambda: run([go, "version"], self.work, env)),
                     (RESOLVE, "Go CLI", lambda: self.tool_run([go, "resolve", ref])),
                     (PULL_ONE, "Go CLI", lambda: pull_one(go))]
        if "oras-py" in names:  # (left out with --go-only, as in every other row)
            rows.append(("start-up: python -c 'import orasx'", "oras-py",
                         lambda: run([self.args.oras_py, "-c", "import oras.client"],
                                     self.work, env)))
            self.notes.append("start-up, oras-py column: `python -c 'import oras.client'`")
        for _ in range(runs):
            for scenario, tool, fn in rows:
                self.record(scenario, LOOP, tool, fn)

        def med(scenario: str) -> float:
            c = self.cells.get((scenario, LOOP, "orasx"))
            return c.median if c and c.times else float("nan")

        self.notes.append(
            f"start-up against Python's floor (medians of {runs}, same run): oras version "
            f"{med(VERSION) / med(FLOOR_BARE):.2f}x the bare interpreter (target 2x); "
            f"oras resolve {med(RESOLVE) / med(FLOOR_HTTP):.2f}x and one-file oras pull "
            f"{med(PULL_ONE) / med(FLOOR_HTTP):.2f}x `python -c 'import http.client'` "
            "(target 1.5x)")

    def rss_rows(self, scenarios: list[str]) -> None:
        """Peak RSS (MB) of the named rows, as rows of their own."""
        for s in scenarios:
            for (scenario, net, tool), c in list(self.cells.items()):
                if scenario == s and c.rss_kb:
                    row = f"peak RSS MB: {s}"
                    r = self.cell(row, net, tool)
                    r.times = [max(c.rss_kb) / 1024]

    def cpu_rows(self, scenarios: list[str]) -> None:
        """CPU seconds (user + system, median) of the named rows, as rows of their own."""
        for s in scenarios:
            for (scenario, net, tool), c in list(self.cells.items()):
                if scenario == s and c.cpu:
                    self.cell(f"CPU s: {s}", net, tool).times = [statistics.median(c.cpu)]

    # -- report -----------------------------------------------------------------------------
    def columns(self) -> list[tuple[str, str]]:
        nets = [LOOP, self.net_label] if self.line is not None else [LOOP]
        present = {(n, t) for (_, n, t) in self.cells}
        cols = [(n, t) for n in nets for t in ("orasx", "Go CLI")]
        cols += [(n, t) for t in TOOL_ORDER[2:] for n in nets if (n, t) in present]
        return cols

    def table(self) -> str:
        cols = self.columns()
        nets = [LOOP, self.net_label] if self.line is not None else [LOOP]
        head = ["scenario"]
        for n in nets:
            head += [f"{n} orasx", f"{n} Go CLI", f"{n} Go/orasx"]
        head += [f"{n} {t}" for n, t in cols if t not in ("orasx", "Go CLI")]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

        def fmt(c: Cell | None, digits: int) -> str:
            if c is None:
                return ""
            if c.error and not c.times:
                return f"failed: {c.error[:60]}"
            return f"{c.median:.{digits}f}"

        for s in self.rows:
            rss = 0 if s.startswith("peak RSS") else 2 if s.startswith("CPU") else 3
            cells = [s]
            for n in nets:
                ours = self.cells.get((s, n, "orasx"))
                go = self.cells.get((s, n, "Go CLI"))
                ratio = ""
                if ours and go and ours.times and go.times and ours.median > 0:
                    ratio = f"{go.median / ours.median:.2f}x"
                cells += [fmt(ours, rss), fmt(go, rss), ratio]
            cells += [fmt(self.cells.get((s, n, t)), rss) for n, t in cols
                      if t not in ("orasx", "Go CLI")]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def cleanup(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        prefix = self.env["PYTHONPYCACHEPREFIX"]
        shutil.rmtree(os.path.join(prefix, self.work.lstrip(os.sep)), ignore_errors=True)

    # -- main -------------------------------------------------------------------------------
    def main(self) -> None:
        q = self.args.quick
        load0 = os.getloadavg()[0]
        nsmall = 8 if q else 200
        mid = 4 * MIB if q else 64 * MIB
        big = 16 * MIB if q else GIB
        reg2: Registry | None = None
        with contextlib.ExitStack() as stack:
            stack.callback(self.cleanup)
            if self.args.split_cpus:
                # The registry and the delay line (started from this thread) inherit the server
                # CPUs; each measured command is started on the client CPUs.
                cpus = sorted(os.sched_getaffinity(0))
                half = max(1, len(cpus) // 2)
                CLIENT_CPUS[:] = cpus[:half]
                server = set(cpus[half:]) or set(cpus)
                os.sched_setaffinity(0, server)
                self.notes.append(f"--split-cpus: clients on CPU {CLIENT_CPUS}, the registry and "
                                  f"the delay line on CPU {sorted(server)}")
            self.reg = start_registry()
            stack.callback(self.reg.stop)
            if self.args.rtt_ms > 0:
                self.line = stack.enter_context(
                    DelayLine("127.0.0.1", self.reg.port, self.args.rtt_ms / 2000))
            os.chdir(self.work)
            stack.callback(os.chdir, "/")
            print(f"inputs in {self.work}; registry {self.reg.host}"
                  + (f", delay line {self.line.host} ({self.net_label} RTT)" if self.line else "")
                  + f"; tools: {', '.join(t.name for t in self.tools)}"
                  + (", curl" if self.curl else ""), file=sys.stderr, flush=True)
            small = make_files(f"{nsmall} x 4 KiB",
                               [(f"small/f{i:03d}.bin", 4096) for i in range(nsmall)])
            one_mid = make_files(size_label(mid), [("mid.bin", mid)])
            big_label = size_label(big)
            one_big = (make_files(big_label, [("big.bin", big)])
                       if self.wanted(f"push {big_label}") or self.wanted(f"pull {big_label}")
                       or self.wanted(f"pull {big_label}, {self.args.cap_mb:g} MB/s per flow, "
                                      "blob redirected")
                       else Files(big_label, [], {}, 0, set()))

            if not q:
                self.warm_up(make_files("4 KiB", [("warm.bin", 4096)]))
            self.push(small)
            self.repush(small)
            self.pull(small)
            self.push(one_mid, curl_blob=True)
            self.pull(one_mid, curl_blob=True)
            # (the smoke run leaves the slower peers out of these rows: they add nothing there)
            self.push(one_big, loopback_only=True, curl_blob=True, peers=not q)
            self.pull(one_big, loopback_only=True, curl_blob=True, label=" to disk", peers=not q)
            if one_big.paths:
                t = time.perf_counter()
                sha256_file("big.bin")
                self.notes.append(f"hashlib sha256 of the {size_label(big)} file (page cache): "
                                  f"{time.perf_counter() - t:.3f} s")
            n_capped = 48 * MIB if q else 128 * MIB
            if self.wanted(f"pull {size_label(n_capped)}, {self.args.cap_mb:g} MB/s per flow"):
                self.capped_pull(make_files(size_label(n_capped), [("capped.bin", n_capped)]))
            self.capped_pull(one_big)
            self.rss_rows([f"push {one_big.label}", f"pull {one_big.label} to disk"])
            self.cpu_rows([r for r in self.rows if not r.startswith("peak RSS")])
            if self.args.extended:
                n8 = (16 if q else 128) * MIB
                eight = make_files(f"8 x {size_label(n8)}",
                                   [(f"m{i}.bin", n8) for i in range(8)])
                self.push(eight, loopback_only=True)
                self.pull(eight, loopback_only=True)
                kib = 10 if q else 100
                tree = make_files(f"dir of 2000 x {kib} KiB",
                                  [(f"tree/d{i}/f{j}.bin", kib * 1024)
                                   for i in range(20) for j in range(100)])
                tree.paths, tree.layers = ["tree"], set()  # one tar+gzip layer made by the tool
                self.push(tree, loopback_only=True)
                self.pull(tree, loopback_only=True)
                reg2 = start_registry()
                stack.callback(reg2.stop)
                self.copy_across(reg2, one_big)
            if self.wanted("start-up"):
                self.startup()
        self.notes.append(f"load average (1 min) at the start {load0:.1f}, at the end "
                          f"{os.getloadavg()[0]:.1f}, on {os.cpu_count()} CPUs")
        print(self.table())
        for n in self.notes:
            print(f"\n{n}")
        if self.args.json:
            with open(self.args.json, "w") as f:
                json.dump([{"scenario": s, "net": n, "tool": t, **c.__dict__}
                           for (s, n, t), c in self.cells.items()], f, indent=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=0, help="repetitions (default 3; 1 with --quick)")
    ap.add_argument("--quick", action="store_true", help="small inputs, one run: a smoke run")
    ap.add_argument("--extended", action="store_true", help="also the older loopback rows")
    ap.add_argument("--rtt-ms", type=float, default=40.0,
                    help="round trip of the delay line (default 40; 0: loopback only)")
    ap.add_argument("--cap-mb", type=float, default=16.0,
                    help="the capped-link rows: MB/s each TCP flow may carry, over the delay "
                         "line's round trip (default 16; 0: no such rows)")
    ap.add_argument("--orasx-rev", default="",
                    help="measure this git revision of orasx (default: the working tree, copied "
                         "at the start)")
    ap.add_argument("--only", action="append", default=[],
                    help="run only the scenarios whose name contains this text (repeatable), "
                         "e.g. --only 're-push' --only 'pull 64'")
    ap.add_argument("--go-only", action="store_true",
                    help="compare with the Go CLI (and curl) only: leave oras-py and oras-go v1 out")
    ap.add_argument("--orasx-src", default="",
                    help="measure the orasx package in this directory (a copy of src/ taken "
                         "when the working tree was known good)")
    ap.add_argument("--go-cli", default=GO_CLI, help=f"the Go oras CLI (default {GO_CLI})")
    ap.add_argument("--oras-py", default="", help="python of a venv with the PyPI oras package")
    ap.add_argument("--orasgo", default="", help="the oras-go v1.1.1 client binary")
    ap.add_argument("--json", default="", help="also write raw results here")
    ap.add_argument("--split-cpus", action="store_true",
                    help="run the registry and the delay line on half of the CPUs and every tool "
                         "on the other half, as a registry across a network would be: the tools "
                         "do not compete with the server for CPU")
    args = ap.parse_args()
    if not args.runs:
        args.runs = 1 if args.quick else 3
    Bench(args).main()


if __name__ == "__main__":
    main()
