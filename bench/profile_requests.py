#!/usr/bin/env python3
"""Where the time goes over a slow link: every HTTP request orasx and the Go CLI make, counted.

Starts a registry and a logging delay line (bench/delayline.py, 40 ms round trip by default) and
runs push, re-push to a new tag and pull of N x 4 KiB files (and optionally one bigger file) with
each tool through it. For every operation it prints the wall time, when the first request left
(process start-up and local work), the requests by method and kind, connections, peak concurrency,
the serial round trips on the critical path (and which requests make it up) and the time between
the last response and the process's exit.

    python bench/profile_requests.py [--files 200] [--rtt-ms 40] [--big-mib 64] \\
        [--variant 'orasx --concurrency 10'] [--json out.json]

``--variant 'TOOL ARGS...'`` adds a run of TOOL (orasx or go) with extra arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
from delayline import DelayLine, clock, summarize  # noqa: E402
from run import GO_CLI, make_file, snapshot_orasx  # noqa: E402

from tests.support.registry import start_registry  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--rtt-ms", type=float, default=40.0)
    ap.add_argument("--big-mib", type=int, default=0, help="also push/pull one file of this size")
    ap.add_argument("--go-cli", default=GO_CLI)
    ap.add_argument("--orasx-rev", default="", help="git revision of orasx (default: work tree)")
    ap.add_argument("--variant", action="append", default=[],
                    help="extra run: 'orasx ARGS' or 'go ARGS' (repeatable)")
    ap.add_argument("--oras-py", default="", help="python of a venv with oras-py (adds it)")
    ap.add_argument("--orasgo", default="", help="the oras-go v1.1.1 client binary (adds it)")
    ap.add_argument("--runs", type=int, default=1, help="repetitions (the last one is shown)")
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    rtt = args.rtt_ms / 1000
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["ORASX_NO_DIGEST_CACHE"] = "1"
    env.setdefault("PYTHONPYCACHEPREFIX", os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "orasx-bench",
        "pycache"))
    Cmd = Callable[[str, list[str]], list[str]]  # (reference, files or [output dir]) -> argv

    def oras_like(base: list[str], extra: list[str]) -> tuple[Cmd, Cmd]:
        return (lambda ref, files: [*base, "push", "--plain-http", *extra, ref, *files],
                lambda ref, out: [*base, "pull", "--plain-http", *extra, ref, "-o", *out])

    work = tempfile.mkdtemp(prefix="orasx-profile-")
    pythonpath, oras, what = snapshot_orasx(os.path.join(work, "orasx"), args.orasx_rev)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath, env.get("PYTHONPATH", "")) if p)
    subprocess.run([sys.executable, "-m", "compileall", "-q", pythonpath], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"measuring {what}", file=sys.stderr)
    tools: dict[str, tuple[Cmd, Cmd]] = {"orasx": oras_like([oras], [])}
    if os.access(args.go_cli, os.X_OK):
        tools["Go CLI"] = oras_like([args.go_cli], [])
    else:
        print(f"Go CLI not found at {args.go_cli}: skipping it", file=sys.stderr)
    for v in args.variant:
        which, *extra = shlex.split(v)
        base = {"orasx": [oras], "go": [args.go_cli]}[which]
        tools[f"{'orasx' if which == 'orasx' else 'Go CLI'} {' '.join(extra)}"] = oras_like(
            base, extra)
    if args.oras_py:
        script = os.path.join(HERE, "oraspy_client.py")
        tools["oras-py"] = (lambda ref, files: [args.oras_py, script, "push", ref, *files],
                            lambda ref, out: [args.oras_py, script, "pull", ref, *out])
    if args.orasgo:
        tools["oras-go v1"] = (lambda ref, files: [args.orasgo, "push", ref, *files],
                               lambda ref, out: [args.orasgo, "pull", ref, *out])

    reg = start_registry()
    rows: list[dict[str, Any]] = []
    counter = 0
    try:
        os.chdir(work)
        small = []
        for i in range(args.files):
            p = f"small/f{i:03d}.bin"
            os.makedirs("small", exist_ok=True)
            make_file(p, 4096)
            small.append(p)
        inputs = [(f"{args.files} x 4 KiB", small)]
        if args.big_mib:
            make_file("big.bin", args.big_mib << 20)
            inputs.append((f"{args.big_mib} MiB", ["big.bin"]))
        with DelayLine("127.0.0.1", reg.port, rtt / 2, log=True) as line:
            def op(full: list[str]) -> dict[str, Any]:
                cache = tempfile.mkdtemp(dir=work, prefix="cache-")
                line.reset_log()
                conns = line.connections
                t0 = clock()
                proc = subprocess.run(full, cwd=work, env={**env, "XDG_CACHE_HOME": cache},
                                      capture_output=True)
                t1 = clock()
                shutil.rmtree(cache, ignore_errors=True)
                if proc.returncode:
                    raise RuntimeError(f"{' '.join(full)}: {proc.stderr.decode()[-300:]}")
                s = summarize(line.reset_log(), rtt)
                s.update(wall_process=t1 - t0, start_gap=s.get("first", t0) - t0,
                         tail_gap=t1 - s.get("last", t1), conns_opened=line.connections - conns)
                return s

            def push_direct(push: Cmd, ref: str, files: list[str]) -> None:
                subprocess.run(push(ref, files), cwd=work, env=env, check=True,
                               capture_output=True)

            for label, files in inputs:
                src = f"{reg.host}/src-{counter}:v1"
                counter += 1
                push_direct(tools.get("Go CLI", tools["orasx"])[0], src, files)
                for name, (push_cmd, pull_cmd) in tools.items():
                    for _ in range(args.runs):
                        counter += 1
                        repo = f"p{counter}"
                        push = op(push_cmd(f"{line.host}/{repo}:v1", files))
                        repush = op(push_cmd(f"{line.host}/{repo}:v2", files))
                        out = tempfile.mkdtemp(dir=work, prefix="pull-")
                        pull = op(pull_cmd(f"{line.host}/{src.split('/', 1)[1]}", [out]))
                        shutil.rmtree(out, ignore_errors=True)
                    for verb, s in (("push", push), ("re-push, new tag", repush), ("pull", pull)):
                        rows.append({"scenario": f"{verb} {label}", "tool": name, **s})
                        print(f"  {verb} {label:<12} {name:<24} {s['wall_process']:.2f}s "
                              f"{s['rounds']} rounds", file=sys.stderr, flush=True)
    finally:
        reg.stop()
        os.chdir("/")
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(os.path.join(env["PYTHONPYCACHEPREFIX"], work.lstrip(os.sep)),
                      ignore_errors=True)

    print(f"| scenario ({args.rtt_ms:g} ms RTT) | tool | wall s | first request s | requests "
          "| connections | peak concurrency | serial round trips | critical path | "
          "wall / RTT | after last response s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    order = {s: i for i, s in enumerate(dict.fromkeys(r["scenario"] for r in rows))}
    for r in sorted(rows, key=lambda r: order[r["scenario"]]):
        kinds = ", ".join(f"{k} {v}" for k, v in r["by_kind"].items())
        path = ", ".join(f"{k} {v}" for k, v in r["path"].items())
        print(f"| {r['scenario']} | {r['tool']} | {r['wall_process']:.2f} | "
              f"{r['start_gap']:.2f} | {r['requests']}: {kinds} | {r['conns_opened']} | "
              f"{r['peak_concurrency']} | {r['rounds']} | {path} | "
              f"{r['wall_process'] / rtt:.0f} | {r['tail_gap']:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
