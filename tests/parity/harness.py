"""Run one scenario with the Go ``oras`` CLI and with ours, and render both runs as comparable text.

Each side (``go``, ``py``) gets a fresh work directory, a fresh ``HOME`` and its own namespace in the
registries (``<scenario-id>-go/...`` vs ``<scenario-id>-py/...``), so both start from the same state.
Prepare steps run with the Go CLI on both sides, so the preconditions are byte-identical. The compared
step runs the same argv with each CLI (the two sides concurrently). Afterwards ``then`` steps (Go CLI
again, on both sides), the manifests named in ``manifests`` (raw bytes, over HTTP) and the files named
in ``trees`` are appended to each side's transcript. A scenario passes when the two transcripts are
equal after :func:`normalise`, which only rewrites what must differ between two runs.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import tarfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.registry import ORAS_DISTRIBUTION, Registry, start_registry

SIDES = ("go", "py")
CREATED = "--annotation org.opencontainers.image.created=2000-01-01T00:00:00Z"
MANIFEST_ACCEPT = ", ".join([
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.artifact.manifest.v1+json",
])
STEP_TIMEOUT = 60


@dataclass(frozen=True)
class Scenario:
    """One parity case: ``run`` is the compared command line (without the leading ``oras``).

    Command lines are split with :func:`shlex.split` after these substitutions:
    ``{reg}`` plain registry as ``localhost:PORT``; ``{reg127}`` the same as ``127.0.0.1:PORT``;
    ``{areg}`` the htpasswd registry (alice/s3cret-pw); ``{dead}`` a loopback port nobody listens on;
    ``{ns}`` this side's namespace; ``{repo}`` ``{ns}/r``; ``{C}`` a fixed created annotation;
    ``{work}``/``{home}`` this side's absolute directories; ``{dig:TAG}`` the digest of ``{repo}:TAG``
    on the plain registry and ``{referrer:TAG}`` that of its (single) referrer, looked up when the
    command runs (``{reftag:TAG}``: its referrers tag, ``sha256-<hex>``); ``{empty}``/``{adigest}``
    the digests of ``{}`` and of ``a.txt``.

    ``prepare`` and ``then`` run with the Go CLI on both sides (a failing prepare step is an error of
    the scenario). ``manifests`` are refs like ``{repo}:v1`` fetched raw from the plain registry
    (``@auth {repo}:v1`` from the htpasswd one); ``trees`` are paths in the work directory (``~/...``:
    in ``HOME``) whose files are listed with their contents. ``volatile`` renames digests seen on one
    side only (created timestamps, tar+gzip bytes); ``isolated`` gives each side its own registry;
    ``normalise`` is an extra rewrite for this scenario. ``BASE_FILES`` are in every work directory.
    ``env`` is added to the compared command's environment (placeholders substituted); ``pipe``
    is a command its stdout goes through (``head -c 10``): the transcript shows the pipe's output
    and the CLI's own exit status (``-13``: killed by SIGPIPE). ``referrers_api``: each side's
    ``{reg}`` is its own oras-project/distribution registry (the referrers API and image-spec
    1.1.0-rc2 artifact manifests; the scenario skips without it). ``{deadrealm}``, ``{norealm}``
    and ``{realm404}`` are registries whose Bearer challenge names a realm nobody answers, no
    realm, and a realm answering 404.
    """

    id: str
    group: str
    run: str
    prepare: tuple[str, ...] = ()
    then: tuple[str, ...] = ()
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    stdin: str | None = None
    manifests: tuple[str, ...] = ()
    trees: tuple[str, ...] = ()
    volatile: bool = False
    isolated: bool = False
    normalise: Callable[[str], str] | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    pipe: str | None = None
    referrers_api: bool = False


@dataclass
class Step:
    argv: list[str]
    rc: int
    stdout: str
    stderr: str


@dataclass
class Side:
    name: str
    exe: str
    work: Path
    home: Path
    ns: str
    reg: Registry
    areg: Registry
    dead_port: int

    base_env: Mapping[str, str]

    @property
    def env(self) -> dict[str, str]:
        env = dict(self.base_env)
        env.update(HOME=str(self.home), XDG_CONFIG_HOME=str(self.home / ".config"),
                   XDG_RUNTIME_DIR=str(self.home / ".run"), COLUMNS="80", LANG="C.UTF-8",
                   LC_ALL="C.UTF-8", TERM="dumb", NO_COLOR="1")
        return env


def base_environment() -> dict[str, str]:
    """The environment both CLIs inherit, without anything that configures a registry client. Taken
    once, in the main thread: pytest rewrites ``os.environ`` (PYTEST_CURRENT_TEST) between tests."""
    return {k: v for k, v in os.environ.copy().items()
            if not k.startswith(("DOCKER_", "ORAS", "REGISTRY_AUTH", "XDG_", "SSL_", "HTTP", "NO_PROXY",
                                 "PYTEST_"))
            and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}


# --- default files every work directory starts with -------------------------------------------------
EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
A_TXT = b"alpha\n"
A_DIGEST = "sha256:" + hashlib.sha256(A_TXT).hexdigest()
MANIFEST_JSON = (
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
    '"artifactType":"application/vnd.example.parity",'
    f'"config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{EMPTY_DIGEST}","size":2}},'
    f'"layers":[{{"mediaType":"text/plain","digest":"{A_DIGEST}","size":{len(A_TXT)}}}],'
    '"annotations":{"org.opencontainers.image.created":"2000-01-01T00:00:00Z"}}'
)
BASE_FILES: dict[str, str | bytes] = {
    "a.txt": A_TXT,
    "b.txt": b"bravo\n",
    "c.bin": bytes(range(256)) * 64,
    "empty.json": b"{}",
    "config.json": b'{"architecture":"amd64","os":"linux"}',
    "ann.json": b'{"$manifest":{"com.example.k":"v","org.opencontainers.image.created":'
                b'"2000-01-01T00:00:00Z"},"a.txt":{"com.example.file":"fa"}}',
    "manifest.json": MANIFEST_JSON.encode(),
    "bad.json": b"{not json",
    "d/x.txt": b"x in d\n",
    "d/sub/y.txt": b"y in d/sub\n",
}


# --- normalisation ----------------------------------------------------------------------------------
STATUS_WORDS = (
    "Preparing", "Uploading", "Uploaded", "Exists", "Skipped", "Downloading", "Downloaded",
    "Copying", "Copied", "Mounted", "Pulling", "Pulled", "Restoring", "Restored", "Processing",
    "Processed", "Fetching", "Fetched", "Packed", "Pushed", "Pushing", "Skipping", "Deleting",
    "Deleted",
)
_STATUS_RE = re.compile(r"^\s*(" + "|".join(STATUS_WORDS) + r")\s+(?!\[)[0-9a-f]{12}\b|^Tagged \S+$")
_DURATION_RE = re.compile(r"\bin (?:\d+(?:\.\d+)?(?:ns|µs|us|ms|s|m|h))+(?=[.\s]|$)")
_TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
_DIGEST_RE = re.compile(r"sha256:[0-9a-f]{64}")
_LOGTIME_RE = re.compile(r"\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\]")
_SHORT_RE = re.compile(r"^(\s*\S+\s+)([0-9a-f]{12})(?= )", re.M)
_UPLOAD_RE = re.compile(r"/blobs/uploads/[0-9a-fA-F-]{36}")
_STATE_RE = re.compile(r"_state=[^&\"'\s]+")


def _sort_status_runs(text: str) -> str:
    """Concurrent transfers (and tagging) print their status lines in any order: sort each run."""
    out: list[str] = []
    run: list[str] = []
    for line in text.split("\n"):
        if _STATUS_RE.match(line):
            run.append(line)
            continue
        out.extend(sorted(run))
        run = []
        out.append(line)
    out.extend(sorted(run))
    return "\n".join(out)


def _port_re(port: int) -> re.Pattern[str]:
    return re.compile(rf"(?<![0-9a-fA-F]){port}(?![0-9a-fA-F])")


# --- registries whose auth cannot be asked: a Bearer challenge with a realm nobody answers, one
# without a realm, and a realm that answers 404 (started once, on first use) ---------------------
_FAKES: dict[str, tuple[str, int]] = {}
_FAKES_LOCK = threading.Lock()


def auth_fakes() -> dict[str, tuple[str, int]]:
    """``{placeholder: (host, port)}`` for ``{deadrealm}``, ``{norealm}``, ``{realm404}`` and the
    realm servers they name (``realmdead``, ``realmhost``), whose ports are normalised."""
    from tests.support.registry import free_port
    from tests.support.servers import Reply, Server

    with _FAKES_LOCK:
        if _FAKES:
            return _FAKES
        dead = free_port()
        token404 = Server(lambda r: Reply(404, {"Content-Type": "text/plain"}, b"404 page not found\n"))
        body = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}\n'

        def challenge(header: str) -> Server:
            return Server(lambda r: Reply(401, {"WWW-Authenticate": header,
                                                "Content-Type": "application/json"}, body))

        servers = {
            "deadrealm": challenge(f'Bearer realm="http://localhost:{dead}/token",service="svc"'),
            "norealm": challenge("Bearer"),
            "realm404": challenge(f'Bearer realm="{token404.url}/token",service="svc"'),
            "realmhost": token404,
        }
        _FAKES.update({k: (v.host, int(v.host.rpartition(":")[2])) for k, v in servers.items()})
        _FAKES["realmdead"] = (f"localhost:{dead}", dead)
        return _FAKES


def normalise(text: str, side: Side, scenario: Scenario) -> str:
    text = text.replace(str(side.home), "<HOME>").replace(str(side.work), "<WORK>")
    text = text.replace(side.ns, "<NS>")
    text = _port_re(side.reg.port).sub("<PORT>", text)
    text = _port_re(side.areg.port).sub("<APORT>", text)
    text = _port_re(side.dead_port).sub("<DEADPORT>", text)
    if "{deadrealm}" in scenario.run or "{norealm}" in scenario.run or "{realm404}" in scenario.run:
        for name, (_, port) in auth_fakes().items():
            text = _port_re(port).sub(f"<{name.upper()}-PORT>", text)
    text = _DURATION_RE.sub("in <DURATION>", text)
    text = _LOGTIME_RE.sub("[<TIME>]", text)
    text = _UPLOAD_RE.sub("/blobs/uploads/<UPLOAD-ID>", text)
    text = _STATE_RE.sub("_state=<STATE>", text)
    if scenario.normalise is not None:
        text = scenario.normalise(text)
    return text


def alias_volatile_digests(go: str, py: str) -> tuple[str, str]:
    """For scenarios whose digests embed timestamps or tar/gzip bytes: digests that appear on one side
    only are renamed in order of first appearance (with their 12-hex short forms), and timestamps are
    masked, so the structure of the two transcripts can still be compared exactly."""
    go, py = _TIME_RE.sub("<TIME>", go), _TIME_RE.sub("<TIME>", py)
    common = set(_DIGEST_RE.findall(go)) & set(_DIGEST_RE.findall(py))
    common_short = ({m.group(2) for m in _SHORT_RE.finditer(go)}
                    & {m.group(2) for m in _SHORT_RE.finditer(py)}) | {d[7:19] for d in common}

    def alias(text: str) -> str:
        order: list[str] = []
        for d in _DIGEST_RE.findall(text):
            if d not in common and d not in order:
                order.append(d)
        for n, d in enumerate(order, 1):
            text = text.replace(d, f"sha256:<volatile-{n}>")
            text = re.sub(rf"(?<![0-9a-f]){d[7:19]}(?![0-9a-f])", f"<volatile-{n}-short>", text)
        # status lines name blobs by a 12-hex prefix whose full digest may never be printed
        shorts: list[str] = []
        for m in _SHORT_RE.finditer(text):
            if m.group(2) not in common_short and m.group(2) not in shorts:
                shorts.append(m.group(2))
        for n, short in enumerate(shorts, 1):
            text = re.sub(rf"(?<![0-9a-f]){short}(?![0-9a-f])", f"<volatile-short-{n}>", text)
        return text

    return alias(go), alias(py)


# --- running ----------------------------------------------------------------------------------------
class SetupError(RuntimeError):
    """A prepare step failed: the scenario itself is wrong, not the CLI under test."""


def substitute(cmd: str, side: Side) -> list[str]:
    def digest_of(m: re.Match[str]) -> str:
        return manifest_digest(side.reg, f"{side.ns}/r", m.group(1))

    def referrer_of(m: re.Match[str]) -> str:
        return referrer_digest(side.reg, f"{side.ns}/r", m.group(1))

    cmd = cmd.replace("{C}", CREATED)
    cmd = re.sub(r"\{dig:([A-Za-z0-9_.-]+)\}", digest_of, cmd)
    cmd = re.sub(r"\{referrer:([A-Za-z0-9_.-]+)\}", referrer_of, cmd)
    cmd = re.sub(r"\{reftag:([A-Za-z0-9_.-]+)\}", lambda m: digest_of(m).replace(":", "-"), cmd)
    values = {
        "reg": side.reg.localhost, "reg127": side.reg.ip_host, "areg": side.areg.localhost,
        "dead": f"localhost:{side.dead_port}", "ns": side.ns, "repo": f"{side.ns}/r",
        "work": str(side.work), "home": str(side.home), "empty": EMPTY_DIGEST, "adigest": A_DIGEST,
    }
    if "realm" in cmd:
        values.update({k: host for k, (host, _) in auth_fakes().items()})
    for key, value in values.items():
        cmd = cmd.replace("{" + key + "}", value)
    return shlex.split(cmd)


def run_cli(exe: str, argv: list[str], side: Side, stdin: str | None,
            env: Mapping[str, str] | None = None, pipe: str | None = None) -> Step:
    if pipe is not None:
        return _run_piped(exe, argv, side, env or {}, pipe)
    try:
        proc = subprocess.run(
            [exe, *argv], cwd=side.work, env={**side.env, **(env or {})}, capture_output=True,
            timeout=STEP_TIMEOUT, input=(stdin or "").encode(),
        )
    except subprocess.TimeoutExpired as e:
        return Step(argv, -999, _text(e.stdout or b""), _text(e.stderr or b"") + "\n<TIMEOUT>")
    except OSError as e:  # e.g. the executable is missing (a reinstall in progress)
        return Step(argv, -998, "", f"<cannot run {exe}: {e}>")
    return Step(argv, proc.returncode, _text(proc.stdout), _text(proc.stderr))


def _run_piped(exe: str, argv: list[str], side: Side, env: Mapping[str, str], pipe: str) -> Step:
    """``exe argv | pipe``: stdout is the pipe's, the status the CLI's."""
    import tempfile

    with tempfile.TemporaryFile() as err:
        cli = subprocess.Popen([exe, *argv], cwd=side.work, env={**side.env, **env},
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
        assert cli.stdout is not None
        reader = subprocess.Popen(shlex.split(pipe), stdin=cli.stdout, stdout=subprocess.PIPE)
        cli.stdout.close()  # the reader holds the pipe now: when it exits, the CLI sees EPIPE
        try:
            out, _ = reader.communicate(timeout=STEP_TIMEOUT)
            rc = cli.wait(timeout=STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            cli.kill()
            reader.kill()
            return Step(argv, -999, "", "<TIMEOUT>")
        err.seek(0)
        return Step(argv, rc, _text(out), _text(err.read()))


def _text(b: bytes) -> str:
    return b.decode("utf-8", errors="backslashreplace")


def _request(reg: Registry, url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, method=method, headers={"Accept": MANIFEST_ACCEPT})
    if reg.username:
        token = base64.b64encode(f"{reg.username}:{reg.password}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), b""


def manifest_digest(reg: Registry, repo: str, tag: str) -> str:
    status, headers, _ = _request(reg, f"http://{reg.host}/v2/{repo}/manifests/{tag}", "HEAD")
    if status != 200:
        raise SetupError(f"{repo}:{tag} is not in the registry (HTTP {status})")
    return headers["Docker-Content-Digest"]


def referrer_digest(reg: Registry, repo: str, tag: str) -> str:
    """The digest of the (single) referrer of ``repo:tag``, from the referrers tag schema index."""
    subject = manifest_digest(reg, repo, tag)
    status, _, body = _request(reg, f"http://{reg.host}/v2/{repo}/manifests/{subject.replace(':', '-')}")
    if status != 200:  # a registry with the referrers API
        status, _, body = _request(reg, f"http://{reg.host}/v2/{repo}/referrers/{subject}")
    if status != 200 or not json.loads(body).get("manifests"):
        raise SetupError(f"{repo}:{tag} has no referrers index (HTTP {status})")
    manifests = json.loads(body)["manifests"]
    return str(manifests[0]["digest"])


def render_manifest(ref: str, side: Side) -> str:
    """``ref`` is ``[areg|reg]:REPO:REF`` after substitution-free parsing, e.g. ``{repo}:v1``."""
    reg = side.reg
    if ref.startswith("@auth "):
        reg, ref = side.areg, ref[len("@auth "):]
    try:
        (target,) = substitute(ref, side)
    except SetupError as e:  # e.g. the run did not create the referrer the ref names
        return f"=== manifest {ref}\n<unresolvable: {e}>\n"
    repo, _, tag = target.rpartition("@") if "@" in target else target.rpartition(":")
    status, headers, body = _request(reg, f"http://{reg.host}/v2/{repo}/manifests/{tag}")
    if status != 200:
        return f"=== manifest {ref}\n<HTTP {status}>\n"
    return (f"=== manifest {ref}\nContent-Type: {headers.get('Content-Type')}\n"
            f"{_text(body)}\n")


def _describe(name: str, data: bytes, mode: str) -> str:
    if len(data) <= 4096 and b"\0" not in data:
        try:
            return f"{name} [{mode}] {len(data)} bytes:\n{data.decode()}\n<EOF>"
        except UnicodeDecodeError:
            pass
    return f"{name} [{mode}] {len(data)} bytes sha256:{hashlib.sha256(data).hexdigest()}"


def _describe_index(name: str, data: bytes, mode: str) -> str:
    """An OCI layout's ``index.json``: the Go CLI writes its ``manifests`` in map order (random), so
    they are sorted here; the size and whether the file is compact JSON still show how it was written."""
    try:
        index = json.loads(data)
        manifests = index["manifests"]
        index["manifests"] = sorted(manifests, key=lambda m: json.dumps(m, sort_keys=True))
    except (ValueError, KeyError, TypeError):
        return _describe(name, data, mode)
    compact = json.dumps(json.loads(data), separators=(",", ":"), ensure_ascii=False).encode() == data
    return (f"{name} [{mode}] {len(data)} bytes, {'compact' if compact else 'not compact'} JSON, "
            f"manifests sorted:\n{json.dumps(index, separators=(',', ':'))}\n<EOF>")


def _render_tar(path: Path) -> list[str]:
    """A tar archive's members (names, kinds and contents; not its mtimes or header bytes)."""
    lines = []
    with tarfile.open(path) as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if m.isdir():
                lines.append(f"  {m.name}/")
            elif m.issym():
                lines.append(f"  {m.name} -> {m.linkname}")
            else:
                f = tar.extractfile(m)
                data = f.read() if f is not None else b""
                describe = _describe_index if m.name.endswith("index.json") else _describe
                lines.append("  " + describe(m.name, data, "x" if m.mode & 0o100 else "-"))
    return lines


