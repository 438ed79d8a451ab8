"""The parity scenarios, as data. See :class:`tests.parity.harness.Scenario` for the placeholders.

Prepare steps run with the Go CLI on both sides; ``{C}`` pins ``org.opencontainers.image.created`` so
that manifests the two CLIs push have the same digest. Scenario ids are ``<group>-<what>``.
"""

from __future__ import annotations

import hashlib
import re

from tests.parity.harness import BASE_FILES, MANIFEST_JSON, STATUS_WORDS, Scenario

GROUPS = {  # scenario id prefix -> the command it exercises (the report counts per command)
    "index-create": "manifest index create", "index-update": "manifest index update",
    "manifest-fetch-config": "manifest fetch-config", "manifest-fetch": "manifest fetch",
    "manifest-push": "manifest push", "manifest-delete": "manifest delete",
    "blob-fetch": "blob fetch", "blob-push": "blob push", "blob-delete": "blob delete",
    "repo-ls": "repo ls", "repo-tags": "repo tags",
}


def S(id: str, run: str, *, prepare: tuple[str, ...] | list[str] = (),
      then: tuple[str, ...] | list[str] = (), manifests: tuple[str, ...] | list[str] = (),
      trees: tuple[str, ...] | list[str] = (), **kw: object) -> Scenario:
    group = next((g for p, g in GROUPS.items() if id.startswith(p + "-")), id.split("-")[0])
    return Scenario(id=id, group=group, run=run, prepare=tuple(prepare), then=tuple(then),
                    manifests=tuple(manifests), trees=tuple(trees), **kw)  # type: ignore[arg-type]


def _version_values(text: str) -> str:
    """``oras version`` prints build facts that must differ; keep the keys, mask the values."""
    text = text.replace("Go version:", "Runtime version:").replace("Python version:", "Runtime version:")
    return re.sub(r"^([A-Za-z/ ]+:)\s+\S.*$", r"\1 <VALUE>", text, flags=re.M)


def _debug_summary(text: str) -> str:
    """``-d`` logs interleave concurrent requests, stamp times and print headers in map order, even
    between two runs of the Go CLI; compare the sorted set of request and response lines instead."""
    head, sep, rest = text.partition("\n--- stderr\n")
    stderr, sep2, tail = rest.partition("\n=== ")
    keep = sorted({
        re.sub(r"(\"Date\": \"|'Date': ')[^\"']*", r"\1<DATE>",
               re.sub(r"^\[[^\]]*\]\[DEBUG\]: ", "", line))
        for line in stderr.splitlines()
        if re.search(r"Request URL|Request method|Response Status|^\[debug\]", line)
    })
    return head + sep + "<sorted request/response lines>\n" + "\n".join(keep) + "\n" + sep2 + tail


def _debug_custom_headers(text: str) -> str:
    """``-d`` with ``-H``: what the Go suite checks, each request's custom headers. The stderr of
    ``run`` becomes the sorted set of ``repository: the X-Parity* header lines`` over its request
    blocks (the number and order of requests differ between runs; headers print in map order)."""
    head, sep, rest = text.partition("\n--- stderr\n")
    stderr, sep2, tail = rest.partition("\n=== ")
    seen = set()
    for block in stderr.split("--> Request #")[1:]:
        block = block.split("<-- Response #")[0]
        url = re.search(r'> Request URL: "[a-z]+://[^/]*/v2/(.*?)(?:/(?:manifests|blobs|tags|referrers)/|"|\?)',
                        block)
        repo = url.group(1) if url and url.group(1) else "<root>"
        custom = sorted(line.strip() for line in block.splitlines() if line.startswith('   "X-Parity'))
        seen.add(f"{repo}: {' '.join(custom) or '<none>'}")
    return (head + sep + "<custom headers per request>\n" + "\n".join(sorted(seen)) + "\n" + sep2
            + tail)


PUSH_V1 = "push {reg}/{repo}:v1 a.txt {C}"
PUSH_V2 = "push {reg}/{repo}:v2 b.txt {C}"
PUSH_CFG = ("push {reg}/{repo}:v1 --config config.json:application/vnd.example.config+json "
            "--artifact-type application/vnd.example.art a.txt {C}")
ATTACH_SIG = "attach {reg}/{repo}:v1 --artifact-type application/vnd.example.sig b.txt {C}"
LAYOUT_V1 = "push --oci-layout layout:v1 a.txt {C}"
AUTH = "-u alice -p s3cret-pw"
HDRS = "-H 'X-Parity: one' -H 'X-Parity-Dup: a' -H 'X-Parity-Dup:b'"
PUSH_AUTH = "push {areg}/{repo}:v1 a.txt {C} " + AUTH
LOGIN = "login {areg} " + AUTH
MULTI = (
    "push {reg}/{repo}:amd --artifact-platform linux/amd64 a.txt {C}",
    "push {reg}/{repo}:arm --artifact-platform linux/arm64 b.txt {C}",
    "manifest index create {reg}/{repo}:multi amd arm",
)
BLOBS = ("blob push {reg}/{repo} empty.json", "blob push {reg}/{repo} a.txt")
TAGS = "repo tags {reg}/{repo}"
M_V1 = ("{repo}:v1",)
_c_bin = BASE_FILES["c.bin"]
C_DIGEST = "sha256:" + hashlib.sha256(_c_bin if isinstance(_c_bin, bytes) else _c_bin.encode()).hexdigest()

BIG = {"big.bin": bytes(range(256)) * 4096}  # 1 MiB: more than a pipe holds
BIG_DIGEST = "sha256:" + hashlib.sha256(BIG["big.bin"]).hexdigest()

HELP_COMMANDS = [
    "push", "pull", "attach", "discover", "cp", "copy", "tag", "resolve", "login", "logout", "backup",
    "restore", "version", "blob", "blob fetch", "blob push", "blob delete", "manifest", "manifest fetch",
    "manifest fetch-config", "manifest push", "manifest delete", "manifest index", "manifest index create",
    "manifest index update", "repo", "repo ls", "repo tags", "completion",
]

