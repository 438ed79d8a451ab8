"""Run the parity scenarios outside pytest and write ``REPORT.md`` (and optionally the known list).

    python -m tests.parity.report                 # default scenarios -> tests/parity/REPORT.md
    python -m tests.parity.report --all           # also the extended ones (what REPORT.md holds)
    python -m tests.parity.report --all --write-known   # and rewrite known_differences.txt

Each differing scenario is put in one or more categories by looking at the lines that differ (see
:func:`classify`); the report lists every difference with the exact Go and orasx text.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from tests.parity.harness import (
    STATUS_WORDS,
    Outcome,
    Runner,
    Scenario,
    go_oras_path,
    load_known_differences,
)
from tests.parity.scenarios import EXTENDED, SCENARIOS
from tests.support.registry import free_port, start_registry

HERE = Path(__file__).resolve().parent

CATEGORIES: dict[str, tuple[str, str]] = {
    "crash": ("orasx crashes", "orasx printed a Python traceback."),
    "status-lines": ("Progress and status lines",
                     "Lines printed per blob/manifest while transferring: Go prints `Preparing <file>`, "
                     "`Processing`/`Skipped` lines on pull, and pads the verb to 10 columns "
                     "(`Uploaded  `, `Mounted `); orasx pads differently and omits some lines."),
    "result-lines": ("Result and summary lines",
                     "The lines a command prints once it is done (`Pushed: ...`, `Digest: ...`, "
                     "`Backed up ...`, `Tagged ...`, `Missing ...`)."),
    "error-text": ("Error text and prefixes",
                   "Go's `Error response from registry: ...`, `Error from source registry ...`, "
                   "`failed to ...` context and its second hint line vs orasx's one-line messages."),
    "usage-errors": ("Usage errors (arity, required flags) and their exit code",
                     "Go prints `Error: \"oras x\" requires exactly N argument but got M`, its usage "
                     "line and a hint, and exits 1; click prints `Usage: ...`/`Try ...`/`Error: Missing "
                     "argument` and exits 2."),
    "flag-validation": ("Flag value validation",
                        "Bad flag values (`--concurrency abc`, `--format xml`, `--distribution-spec v9`): "
                        "Go's `invalid argument \"x\" for \"--flag\" flag: ...` (exit 1) vs click's "
                        "`Invalid value for ...` (exit 2)."),
    "missing-flag": ("Missing flags",
                     "Flags Go accepts that orasx rejects (`No such option` / `unknown flag`)."),
    "missing-command": ("Missing commands and aliases",
                        "Commands or aliases Go has that orasx rejects "
                        "(`No such command` / `unknown command`)."),
    "help-layout": ("Help output layout", "`-h`/`--help` and bare group commands: cobra vs click layout."),
    "json-output": ("JSON output", "`--format json`, `--descriptor`, `--pretty` output."),
    "go-template": ("go-template output", "`--format go-template` results and template errors."),
    "prompts": ("Prompts reading stdin", "Confirmation and credential prompts when stdin is not a TTY."),
    "deprecations": ("Deprecations", "Deprecated flags and formats Go still accepts with a notice."),
    "warnings": ("Warnings on stderr", "`WARNING! ...` lines one CLI prints and the other does not."),
    "go-ok-py-fails": ("Go succeeds, orasx fails", "Exit code 0 from Go, non-zero from orasx."),
    "py-ok-go-fails": ("orasx accepts what Go refuses", "Exit code non-zero from Go, 0 from orasx."),
    "debug-output": ("`-d` debug output", "The format of `--debug` HTTP logs."),
    "plain-http-127": ("Plain HTTP default for 127.0.0.1",
                       "Go uses HTTPS for `127.0.0.1` unless `--plain-http`; only `localhost` is plain."),
    "manifest-content": ("Pushed manifests differ", "Raw manifest bytes the registry holds afterwards."),
    "files-written": ("Files written differ", "Files and OCI layouts the command wrote."),
    "registry-state": ("Registry state afterwards differs",
                       "What a follow-up Go command (`repo tags`, `discover`, ...) sees afterwards."),
    "version": ("Version output", "Keys of `oras version` (values are masked)."),
    "blank-lines": ("Blank lines", "An extra or missing empty line (often a trailing newline)."),
    "other-output": ("Other output", "Differences no rule above recognises."),
}

SUMMARY_PREFIXES = ("Pushed [", "Pushed: [", "Pulled [", "Pulled tag", "Deleted [", "Copied [")
_STATUS = re.compile(r"^\s*(" + "|".join((*STATUS_WORDS, "Added", "Removed", "Updated")) + r")\b")


@dataclass
class Line:
    section: str  # run.exit / run.stdout / run.stderr / then / manifest / tree
    sign: str  # "-" Go, "+" orasx
    text: str


def _sections(lines: list[str]) -> list[str]:
    """The section each transcript line belongs to."""
    out, cur, sub = [], "run", ""
    for line in lines:
        if line.startswith("=== run:"):
            cur, sub = "run", "cmd"
        elif line.startswith("=== then"):
            cur, sub = "then", ""
        elif line.startswith("=== manifest"):
            cur, sub = "manifest", ""
        elif line.startswith("=== tree"):
            cur, sub = "tree", ""
        elif cur == "run" and line.startswith("[exit "):
            sub = "exit"
        elif cur == "run" and line == "--- stdout":
            sub = "stdout"
        elif cur == "run" and line == "--- stderr":
            sub = "stderr"
        out.append(f"{cur}.{sub}" if cur == "run" else cur)
    return out


def changed_lines(o: Outcome) -> list[Line]:
    a, b = o.go.splitlines(), o.py.splitlines()
    sa, sb = _sections(a), _sections(b)
    result: list[Line] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        result.extend(Line(sa[i], "-", a[i]) for i in range(i1, i2))
        result.extend(Line(sb[j], "+", b[j]) for j in range(j1, j2))
    return result


def _exit(text: str) -> int:
    m = re.search(r"^\[exit (-?\d+)\]$", text, re.M)
    return int(m.group(1)) if m else 0


def classify(o: Outcome) -> dict[str, list[Line]]:
    """Category -> the differing lines that put the scenario there."""
    cats: dict[str, list[Line]] = defaultdict(list)
    go_rc, py_rc = _exit(o.go), _exit(o.py)
    lines = changed_lines(o)
    if go_rc == 0 and py_rc != 0:
        cats["go-ok-py-fails"] += [ln for ln in lines if ln.section == "run.exit"]
    elif go_rc != 0 and py_rc == 0:
        cats["py-ok-go-fails"] += [ln for ln in lines if ln.section == "run.exit"]
    py_text = "\n".join(ln.text for ln in lines if ln.sign == "+")
    go_text = "\n".join(ln.text for ln in lines if ln.sign == "-")
    previous: dict[str, str] = {}  # section -> category of its last non-blank changed line
    for ln in lines:
        if not ln.text.strip() and ln.section in ("run.stdout", "run.stderr"):
            cats[previous.get(ln.section, "blank-lines")].append(ln)
            continue
        if ln.section == "run.exit" and (go_rc == 0 or py_rc == 0):
            continue  # already counted as go-ok-py-fails / py-ok-go-fails
        cat = _category(ln, o.scenario, go_text, py_text)
        cats[cat].append(ln)
        previous[ln.section] = cat
    return dict(cats)


def _category(ln: Line, s: Scenario, go_text: str, py_text: str) -> str:
    t, run = ln.text, f" {s.run} "
    both_refuse = "unknown flag" in go_text or "unknown command" in go_text  # only the wording differs
    if ln.section == "run.exit":  # both failed, with different codes
        if both_refuse:
            return "usage-errors"
        if "No such option" in py_text or "unknown flag" in py_text:
            return "missing-flag"
        if "No such command" in py_text or "unknown command" in py_text:
            return "missing-command"
        if "Invalid value" in py_text or "invalid argument" in go_text:
            return "flag-validation"
        return "usage-errors"
    if ln.section in ("manifest", "tree", "then"):
        return {"manifest": "manifest-content", "tree": "files-written", "then": "registry-state"}[ln.section]
    if ln.section == "run.stderr" and ln.sign == "+" and "Traceback (most recent call last):" in py_text:
        return "crash"
    if s.group == "version":
        return "version"
    if s.id.endswith("-unknown-subcommand"):
        return "help-layout"
    if both_refuse and ("No such" in t or "unknown" in t or t.startswith(("Usage: oras", "Try 'oras"))):
        return "usage-errors"
    if s.id == "completion-bash" or "No such command" in t or (ln.sign == "+" and "unknown command" in t):
        return "missing-command"
    if s.group == "help" or s.id.startswith("root-") \
            or s.id.endswith(("-no-subcommand", "-unknown-subcommand")):
        return "help-layout"
    if "127" in s.id:
        return "plain-http-127"
    if " -d " in run and ln.section == "run.stderr":
        return "debug-output"
    if "No such option" in t or (ln.sign == "+" and "unknown flag" in t):
        return "missing-flag"
    if ("Invalid value" in t or "invalid argument" in t or "invalid format type" in t
            or t.startswith(("supported types", "Available options"))):
        return "flag-validation"
    if ("requires exactly" in t or "requires at least" in t or "Missing argument" in t
            or t.startswith(("Please specify", "Usage: oras", "Try 'oras"))
            or "unexpected extra argument" in t or "required flag" in t or "Missing option" in t):
        return "usage-errors"
    if "deprecated" in t.lower():
        return "deprecations"
    if "Are you sure" in t or "Operation cancelled" in t \
            or t.startswith(("Username:", "Password:", "Token:")):
        return "prompts"
    if t.startswith("WARNING"):
        return "warnings"
    if (_STATUS.match(t) and not t.startswith(SUMMARY_PREFIXES)) or t.startswith(
            ("Preparing", "Uploading empty artifact")):
        return "status-lines"
    if ln.section == "run.stderr":
        return "error-text"
    if "go-template" in run:
        return "go-template"
    if any(f in run for f in (" --format json ", " --descriptor ", " -o json ", " --pretty ")):
        return "json-output"
    if ln.section == "run.stdout":
        return "result-lines"
    return "other-output"


def run_all(include_extended: bool, workers: int, py_exe: str) -> dict[str, Outcome]:
    reg = start_registry()
    areg = start_registry(username="alice", password="s3cret-pw", extra_users={"carol": "c4rol"})
    try:
        with tempfile.TemporaryDirectory(prefix="orasx-parity-") as base:
            runner = Runner(go_exe=str(go_oras_path()),
                            py_exe=py_exe,
                            base=Path(base), registry=reg, auth_registry=areg, dead_port=free_port(),
                            workers=workers)
            chosen = [s for s in SCENARIOS if include_extended or s.id not in EXTENDED]
            for s in chosen:
                runner.submit(s)
            outcomes = {s.id: runner.result(s) for s in chosen}
            runner.close()
            return outcomes
    finally:
        reg.stop()
        areg.stop()


_EMPTY = "(an empty line)"


def _cell(text: str) -> str:
    if text == _EMPTY:
        return text
    text = text.replace("|", "\\|").replace("`", "'")
    return f"`{text[:140]}{'…' if len(text) > 140 else ''}`" if text else ""


FINDINGS_START, FINDINGS_END = "<!-- findings: kept when the report is regenerated -->", "<!-- /findings -->"


def _kept_findings(previous: str) -> list[str]:
    start, end = previous.find(FINDINGS_START), previous.find(FINDINGS_END)
    if start < 0 or end < start:
        return [FINDINGS_START, "", "(Write the root causes here; this block survives regeneration.)", "",
                FINDINGS_END]
    return previous[start:end + len(FINDINGS_END)].splitlines()


def render_report(outcomes: dict[str, Outcome], elapsed: float, include_extended: bool,
                  previous: str = "") -> str:
    differing = {sid: o for sid, o in outcomes.items() if not o.same}
    by_cat: dict[str, dict[str, list[Line]]] = defaultdict(dict)
    for sid, o in differing.items():
        for cat, lines in classify(o).items():
            by_cat[cat][sid] = lines
    total = len(outcomes)
    out = [
        "# Parity with the Go oras CLI v1.3.3: differences found",
        "",
        "Generated by `python -m tests.parity.report"
        + (" --all" if include_extended else "") + "` (the harness is `tests/parity/`). "
        f"{total} scenarios ran ({sum(i in EXTENDED for i in outcomes)} of them extended ones, which "
        "pytest runs only with `ORASX_PARITY_ALL=1`): "
        f"**{total - len(differing)} identical, {len(differing)} differ** "
        f"(this run took {elapsed:.0f} s).",
        "",
        "Every scenario runs the same argv with both CLIs against the same registries after identical "
        "Go-made preconditions, then compares exit code, stdout, stderr, and the manifests/files/registry "
        "state it names, after normalising ports (`<PORT>`), namespaces (`<NS>`), work directories "
        "(`<WORK>`, `<HOME>`), durations and the order of concurrent status lines. In the tables `-` is "
        "Go and `+` is orasx; a scenario can be in several categories. The full per-scenario diffs are "
        "at the end.",
        "",
        *_kept_findings(previous),
        "",
        "## Counts per category",
        "",
        "| category | scenarios |",
        "|---|---|",
    ]
    order = [c for c in CATEGORIES if c in by_cat]
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes.values():
        groups[o.scenario.group].append(o)
    per_group = ["", "## Scenarios per command group", "", "| group | scenarios | identical | differ |",
                 "|---|---|---|---|"]
    per_group += [f"| {g} | {len(os_)} | {sum(o.same for o in os_)} | {sum(not o.same for o in os_)} |"
                  for g, os_ in sorted(groups.items())]
    out += [f"| [{CATEGORIES[c][0]}](#{c}) | {len(by_cat[c])} |" for c in order]
    out += per_group
    for cat in order:
        title, what = CATEGORIES[cat]
        out += ["", f'<a id="{cat}"></a>', f"## {title} ({len(by_cat[cat])})", "", what, "",
                "| group | scenario | Go (`-`) | orasx (`+`) |", "|---|---|---|---|"]
        for sid in sorted(by_cat[cat], key=lambda i: (outcomes[i].scenario.group, i)):
            lines = by_cat[cat][sid]
            go = [ln.text for ln in lines if ln.sign == "-" and ln.text.strip()] \
                or [_EMPTY for ln in lines if ln.sign == "-"][:1]
            py = [ln.text for ln in lines if ln.sign == "+" and ln.text.strip()] \
                or [_EMPTY for ln in lines if ln.sign == "+"][:1]
            out.append(f"| {outcomes[sid].scenario.group} | [{sid}](#d-{sid}) | "
                       f"{'<br>'.join(_cell(t) for t in go[:4])}{' …' if len(go) > 4 else ''} | "
                       f"{'<br>'.join(_cell(t) for t in py[:4])}{' …' if len(py) > 4 else ''} |")
    out += ["", "## Full diffs", ""]
    for sid in sorted(differing, key=lambda i: (outcomes[i].scenario.group, i)):
        o = differing[sid]
        out += [f'<a id="d-{sid}"></a>', f"### {sid}", "", f"`oras {o.scenario.run}`"
                + (f" (prepared with: `{'`; `'.join(o.scenario.prepare)}`)" if o.scenario.prepare else ""),
                "", "```diff", *_capped(o.diff(context=1).rstrip("\n").splitlines()), "```", ""]
    return "\n".join(out) + "\n"


def _capped(lines: list[str], most: int = 60, width: int = 400) -> list[str]:
    out = [ln if len(ln) <= width else ln[:width] + f"… ({len(ln) - width} more characters)"
           for ln in lines[:most]]
    if len(lines) > most:
        out.append(f"… ({len(lines) - most} more lines: run the scenario to see them all)")
    return out


def render_known(outcomes: dict[str, Outcome], previous: dict[str, str]) -> str:
    lines = [
        "# Parity scenarios where orasx currently differs from the Go oras CLI (tests/parity).",
        "# One id per line, '# [categories] what differs'. These run as xfail(strict=True): remove a",
        "# line once its scenario passes. Regenerate with: python -m tests.parity.report --all --write-known",
    ]
    entries: dict[str, str] = {sid: c for sid, c in previous.items() if sid not in outcomes}
    for sid, o in outcomes.items():
        if o.same:
            continue
        cats = classify(o)
        changed = [ln for ln in changed_lines(o) if ln.text.strip() and ln.section != "run.exit"]
        first = next((ln for ln in changed if ln.sign == "+"), None) or next(iter(changed), None)
        who = "orasx" if first is not None and first.sign == "+" else "Go"
        hint = f": {who} prints {first.text.strip()[:80]!r}" if first else ""
        entries[sid] = f"[{', '.join(sorted(cats))}]{hint}"
    order = {s.id: n for n, s in enumerate(SCENARIOS)}
    width = max((len(s) for s in entries), default=0)
    ids = sorted(entries, key=lambda i: order.get(i, 0))
    lines += [f"{sid.ljust(width)}  # {entries[sid]}" for sid in ids]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--all", action="store_true", help="include the extended scenarios")
    ap.add_argument("--write-known", action="store_true", help="rewrite known_differences.txt")
    ap.add_argument("--report", default=str(HERE / "REPORT.md"), help="where to write the report")
    ap.add_argument("--dump", help="also write every outcome (both transcripts) as JSON here")
    ap.add_argument("--from-dump", help="render a --dump of an earlier run instead of running")
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--py-exe", default=os.environ.get("ORASX_PARITY_PY_ORAS") or
                    os.path.join(os.path.dirname(sys.executable), "oras"),
                    help="the CLI compared with Go (default: this venv's oras); pass the Go binary "
                         "itself to check that the harness normalises two Go runs to equal text")
    args = ap.parse_args(argv)
    if not os.access(go_oras_path(), os.X_OK):
        print(f"the Go oras CLI is absent: {go_oras_path()}", file=sys.stderr)
        return 1
    start = time.monotonic()
    if args.from_dump:  # re-render an earlier run (e.g. after changing the classification)
        by_id = {s.id: s for s in SCENARIOS}
        dumped = json.loads(Path(args.from_dump).read_text())
        elapsed = float(dumped.pop("_meta", {}).get("elapsed", 0))
        outcomes = {sid: Outcome(by_id[sid], d["go"], d["py"]) for sid, d in dumped.items() if sid in by_id}
    else:
        outcomes = run_all(args.all, args.workers, args.py_exe)
        elapsed = time.monotonic() - start
    report = Path(args.report)
    previous = report.read_text() if report.exists() else ""
    report.write_text(render_report(outcomes, elapsed, args.all, previous))
    if args.dump:
        dump: dict[str, object] = {"_meta": {"elapsed": elapsed}}
        dump.update({sid: {"go": o.go, "py": o.py, "same": o.same} for sid, o in outcomes.items()})
        Path(args.dump).write_text(json.dumps(dump, indent=1))
    known_path = HERE / "known_differences.txt"
    if args.write_known:
        known_path.write_text(render_known(outcomes, load_known_differences(known_path)))
    differing = sum(not o.same for o in outcomes.values())
    print(f"{len(outcomes)} scenarios, {len(outcomes) - differing} identical, {differing} differ "
          f"({elapsed:.0f} s); wrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