def render_tree(rel: str, side: Side) -> str:
    """``rel`` is relative to the work directory, or to ``HOME`` when it starts with ``~/``."""
    base = side.home if rel.startswith("~/") else side.work
    root = base / rel.removeprefix("~/")
    lines = [f"=== tree {rel}"]
    if not root.exists() and not root.is_symlink():
        return "\n".join([*lines, "<missing>"]) + "\n"
    paths = [root] if not root.is_dir() or root.is_symlink() else sorted(root.rglob("*"))
    for p in paths:
        name = p.relative_to(base).as_posix()
        if p.is_symlink():
            lines.append(f"{name} -> {os.readlink(p)}")
        elif p.is_dir():
            lines.append(f"{name}/")
        else:
            mode = "x" if os.access(p, os.X_OK) else "-"
            if p.name == "index.json":
                lines.append(_describe_index(name, p.read_bytes(), mode))
            elif p.suffix == ".tar" and tarfile.is_tarfile(p):
                lines.append(f"{name} [{mode}] tar archive:")
                lines.extend(_render_tar(p))
            else:
                lines.append(_describe(name, p.read_bytes(), mode))
    return "\n".join(lines) + "\n"


def render_step(title: str, step: Step) -> str:
    return (f"=== {title}: oras {shlex.join(step.argv)}\n[exit {step.rc}]\n"
            f"--- stdout\n{step.stdout}\n--- stderr\n{step.stderr}\n")


