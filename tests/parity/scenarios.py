"""The parity scenarios, as data. See :class:`tests.parity.harness.Scenario` for the placeholders.

Prepare steps run with the Go CLI on both sides; ``{C}`` pins ``org.opencontainers.image.created`` so
that manifests the two CLIs push have the same digest. Scenario ids are ``<group>-<what>``.
"""

from __future__ import annotations

import hashlib
import re

from tests.parity.harness import BASE_FILES, MANIFEST_JSON, Scenario

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


PUSH_V1 = "push {reg}/{repo}:v1 a.txt {C}"
PUSH_V2 = "push {reg}/{repo}:v2 b.txt {C}"
PUSH_CFG = ("push {reg}/{repo}:v1 --config config.json:application/vnd.example.config+json "
            "--artifact-type application/vnd.example.art a.txt {C}")
ATTACH_SIG = "attach {reg}/{repo}:v1 --artifact-type application/vnd.example.sig b.txt {C}"
LAYOUT_V1 = "push --oci-layout layout:v1 a.txt {C}"
AUTH = "-u alice -p s3cret-pw"
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
""")
