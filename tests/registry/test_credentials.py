"""The docker-compatible credential store: files, helpers, podman fallback, exact host match."""

from __future__ import annotations

import base64
import json
import os

import pytest

from orasx.errors import AuthenticationError
from orasx.registry.auth import Credential
from orasx.registry.credentials import CredentialStore


def test_symlinked_config_is_updated_at_its_target(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("{}")
    link = tmp_path / "config.json"
    link.symlink_to(real)
    CredentialStore([str(link)]).store("reg.io", Credential(username="u", password="p"))
    assert link.is_symlink()
    assert json.loads(real.read_text())["auths"]["reg.io"]["auth"] == base64.b64encode(
        b"u:p").decode()




@pytest.mark.parametrize("host", ["reg.example.com.evil.io", "evil.io", "reg.example.com:5001",
                                  "example.com", "eg.example.com"])
def test_credentials_match_hosts_exactly(tmp_path, host):
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"auths": {
        "reg.example.com": {"auth": base64.b64encode(b"u:p").decode()}}}))
    store = CredentialStore([str(cfg)], include_podman=False)
    assert not store.get(host)
    assert store.get("reg.example.com") == Credential(username="u", password="p")


def test_legacy_url_keys_and_docker_hub(tmp_path):
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"auths": {
        "https://reg.example.com/": {"auth": base64.b64encode(b"a:b").decode()},
        "https://index.docker.io/v1/": {"identitytoken": "tok"}}}))
    store = CredentialStore([str(cfg)], include_podman=False)
    assert store.get("reg.example.com").username == "a"
    assert store.get("registry-1.docker.io").identity_token == "tok"
    assert store.get("docker.io").identity_token == "tok"


def test_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    cfg = tmp_path / "config.json"
    cfg.write_text('{"auths": {}}')

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        CredentialStore([str(cfg)]).store("reg.io", Credential(username="u", password="p"))
    assert cfg.read_text() == '{"auths": {}}'
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]


def test_invalid_auth_value_is_a_clear_error(tmp_path):
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"auths": {"reg.io": {"auth": "!!notbase64"}}}))
    with pytest.raises(AuthenticationError, match="invalid 'auth'"):
        CredentialStore([str(cfg)]).get("reg.io")