def run_side(scenario: Scenario, side: Side, go_exe: str) -> str:
    """Run one side of a scenario; returns its (not yet normalised) transcript."""
    if side.work.exists():
        shutil.rmtree(side.work)
    side.work.mkdir(parents=True)
    side.home.mkdir(parents=True, exist_ok=True)
    for name, content in {**BASE_FILES, **scenario.files}.items():
        path = side.work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    for cmd in scenario.prepare:
        argv = substitute(cmd, side)
        step = run_cli(go_exe, argv, side, None)
        if step.rc != 0:
            raise SetupError(f"prepare step failed on the {side.name} side: oras {shlex.join(argv)}\n"
                             f"{step.stdout}\n{step.stderr}")
    env = {k: " ".join(substitute(v, side)) for k, v in scenario.env.items()}
    parts = [render_step("run", run_cli(side.exe, substitute(scenario.run, side), side, scenario.stdin,
                                        env, scenario.pipe))]
    for n, cmd in enumerate(scenario.then, 1):
        try:
            argv = substitute(cmd, side)
        except SetupError as e:
            parts.append(f"=== then {n} (go): {cmd}\n<unresolvable: {e}>\n")
            continue
        parts.append(render_step(f"then {n} (go)", run_cli(go_exe, argv, side, None)))
    parts.extend(render_manifest(ref, side) for ref in scenario.manifests)
    parts.extend(render_tree(rel, side) for rel in scenario.trees)
    return "".join(parts)


