"""Every command of the surface, end to end against the real registry and OCI layouts."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import pytest

from tests.support.registry import start_registry
from tests.support.servers import Proxy, ReferrersAPIProxy, Reply, Request


def _push(oras, ref: str, tmp_path: Path, name: str = "a.txt", data: str = "hello") -> str:
    (tmp_path / name).write_text(data)
    out = oras("push", ref, name, "--format", "json")
    return str(json.loads(out.stdout)["digest"])


@pytest.fixture(scope="module")
def second_registry():
    reg = start_registry()
    yield reg
    reg.stop()


def test_attach_and_discover_with_the_referrers_tag_schema(oras, registry, repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}"
    subject = _push(oras, f"{ref}:v1", tmp_path)
    (tmp_path / "sbom.json").write_text("{}")
    out = oras("attach", "--artifact-type", "application/vnd.example.sbom", f"{ref}:v1",
               "sbom.json", "-a", "kind=sbom")
    assert f"Attached to [registry] {ref}@{subject}" in out.stdout
    oras("attach", "--artifact-type", "application/vnd.example.sig", f"{ref}:v1", "-a", "s=1")
    tree = oras("discover", f"{ref}:v1").stdout
    assert tree.splitlines()[0] == f"{ref}@{subject}"
    assert "application/vnd.example.sbom" in tree and "└── " in tree
    doc = json.loads(oras("discover", f"{ref}:v1", "--format", "json").stdout)
    assert {r["artifactType"] for r in doc["referrers"]} == {
        "application/vnd.example.sbom", "application/vnd.example.sig"}
    only = json.loads(oras("discover", f"{ref}:v1", "--format", "json", "--artifact-type",
                           "application/vnd.example.sig").stdout)
    assert [r["artifactType"] for r in only["referrers"]] == ["application/vnd.example.sig"]
    table = oras("discover", f"{ref}:v1", "--format", "table").stdout
    assert table.startswith(f"Discovered 2 artifacts referencing {ref}:v1\n")
    tags = oras("repo", "tags", ref).stdout.split()
    assert f"sha256-{subject.split(':')[1]}" in tags
    assert oras("repo", "tags", ref, "--exclude-digest-tags").stdout.split() == ["v1"]


def test_deleting_a_referrer_updates_the_tag_index_and_keeps_the_old_one(oras, registry,
                                                                          repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}"
    subject = _push(oras, f"{ref}:v1", tmp_path)
    a = json.loads(oras("attach", "--artifact-type", "x/a", f"{ref}:v1", "-a", "n=1",
                        "--format", "json").stdout)
    b = json.loads(oras("attach", "--artifact-type", "x/b", f"{ref}:v1", "-a", "n=2",
                        "--format", "json").stdout)
    index_before = oras("resolve", f"{ref}:sha256-{subject.split(':')[1]}").stdout.strip()
    oras("manifest", "delete", "-f", f"{ref}@{b['digest']}")
    doc = json.loads(oras("discover", f"{ref}:v1", "--format", "json").stdout)
    assert [r["digest"] for r in doc["referrers"]] == [a["digest"]]
    # the superseded index stays, as the Go CLI leaves it (SkipReferrersGC): a concurrent reader
    # that resolved the referrers tag can still fetch what it resolved
    oras("manifest", "fetch", f"{ref}@{index_before}")
    assert oras("resolve", f"{ref}:sha256-{subject.split(':')[1]}").stdout.strip() != index_before


def test_referrers_api_is_detected_and_can_be_forced_off(oras, registry, repo_name, tmp_path):
    api = ReferrersAPIProxy(registry.host)
    try:
        ref = f"{api.host}/{repo_name}"
        subject = _push(oras, f"{ref}:v1", tmp_path)
        oras("attach", "--artifact-type", "x/api", f"{ref}:v1", "-a", "via=api")
        assert api.referrers, "the referrer was not recorded by the API"
        tags = oras("repo", "tags", ref).stdout.split()
        assert tags == ["v1"]  # no tag-schema index when the API exists
        doc = json.loads(oras("discover", f"{ref}:v1", "--format", "json").stdout)
        assert [r["artifactType"] for r in doc["referrers"]] == ["x/api"]
        assert any("/referrers/" in r.path for r in api.requests)
        oras("attach", "--artifact-type", "x/tag", f"{ref}:v1", "-a", "via=tag",
             "--distribution-spec", "v1.1-referrers-tag")
        assert f"sha256-{subject.split(':')[1]}" in oras("repo", "tags", ref).stdout.split()
        forced = json.loads(oras("discover", f"{ref}:v1", "--format", "json",
                                 "--distribution-spec", "v1.1-referrers-tag").stdout)
        assert [r["artifactType"] for r in forced["referrers"]] == ["x/tag"]
    finally:
        api.stop()


def test_attach_to_an_oci_layout_and_discover_there(oras, tmp_path):
    (tmp_path / "a.txt").write_text("x")
    oras("push", "--oci-layout", "lay:v1", "a.txt")
    oras("attach", "--oci-layout", "--artifact-type", "x/doc", "lay:v1", "-a", "k=v")
    tree = oras("discover", "--oci-layout", "lay:v1").stdout
    assert "x/doc" in tree


def test_tag_and_resolve(oras, registry, repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}"
    digest = _push(oras, f"{ref}:v1", tmp_path)
    out = oras("tag", f"{ref}:v1", "v2", "latest").stdout
    assert "Tagged v2" in out and "Tagged latest" in out
    assert oras("resolve", f"{ref}:latest").stdout.strip() == digest
    assert oras("resolve", "-l", f"{ref}:v2").stdout.strip() == f"{ref}@{digest}"
    proc = oras("resolve", f"{ref}:missing", ok=False)
    assert proc.returncode == 1 and "not found" in proc.stderr


def test_copy_between_repositories_mounts_blobs(oras, registry, repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}"
    digest = _push(oras, f"{ref}:v1", tmp_path)
    out = oras("cp", f"{ref}:v1", f"{ref}-copy:v1,stable")
    assert "Mounted" in out.stdout and f"Digest: {digest}" in out.stdout
    assert oras("resolve", f"{ref}-copy:stable").stdout.strip() == digest


def test_copy_to_another_registry_recursively_and_to_a_layout(oras, registry, second_registry,
                                                              repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}"
    digest = _push(oras, f"{ref}:v1", tmp_path)
    oras("attach", "--artifact-type", "x/sig", f"{ref}:v1", "-a", "sig=1")
    dst = f"{second_registry.localhost}/{repo_name}"
    out = oras("copy", "-r", f"{ref}:v1", f"{dst}:v1")
    assert "Mounted" not in out.stdout
    doc = json.loads(oras("discover", f"{dst}:v1", "--format", "json").stdout)
    assert doc["digest"] == digest and len(doc["referrers"]) == 1
    oras("copy", "-r", f"{ref}:v1", "--to-oci-layout", "lay:v1")
    assert "x/sig" in oras("discover", "--oci-layout", "lay:v1").stdout
    oras("copy", "--from-oci-layout", "lay:v1", f"{dst}-back:v1")
    oras("pull", f"{dst}-back:v1", "-o", "back")
    assert (tmp_path / "back" / "a.txt").read_text() == "hello"


def test_copy_mounts_only_with_the_same_credentials(oras, auth_registry, tmp_path):
    (tmp_path / "a.txt").write_text("m")
    creds = ["-u", "alice", "-p", "s3cret-pw"]
    oras("push", f"{auth_registry.localhost}/mnt/a:v1", "a.txt", *creds)
    out = oras("cp", f"{auth_registry.localhost}/mnt/a:v1", f"{auth_registry.localhost}/mnt/b:v1",
               "--from-username", "alice", "--from-password", "s3cret-pw",
               "--to-username", "alice", "--to-password", "s3cret-pw")
    assert "Mounted" in out.stdout
    cfg = tmp_path / "cfg.json"
    oras("login", auth_registry.localhost, "-u", "carol", "-p", "c4rol", "--registry-config",
         str(cfg))
    out = oras("cp", f"{auth_registry.localhost}/mnt/a:v1", f"{auth_registry.localhost}/mnt/c:v1",
               "--from-username", "alice", "--from-password", "s3cret-pw",
               "--to-registry-config", str(cfg))
    assert "Mounted" not in out.stdout and "Copied" in out.stdout


def test_manifest_fetch_push_delete(oras, registry, repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}"
    digest = _push(oras, f"{ref}:v1", tmp_path)
    raw = oras("manifest", "fetch", f"{ref}:v1").stdout
    assert json.loads(raw)["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    desc = json.loads(oras("manifest", "fetch", f"{ref}:v1", "--descriptor").stdout)
    assert desc["digest"] == digest
    oras("manifest", "fetch", f"{ref}:v1", "-o", "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    doc["annotations"]["extra"] = "yes"
    (tmp_path / "m2.json").write_text(json.dumps(doc))
    out = oras("manifest", "push", f"{ref}:v2,v3", "m2.json")
    assert f"Pushed: [registry] {ref}:v2\nTagged v3\n" in out.stdout  # Go's lines
    assert json.loads(oras("manifest", "fetch", f"{ref}:v3").stdout)["annotations"]["extra"] == "yes"
    out = oras("manifest", "push", f"{ref}:v4", "-", input=json.dumps(doc))
    assert "Digest: sha256:" in out.stdout
    assert oras("manifest", "fetch-config", f"{ref}:v1").stdout == "{}"
    proc = oras("manifest", "delete", f"{ref}:v2", ok=False)
    assert proc.returncode == 0 and proc.stdout.endswith("[y/N] Operation cancelled.\n")
    oras("manifest", "delete", "-f", f"{ref}:v2")
    assert oras("manifest", "fetch", f"{ref}:v3", ok=False).returncode == 1
    (tmp_path / "blob.bin").write_text("not a manifest")
    proc = oras("manifest", "push", f"{ref}:bad", "blob.bin", ok=False)
    assert proc.returncode == 1 and proc.stderr.startswith("Error: ")


def test_manifest_index_create_and_update(oras, registry, repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}"
    d1 = _push(oras, f"{ref}:one", tmp_path, data="1")
    d2 = _push(oras, f"{ref}:two", tmp_path, data="2")
    out = oras("manifest", "index", "create", f"{ref}:idx", "one", d2, "-a", "k=v")
    idx = json.loads(oras("manifest", "fetch", f"{ref}:idx").stdout)
    assert [m["digest"] for m in idx["manifests"]] == [d1, d2]
    assert idx["annotations"]["k"] == "v" and "Digest: sha256:" in out.stdout
    # Go removes by digest only (a tag is refused).
    bad = oras("manifest", "index", "update", f"{ref}:idx", "--remove", "one", ok=False)
    assert bad.returncode == 1 and "remove: one is not a digest" in bad.stderr
    oras("manifest", "index", "update", f"{ref}:idx", "--remove", d1, "--tag", "idx2")
    idx2 = json.loads(oras("manifest", "fetch", f"{ref}:idx2").stdout)
    assert [m["digest"] for m in idx2["manifests"]] == [d2]
    oras("manifest", "index", "update", f"{ref}:idx2", "--add", "one")
    idx3 = json.loads(oras("manifest", "fetch", f"{ref}:idx2").stdout)
    assert [m["digest"] for m in idx3["manifests"]] == [d2, d1]
    proc = oras("manifest", "index", "update", f"{ref}:one", "--add", "two", ok=False)
    assert proc.returncode == 1 and "not an index" in proc.stderr


def test_blob_push_fetch_delete(oras, registry, repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}"
    (tmp_path / "b.bin").write_bytes(os.urandom(70_000))
    desc = json.loads(oras("blob", "push", ref, "b.bin", "--descriptor").stdout)
    assert desc["size"] == 70_000
    oras("blob", "fetch", f"{ref}@{desc['digest']}", "-o", "out.bin")
    assert (tmp_path / "out.bin").read_bytes() == (tmp_path / "b.bin").read_bytes()
    got = oras("blob", "fetch", f"{ref}@{desc['digest']}", "--descriptor").stdout
    assert json.loads(got)["size"] == 70_000
    abc = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    out = oras("blob", "push", f"{ref}@{abc}", "-", "--size", "3", input="abc")
    assert f"Digest: {abc}" in out.stdout
    proc = oras("blob", "push", ref, "-", "--size", "3", input="abc", ok=False)
    assert proc.returncode == 1 and "digest must be provided" in proc.stderr  # as Go
    proc = oras("blob", "push", f"{ref}@{abc}", "-", input="abc", ok=False)
    assert proc.returncode == 1 and "--size" in proc.stderr
    proc = oras("blob", "push", f"{ref}@{abc}", "-", "--size", "5", input="abc", ok=False)
    assert proc.returncode == 1
    oras("blob", "delete", "-f", f"{ref}@{desc['digest']}")
    proc = oras("blob", "fetch", f"{ref}@{desc['digest']}", "-o", "gone.bin", ok=False)
    assert proc.returncode == 1 and not (tmp_path / "gone.bin").exists()
    proc = oras("blob", "fetch", f"{ref}:notadigest", "-o", "x", ok=False)
    assert proc.returncode == 1 and "digest" in proc.stderr


def test_repo_ls_and_tags_with_go_templates(oras, registry, repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}"
    _push(oras, f"{ref}:b", tmp_path)
    oras("tag", f"{ref}:b", "a", "c")
    # In the registry's order, as Go (no sorting); --last as the registry reads it.
    assert sorted(oras("repo", "tags", ref).stdout.split()) == ["a", "b", "c"]
    after = set(oras("repo", "tags", ref, "--last", "a").stdout.split())
    assert {"b", "c"} <= after  # a registry may ignore "last" without "n" (Go shows it all)
    out = oras("repo", "tags", ref, "--format", "go-template={{range .tags}}{{.}},{{end}}")
    assert sorted(out.stdout.split(",")) == ["", "a", "b", "c"]  # the registry's order
    names = oras("repo", "ls", registry.localhost).stdout.split()
    assert repo_name in names
    ns = repo_name.split("/")[0]
    assert repo_name.split("/", 1)[1] in oras("repo", "ls", f"{registry.localhost}/{ns}").stdout.split()
    out = oras("push", f"{ref}:t", "a.txt", "--format", "go-template={{.reference}} {{toJson .size}}")
    assert out.stdout.startswith(f"{ref}@sha256:")  # Go's reference: name@digest


def test_tag_listing_follows_relative_links_but_refuses_other_origins(registry, repo_name, tmp_path):
    import io as _io

    from orasx import mediatype
    from orasx.descriptor import Descriptor
    from orasx.errors import RegistryError
    from orasx.pack import pack_manifest
    from orasx.registry.remote import Repository
    from tests.support.servers import Server

    repo = Repository(f"{registry.host}/{repo_name}")
    repo.push(Descriptor.from_bytes(mediatype.OCI_EMPTY, b"{}"), _io.BytesIO(b"{}"))
    desc, raw = pack_manifest([])
    for t in ("t1", "t2", "t3"):
        repo.push_reference(desc, _io.BytesIO(raw), t)
    assert sorted(repo.tags(page_size=1)) == ["t1", "t2", "t3"]  # relative Link, 3 pages
    trap = Server(lambda _r: Reply(200, body=b'{"tags":["evil"]}'))

    def rewrite(req: Request, rep: Reply) -> Reply:
        if "/tags/list" in req.path:
            rep.headers["Link"] = f'<{trap.url}/v2/x/tags/list?last=t1>; rel="next"'
        return rep

    proxy = Proxy(registry.host, rewrite=rewrite)
    try:
        with pytest.raises(RegistryError, match="another origin"):
            list(Repository(f"{proxy.host}/{repo_name}").tags())
        assert trap.requests == []
    finally:
        proxy.stop()
        trap.stop()


def test_backup_and_restore_with_referrers_through_a_tar(oras, registry, second_registry,
                                                         repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}"
    d1 = _push(oras, f"{ref}:v1", tmp_path, data="one")
    d2 = _push(oras, f"{ref}:v2", tmp_path, data="two")
    oras("attach", "--artifact-type", "x/sig", f"{ref}:v1", "-a", "s=1")
    oras("backup", "--output", "bk.tar", ref, "--include-referrers")
    with tarfile.open(tmp_path / "bk.tar") as tar:
        names = tar.getnames()
    assert "index.json" in names and "oci-layout" in names
    dst = f"{second_registry.localhost}/{repo_name}-restored"
    dry = oras("restore", "--input", "bk.tar", dst, "--dry-run").stdout
    assert "Dry run: would push tag v1 with 1 referrer(s)" in dry
    assert oras("repo", "tags", dst, ok=False).returncode == 1
    oras("restore", "--input", "bk.tar", dst)
    assert oras("resolve", f"{dst}:v1").stdout.strip() == d1
    assert oras("resolve", f"{dst}:v2").stdout.strip() == d2
    assert "x/sig" in oras("discover", f"{dst}:v1").stdout
    oras("backup", "--output", "bkdir", f"{ref}:v2")
    assert json.loads((tmp_path / "bkdir" / "index.json").read_text())["manifests"]
    # a layout tar is also readable by the other read commands
    oras("pull", "--oci-layout", "bk.tar:v2", "-o", "fromtar")
    assert (tmp_path / "fromtar" / "a.txt").read_text() == "two"


def test_bad_input_errors(oras, registry, repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}"
    for args in (["resolve", "nohost"], ["tag", f"{ref}:missing", "x"],
                 ["manifest", "fetch", f"{ref}:missing"], ["discover", f"{ref}:missing"],
                 ["attach", "--artifact-type", "x/y", f"{ref}:missing", "-a", "k=v"],
                 ["cp", f"{ref}:missing", f"{ref}:x"]):
        proc = oras(*args, ok=False)
        assert proc.returncode == 1, args
        # Go's one error line, and for a malformed reference Go's advice line after it
        assert proc.stderr.startswith("Error") and proc.stderr.count("\n") <= 2, proc.stderr
        assert "Traceback" not in proc.stderr
    digest = _push(oras, f"{ref}:v1", tmp_path)
    m = json.loads(oras("manifest", "fetch", f"{ref}:v1").stdout)
    blob_ref = f"{ref}@{m['layers'][0]['digest']}"
    proc = oras("manifest", "fetch", blob_ref, ok=False)
    assert proc.returncode == 1
    proc = oras("push", f"{ref}:v1", "a.txt", "--format", "go-template={{if}}{{end}}", ok=False)
    assert proc.returncode == 1 and proc.stderr.startswith("Error: template: "), proc.stderr
    assert digest


def test_discover_depth_and_tags_of_one_manifest(oras, registry, repo_name, tmp_path):
    ref = f"{registry.localhost}/{repo_name}"
    digest = _push(oras, f"{ref}:v1", tmp_path, data="d1")
    _push(oras, f"{ref}:other", tmp_path, data="d2")
    oras("tag", f"{ref}:v1", "alias")
    sig = json.loads(oras("attach", "--artifact-type", "x/sig", f"{ref}:v1", "-a", "l=1",
                          "--format", "json").stdout)
    oras("attach", "--artifact-type", "x/sig-of-sig", f"{ref}@{sig['digest']}", "-a", "l=2")
    full = json.loads(oras("discover", f"{ref}:v1", "--format", "json").stdout)
    assert full["referrers"][0]["referrers"][0]["artifactType"] == "x/sig-of-sig"
    shallow = json.loads(oras("discover", f"{ref}:v1", "--format", "json", "--depth", "1").stdout)
    assert shallow["referrers"][0]["referrers"] == []
    assert sorted(oras("repo", "tags", f"{ref}@{digest}").stdout.split()) == ["alias", "v1"]
    assert oras("repo", "tags", f"{ref}:other").stdout.split() == ["other"]


def test_every_command_is_listed_in_help(oras):
    out = oras("--help").stdout
    for name in ("attach", "backup", "blob", "completion", "cp", "discover", "help", "login", "logout",
                 "manifest", "pull", "push", "repo", "resolve", "restore", "tag", "version"):
        assert f"  {name} " in out, name
    assert "fetch-config" in oras("manifest", "--help").stdout
    assert oras("cp", "--help").stdout.count("--from-") >= 10
    assert "create" in oras("manifest", "index", "--help").stdout


def test_platform_selection_for_attach_discover_copy_and_resolve(oras, registry, repo_name,
                                                                 tmp_path):
    import io as _io

    from orasx import mediatype
    from orasx.descriptor import Descriptor, Platform, canonical_json
    from orasx.registry.remote import Repository

    repo = Repository(f"{registry.host}/{repo_name}")
    children = {}
    for arch in ("amd64", "arm64"):
        cfg_raw = canonical_json({"os": "linux", "architecture": arch})
        cfg = Descriptor.from_bytes(mediatype.OCI_CONFIG, cfg_raw)
        repo.push(cfg, _io.BytesIO(cfg_raw))
        raw = canonical_json({"schemaVersion": 2, "mediaType": mediatype.OCI_MANIFEST,
                              "config": cfg.to_dict(), "layers": []})
        desc = Descriptor.from_bytes(mediatype.OCI_MANIFEST, raw, platform=Platform("linux", arch))
        repo.push(desc, _io.BytesIO(raw))
        children[arch] = desc
    index_raw = canonical_json({"schemaVersion": 2, "mediaType": mediatype.OCI_INDEX,
                                "manifests": [c.to_dict() for c in children.values()]})
    repo.push_reference(Descriptor.from_bytes(mediatype.OCI_INDEX, index_raw),
                        _io.BytesIO(index_raw), "multi")
    ref = f"{registry.localhost}/{repo_name}:multi"
    arm = str(children["arm64"].digest)
    assert oras("resolve", ref, "--platform", "linux/arm64").stdout.strip() == arm
    oras("attach", "--platform", "linux/arm64", "--artifact-type", "x/arm-only", ref, "-a", "k=v")
    on_arm = json.loads(oras("discover", ref, "--platform", "linux/arm64", "--format",
                             "json").stdout)
    assert on_arm["digest"] == arm and [r["artifactType"] for r in on_arm["referrers"]] == [
        "x/arm-only"]
    on_index = json.loads(oras("discover", ref, "--format", "json").stdout)
    assert on_index["referrers"] == []
    oras("cp", "--platform", "linux/arm64", ref, f"{registry.localhost}/{repo_name}-arm:v1")
    assert oras("resolve", f"{registry.localhost}/{repo_name}-arm:v1").stdout.strip() == arm
    config = oras("manifest", "fetch-config", ref, "--platform", "linux/amd64").stdout
    assert json.loads(config)["architecture"] == "amd64"