SCENARIOS: list[Scenario] = [
    # --- root, help, version ------------------------------------------------------------------------
    S("root-help", "--help"),
    S("root-no-args", ""),
    S("root-unknown-command", "frobnicate"),
    S("root-unknown-flag", "--frob"),
    S("root-help-command", "help push"),
    S("root-help-unknown-command", "help frobnicate"),
    S("version-plain", "version", normalise=_version_values),
    S("version-extra-arg", "version extra", normalise=_version_values),
    S("version-unknown-flag", "version --frob"),
    S("completion-bash", "completion bash"),
    *[S("help-" + c.replace(" ", "-"), c + " -h") for c in HELP_COMMANDS],
    S("help-long-flag-manifest-fetch", "manifest fetch --help"),
    # --- push -----------------------------------------------------------------------------------------
    S("push-basic", PUSH_V1, manifests=M_V1),
    S("push-two-files-media-type", "push {reg}/{repo}:v1 a.txt:text/plain b.txt {C}", manifests=M_V1),
    S("push-multi-tag", "push {reg}/{repo}:v1,v2 a.txt {C}", manifests=("{repo}:v1", "{repo}:v2"),
      then=[TAGS]),
    S("push-no-files", "push {reg}/{repo}:v1 {C}", manifests=M_V1),
    S("push-no-tag", "push {reg}/{repo} a.txt {C}", then=[TAGS]),
    S("push-artifact-type", "push {reg}/{repo}:v1 --artifact-type application/vnd.example.art a.txt {C}",
      manifests=M_V1),
    S("push-config-with-type", PUSH_CFG, manifests=M_V1),
    S("push-config-without-artifact-type", "push {reg}/{repo}:v1 --config config.json a.txt {C}",
      manifests=M_V1),
    S("push-config-missing-file", "push {reg}/{repo}:v1 --config nope.json a.txt {C}"),
    S("push-image-spec-v1.0", "push {reg}/{repo}:v1 --image-spec v1.0 a.txt {C}", manifests=M_V1),
    S("push-image-spec-v1.0-artifact-type",
      "push {reg}/{repo}:v1 --image-spec v1.0 --artifact-type application/vnd.x a.txt {C}"),
    S("push-image-spec-invalid", "push {reg}/{repo}:v1 --image-spec v2 a.txt {C}"),
    S("push-annotation-file", "push {reg}/{repo}:v1 --annotation-file ann.json a.txt",
      manifests=M_V1),
    S("push-annotation-file-missing", "push {reg}/{repo}:v1 --annotation-file nope.json a.txt"),
    S("push-annotation-file-bad-json", "push {reg}/{repo}:v1 --annotation-file bad.json a.txt"),
    S("push-annotation-file-and-flag",
      "push {reg}/{repo}:v1 --annotation-file ann.json -a com.example.k=v2 a.txt"),
    S("push-annotation-no-equals", "push {reg}/{repo}:v1 -a novalue a.txt {C}"),
    S("push-annotation-duplicate", "push {reg}/{repo}:v1 -a k=1 -a k=2 a.txt {C}"),
    S("push-format-json", "push {reg}/{repo}:v1 --format json a.txt {C}"),
    S("push-format-json-tags-sorted", "push {reg}/{repo}:zeta,alpha,mid,alpha --format json a.txt {C}"),
    S("push-format-json-no-tag", "push {reg}/{repo} --format json a.txt {C}"),
    S("push-format-json-oci-layout-no-tag", "push --oci-layout layout --format json a.txt {C}"),
    S("push-format-go-template",
      "push {reg}/{repo}:v1 --format go-template --template '{{.digest}}' a.txt {C}"),
    S("push-format-go-template-inline",
      "push {reg}/{repo}:v1 --format 'go-template={{.mediaType}}' a.txt {C}"),
    S("push-format-text", "push {reg}/{repo}:v1 --format text a.txt {C}"),
    S("push-format-invalid", "push {reg}/{repo}:v1 --format yaml a.txt {C}"),
    S("push-template-without-format", "push {reg}/{repo}:v1 --template '{{.digest}}' a.txt {C}"),
    S("push-format-go-template-missing-template", "push {reg}/{repo}:v1 --format go-template a.txt {C}"),
    S("push-export-manifest", "push {reg}/{repo}:v1 --export-manifest out.json a.txt {C}",
      trees=["out.json"]),
    S("push-missing-file", "push {reg}/{repo}:v1 nope.txt {C}"),
    S("push-directory", "push {reg}/{repo}:v1 d {C}", manifests=M_V1, volatile=True),
    S("push-without-created-annotation", "push {reg}/{repo}:v1 a.txt", manifests=M_V1, volatile=True),
    S("push-empty-file", "push {reg}/{repo}:v1 zero.bin {C}", files={"zero.bin": b""}, manifests=M_V1),
    S("push-binary-file", "push {reg}/{repo}:v1 c.bin {C}", manifests=M_V1),
    S("push-same-file-twice", "push {reg}/{repo}:v1 a.txt a.txt {C}"),
    S("push-existing-blobs", PUSH_V1, prepare=[PUSH_V1]),
    S("push-oci-layout", LAYOUT_V1, trees=["layout"]),
    S("push-oci-layout-path", "push --oci-layout-path layout {reg}/{repo}:v1 a.txt {C}", trees=["layout"]),
    S("push-oci-layout-no-tag", "push --oci-layout layout a.txt {C}", trees=["layout/index.json"]),
    S("push-bad-reference-uppercase", "push {reg}/UPPER:v1 a.txt {C}"),
    S("push-bad-reference-tag", "push '{reg}/{repo}:bad tag' a.txt {C}"),
    S("push-no-args", "push"),
    S("push-unknown-flag", "push --frob {reg}/{repo}:v1 a.txt"),
    S("push-concurrency-not-int", "push --concurrency abc {reg}/{repo}:v1 a.txt {C}"),
    S("push-concurrency-zero", "push --concurrency 0 {reg}/{repo}:v1 a.txt {C}"),
    S("push-unreachable-registry", "push {dead}/{repo}:v1 a.txt {C}"),
    S("push-127-defaults-to-https", "push {reg127}/{repo}:v1 a.txt {C}"),
    S("push-127-plain-http", "push --plain-http {reg127}/{repo}:v1 a.txt {C}", manifests=M_V1),
    S("push-localhost-plain-http-false", "push --plain-http=false {reg}/{repo}:v1 a.txt {C}"),
    S("push-absolute-path", "push {reg}/{repo}:v1 {work}/a.txt {C}"),
    S("push-absolute-path-allowed", "push --disable-path-validation {reg}/{repo}:v1 {work}/a.txt {C}",
      volatile=True),
    S("push-artifact-platform", "push {reg}/{repo}:v1 --artifact-platform linux/amd64 a.txt {C}",
      manifests=M_V1),
    S("push-artifact-platform-invalid",
      "push {reg}/{repo}:v1 --artifact-platform linux/amd64/v8/x a.txt {C}"),
    S("push-header", "push -H 'X-Parity: 1' {reg}/{repo}:v1 a.txt {C}"),
    S("push-header-invalid", "push -H 'no-colon' {reg}/{repo}:v1 a.txt {C}"),
    S("push-artifact-type-invalid", "push {reg}/{repo}:v1 --artifact-type 'bad type' a.txt b.txt {C}",
      then=[TAGS]),
    S("push-artifact-type-parameters",
      "push {reg}/{repo}:v1 --artifact-type 'application/vnd.x+json; charset=utf-8' a.txt {C}",
      then=[TAGS]),
    S("push-artifact-type-invalid-v1.0",
      "push {reg}/{repo}:v1 --image-spec v1.0 --artifact-type a/b/c a.txt {C}", then=[TAGS]),
    S("push-artifact-type-invalid-missing-file",
      "push {reg}/{repo}:v1 --artifact-type 'bad type' nope.txt {C}"),
    # -d shows each request's -H headers as given (value untrimmed, repeats joined by ", ")
    S("debug-header-push", "push -d " + HDRS + " {reg}/{repo}:v1 a.txt {C}",
      normalise=_debug_custom_headers),
    S("debug-header-pull", "pull -d " + HDRS + " {reg}/{repo}:v1 -o out", prepare=[PUSH_V1],
      normalise=_debug_custom_headers),
    S("debug-header-attach", "attach -d " + HDRS + " {reg}/{repo}:v1 --artifact-type "
      "application/vnd.example.sig b.txt {C}", prepare=[PUSH_V1], normalise=_debug_custom_headers),
    S("debug-header-blob-fetch", "blob fetch -d " + HDRS + " {reg}/{repo}@{adigest} -o blob.out",
      prepare=[PUSH_V1], normalise=_debug_custom_headers),
    S("debug-header-blob-push", "blob push -d " + HDRS + " {reg}/{repo} b.txt",
      normalise=_debug_custom_headers),
    S("debug-header-manifest-fetch", "manifest fetch -d " + HDRS + " {reg}/{repo}:v1",
      prepare=[PUSH_V1], normalise=_debug_custom_headers),
    S("debug-header-repo-tags", "repo tags -d " + HDRS + " {reg}/{repo}", prepare=[PUSH_V1],
      normalise=_debug_custom_headers),
    S("debug-header-tag", "tag -d " + HDRS + " {reg}/{repo}:v1 v2", prepare=[PUSH_V1],
      normalise=_debug_custom_headers),
    S("debug-header-cp", "cp -d --from-header 'X-Parity-From: src' --to-header 'X-Parity-To: dst' "
      "{reg}/{repo}:v1 {reg}/{ns}/dst:v1", prepare=[PUSH_V1], normalise=_debug_custom_headers),
    S("debug-header-secret-names", "resolve -d -H 'X-Parity-Token: t0k' -H 'X-Parity-Api-Key: k' "
      "-H 'X-Parity-Plain: shown' {reg}/{repo}:v1", prepare=[PUSH_V1], normalise=_debug_custom_headers),
    S("push-no-tty", "push --no-tty {reg}/{repo}:v1 a.txt {C}"),
    S("push-debug", "push -d {reg}/{repo}:v1 a.txt {C}", normalise=_debug_summary),
    S("push-digest-reference", "push {reg}/{repo}@{adigest} a.txt {C}"),
    S("push-auth-no-credentials", "push {areg}/{repo}:v1 a.txt {C}"),
    S("push-auth-password-flag", PUSH_AUTH, manifests=["@auth {repo}:v1"]),
    S("push-auth-wrong-password", "push {areg}/{repo}:v1 a.txt {C} -u alice -p wrong"),
    S("push-auth-password-stdin", "push {areg}/{repo}:v1 a.txt {C} -u alice --password-stdin",
      stdin="s3cret-pw\n"),
    S("push-auth-password-and-stdin", "push {areg}/{repo}:v1 a.txt {C} -u alice -p x --password-stdin",
      stdin="s3cret-pw\n"),
    S("push-auth-after-login", "push {areg}/{repo}:v1 a.txt {C}", prepare=[LOGIN]),
    # the seed ORAS README's spellings, accepted on purpose (docs/cli.md): Go refuses them
    S("push-seed-registry-config-short", "push -c creds.json {areg}/{repo}:v1 a.txt {C}",
      prepare=["login --registry-config creds.json {areg} " + AUTH]),
    S("push-seed-manifest-config", "push {reg}/{repo}:v1 --manifest-config config.json a.txt {C}",
      manifests=M_V1),
    S("pull-seed-allow-all", "pull -a {reg}/{repo}:v1 -o out", prepare=[PUSH_V1], trees=["out"]),
    S("login-seed-config", "login --config creds.json {areg} " + AUTH, trees=["creds.json"]),
    S("logout-seed-config-short", "logout -c creds.json {areg}",
      prepare=["login --registry-config creds.json {areg} " + AUTH], trees=["creds.json"]),
    S("push-auth-password-without-username", "push {areg}/{repo}:v1 a.txt {C} --password-stdin",
      stdin="s3cret-pw"),
    S("push-auth-username-without-password", "push {areg}/{repo}:v1 a.txt {C} -u alice"),
    S("push-registry-config", "push --registry-config creds.json {areg}/{repo}:v1 a.txt {C}",
      prepare=["login --registry-config creds.json {areg} " + AUTH]),
    # --- pull -----------------------------------------------------------------------------------------
    S("pull-basic", "pull {reg}/{repo}:v1 -o out", prepare=[PUSH_V1], trees=["out"]),
    S("pull-into-cwd-overwrites", "pull {reg}/{repo}:v1", prepare=["push {reg}/{repo}:v1 b.txt {C}"],
      files={"b.txt": "old\n"}, trees=["b.txt"]),
    S("pull-keep-old-files", "pull -k {reg}/{repo}:v1", prepare=["push {reg}/{repo}:v1 b.txt {C}"],
      files={"b.txt": "old\n"}, trees=["b.txt"]),
    S("pull-two-files", "pull {reg}/{repo}:v1 -o out",
      prepare=["push {reg}/{repo}:v1 a.txt b.txt:text/plain {C}"], trees=["out"]),
    S("pull-directory", "pull {reg}/{repo}:v1 -o out", prepare=["push {reg}/{repo}:v1 d {C}"],
      trees=["out"]),
    S("pull-by-digest", "pull {reg}/{repo}@{dig:v1} -o out", prepare=[PUSH_V1], trees=["out"]),
    S("pull-missing-tag", "pull {reg}/{repo}:nope -o out", prepare=[PUSH_V1]),
    S("pull-missing-repo", "pull {reg}/{ns}/none:v1 -o out"),
    S("pull-bad-reference", "pull '{reg}/{repo}:v1:v2' -o out"),
    S("pull-no-args", "pull"),
    S("pull-too-many-args", "pull {reg}/{repo}:v1 extra"),
    S("pull-format-json", "pull {reg}/{repo}:v1 -o out --format json", prepare=[PUSH_V1]),
    S("pull-format-go-template", "pull {reg}/{repo}:v1 -o out --format 'go-template={{.reference}}'",
      prepare=[PUSH_V1]),
    S("pull-format-template-files",
      "pull {reg}/{repo}:v1 -o out --format go-template --template "
      "'{{range .files}}{{.title}} {{.digest}}{{println}}{{end}}'", prepare=[PUSH_V1]),
    S("pull-format-invalid", "pull {reg}/{repo}:v1 -o out --format xml", prepare=[PUSH_V1]),
    S("pull-format-json-directory", "pull {reg}/{repo}:v1 -o out --format json",
      prepare=["push {reg}/{repo}:v1 d a.txt {C}"]),
    S("pull-format-template-directory-path",
      "pull {reg}/{repo}:v1 -o out --format 'go-template={{range .files}}{{.path}} {{end}}'",
      prepare=["push {reg}/{repo}:v1 d a.txt {C}"]),
    S("pull-config-output", "pull {reg}/{repo}:v1 -o out --config cfg.json", prepare=[PUSH_CFG],
      trees=["out", "cfg.json"]),
    S("pull-no-title-layer", "pull {reg}/{repo}:v1 -o out",
      prepare=[*BLOBS, "manifest push {reg}/{repo}:v1 manifest.json"], trees=["out"]),
    S("pull-oci-layout", "pull --oci-layout layout:v1 -o out", prepare=[LAYOUT_V1], trees=["out"]),
    S("pull-oci-layout-missing-tag", "pull --oci-layout layout:nope -o out", prepare=[LAYOUT_V1]),
    S("pull-oci-layout-missing-dir", "pull --oci-layout nolayout:v1 -o out"),
    S("pull-platform", "pull --platform linux/arm64 {reg}/{repo}:multi -o out", prepare=MULTI,
      trees=["out"]),
    S("pull-platform-missing", "pull --platform windows/amd64 {reg}/{repo}:multi -o out", prepare=MULTI),
    S("pull-platform-invalid", "pull --platform linux/arm64/v8/x {reg}/{repo}:multi -o out", prepare=MULTI),
    S("pull-index-without-platform", "pull {reg}/{repo}:multi -o out", prepare=MULTI, trees=["out"]),
    S("pull-include-subject", "pull --include-subject {reg}/{repo}@{referrer:v1} -o out",
      prepare=[PUSH_V1, ATTACH_SIG], trees=["out"]),
    S("pull-absolute-title", "pull {reg}/{repo}:v1 -o out",
      prepare=["push --disable-path-validation {reg}/{repo}:v1 {work}/a.txt {C}"], volatile=True),
    S("pull-absolute-title-allowed", "pull -T {reg}/{repo}:v1 -o out",
      prepare=["push --disable-path-validation {reg}/{repo}:v1 {work}/b.txt {C}"], volatile=True),
    S("pull-unreachable-registry", "pull {dead}/{repo}:v1 -o out"),
    S("pull-auth-no-credentials", "pull {areg}/{repo}:v1 -o out", prepare=[PUSH_AUTH]),
    S("pull-auth-password-flag", "pull {areg}/{repo}:v1 -o out " + AUTH, prepare=[PUSH_AUTH],
      trees=["out"]),
    S("pull-auth-after-login", "pull {areg}/{repo}:v1 -o out", prepare=[LOGIN, PUSH_AUTH], trees=["out"]),
    S("pull-auth-other-user", "pull {areg}/{repo}:v1 -o out -u carol -p c4rol", prepare=[PUSH_AUTH],
      trees=["out"]),
    S("pull-concurrency-not-int", "pull --concurrency x {reg}/{repo}:v1 -o out"),
    # a closed stdout (| head) ends the CLI by SIGPIPE, silently, as Go's (pull -o - is ours:
    # tests/e2e/test_push_pull.py)
    S("blob-fetch-stdout-broken-pipe", f"blob fetch {{reg}}/{{repo}}@{BIG_DIGEST} -o -", files=BIG,
      pipe="head -c 10", prepare=["blob push {reg}/{repo} big.bin"]),
    # ORAS_CACHE naming a file, or a path through one: Go's mkdir error, nothing pulled
    S("pull-cache-is-a-file", "pull {reg}/{repo}:v1 -o out", prepare=[PUSH_V1],
      env={"ORAS_CACHE": "{work}/a.txt"}, trees=["out"]),
    S("pull-cache-under-a-file", "pull {reg}/{repo}:v1 -o -", prepare=[PUSH_V1],
      env={"ORAS_CACHE": "{work}/a.txt/cache"}),
    # --- attach ---------------------------------------------------------------------------------------
    S("attach-basic", ATTACH_SIG, prepare=[PUSH_V1],
      then=["discover {reg}/{repo}:v1 --format json"], manifests=["{repo}@{referrer:v1}"]),
    S("attach-by-digest",
      "attach {reg}/{repo}@{dig:v1} --artifact-type application/vnd.example.sig b.txt {C}",
      prepare=[PUSH_V1]),
    S("attach-no-artifact-type", "attach {reg}/{repo}:v1 b.txt {C}", prepare=[PUSH_V1]),
    S("attach-no-files", "attach {reg}/{repo}:v1 --artifact-type application/vnd.example.sig",
      prepare=[PUSH_V1]),
    S("attach-annotation-only", "attach {reg}/{repo}:v1 --artifact-type application/vnd.example.sig {C}",
      prepare=[PUSH_V1], manifests=["{repo}@{referrer:v1}"]),
    S("attach-missing-subject", "attach {reg}/{repo}:nope --artifact-type application/vnd.example.sig "
      "b.txt {C}", prepare=[PUSH_V1]),
    S("attach-format-json", ATTACH_SIG + " --format json", prepare=[PUSH_V1]),
    S("attach-format-go-template", ATTACH_SIG + " --format go-template --template '{{.artifactType}}'",
      prepare=[PUSH_V1]),
    S("attach-export-manifest", ATTACH_SIG + " --export-manifest att.json", prepare=[PUSH_V1],
      trees=["att.json"]),
    S("attach-config", ATTACH_SIG + " --config config.json:application/vnd.example.config+json",
      prepare=[PUSH_V1], manifests=["{repo}@{referrer:v1}"]),
    S("attach-image-spec-flag", ATTACH_SIG + " --image-spec v1.0", prepare=[PUSH_V1]),
    S("attach-oci-layout", "attach --oci-layout layout:v1 --artifact-type application/vnd.example.sig "
      "b.txt {C}", prepare=[LAYOUT_V1], trees=["layout"]),
    S("attach-distribution-spec-tag", ATTACH_SIG + " --distribution-spec v1.1-referrers-tag",
      prepare=[PUSH_V1]),
    S("attach-distribution-spec-api", ATTACH_SIG + " --distribution-spec v1.1-referrers-api",
      prepare=[PUSH_V1]),
    S("attach-distribution-spec-invalid", ATTACH_SIG + " --distribution-spec v9", prepare=[PUSH_V1]),
    S("attach-without-created-annotation",
      "attach {reg}/{repo}:v1 --artifact-type application/vnd.example.sig b.txt", prepare=[PUSH_V1],
      volatile=True),
    S("attach-platform", "attach --platform linux/arm64 {reg}/{repo}:multi --artifact-type "
      "application/vnd.example.sig b.txt {C}", prepare=MULTI),
    S("attach-no-args", "attach"),
    # the referrers index an attach supersedes stays (the Go CLI sets oras-go's SkipReferrersGC)
    S("attach-keeps-superseded-referrers-index",
      "attach {reg}/{repo}:v1 --artifact-type application/vnd.example.sbom a.txt {C}",
      prepare=[PUSH_V1, ATTACH_SIG, "tag {reg}/{repo}:{reftag:v1} old-index"],
      then=["manifest fetch {reg}/{repo}:old-index", "repo tags {reg}/{repo}"]),
    S("attach-auth-no-credentials", "attach {areg}/{repo}:v1 --artifact-type application/vnd.example.sig "
      "b.txt {C}", prepare=[PUSH_AUTH]),
    # --- discover -------------------------------------------------------------------------------------
    S("discover-no-referrers", "discover {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("discover-tree", "discover {reg}/{repo}:v1", prepare=[PUSH_V1, ATTACH_SIG]),
    S("discover-format-json", "discover {reg}/{repo}:v1 --format json", prepare=[PUSH_V1, ATTACH_SIG]),
    S("discover-format-table", "discover {reg}/{repo}:v1 --format table", prepare=[PUSH_V1, ATTACH_SIG]),
    S("discover-output-json-deprecated", "discover {reg}/{repo}:v1 -o json", prepare=[PUSH_V1, ATTACH_SIG]),
    S("discover-output-tree-deprecated", "discover {reg}/{repo}:v1 -o tree", prepare=[PUSH_V1, ATTACH_SIG]),
    S("discover-format-go-template",
      "discover {reg}/{repo}:v1 --format go-template "
      "--template '{{range .referrers}}{{.artifactType}}{{end}}'",
      prepare=[PUSH_V1, ATTACH_SIG]),
    S("discover-format-invalid", "discover {reg}/{repo}:v1 --format xml", prepare=[PUSH_V1]),
    S("discover-artifact-type-filter", "discover {reg}/{repo}:v1 --artifact-type application/vnd.other",
      prepare=[PUSH_V1, ATTACH_SIG]),
    S("discover-nested", "discover {reg}/{repo}:v1",
      prepare=[PUSH_V1, ATTACH_SIG, "attach {reg}/{repo}@{referrer:v1} --artifact-type "
               "application/vnd.example.sbom a.txt {C}"]),
    S("discover-depth-1", "discover --depth 1 {reg}/{repo}:v1 --format json",
      prepare=[PUSH_V1, ATTACH_SIG, "attach {reg}/{repo}@{referrer:v1} --artifact-type "
               "application/vnd.example.sbom a.txt {C}"]),
    S("discover-by-digest", "discover {reg}/{repo}@{dig:v1}", prepare=[PUSH_V1, ATTACH_SIG]),
    S("discover-missing-tag", "discover {reg}/{repo}:nope", prepare=[PUSH_V1]),
    S("discover-oci-layout", "discover --oci-layout layout:v1",
      prepare=[LAYOUT_V1,
               "attach --oci-layout layout:v1 --artifact-type application/vnd.example.sig b.txt {C}"]),
    S("discover-no-args", "discover"),
    S("discover-platform", "discover --platform linux/amd64 {reg}/{repo}:multi", prepare=MULTI),
    # --- cp -------------------------------------------------------------------------------------------
    S("cp-basic", "cp {reg}/{repo}:v1 {reg}/{ns}/dst:v1", prepare=[PUSH_V1], manifests=["{ns}/dst:v1"]),
    S("cp-copy-alias", "copy {reg}/{repo}:v1 {reg}/{ns}/dst:v1", prepare=[PUSH_V1]),
    S("cp-multi-tags", "cp {reg}/{repo}:v1 {reg}/{ns}/dst:v1,v2", prepare=[PUSH_V1],
      then=["repo tags {reg}/{ns}/dst"]),
    S("cp-no-destination-tag", "cp {reg}/{repo}:v1 {reg}/{ns}/dst", prepare=[PUSH_V1],
      then=["repo tags {reg}/{ns}/dst"]),
    S("cp-by-digest", "cp {reg}/{repo}@{dig:v1} {reg}/{ns}/dst:v1", prepare=[PUSH_V1]),
    S("cp-recursive", "cp -r {reg}/{repo}:v1 {reg}/{ns}/dst:v1", prepare=[PUSH_V1, ATTACH_SIG],
      then=["discover {reg}/{ns}/dst:v1"]),
    S("cp-not-recursive-skips-referrers", "cp {reg}/{repo}:v1 {reg}/{ns}/dst:v1",
      prepare=[PUSH_V1, ATTACH_SIG], then=["discover {reg}/{ns}/dst:v1"]),
    S("cp-index", "cp {reg}/{repo}:multi {reg}/{ns}/dst:multi", prepare=MULTI),
    S("cp-platform", "cp --platform linux/arm64 {reg}/{repo}:multi {reg}/{ns}/dst:arm", prepare=MULTI,
      manifests=["{ns}/dst:arm"]),
    S("cp-to-oci-layout", "cp --to-oci-layout {reg}/{repo}:v1 layout:v1", prepare=[PUSH_V1],
      trees=["layout"]),
    S("cp-from-oci-layout", "cp --from-oci-layout layout:v1 {reg}/{repo}:v1", prepare=[LAYOUT_V1],
      manifests=M_V1),
    S("cp-missing-source", "cp {reg}/{repo}:nope {reg}/{ns}/dst:v1", prepare=[PUSH_V1]),
    S("cp-one-arg", "cp {reg}/{repo}:v1"),
    S("cp-bad-destination", "cp {reg}/{repo}:v1 '{reg}/BAD:v1'", prepare=[PUSH_V1]),
    S("cp-auth-destination-no-credentials", "cp {reg}/{repo}:v1 {areg}/{repo}:v1", prepare=[PUSH_V1]),
    S("cp-auth-destination-credentials",
      "cp {reg}/{repo}:v1 {areg}/{repo}:v1 --to-username alice --to-password s3cret-pw",
      prepare=[PUSH_V1], manifests=["@auth {repo}:v1"]),
    S("cp-auth-source-credentials",
      "cp {areg}/{repo}:v1 {reg}/{repo}:v1 --from-username alice --from-password s3cret-pw",
      prepare=[PUSH_AUTH], manifests=M_V1),
    S("cp-concurrency-not-int", "cp --concurrency x {reg}/{repo}:v1 {reg}/{ns}/dst:v1"),
    S("cp-format-json", "cp {reg}/{repo}:v1 {reg}/{ns}/dst:v1 --format json", prepare=[PUSH_V1]),
    # --- tag ------------------------------------------------------------------------------------------
    S("tag-basic", "tag {reg}/{repo}:v1 v2 v3", prepare=[PUSH_V1], then=[TAGS]),
    S("tag-by-digest", "tag {reg}/{repo}@{dig:v1} v2", prepare=[PUSH_V1], then=[TAGS]),
    S("tag-missing-source", "tag {reg}/{repo}:nope v2", prepare=[PUSH_V1]),
    S("tag-invalid-tag", "tag {reg}/{repo}:v1 'bad tag!'", prepare=[PUSH_V1]),
    S("tag-one-arg", "tag {reg}/{repo}:v1"),
    S("tag-no-args", "tag"),
    S("tag-oci-layout", "tag --oci-layout layout:v1 v2", prepare=[LAYOUT_V1],
      then=["repo tags --oci-layout layout"]),
    S("tag-format-json", "tag {reg}/{repo}:v1 v2 --format json", prepare=[PUSH_V1]),
    S("tag-auth-no-credentials", "tag {areg}/{repo}:v1 v2", prepare=[PUSH_AUTH]),
    # --- resolve --------------------------------------------------------------------------------------
    S("resolve-basic", "resolve {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("resolve-digest-alias", "digest {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("resolve-full-reference", "resolve -l {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("resolve-by-digest", "resolve {reg}/{repo}@{dig:v1}", prepare=[PUSH_V1]),
    S("resolve-missing-tag", "resolve {reg}/{repo}:nope", prepare=[PUSH_V1]),
    S("resolve-no-tag", "resolve {reg}/{repo}", prepare=[PUSH_V1]),
    S("resolve-platform", "resolve --platform linux/arm64 {reg}/{repo}:multi", prepare=MULTI),
    S("resolve-oci-layout", "resolve --oci-layout layout:v1", prepare=[LAYOUT_V1]),
    S("resolve-no-args", "resolve"),
    S("resolve-unreachable-registry", "resolve {dead}/{repo}:v1"),
    S("resolve-auth-no-credentials", "resolve {areg}/{repo}:v1", prepare=[PUSH_AUTH]),
    S("resolve-auth-wrong-password", "resolve {areg}/{repo}:v1 -u alice -p wrong", prepare=[PUSH_AUTH]),
    # --- manifest fetch -------------------------------------------------------------------------------
    S("manifest-fetch-basic", "manifest fetch {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("manifest-fetch-get-alias", "manifest get {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("manifest-fetch-show-alias", "manifest show {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("manifest-fetch-pretty", "manifest fetch --pretty {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("manifest-fetch-descriptor", "manifest fetch --descriptor {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("manifest-fetch-descriptor-pretty", "manifest fetch --descriptor --pretty {reg}/{repo}:v1",
      prepare=[PUSH_V1]),
    S("manifest-fetch-output-file", "manifest fetch -o m.json {reg}/{repo}:v1", prepare=[PUSH_V1],
      trees=["m.json"]),
    S("manifest-fetch-output-file-and-descriptor", "manifest fetch -o m.json --descriptor {reg}/{repo}:v1",
      prepare=[PUSH_V1], trees=["m.json"]),
    S("manifest-fetch-format-json", "manifest fetch --format json {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("manifest-fetch-format-go-template",
      "manifest fetch --format go-template --template '{{.content.mediaType}}' {reg}/{repo}:v1",
      prepare=[PUSH_V1]),
    S("manifest-fetch-by-digest", "manifest fetch {reg}/{repo}@{dig:v1}", prepare=[PUSH_V1]),
    S("manifest-fetch-missing-tag", "manifest fetch {reg}/{repo}:nope", prepare=[PUSH_V1]),
    S("manifest-fetch-missing-repo", "manifest fetch {reg}/{ns}/none:v1"),
    S("manifest-fetch-index", "manifest fetch {reg}/{repo}:multi", prepare=MULTI),
    S("manifest-fetch-platform", "manifest fetch --platform linux/amd64 {reg}/{repo}:multi", prepare=MULTI),
    S("manifest-fetch-platform-os-only", "manifest fetch --platform linux {reg}/{repo}:multi",
      prepare=MULTI),
    S("manifest-fetch-platform-missing", "manifest fetch --platform linux/s390x {reg}/{repo}:multi",
      prepare=MULTI),
    S("manifest-fetch-media-type-mismatch",
      "manifest fetch --media-type application/vnd.docker.distribution.manifest.v2+json {reg}/{repo}:v1",
      prepare=[PUSH_V1]),
    S("manifest-fetch-oci-layout", "manifest fetch --oci-layout layout:v1", prepare=[LAYOUT_V1]),
    S("manifest-fetch-no-args", "manifest fetch"),
    S("manifest-fetch-auth-no-credentials", "manifest fetch {areg}/{repo}:v1", prepare=[PUSH_AUTH]),
    S("manifest-fetch-auth-after-login", "manifest fetch {areg}/{repo}:v1", prepare=[LOGIN, PUSH_AUTH]),
    S("manifest-no-subcommand", "manifest"),
    S("manifest-unknown-subcommand", "manifest frob"),
    # --- manifest fetch-config ------------------------------------------------------------------------
    S("manifest-fetch-config-basic", "manifest fetch-config {reg}/{repo}:v1", prepare=[PUSH_CFG]),
    S("manifest-fetch-config-alias", "manifest get-config {reg}/{repo}:v1", prepare=[PUSH_CFG]),
    S("manifest-fetch-config-descriptor", "manifest fetch-config --descriptor {reg}/{repo}:v1",
      prepare=[PUSH_CFG]),
    S("manifest-fetch-config-output", "manifest fetch-config -o cfg.json {reg}/{repo}:v1",
      prepare=[PUSH_CFG], trees=["cfg.json"]),
    S("manifest-fetch-config-empty", "manifest fetch-config {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("manifest-fetch-config-missing", "manifest fetch-config {reg}/{repo}:nope", prepare=[PUSH_V1]),
    S("manifest-fetch-config-of-index", "manifest fetch-config {reg}/{repo}:multi", prepare=MULTI),
    S("manifest-fetch-config-platform", "manifest fetch-config --platform linux/arm64 {reg}/{repo}:multi",
      prepare=MULTI),
    S("manifest-fetch-config-oci-layout", "manifest fetch-config --oci-layout layout:v1",
      prepare=["push --oci-layout layout:v1 --config config.json:application/vnd.example.config+json "
               "--artifact-type application/vnd.example.art a.txt {C}"]),
    # --- manifest push --------------------------------------------------------------------------------
    S("manifest-push-basic", "manifest push {reg}/{repo}:v1 manifest.json", prepare=BLOBS, manifests=M_V1),
    S("manifest-push-stdin", "manifest push {reg}/{repo}:v1 -", prepare=BLOBS,
      stdin=MANIFEST_JSON, manifests=M_V1),
    S("manifest-push-descriptor", "manifest push --descriptor {reg}/{repo}:v1 manifest.json", prepare=BLOBS),
    S("manifest-push-media-type",
      "manifest push --media-type application/vnd.oci.image.manifest.v1+json {reg}/{repo}:v1 manifest.json",
      prepare=BLOBS),
    S("manifest-push-wrong-media-type",
      "manifest push --media-type application/vnd.oci.image.index.v1+json {reg}/{repo}:v1 manifest.json",
      prepare=BLOBS),
    S("manifest-push-multi-tag", "manifest push {reg}/{repo}:v1,v2 manifest.json", prepare=BLOBS,
      then=[TAGS]),
    S("manifest-push-no-tag", "manifest push {reg}/{repo} manifest.json", prepare=BLOBS),
    S("manifest-push-bad-json", "manifest push {reg}/{repo}:v1 bad.json", prepare=BLOBS),
    S("manifest-push-missing-blobs", "manifest push {reg}/{repo}:v1 manifest.json"),
    S("manifest-push-missing-file", "manifest push {reg}/{repo}:v1 nope.json"),
    S("manifest-push-no-media-type-field", "manifest push {reg}/{repo}:v1 nomt.json", prepare=BLOBS,
      files={"nomt.json": '{"schemaVersion":2,"layers":[]}'}),
    S("manifest-push-oci-layout", "manifest push --oci-layout layout:v1 manifest.json",
      prepare=["push --oci-layout layout:base a.txt {C}"], trees=["layout/index.json"]),
    S("manifest-push-one-arg", "manifest push {reg}/{repo}:v1"),
    S("manifest-push-pretty-descriptor", "manifest push --descriptor --pretty {reg}/{repo}:v1 manifest.json",
      prepare=BLOBS),
    # --- manifest delete ------------------------------------------------------------------------------
    S("manifest-delete-force", "manifest delete -f {reg}/{repo}:v1", prepare=[PUSH_V1], then=[TAGS]),
    S("manifest-delete-rm-alias", "manifest rm -f {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("manifest-delete-prompt-yes", "manifest delete {reg}/{repo}:v1", prepare=[PUSH_V1], stdin="y\n",
      then=[TAGS]),
    S("manifest-delete-prompt-no", "manifest delete {reg}/{repo}:v1", prepare=[PUSH_V1], stdin="n\n",
      then=[TAGS]),
    S("manifest-delete-prompt-eof", "manifest delete {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("manifest-delete-missing-force", "manifest delete -f {reg}/{repo}:nope", prepare=[PUSH_V1]),
    S("manifest-delete-missing", "manifest delete {reg}/{repo}:nope", prepare=[PUSH_V1], stdin="y\n"),
    S("manifest-delete-descriptor", "manifest delete -f --descriptor {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("manifest-delete-by-digest", "manifest delete -f {reg}/{repo}@{dig:v1}", prepare=[PUSH_V1]),
    S("manifest-delete-oci-layout", "manifest delete -f --oci-layout layout:v1", prepare=[LAYOUT_V1],
      then=["repo tags --oci-layout layout"]),
    S("manifest-delete-no-args", "manifest delete"),
    S("manifest-delete-auth-no-credentials", "manifest delete -f {areg}/{repo}:v1", prepare=[PUSH_AUTH]),
    # --- manifest index create / update ---------------------------------------------------------------
    S("index-create-basic", "manifest index create {reg}/{repo}:idx v1 v2", prepare=[PUSH_V1, PUSH_V2],
      manifests=["{repo}:idx"]),
    S("index-create-pack-alias", "manifest index pack {reg}/{repo}:idx v1", prepare=[PUSH_V1]),
    S("index-create-platforms", "manifest index create {reg}/{repo}:idx amd arm", prepare=MULTI[:2],
      manifests=["{repo}:idx"]),
    S("index-create-by-digest", "manifest index create {reg}/{repo}:idx {dig:v1}", prepare=[PUSH_V1],
      manifests=["{repo}:idx"]),
    S("index-create-artifact-type-annotation",
      "manifest index create --artifact-type application/vnd.example.idx -a k=v {reg}/{repo}:idx v1",
      prepare=[PUSH_V1], manifests=["{repo}:idx"]),
    S("index-create-output-stdout", "manifest index create -o - {reg}/{repo}:idx v1", prepare=[PUSH_V1]),
    S("index-create-output-file", "manifest index create -o idx.json {reg}/{repo}:idx v1",
      prepare=[PUSH_V1], trees=["idx.json"]),
    S("index-create-no-tag", "manifest index create {reg}/{repo} v1", prepare=[PUSH_V1]),
    S("index-create-empty", "manifest index create {reg}/{repo}:idx", manifests=["{repo}:idx"]),
    S("index-create-missing-source", "manifest index create {reg}/{repo}:idx v1 nope", prepare=[PUSH_V1]),
    S("index-create-oci-layout", "manifest index create --oci-layout layout:idx v1", prepare=[LAYOUT_V1],
      trees=["layout/index.json"]),
    S("index-create-no-args", "manifest index create"),
    S("index-create-annotation-bad", "manifest index create -a novalue {reg}/{repo}:idx v1",
      prepare=[PUSH_V1]),
    S("index-update-add", "manifest index update {reg}/{repo}:multi --add v1",
      prepare=[*MULTI, PUSH_V1], manifests=["{repo}:multi"]),
    S("index-update-remove", "manifest index update {reg}/{repo}:multi --remove {dig:amd}",
      prepare=MULTI, manifests=["{repo}:multi"]),
    S("index-update-remove-not-digest", "manifest index update {reg}/{repo}:multi --remove amd",
      prepare=MULTI),
    S("index-update-merge", "manifest index update {reg}/{repo}:multi --merge other",
      prepare=[*MULTI, PUSH_V1, "manifest index create {reg}/{repo}:other v1"],
      manifests=["{repo}:multi"]),
    S("index-update-tag", "manifest index update {reg}/{repo}:multi --add v1 --tag extra",
      prepare=[*MULTI, PUSH_V1], then=[TAGS]),
    S("index-update-artifact-type", "manifest index update {reg}/{repo}:multi --artifact-type "
      "application/vnd.example.idx", prepare=MULTI, manifests=["{repo}:multi"]),
    S("index-update-output", "manifest index update {reg}/{repo}:multi --add v1 -o -",
      prepare=[*MULTI, PUSH_V1]),
    S("index-update-missing-index", "manifest index update {reg}/{repo}:nope --add v1", prepare=[PUSH_V1]),
    S("index-update-not-an-index", "manifest index update {reg}/{repo}:v1 --add v1", prepare=[PUSH_V1]),
    S("index-update-add-missing", "manifest index update {reg}/{repo}:multi --add nope", prepare=MULTI),
    S("index-update-oci-layout", "manifest index update --oci-layout layout:idx --add v2",
      prepare=[LAYOUT_V1, "push --oci-layout layout:v2 b.txt {C}",
               "manifest index create --oci-layout layout:idx v1"], trees=["layout/index.json"]),
    S("index-update-no-args", "manifest index update"),
    # --- blob -----------------------------------------------------------------------------------------
    S("blob-fetch-stdout", "blob fetch -o - {reg}/{repo}@{adigest}", prepare=[PUSH_V1]),
    S("blob-fetch-get-alias", "blob get -o - {reg}/{repo}@{adigest}", prepare=[PUSH_V1]),
    S("blob-fetch-output-file", "blob fetch -o got.txt {reg}/{repo}@{adigest}", prepare=[PUSH_V1],
      trees=["got.txt"]),
    S("blob-fetch-descriptor", "blob fetch --descriptor {reg}/{repo}@{adigest}", prepare=[PUSH_V1]),
    S("blob-fetch-descriptor-pretty", "blob fetch --descriptor --pretty {reg}/{repo}@{adigest}",
      prepare=[PUSH_V1]),
    S("blob-fetch-descriptor-and-output", "blob fetch --descriptor -o got.txt {reg}/{repo}@{adigest}",
      prepare=[PUSH_V1], trees=["got.txt"]),
    S("blob-fetch-no-output", "blob fetch {reg}/{repo}@{adigest}", prepare=[PUSH_V1]),
    S("blob-fetch-missing", "blob fetch -o - {reg}/{repo}@{empty}", prepare=["blob push {reg}/{repo} a.txt"]),
    S("blob-fetch-tag-reference", "blob fetch -o - {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("blob-fetch-bad-digest", "blob fetch -o - {reg}/{repo}@sha256:1234", prepare=[PUSH_V1]),
    S("blob-fetch-oci-layout", "blob fetch --oci-layout -o - layout@{adigest}", prepare=[LAYOUT_V1]),
    S("blob-fetch-binary-stdout", f"blob fetch -o - {{reg}}/{{repo}}@{C_DIGEST}",
      prepare=["blob push {reg}/{repo} c.bin"]),
    S("blob-push-basic", "blob push {reg}/{repo} a.txt"),
    S("blob-push-with-digest", "blob push {reg}/{repo}@{adigest} a.txt"),
    S("blob-push-wrong-digest", "blob push {reg}/{repo}@{empty} a.txt"),
    S("blob-push-descriptor", "blob push --descriptor {reg}/{repo} a.txt"),
    S("blob-push-descriptor-media-type",
      "blob push --descriptor --media-type application/vnd.example.blob {reg}/{repo} a.txt"),
    S("blob-push-media-type-without-descriptor", "blob push --media-type application/x {reg}/{repo} a.txt"),
    S("blob-push-stdin-with-size", "blob push --size 6 {reg}/{repo}@{adigest} -", stdin="alpha\n"),
    S("blob-push-stdin-without-size", "blob push {reg}/{repo}@{adigest} -", stdin="alpha\n"),
    S("blob-push-stdin-without-digest", "blob push --size 6 {reg}/{repo} -", stdin="alpha\n"),
    S("blob-push-size-mismatch", "blob push --size 3 {reg}/{repo}@{adigest} -", stdin="alpha\n"),
    S("blob-push-exists", "blob push {reg}/{repo} a.txt", prepare=["blob push {reg}/{repo} a.txt"]),
    S("blob-push-missing-file", "blob push {reg}/{repo} nope.txt"),
    S("blob-push-directory", "blob push {reg}/{repo} d"),
    S("blob-push-oci-layout", "blob push --oci-layout layout a.txt", trees=["layout"]),
    S("blob-push-tag-reference", "blob push {reg}/{repo}:v1 a.txt"),
    S("blob-push-one-arg", "blob push {reg}/{repo}"),
    S("blob-delete-force", "blob delete -f {reg}/{repo}@{adigest}", prepare=[PUSH_V1],
      then=["blob fetch --descriptor {reg}/{repo}@{adigest}"]),
    S("blob-delete-rm-alias", "blob rm -f {reg}/{repo}@{adigest}", prepare=[PUSH_V1]),
    S("blob-delete-prompt-no", "blob delete {reg}/{repo}@{adigest}", prepare=[PUSH_V1], stdin="n\n"),
    S("blob-delete-prompt-yes", "blob delete {reg}/{repo}@{adigest}", prepare=[PUSH_V1], stdin="y\n"),
    S("blob-delete-descriptor", "blob delete -f --descriptor {reg}/{repo}@{adigest}", prepare=[PUSH_V1]),
    S("blob-delete-missing-force", "blob delete -f {reg}/{repo}@{empty}",
      prepare=["blob push {reg}/{repo} a.txt"]),
    S("blob-delete-missing", "blob delete {reg}/{repo}@{empty}", prepare=["blob push {reg}/{repo} a.txt"],
      stdin="y\n"),
    S("blob-delete-tag-reference", "blob delete -f {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("blob-delete-oci-layout", "blob delete -f --oci-layout layout@{adigest}", prepare=[LAYOUT_V1]),
    S("blob-no-subcommand", "blob"),
    # --- repo -----------------------------------------------------------------------------------------
    S("repo-ls-namespace", "repo ls {reg}/{ns}",
      prepare=[PUSH_V1, "push {reg}/{ns}/b:v1 a.txt {C}", "push {reg}/{ns}/c/d:v1 a.txt {C}"]),
    S("repo-ls-list-alias", "repo list {reg}/{ns}", prepare=[PUSH_V1]),
    S("repo-ls-repository-alias", "repository ls {reg}/{ns}", prepare=[PUSH_V1]),
    S("repo-ls-last", "repo ls --last {ns}/b {reg}/{ns}",
      prepare=[PUSH_V1, "push {reg}/{ns}/b:v1 a.txt {C}", "push {reg}/{ns}/c:v1 a.txt {C}"]),
    S("repo-ls-format-json", "repo ls --format json {reg}/{ns}", prepare=[PUSH_V1]),
    S("repo-ls-format-go-template", "repo ls --format go-template --template '{{.repositories}}' {reg}/{ns}",
      prepare=[PUSH_V1]),
    S("repo-ls-empty-namespace", "repo ls {reg}/{ns}"),
    S("repo-ls-whole-registry", "repo ls {reg}", prepare=[PUSH_V1, "push {reg}/{ns}/b:v1 a.txt {C}"],
      isolated=True),
    S("repo-ls-with-tag", "repo ls {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("repo-ls-unreachable", "repo ls {dead}"),
    S("repo-ls-auth-no-credentials", "repo ls {areg}/{ns}", prepare=[PUSH_AUTH]),
    S("repo-ls-auth-credentials", "repo ls {areg}/{ns} " + AUTH, prepare=[PUSH_AUTH]),
    S("repo-ls-no-args", "repo ls"),
    S("repo-tags-basic", TAGS, prepare=["push {reg}/{repo}:v1,v2,latest a.txt {C}"]),
    S("repo-tags-show-tags-alias", "repo show-tags {reg}/{repo}", prepare=[PUSH_V1]),
    S("repo-tags-last", "repo tags --last v1 {reg}/{repo}", prepare=["push {reg}/{repo}:v1,v2,v3 a.txt {C}"]),
    S("repo-tags-exclude-digest-tags", "repo tags --exclude-digest-tags {reg}/{repo}",
      prepare=[PUSH_V1, ATTACH_SIG]),
    S("repo-tags-include-digest-tags", TAGS, prepare=[PUSH_V1, ATTACH_SIG]),
    S("repo-tags-of-tag", "repo tags {reg}/{repo}:v1", prepare=["push {reg}/{repo}:v1,v2 a.txt {C}",
                                                             PUSH_V2.replace(":v2", ":v3")]),
    S("repo-tags-format-json", "repo tags --format json {reg}/{repo}", prepare=[PUSH_V1]),
    S("repo-tags-format-go-template", "repo tags --format go-template --template '{{.tags}}' {reg}/{repo}",
      prepare=[PUSH_V1]),
    S("repo-tags-missing-repo", "repo tags {reg}/{ns}/none"),
    S("repo-tags-oci-layout", "repo tags --oci-layout layout", prepare=[LAYOUT_V1]),
    S("repo-tags-no-args", "repo tags"),
    S("repo-tags-auth-no-credentials", "repo tags {areg}/{repo}", prepare=[PUSH_AUTH]),
    S("repo-no-subcommand", "repo"),
    # --- login / logout -------------------------------------------------------------------------------
    S("login-password-flag", LOGIN, trees=["~/.docker/config.json"]),
    S("login-password-stdin", "login {areg} -u alice --password-stdin", stdin="s3cret-pw\n",
      trees=["~/.docker/config.json"]),
    S("login-wrong-password", "login {areg} -u alice -p wrong", trees=["~/.docker/config.json"]),
    S("login-prompt-username-password", "login {areg}", stdin="alice\ns3cret-pw\n"),
    S("login-prompt-password-only", "login {areg} -u alice", stdin="s3cret-pw\n"),
    S("login-prompt-eof", "login {areg}"),
    S("login-registry-config", "login --registry-config creds.json {areg} " + AUTH, trees=["creds.json"]),
    # basic auth wants both a username and a password: oras-go's words when one is missing
    S("login-password-stdin-without-username", "login {areg} --password-stdin", stdin="s3cret-pw\n",
      trees=["~/.docker/config.json"]),
    S("login-identity-token-basic-registry", "login {areg} --identity-token tok"),
    # an empty stdin is no password: the prompts follow, as in Go
    S("login-password-stdin-empty", "login {areg} -u alice --password-stdin", stdin=""),
    S("login-password-stdin-empty-no-username", "login {areg} --password-stdin", stdin=""),
    S("login-identity-token-stdin-empty", "login {areg} --identity-token-stdin", stdin=""),
    S("login-unreachable", "login {dead} " + AUTH),
    S("login-no-auth-registry", "login {reg} -u x -p y"),
    S("login-no-args", "login"),
    S("login-with-repository", "login {areg}/{repo} " + AUTH),
    S("login-identity-token-and-password", "login {areg} -u alice -p x --identity-token tok"),
    S("login-127-defaults-to-https", "login {reg127} -u x -p y"),
    S("logout-after-login", "logout {areg}", prepare=[LOGIN], trees=["~/.docker/config.json"],
      then=["repo tags {areg}/{repo}"]),
    S("logout-not-logged-in", "logout {areg}"),
    S("logout-registry-config", "logout --registry-config creds.json {areg}",
      prepare=["login --registry-config creds.json {areg} " + AUTH], trees=["creds.json"]),
    S("logout-no-args", "logout"),
    # --- backup / restore -----------------------------------------------------------------------------
    S("backup-basic", "backup {reg}/{repo}:v1 --output bk", prepare=[PUSH_V1], trees=["bk"]),
    S("backup-tar", "backup {reg}/{repo}:v1 --output bk.tar", prepare=[PUSH_V1], trees=["bk.tar"]),
    S("backup-all-tags", "backup {reg}/{repo} -o bk", prepare=[PUSH_V1, PUSH_V2], trees=["bk/index.json"]),
    S("backup-several-tags", "backup {reg}/{repo}:v1,v2 -o bk", prepare=[PUSH_V1, PUSH_V2]),
    S("backup-include-referrers", "backup --include-referrers {reg}/{repo}:v1 -o bk",
      prepare=[PUSH_V1, ATTACH_SIG], trees=["bk/index.json"]),
    S("backup-missing-tag", "backup {reg}/{repo}:nope -o bk", prepare=[PUSH_V1]),
    S("backup-empty-repository", "backup {reg}/{ns}/none -o bk"),
    S("backup-no-output", "backup {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("backup-no-args", "backup"),
    S("backup-by-digest", "backup {reg}/{repo}@{dig:v1} -o bk", prepare=[PUSH_V1]),
    S("restore-basic", "restore --input bk {reg}/{ns}/restored", prepare=[PUSH_V1, "backup "
      "{reg}/{repo}:v1 -o bk"], then=["repo tags {reg}/{ns}/restored"]),
    S("restore-tar", "restore --input bk.tar {reg}/{ns}/restored", prepare=[PUSH_V1, "backup "
      "{reg}/{repo}:v1 -o bk.tar"], then=["repo tags {reg}/{ns}/restored"]),
    S("restore-one-tag", "restore --input bk {reg}/{ns}/restored:v2", prepare=[PUSH_V1, PUSH_V2,
      "backup {reg}/{repo} -o bk"], then=["repo tags {reg}/{ns}/restored"]),
    S("restore-dry-run", "restore --dry-run --input bk {reg}/{ns}/restored", prepare=[PUSH_V1, "backup "
      "{reg}/{repo}:v1 -o bk"], then=["repo tags {reg}/{ns}/restored"]),
    S("restore-with-referrers", "restore --input bk {reg}/{ns}/restored", prepare=[PUSH_V1, ATTACH_SIG,
      "backup --include-referrers {reg}/{repo}:v1 -o bk"], then=["discover {reg}/{ns}/restored:v1"]),
    S("restore-exclude-referrers", "restore --exclude-referrers --input bk {reg}/{ns}/restored",
      prepare=[PUSH_V1, ATTACH_SIG, "backup --include-referrers {reg}/{repo}:v1 -o bk"],
      then=["discover {reg}/{ns}/restored:v1"]),
    S("restore-missing-input", "restore --input nope {reg}/{ns}/restored"),
    S("restore-no-input-flag", "restore {reg}/{ns}/restored"),
    S("restore-missing-tag-in-layout", "restore --input bk {reg}/{ns}/restored:nope",
      prepare=[PUSH_V1, "backup {reg}/{repo}:v1 -o bk"]),
    S("restore-no-args", "restore"),
    S("restore-auth-no-credentials", "restore --input bk {areg}/{ns}/restored",
      prepare=[PUSH_V1, "backup {reg}/{repo}:v1 -o bk"]),
]

# Scenarios that only widen coverage of paths the default set already exercises (aliases, more flag
# variants, more auth and error paths). They run with ORASX_PARITY_ALL=1; the default set stays
# within the runtime budget (~90 s on 2 cores: every orasx invocation costs ~0.4 s of CPU).
def _ids(text: str) -> frozenset[str]:
    return frozenset(text.split())


EXTENDED = _ids("""
push-format-go-template-inline push-format-text push-template-without-format
push-format-go-template-missing-template push-annotation-file-missing push-annotation-file-bad-json
push-annotation-duplicate push-config-missing-file push-empty-file push-binary-file push-same-file-twice
push-oci-layout-path push-oci-layout-no-tag push-bad-reference-tag push-concurrency-zero
push-127-plain-http push-localhost-plain-http-false push-absolute-path-allowed
push-artifact-platform-invalid push-header push-header-invalid push-no-tty push-digest-reference
push-auth-after-login push-registry-config
pull-into-cwd-overwrites pull-two-files pull-by-digest pull-format-go-template pull-config-output
pull-oci-layout-missing-dir pull-platform-invalid pull-index-without-platform pull-absolute-title-allowed
pull-auth-password-flag pull-auth-other-user
attach-by-digest attach-annotation-only attach-format-go-template attach-export-manifest attach-config
attach-distribution-spec-api attach-platform attach-auth-no-credentials
discover-output-tree-deprecated discover-artifact-type-filter discover-by-digest discover-platform
cp-by-digest cp-not-recursive-skips-referrers cp-index cp-bad-destination cp-auth-source-credentials
tag-auth-no-credentials
resolve-by-digest resolve-no-tag resolve-unreachable-registry resolve-auth-wrong-password
manifest-fetch-show-alias manifest-fetch-descriptor-pretty manifest-fetch-output-file-and-descriptor
manifest-fetch-by-digest manifest-fetch-missing-repo manifest-fetch-auth-after-login
manifest-fetch-config-alias manifest-fetch-config-output manifest-fetch-config-platform
manifest-push-media-type manifest-push-multi-tag manifest-push-missing-file
manifest-push-no-media-type-field manifest-push-pretty-descriptor
manifest-delete-rm-alias manifest-delete-prompt-eof manifest-delete-by-digest
manifest-delete-auth-no-credentials
index-create-by-digest index-create-output-file index-create-no-tag index-create-annotation-bad
index-update-artifact-type index-update-add-missing index-update-output
blob-fetch-get-alias blob-fetch-descriptor-pretty blob-fetch-descriptor-and-output blob-fetch-bad-digest
blob-fetch-binary-stdout blob-push-descriptor-media-type blob-push-media-type-without-descriptor
blob-push-stdin-without-digest blob-push-size-mismatch blob-push-directory blob-push-tag-reference
blob-delete-rm-alias blob-delete-prompt-yes blob-delete-missing
repo-ls-list-alias repo-ls-repository-alias repo-ls-last repo-ls-with-tag repo-ls-unreachable
repo-ls-auth-credentials repo-tags-show-tags-alias repo-tags-last repo-tags-include-digest-tags
repo-tags-auth-no-credentials
login-prompt-password-only login-with-repository login-identity-token-and-password
login-127-defaults-to-https logout-registry-config
backup-several-tags backup-empty-repository backup-by-digest
restore-one-tag restore-exclude-referrers restore-missing-tag-in-layout restore-auth-no-credentials
push-two-files-media-type push-no-tag push-artifact-type push-config-without-artifact-type
push-image-spec-v1.0-artifact-type push-annotation-file-and-flag push-existing-blobs push-auth-password-stdin
pull-oci-layout-missing-tag pull-platform-missing pull-auth-after-login pull-unreachable-registry
pull-absolute-title
attach-distribution-spec-tag attach-without-created-annotation
cp-copy-alias cp-auth-destination-credentials
resolve-platform manifest-fetch-index manifest-fetch-auth-no-credentials
manifest-fetch-config-empty manifest-fetch-config-missing manifest-push-no-tag
index-create-empty index-update-tag index-update-missing-index
blob-fetch-output-file blob-push-with-digest blob-push-exists blob-delete-oci-layout
repo-ls-whole-registry repo-tags-of-tag repo-tags-format-go-template repo-ls-format-go-template
login-registry-config login-unreachable logout-not-logged-in
backup-missing-tag restore-tar restore-missing-input
debug-header-pull debug-header-attach debug-header-blob-fetch debug-header-blob-push
debug-header-manifest-fetch debug-header-repo-tags debug-header-tag debug-header-secret-names
push-artifact-type-parameters push-artifact-type-invalid-v1.0 push-artifact-type-invalid-missing-file
pull-cache-under-a-file push-format-json-no-tag push-format-json-oci-layout-no-tag
pull-format-template-directory-path login-identity-token-basic-registry
login-password-stdin-empty-no-username login-identity-token-stdin-empty
push-auth-password-without-username push-auth-username-without-password
""")


# --- #22: copies of graphs with referrers, several platforms, duplicate titles, foreign layers;
# backup/restore inputs Go cannot open ------------------------------------------------------------
def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _foreign_layout() -> dict[str, str | bytes]:
    """An OCI layout (``fl``) whose manifests (tags ``nd``, ``dk``) have a non-distributable layer
    the layout does not hold, as Windows base images do: copies leave it out."""
    import json

    cfg = b'{"architecture":"amd64","os":"windows","rootfs":{"type":"layers","diff_ids":[]}}'
    foreign, alpha = b"foreign-layer-bytes", b"alpha\n"
    files: dict[str, str | bytes] = {"fl/oci-layout": b'{"imageLayoutVersion":"1.0.0"}'}
    entries = []
    for tag, docker in (("nd", False), ("dk", True)):
        layer_type = ("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" if docker
                      else "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip")
        manifest_type = ("application/vnd.docker.distribution.manifest.v2+json" if docker
                         else "application/vnd.oci.image.manifest.v1+json")
        m = json.dumps({
            "schemaVersion": 2, "mediaType": manifest_type,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": _digest(cfg), "size": len(cfg)},
            "layers": [{"mediaType": layer_type, "digest": _digest(foreign), "size": len(foreign),
                        "urls": ["https://example.invalid/layer.tar.gz"]},
                       {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                        "digest": _digest(alpha), "size": len(alpha)}]}).encode()
        files["fl/blobs/sha256/" + _digest(m)[7:]] = m
        entries.append({"mediaType": manifest_type, "digest": _digest(m), "size": len(m),
                        "annotations": {"org.opencontainers.image.ref.name": tag}})
    for blob in (cfg, alpha):
        files["fl/blobs/sha256/" + _digest(blob)[7:]] = blob
    files["fl/index.json"] = json.dumps({"schemaVersion": 2, "manifests": entries}).encode()
    return files


def _any_twin(text: str) -> str:
    """``foo1`` and ``foo2`` hold the same bytes: which title moves them and which is reported
    ``Skipped``/``Exists``/``Restored`` depends on Go's goroutine order; compare the states per
    node, as the Go CLI's own e2e suite does."""
    return re.sub(r"^((?:" + "|".join(STATUS_WORDS) + r")\s+[0-9a-f]{12}) foo[12]$", r"\1 foo?",
                  text, flags=re.M)


def _tar_of(name: str, data: bytes) -> bytes:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo(name)
        info.size, info.mtime = len(data), 946684800
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


TWINS = {"foo1": b"foo\n", "foo2": b"foo\n"}
PUSH_TWINS = "push {reg}/{repo}:v1 foo1 foo2 a.txt {C}"
LAYOUT_OK = b'{"imageLayoutVersion":"1.0.0"}'
ATTACH_ON_REFERRER = ("attach {reg}/{repo}@{referrer:v1} --artifact-type application/vnd.example.sig2 "
                      "b.txt {C}")
INDEX_WITH_REFERRERS = (*MULTI,
                        "attach {reg}/{repo}:amd --artifact-type application/vnd.example.sig b.txt {C}",
                        "attach {reg}/{repo}:multi --artifact-type application/vnd.example.sig a.txt {C}")
SCENARIOS += [
    S("cp-recursive-again", "cp -r {reg}/{repo}:v1 {reg}/{ns}/dst:v1",
      prepare=[PUSH_V1, ATTACH_SIG, "cp -r {reg}/{repo}:v1 {reg}/{ns}/dst:v1"]),
    S("cp-recursive-referrer-of-referrer", "cp -r {reg}/{repo}:v1 --to-oci-layout out:v1",
      prepare=[PUSH_V1, ATTACH_SIG, ATTACH_ON_REFERRER], trees=["out/index.json"]),
    S("cp-recursive-index-referrers", "cp -r {reg}/{repo}:multi {reg}/{ns}/dst:multi",
      prepare=INDEX_WITH_REFERRERS, then=["discover {reg}/{ns}/dst:multi"]),
    S("cp-recursive-index-referrers-again", "cp -r {reg}/{repo}:multi --to-oci-layout out:multi",
      prepare=[*INDEX_WITH_REFERRERS, "cp -r {reg}/{repo}:multi --to-oci-layout out:multi"]),
    S("cp-duplicate-titles", "cp {reg}/{repo}:v1 {reg}/{ns}/dst:v1", files=TWINS,
      prepare=[PUSH_TWINS], normalise=_any_twin),
    S("cp-duplicate-titles-to-oci-layout", "cp {reg}/{repo}:v1 --to-oci-layout out:v1", files=TWINS,
      prepare=[PUSH_TWINS], normalise=_any_twin),
    S("cp-foreign-layers", "cp --from-oci-layout fl:nd --to-oci-layout out:nd", files=_foreign_layout(),
      trees=["out/index.json"]),
    S("cp-foreign-layers-docker", "cp --from-oci-layout fl:dk --to-oci-layout out:dk",
      files=_foreign_layout(), trees=["out/index.json"]),
    S("pull-duplicate-titles", "pull {reg}/{repo}:v1 -o out", files=TWINS, prepare=[PUSH_TWINS],
      trees=["out"], normalise=_any_twin),
    S("push-duplicate-titles", PUSH_TWINS, files=TWINS, manifests=M_V1, normalise=_any_twin),
    S("backup-duplicate-titles", "backup {reg}/{repo}:v1 -o bk", files=TWINS, prepare=[PUSH_TWINS],
      normalise=_any_twin),
    S("backup-referrers-index-all-tags", "backup --include-referrers {reg}/{repo} -o bk",
      prepare=INDEX_WITH_REFERRERS),
    S("backup-six-tags", "backup {reg}/{repo} -o bk", prepare=["push {reg}/{repo}:v1,t1,t2,t3,t4,t5 "
                                                              "a.txt {C}"]),
    S("backup-verbose-flag", "backup -v {reg}/{repo}:v1 -o bk", prepare=[PUSH_V1]),
    S("backup-output-is-file", "backup {reg}/{repo}:v1 -o a.txt", prepare=[PUSH_V1]),
    S("backup-output-bad-index", "backup {reg}/{repo}:v1 -o bad", prepare=[PUSH_V1],
      files={"bad/oci-layout": LAYOUT_OK, "bad/index.json": b"{not json"}),
    S("backup-output-bad-layout-file", "backup {reg}/{repo}:v1 -o bad", prepare=[PUSH_V1],
      files={"bad/oci-layout": b"not json"}),
    S("restore-duplicate-titles", "restore --input bk {reg}/{ns}/restored", files=TWINS,
      prepare=[PUSH_TWINS, "backup {reg}/{repo}:v1 -o bk"], normalise=_any_twin),
    S("restore-six-tags", "restore --dry-run --input bk {reg}/{ns}/restored",
      prepare=["push {reg}/{repo}:v1,t1,t2,t3,t4,t5 a.txt {C}", "backup {reg}/{repo} -o bk"]),
    S("restore-referrers-index", "restore --input bk {reg}/{ns}/restored",
      prepare=[*INDEX_WITH_REFERRERS, "backup --include-referrers {reg}/{repo}:multi -o bk"]),
    S("restore-not-a-layout-directory", "restore --input d {reg}/{ns}/restored"),
    S("restore-bad-index", "restore --input bad {reg}/{ns}/restored",
      files={"bad/oci-layout": LAYOUT_OK, "bad/index.json": b"{not json"}),
    S("restore-empty-index", "restore --input bad {reg}/{ns}/restored",
      files={"bad/oci-layout": LAYOUT_OK, "bad/index.json": b""}),
    S("restore-truncated-index", "restore --input bad {reg}/{ns}/restored",
      files={"bad/oci-layout": LAYOUT_OK, "bad/index.json": b'{"manifests":'}),
    S("restore-bad-layout-version", "restore --input bad {reg}/{ns}/restored",
      files={"bad/oci-layout": b'{"imageLayoutVersion":"2.0.0"}'}),
    S("restore-junk-tar", "restore --input junk.tar {reg}/{ns}/restored", files={"junk.tar": b"junk"}),
    S("restore-junk-tar-long", "restore --input junk.tar {reg}/{ns}/restored",
      files={"junk.tar": bytes(range(256)) * 4}),
    S("restore-empty-tar", "restore --input empty.tar {reg}/{ns}/restored", files={"empty.tar": b""}),
    S("restore-tar-without-layout", "restore --input x.tar {reg}/{ns}/restored",
      files={"x.tar": _tar_of("x.txt", b"x\n")}),
    S("restore-verbose-flag", "restore --verbose --input bk {reg}/{ns}/restored",
      prepare=[PUSH_V1, "backup {reg}/{repo}:v1 -o bk"]),
]
EXTENDED |= _ids("""
cp-recursive-referrer-of-referrer cp-recursive-index-referrers-again cp-duplicate-titles-to-oci-layout
cp-foreign-layers-docker backup-output-bad-layout-file backup-verbose-flag restore-empty-index
restore-truncated-index restore-bad-layout-version restore-junk-tar-long restore-verbose-flag
""")

# --- #22 groups 15, 11, 9, 6, 2 and singles: index errors, --verbose, layout references, repo -----
_LONG_TAG = "x" * 129
_DIGEST_TAG = "sha256-" + "a" * 64
LAYOUT_IDX = (LAYOUT_V1, "push --oci-layout layout:v2 b.txt {C}",
              "manifest index create --oci-layout layout:idx v1")
SCENARIOS += [
    # manifest index create / update: errors, non-JSON config, no tag, by digest
    S("index-create-not-a-manifest-oci-layout", "manifest index create --oci-layout layout:idx {adigest}",
      prepare=[LAYOUT_V1]),
    S("index-create-missing-source-oci-layout", "manifest index create --oci-layout layout:idx nope",
      prepare=[LAYOUT_V1]),
    S("index-create-oci-layout-empty-tag", "manifest index create --oci-layout layout: v1",
      prepare=[LAYOUT_V1], trees=["layout/index.json"]),
    S("index-create-nonjson-config", "manifest index create {reg}/{repo}:idx v1",
      prepare=["push {reg}/{repo}:v1 --config cfg.bin:application/vnd.oci.image.config.v1+json "
               "a.txt {C}"], files={"cfg.bin": b"not json"}, manifests=["{repo}:idx"]),
    S("index-create-platform-from-any-config", "manifest index create -o - {reg}/{repo}:idx v1 os",
      prepare=[PUSH_CFG, "push {reg}/{repo}:os --config os.json:application/vnd.oci.image.config.v1+json "
               "a.txt {C}"], files={"os.json": b'{"os":"linux"}'}),
    S("index-create-artifact-type-invalid", "manifest index create --artifact-type 'bad type' "
      "{reg}/{repo}:idx v1", prepare=[PUSH_V1]),
    S("index-create-artifact-type-parameters", "manifest index create --artifact-type "
      "'text/plain; charset=utf-8' {reg}/{repo}:idx v1", prepare=[PUSH_V1]),
    S("index-update-empty-reference", "manifest index update {reg}/{repo} --add v1", prepare=[PUSH_V1]),
    S("index-update-empty-reference-oci-layout", "manifest index update --oci-layout layout: --add v1",
      prepare=[LAYOUT_V1]),
    S("index-update-nothing", "manifest index update {reg}/{repo}:multi", prepare=MULTI),
    S("index-update-nothing-oci-layout", "manifest index update --oci-layout layout:idx"),
    S("index-update-remove-not-in-index", "manifest index update {reg}/{repo}:multi --remove {dig:v1}",
      prepare=[*MULTI, PUSH_V1]),
    S("index-update-remove-then-add", "manifest index update {reg}/{repo}:multi --add v1 --remove {dig:v1}",
      prepare=[*MULTI, PUSH_V1]),
    S("index-update-add-twice", "manifest index update {reg}/{repo}:multi --add amd --merge multi",
      prepare=MULTI, manifests=["{repo}:multi"]),
    S("index-update-tag-and-output", "manifest index update {reg}/{repo}:multi --add v1 --tag x -o -",
      prepare=[*MULTI, PUSH_V1]),
    S("index-update-artifact-type-invalid",
      "manifest index update {reg}/{repo}:multi --artifact-type 'bad type'", prepare=MULTI),
    S("index-update-by-digest", "manifest index update {reg}/{repo}@{dig:multi} --add v1 --tag t1",
      prepare=[*MULTI, PUSH_V1], then=[TAGS]),
    S("index-update-missing-index-oci-layout", "manifest index update --oci-layout layout:nope --add v1",
      prepare=[LAYOUT_V1]),
    S("index-update-add-missing-oci-layout", "manifest index update --oci-layout layout:idx --add nope",
      prepare=LAYOUT_IDX),
    S("index-update-merge-missing-oci-layout",
      "manifest index update --oci-layout layout:idx --merge nope", prepare=LAYOUT_IDX),
    S("index-update-merge-not-an-index-oci-layout",
      "manifest index update --oci-layout layout:idx --merge v2", prepare=LAYOUT_IDX),
    S("index-update-add-not-a-manifest-oci-layout",
      "manifest index update --oci-layout layout:idx --add {adigest}", prepare=LAYOUT_IDX),
    S("index-create-verbose-unknown", "manifest index create --verbose {reg}/{repo}:idx v1",
      prepare=[PUSH_V1]),
    # --verbose: deprecated; --verbose=false hides the status of unnamed content
    S("manifest-push-verbose-false", "manifest push --verbose=false {reg}/{repo}:v1 manifest.json",
      prepare=BLOBS),
    S("manifest-push-verbose", "manifest push -v {reg}/{repo}:v1 manifest.json", prepare=BLOBS),
    S("manifest-fetch-verbose", "manifest fetch --verbose {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("manifest-fetch-config-verbose-false", "manifest fetch-config --verbose=false {reg}/{repo}:v1",
      prepare=[PUSH_CFG]),
    S("manifest-delete-verbose-false", "manifest delete -f --verbose=false {reg}/{repo}:v1",
      prepare=[PUSH_V1]),
    S("blob-push-verbose-false", "blob push --verbose=false {reg}/{repo} a.txt"),
    S("blob-push-verbose", "blob push --verbose {reg}/{repo} a.txt"),
    S("blob-fetch-verbose", "blob fetch --verbose -o - {reg}/{repo}@{adigest}", prepare=[PUSH_V1]),
    S("blob-delete-verbose-false", "blob delete -f --verbose=false {reg}/{repo}@{adigest}",
      prepare=[PUSH_V1]),
    S("tag-verbose-false", "tag --verbose=false {reg}/{repo}:v1 v2", prepare=[PUSH_V1]),
    S("login-verbose", LOGIN + " --verbose"),
    # OCI layout references: DIR:TAG split at the last ':', any tag, DIR: without one
    S("push-oci-layout-tag-with-space", "push --oci-layout 'layout:sp ace' a.txt {C}",
      trees=["layout/index.json"], then=["repo tags --oci-layout layout"]),
    S("push-oci-layout-tag-leading-dot", "push --oci-layout layout:.bad a.txt {C}",
      trees=["layout/index.json"]),
    S("push-oci-layout-tag-too-long", f"push --oci-layout layout:{_LONG_TAG} a.txt {{C}}",
      trees=["layout/index.json"]),
    S("push-oci-layout-empty-path", "push --oci-layout :v1 a.txt {C}"),
    S("tag-oci-layout-by-digest", "tag --oci-layout layout@{dig:v1} t1 t2", prepare=[LAYOUT_V1, PUSH_V1],
      then=["repo tags --oci-layout layout:"]),
    S("tag-oci-layout-blob-digest", "tag --oci-layout layout@{adigest} t1", prepare=[LAYOUT_V1]),
    S("repo-tags-oci-layout-empty-tag", "repo tags --oci-layout layout:", prepare=[LAYOUT_V1]),
    S("repo-tags-oci-layout-of-tag", "repo tags --oci-layout layout:v1",
      prepare=[LAYOUT_V1, "tag --oci-layout layout:v1 t1", "push --oci-layout layout:v2 b.txt {C}"],
      normalise=lambda t: re.sub(r"^\[[^\]]*\]\[WARNING\]", "[<TIME>][WARNING]", t, flags=re.M)),
    # repo ls / repo tags
    S("repo-tags-oci-layout-path-full-reference", "repo tags --oci-layout-path layout {reg}/{repo}:v1",
      prepare=[LAYOUT_V1]),
    S("repo-tags-oci-layout-path-missing-tag", "repo tags --oci-layout-path layout nope",
      prepare=[LAYOUT_V1]),
    S("repo-tags-exclude-digest-tags-suffix", "repo tags --exclude-digest-tags {reg}/{repo}",
      prepare=[PUSH_V1, f"tag {{reg}}/{{repo}}:v1 {_DIGEST_TAG} {_DIGEST_TAG}.sig"]),
    S("repo-ls-invalid-repository", "repo ls {reg}/{ns}/UPPER"),
    S("repo-ls-invalid-digest", "repo ls {reg}/{ns}@sha256:bad"),
    S("tag-list-suggestion", "tag list"),
    S("tag-list-suggestion-oci-layout", "tag ls --oci-layout layout"),
    S("tag-invalid-reference", "tag {reg}/UPPER:v1 x"),
    S("manifest-fetch-oci-layout-path-missing", "manifest fetch --oci-layout-path layout nope",
      prepare=[LAYOUT_V1]),
    # descriptors from a layout: a tag gives the index.json entry, a digest a plain descriptor
    S("manifest-fetch-descriptor-oci-layout", "manifest fetch --descriptor --oci-layout layout:v1",
      prepare=[LAYOUT_V1]),
    S("manifest-fetch-descriptor-oci-layout-digest", "manifest fetch --descriptor --oci-layout "
      "layout@{dig:v1}", prepare=[LAYOUT_V1, PUSH_V1]),
    S("manifest-fetch-oci-layout-blob-digest", "manifest fetch --oci-layout layout@{adigest}",
      prepare=[LAYOUT_V1]),
    S("manifest-delete-descriptor-oci-layout", "manifest delete -f --descriptor --oci-layout layout:v1",
      prepare=[LAYOUT_V1]),
    # one each
    S("blob-delete-oci-layout-missing-force", "blob delete -f --oci-layout layout@sha256:" + "1" * 64,
      prepare=[LAYOUT_V1]),
    S("blob-push-stdin-and-identity-token-stdin",
      "blob push --size 6 {reg}/{repo}@{adigest} - --identity-token-stdin", stdin="alpha\n"),
    S("manifest-push-stdin-and-identity-token-stdin",
      "manifest push {reg}/{repo}:v1 - --identity-token-stdin", stdin=MANIFEST_JSON),
    S("discover-depth-zero", "discover --depth 0 {reg}/{repo}:v1", prepare=[PUSH_V1]),
    S("discover-depth-invalid", "discover --depth x {reg}/{repo}:v1"),
    S("push-bad-reference-empty-registry", "push /r:v1 a.txt {C}"),
    S("push-bad-reference-empty-repository", "push {reg}/ a.txt {C}"),
    S("push-multi-tag-order", "push {reg}/{repo}:zeta,alpha,mid a.txt {C}", then=[TAGS]),
    S("cp-auth-source-no-credentials", "cp {areg}/{repo}:v1 {reg}/{repo}:v1", prepare=[PUSH_AUTH]),
    S("manifest-fetch-cert-without-key", "manifest fetch --cert-file c.pem {reg}/{repo}:v1"),
    S("manifest-fetch-key-without-cert", "manifest fetch --key-file k.pem {reg}/{repo}:v1"),
    S("cp-from-cert-without-key", "cp --from-cert-file c.pem {reg}/{repo}:v1 {reg}/{ns}/dst:v1"),
]
EXTENDED |= _ids("""
index-create-missing-source-oci-layout index-create-artifact-type-parameters
index-update-empty-reference-oci-layout index-update-nothing-oci-layout index-update-remove-then-add
index-update-add-twice index-update-missing-index-oci-layout index-update-merge-missing-oci-layout
index-update-merge-not-an-index-oci-layout index-update-add-not-a-manifest-oci-layout
index-create-verbose-unknown manifest-push-verbose manifest-fetch-verbose
manifest-fetch-config-verbose-false manifest-delete-verbose-false blob-push-verbose blob-fetch-verbose
blob-delete-verbose-false tag-verbose-false login-verbose push-oci-layout-tag-leading-dot
push-oci-layout-tag-too-long push-oci-layout-empty-path tag-oci-layout-blob-digest
repo-tags-oci-layout-of-tag repo-tags-oci-layout-path-missing-tag repo-ls-invalid-digest
tag-list-suggestion-oci-layout manifest-fetch-oci-layout-path-missing
manifest-fetch-descriptor-oci-layout-digest manifest-fetch-oci-layout-blob-digest
manifest-delete-descriptor-oci-layout manifest-push-stdin-and-identity-token-stdin discover-depth-invalid
push-bad-reference-empty-repository push-multi-tag-order manifest-fetch-key-without-cert
cp-from-cert-without-key
""")

# --- #22 last items: attach's artifact type, login without a token service, discover JSON with the
# referrers API, image-spec 1.1.0-rc2 artifact manifests, layout digests that do not parse, backup
# and restore without --verbose, a blob missing in a copy, ORAS_CACHE read by the fetch commands ---
_B_DIGEST = _digest(b"bravo\n")
_V1 = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 583,
       "digest": "sha256:c89df3a8748b83f5bd2061981512ce348225627020fe18957de97d02486a1849"}  # PUSH_V1


def _rc2_artifact() -> bytes:
    """An image-spec 1.1.0-rc2 artifact manifest (``blobs``, no config) whose subject is PUSH_V1."""
    import json

    return json.dumps({
        "mediaType": "application/vnd.oci.artifact.manifest.v1+json",
        "artifactType": "application/vnd.example.sig",
        "blobs": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": _B_DIGEST,
                   "size": 6, "annotations": {"org.opencontainers.image.title": "b.txt"}}],
        "subject": _V1, "annotations": {"org.opencontainers.image.created": "2000-01-01T00:00:00Z"},
    }, separators=(",", ":")).encode()


RC2 = (PUSH_V1, "blob push {reg}/{repo} b.txt",
       "manifest push --media-type application/vnd.oci.artifact.manifest.v1+json {reg}/{repo}:art "
       "art.json")
BAD = "sha256:bad"
NESTED = (PUSH_V1, ATTACH_SIG, ATTACH_ON_REFERRER,
          "attach {reg}/{repo}:v1 --artifact-type application/vnd.example.sbom a.txt {C} -a k=v")
LAYOUT_NESTED = (LAYOUT_V1, "attach --oci-layout layout:v1 --artifact-type application/vnd.example.sig "
                 "b.txt {C}")
MISSING_BLOB = (PUSH_V1, "blob delete -f {reg}/{repo}@{adigest}")
SCENARIOS += [
    # 1. attach refuses an artifact type that is no media type, after reading the files
    S("attach-artifact-type-invalid", "attach {reg}/{repo}:v1 --artifact-type 'bad type' b.txt {C}",
      prepare=[PUSH_V1], then=["discover {reg}/{repo}:v1"]),
    S("attach-artifact-type-invalid-annotation-only",
      "attach {reg}/{repo}:v1 --artifact-type 'bad type' -a k=v {C}", prepare=[PUSH_V1]),
    S("attach-artifact-type-invalid-format-json",
      "attach {reg}/{repo}:v1 --artifact-type 'bad type' --format json b.txt {C}", prepare=[PUSH_V1]),
    S("attach-artifact-type-parameters",
      "attach --oci-layout layout:v1 --artifact-type 'a/b; x=y' b.txt {C}", prepare=[LAYOUT_V1],
      trees=["layout/index.json"]),
    S("attach-artifact-type-invalid-missing-subject",
      "attach {reg}/{repo}:nope --artifact-type 'bad type' b.txt {C}", prepare=[PUSH_V1]),
    # 2. login (and other commands) where the Bearer challenge cannot be answered
    S("login-token-realm-refused", "login {deadrealm} -u x -p y"),
    S("login-token-realm-missing", "login {norealm} -u x -p y"),
    S("login-token-realm-404", "login {realm404} -u x -p y"),
    S("resolve-token-realm-refused", "resolve {deadrealm}/r:v1"),
    S("resolve-token-realm-missing", "resolve {norealm}/r:v1"),
    S("manifest-fetch-token-realm-404", "manifest fetch {realm404}/r:v1"),
    # 3. discover --format json with the referrers API, nested, filtered, and on a layout
    S("discover-format-json-referrers-api", "discover {reg}/{repo}:v1 --format json",
      prepare=NESTED, referrers_api=True),
    S("discover-format-json-referrers-api-depth-1", "discover --depth 1 {reg}/{repo}:v1 --format json",
      prepare=NESTED, referrers_api=True),
    S("discover-format-json-referrers-api-filter",
      "discover {reg}/{repo}:v1 --format json --artifact-type application/vnd.example.sbom",
      prepare=NESTED, referrers_api=True),
    S("discover-format-json-nested", "discover {reg}/{repo}:v1 --format json", prepare=NESTED),
    S("discover-format-json-oci-layout", "discover --oci-layout layout:v1 --format json",
      prepare=LAYOUT_NESTED),
    S("discover-format-json-oci-layout-by-digest", "discover --oci-layout layout@{dig:v1} --format json",
      prepare=[*LAYOUT_NESTED, PUSH_V1]),
    # 4. an image-spec 1.1.0-rc2 artifact manifest with a subject
    S("pull-rc2-artifact", "pull {reg}/{repo}:art -o out", files={"art.json": _rc2_artifact()},
      prepare=RC2, trees=["out"], referrers_api=True),
    S("pull-rc2-artifact-include-subject", "pull --include-subject {reg}/{repo}:art -o out",
      files={"art.json": _rc2_artifact()}, prepare=RC2, trees=["out"], referrers_api=True),
    S("discover-rc2-artifact", "discover {reg}/{repo}:v1 --format json",
      files={"art.json": _rc2_artifact()}, prepare=RC2, referrers_api=True),
    # 5. a layout reference whose digest does not parse: Go's layout finds nothing
    *[S(f"{sid}-oci-layout-bad-digest", c, prepare=[LAYOUT_V1]) for sid, c in (
        ("pull", f"pull --oci-layout layout@{BAD} -o out"),
        ("manifest-fetch", f"manifest fetch --oci-layout layout@{BAD}"),
        ("manifest-fetch-config", f"manifest fetch-config --oci-layout layout@{BAD}"),
        ("manifest-delete", f"manifest delete -f --oci-layout layout@{BAD}"),
        ("resolve", f"resolve --oci-layout layout@{BAD}"),
        ("tag", f"tag --oci-layout layout@{BAD} t1"),
        ("discover", f"discover --oci-layout layout@{BAD}"),
        ("attach", f"attach --oci-layout layout@{BAD} --artifact-type a/b b.txt {{C}}"),
        ("repo-tags", f"repo tags --oci-layout layout@{BAD}"),
        ("blob-fetch", f"blob fetch --oci-layout layout@{BAD} -o -"),
        ("blob-delete", f"blob delete -f --oci-layout layout@{BAD}"),
        ("blob-push", f"blob push --oci-layout layout@{BAD} a.txt"))],
    S("cp-oci-layout-bad-digest", f"cp --from-oci-layout layout@{BAD} --to-oci-layout out:v1",
      prepare=[LAYOUT_V1]),
    S("blob-delete-oci-layout-bad-digest-no-force", f"blob delete --oci-layout layout@{BAD}",
      stdin="y\n", prepare=[LAYOUT_V1]),
    S("blob-fetch-oci-layout-not-a-digest", "blob fetch --oci-layout layout@foo:bar --descriptor",
      prepare=[LAYOUT_V1]),
    S("manifest-fetch-oci-layout-path-bad-digest", f"manifest fetch --oci-layout-path layout {BAD}",
      prepare=[LAYOUT_V1]),
    S("index-update-oci-layout-bad-digest", f"manifest index update --oci-layout layout@{BAD} --add v1",
      prepare=[LAYOUT_V1]),
    # 6. backup and restore have no --verbose in Go
    S("backup-verbose-long-flag", "backup --verbose {reg}/{repo}:v1 -o bk", prepare=[PUSH_V1]),
    S("restore-verbose-short-flag-combined", "restore -dv --input bk {reg}/{ns}/restored",
      prepare=[PUSH_V1, "backup {reg}/{repo}:v1 -o bk"]),
    # 7. a blob the source lost: Go names it by digest (a same-registry copy: the mount's words)
    S("cp-missing-blob", "cp {reg}/{repo}:v1 {reg}/{ns}/dst:v1", prepare=MISSING_BLOB),
    S("pull-missing-blob", "pull {reg}/{repo}:v1 -o out", prepare=MISSING_BLOB),
    # 8. the fetch commands read through ORAS_CACHE too
    *[S(f"{sid}-cache-is-a-file", c, prepare=[PUSH_V1], env={"ORAS_CACHE": "{work}/a.txt"})
      for sid, c in (
        ("manifest-fetch", "manifest fetch {reg}/{repo}:v1"),
        ("manifest-fetch-descriptor", "manifest fetch --descriptor {reg}/{repo}:v1"),
        ("manifest-fetch-config", "manifest fetch-config {reg}/{repo}:v1"),
        ("blob-fetch", "blob fetch -o - {reg}/{repo}@{adigest}"))],
    S("blob-fetch-descriptor-cache-is-a-file", "blob fetch --descriptor {reg}/{repo}@{adigest}",
      prepare=[PUSH_V1], env={"ORAS_CACHE": "{work}/a.txt/sub"}),
    S("manifest-fetch-oci-layout-cache-is-a-file", "manifest fetch --oci-layout layout:v1",
      prepare=[LAYOUT_V1], env={"ORAS_CACHE": "{work}/a.txt"}),
    S("manifest-fetch-through-cache", "manifest fetch {reg}/{repo}:v1", prepare=[PUSH_V1],
      env={"ORAS_CACHE": "{work}/cache"}, then=["manifest fetch {reg}/{repo}@{dig:v1}"]),
]
EXTENDED |= _ids("""
attach-artifact-type-invalid-annotation-only attach-artifact-type-invalid-format-json
attach-artifact-type-parameters attach-artifact-type-invalid-missing-subject
resolve-token-realm-refused resolve-token-realm-missing manifest-fetch-token-realm-404
discover-format-json-referrers-api-depth-1 discover-format-json-referrers-api-filter
discover-format-json-oci-layout-by-digest pull-rc2-artifact-include-subject
manifest-fetch-config-oci-layout-bad-digest manifest-delete-oci-layout-bad-digest
resolve-oci-layout-bad-digest tag-oci-layout-bad-digest discover-oci-layout-bad-digest
attach-oci-layout-bad-digest repo-tags-oci-layout-bad-digest blob-push-oci-layout-bad-digest
blob-fetch-oci-layout-not-a-digest manifest-fetch-oci-layout-path-bad-digest
index-update-oci-layout-bad-digest restore-verbose-short-flag-combined
manifest-fetch-descriptor-cache-is-a-file blob-fetch-descriptor-cache-is-a-file
manifest-fetch-oci-layout-cache-is-a-file
""")
