"""The docker-compatible credential store: files, helpers, podman fallback, exact host match."""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
from pathlib import Path

import pytest

HELPER = """#!{python}
import json, os, sys
db = os.environ["ORASX_TEST_HELPER_DB"]
data = json.load(open(db)) if os.path.exists(db) else {{}}
action = sys.argv[1]
inp = sys.stdin.read()
if action == "get":
    if inp.strip() not in data:
        print("credentials not found in native keychain")
        sys.exit(1)
    print(json.dumps(data[inp.strip()]))
elif action == "store":
    doc = json.loads(inp)
    data[doc["ServerURL"]] = doc
    json.dump(data, open(db, "w"))
elif action == "erase":
    if data.pop(inp.strip(), None) is None:
        print("credentials not found in native keychain")
        sys.exit(1)
    json.dump(data, open(db, "w"))
"""


@pytest.fixture
def helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "docker-credential-orasxtest"
    exe.write_text(HELPER.format(python=sys.executable))
    exe.chmod(0o755)
    db = tmp_path / "helper-db.json"
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    monkeypatch.setenv("ORASX_TEST_HELPER_DB", str(db))
    return db



def test_login_stores_in_the_helper_and_push_uses_it(oras, auth_registry, tmp_path, helper):
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"credsStore": "orasxtest", "HttpHeaders": {"X-Keep": "me"}}))
    proc = oras("login", auth_registry.localhost, "-u", "alice", "--password-stdin",
                "--registry-config", str(cfg), input="s3cret-pw\n")
    assert "Login Succeeded" in proc.stdout and "unencrypted" not in proc.stderr
    doc = json.loads(cfg.read_text())
    assert "auths" not in doc and doc["HttpHeaders"] == {"X-Keep": "me"}
    stored = json.loads(helper.read_text())[auth_registry.localhost]
    assert stored["Username"] == "alice" and stored["Secret"] == "s3cret-pw"
    (tmp_path / "f.txt").write_text("helper")
    oras("push", f"{auth_registry.localhost}/helper:v1", "f.txt", "--registry-config", str(cfg))
    oras("logout", auth_registry.localhost, "--registry-config", str(cfg))
    assert json.loads(helper.read_text()) == {}

def test_missing_helper_is_an_error_not_a_fallback(oras, auth_registry, tmp_path):
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"credsStore": "doesnotexist",
                               "auths": {auth_registry.localhost: {"auth": "YWxpY2U6czNjcmV0LXB3"}}}))
    (tmp_path / "f.txt").write_text("x")
    proc = oras("push", f"{auth_registry.localhost}/h:v1", "f.txt", "--registry-config", str(cfg),
                ok=False)
    assert proc.returncode == 1 and "docker-credential-doesnotexist" in proc.stderr
    proc = oras("login", auth_registry.localhost, "-u", "alice", "--password-stdin",
                "--registry-config", str(cfg), input="s3cret-pw", ok=False)
    assert proc.returncode == 1 and "docker-credential-doesnotexist" in proc.stderr

def test_plaintext_login_writes_0600_keeps_unknown_keys_and_warns(oras, auth_registry, tmp_path):
    cfgdir = tmp_path / "newdir"
    cfg = cfgdir / "config.json"
    proc = oras("login", auth_registry.localhost, "-u", "alice", "-p", "s3cret-pw",
                "--registry-config", str(cfg))
    assert "Using --password via the CLI is insecure" in proc.stderr
    assert "stored unencrypted" not in proc.stderr  # the Go CLI does not warn here either
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert stat.S_IMODE(cfgdir.stat().st_mode) == 0o700
    doc = json.loads(cfg.read_text())
    doc["proxies"] = {"default": {"httpProxy": "x"}}
    cfg.write_text(json.dumps(doc))
    oras("login", auth_registry.localhost, "-u", "alice", "--password-stdin",
         "--registry-config", str(cfg), input="s3cret-pw")
    assert json.loads(cfg.read_text())["proxies"] == {"default": {"httpProxy": "x"}}
    assert [p.name for p in cfgdir.iterdir()] == ["config.json"]

def test_podman_auth_file_is_a_read_only_fallback(oras, auth_registry, tmp_path, monkeypatch):
    auth = tmp_path / "auth.json"
    auth.write_text(json.dumps({"auths": {auth_registry.localhost: {
        "auth": base64.b64encode(b"alice:s3cret-pw").decode()}}}))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(auth))
    (tmp_path / "f.txt").write_text("podman")
    oras("push", f"{auth_registry.localhost}/podman:v1", "f.txt")