@dataclass
class Outcome:
    scenario: Scenario
    go: str
    py: str

    @property
    def same(self) -> bool:
        return self.go == self.py

    def diff(self, context: int = 3) -> str:
        return "".join(difflib.unified_diff(
            self.go.splitlines(keepends=True), self.py.splitlines(keepends=True),
            fromfile=f"{self.scenario.id} (go oras)", tofile=f"{self.scenario.id} (orasx)", n=context))


class Runner:
    """Runs scenarios on a thread pool; each scenario runs its two sides concurrently."""

    def __init__(self, *, go_exe: str, py_exe: str, base: Path, registry: Registry,
                 auth_registry: Registry, dead_port: int, workers: int = 3) -> None:
        self.exes = {"go": go_exe, "py": py_exe}
        self.base_env = base_environment()
        self.base = base
        self.registry = registry
        self.auth_registry = auth_registry
        self.dead_port = dead_port
        self.pool = ThreadPoolExecutor(max_workers=workers)
        self.side_pool = ThreadPoolExecutor(max_workers=workers * 2)
        self.futures: dict[str, Future[Outcome]] = {}
        self.lock = threading.Lock()

    def submit(self, scenario: Scenario) -> Future[Outcome]:
        with self.lock:
            if scenario.id not in self.futures:
                self.futures[scenario.id] = self.pool.submit(self.run, scenario)
            return self.futures[scenario.id]

    def result(self, scenario: Scenario) -> Outcome:
        return self.submit(scenario).result()

    def run(self, scenario: Scenario) -> Outcome:
        own: list[Registry] = []
        try:
            sides = []
            for name in SIDES:
                reg = self.registry
                if scenario.referrers_api:
                    reg = start_registry(binary=ORAS_DISTRIBUTION)
                    own.append(reg)
                elif scenario.isolated:
                    reg = start_registry()
                    own.append(reg)
                root = self.base / scenario.id
                sides.append(Side(name=name, exe=self.exes[name], work=root / name,
                                  home=root / f"{name}.home", ns=f"{scenario.id}-{name}", reg=reg,
                                  areg=self.auth_registry, dead_port=self.dead_port,
                                  base_env=self.base_env))
            futures = [self.side_pool.submit(run_side, scenario, s, self.exes["go"]) for s in sides]
            raw = [f.result() for f in futures]
        finally:
            for reg in own:
                reg.stop()
        go, py = (normalise(t, s, scenario) for t, s in zip(raw, sides, strict=True))
        if scenario.volatile:
            go, py = alias_volatile_digests(go, py)
        go, py = _sort_status_runs(go), _sort_status_runs(py)
        return Outcome(scenario, go, py)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.side_pool.shutdown(wait=True, cancel_futures=True)


def go_oras_path() -> Path:
    """The reference Go CLI: ``$ORASX_GO_ORAS`` or ``../shared/tools/oras-go/oras`` beside the clone."""
    env = os.environ.get("ORASX_GO_ORAS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "tools" / "oras-go" / "oras"


def load_known_differences(path: Path) -> dict[str, str]:
    known: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        sid, _, comment = line.partition("#")
        known[sid.strip()] = comment.strip()
    return known
