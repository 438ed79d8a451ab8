"""Token (bearer) auth against Distribution with ``auth: token`` and the test token server."""

from __future__ import annotations

import json
from pathlib import Path


def _push(oras, host: str, tmp_path: Path, repo: str, *extra: str, ok: bool = True, **kw):
    (tmp_path / "t.txt").write_text("token content")
    return oras("push", f"{host}/{repo}:v1", "t.txt", *extra, ok=ok, **kw)


def test_push_and_pull_with_basic_credentials_for_a_token(oras, token_registry, tmp_path):
    host = token_registry.registry.host
    proc = _push(oras, host, tmp_path, "tok/a", "-u", "bob", "--password-stdin",
                 input="b0b-password")
    assert "Pushed" in proc.stdout
    oras("pull", f"{host}/tok/a:v1", "-o", "out", "-u", "bob", "--password-stdin",
         input="b0b-password")
    assert (tmp_path / "out" / "t.txt").read_text() == "token content"
    # One token request asked for pull and push up front.
    scopes = [r.path for r in token_registry.tokens.requests if "scope=" in r.path]
    assert any("pull%2Cpush" in p or "pull,push" in p for p in scopes)


def test_identity_token_uses_the_oauth2_post(oras, token_registry, tmp_path):
    host = token_registry.registry.host
    before = len(token_registry.tokens.requests)
    _push(oras, host, tmp_path, "tok/b", "--identity-token-stdin", input="refresh-abc\n")
    posts = [r for r in token_registry.tokens.requests[before:] if r.method == "POST"]
    assert posts and b"grant_type=refresh_token" in posts[0].body


def test_wrong_password_is_a_one_line_error(oras, token_registry, tmp_path):
    proc = _push(oras, token_registry.registry.host, tmp_path, "tok/c", "-u", "bob",
                 "--password-stdin", input="nope", ok=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: ") and proc.stderr.count("\n") == 1
    assert "nope" not in proc.stderr


def test_anonymous_push_is_refused_with_a_hint(oras, token_registry, tmp_path):
    proc = _push(oras, token_registry.registry.host, tmp_path, "tok/d", ok=False)
    assert proc.returncode == 1
    # The Go CLI's words for a registry that wants credentials we do not have, with its hint.
    assert proc.stderr.startswith("Error: basic credential not found\n")
    assert "Please check whether the registry credential stored" in proc.stderr


def test_missing_scope_says_permission(oras, token_registry, tmp_path):
    token_registry.tokens.denied_actions.add("push")
    try:
        proc = _push(oras, token_registry.registry.host, tmp_path, "tok/e", "-u", "bob",
                     "--password-stdin", input="b0b-password", ok=False)
    finally:
        token_registry.tokens.denied_actions.clear()
    assert proc.returncode == 1
    assert "permission" in proc.stderr or "scope" in proc.stderr


def test_login_then_push_uses_saved_credentials(oras, token_registry, tmp_path):
    host = token_registry.registry.host
    cfg = tmp_path / "cfg" / "config.json"
    oras("login", host, "-u", "bob", "--password-stdin", "--registry-config", str(cfg),
         input="b0b-password\n")
    assert json.loads(cfg.read_text())["auths"][host]["auth"]
    _push(oras, host, tmp_path, "tok/f", "--registry-config", str(cfg))
    proc = oras("login", host, "-u", "bob", "--password-stdin", "--registry-config",
                str(tmp_path / "other.json"), input="bad", ok=False)
    assert proc.returncode == 1 and not (tmp_path / "other.json").exists()


def test_debug_never_shows_tokens_or_passwords(oras, token_registry, tmp_path):
    before = len(token_registry.tokens.issued)
    proc = _push(oras, token_registry.registry.host, tmp_path, "tok/g", "-u", "bob",
                 "--password-stdin", "--debug", input="b0b-password")
    tokens = token_registry.tokens.issued[before:]
    assert tokens
    text = proc.stdout + proc.stderr
    assert '"Authorization": "*****"' in text
    assert "b0b-password" not in text
    assert not any(t in text or t.split(".")[2] in text for t in tokens)
