"""Credentials the way docker keeps them: ``config.json`` (auths, credsStore, credHelpers), native
credential helpers (``docker-credential-<name>``), and podman's ``auth.json`` as a read-only fallback.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from orasx._fsutil import make_dirs
from orasx._gostr import go_json_escapes
from orasx.errors import AuthenticationError, InvalidInputError
from orasx.registry.auth import EMPTY_CREDENTIAL, Credential

log = logging.getLogger(__name__)

DOCKER_HUB_KEY = "https://index.docker.io/v1/"
_HUB_HOSTS = {"docker.io", "index.docker.io", "registry-1.docker.io"}
_MAX_CONFIG = 4 * 1024 * 1024
_TOKEN_USER = "<token>"


def default_config_path() -> str:
    base = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    return os.path.join(base, "config.json")


def podman_auth_paths() -> list[str]:
    """podman's auth files, read as fallbacks: ``REGISTRY_AUTH_FILE``, then the runtime dir."""
    paths = []
    if os.environ.get("REGISTRY_AUTH_FILE"):
        paths.append(os.environ["REGISTRY_AUTH_FILE"])
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        paths.append(os.path.join(runtime, "containers", "auth.json"))
    return paths


def server_key(host: str) -> str:
    """The config key for a registry host (Docker Hub's is the legacy index URL)."""
    return DOCKER_HUB_KEY if host in _HUB_HOSTS else host


def hostname_of(key: str) -> str:
    """``https://reg.io/v1/`` -> ``reg.io``: scheme and path stripped, nothing else."""
    if "://" in key:
        key = urllib.parse.urlsplit(key).netloc
    return key.split("/", 1)[0]


def _decode_auth(value: str) -> tuple[str, str]:
    try:
        user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        raise AuthenticationError("invalid 'auth' value in the credentials file") from None
    return user, password


@dataclass
class _File:
    path: str
    doc: dict[str, Any]

    @classmethod
    def load(cls, path: str) -> _File:
        try:
            with open(path, "rb") as f:
                data = f.read(_MAX_CONFIG + 1)
        except FileNotFoundError:
            return cls(path, {})
        if len(data) > _MAX_CONFIG:
            raise InvalidInputError(f"{path}: credentials file is larger than 4 MiB")
        if not data.strip():
            return cls(path, {})
        try:
            doc = json.loads(data)
        except ValueError as e:
            raise InvalidInputError(f"{path}: not valid JSON: {e}") from None
        if not isinstance(doc, dict):
            raise InvalidInputError(f"{path}: expected a JSON object")
        return cls(path, doc)

    def helper_for(self, host: str) -> str:
        helpers = self.doc.get("credHelpers") or {}
        key = server_key(host)
        if isinstance(helpers, dict) and (helpers.get(key) or helpers.get(host)):
            return str(helpers.get(key) or helpers.get(host))
        return str(self.doc.get("credsStore") or "")

    def entry_for(self, host: str) -> dict[str, Any] | None:
        auths = self.doc.get("auths") or {}
        if not isinstance(auths, dict):
            return None
        key = server_key(host)
        if isinstance(auths.get(key), dict):
            return auths[key]  # type: ignore[no-any-return]
        for k, v in auths.items():  # legacy keys: "https://reg.io/", "http://reg.io/v2/"
            if isinstance(v, dict) and hostname_of(k) == hostname_of(key):
                return v
        return None

    def save(self) -> None:
        """Atomically write (temp + rename) with mode 0600, in a 0700 directory if we create it."""
        path = os.path.realpath(self.path)
        directory = os.path.dirname(path)
        if not os.path.isdir(directory):
            make_dirs(directory, 0o700)
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".orasx-credstore-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(go_json(self.doc))
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def go_json(doc: dict[str, Any]) -> bytes:
    """``doc`` as the Go CLI writes a credentials file (``json.MarshalIndent`` with a tab): the
    top level's and ``auths``' keys sorted, UTF-8 as is, ``<``, ``>``, ``&`` escaped, and no final
    newline."""
    out = {k: doc[k] for k in sorted(doc)}
    if isinstance(out.get("auths"), dict):
        out["auths"] = {k: out["auths"][k] for k in sorted(out["auths"])}
    text = go_json_escapes(json.dumps(out, indent="\t", ensure_ascii=False))
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate read from a "\\ud800" escape: keep it escaped
        return json.dumps(out, indent="\t").encode()


class HelperError(AuthenticationError):
    pass


def run_helper(helper: str, action: str, payload: str) -> str | None:
    """Run ``docker-credential-<helper> <action>``; ``None`` when it has no credentials."""
    import shutil  # (here: shutil and subprocess are only needed when a helper is configured)
    import subprocess

    exe = shutil.which(f"docker-credential-{helper}")
    if exe is None:
        raise HelperError(
            f"credential helper 'docker-credential-{helper}' is configured but not found on PATH: "
            "install it or remove it from the config file"
        )
    proc = subprocess.run([exe, action], input=payload.encode(), capture_output=True, timeout=60)
    out = proc.stdout.decode(errors="replace").strip()
    if proc.returncode != 0:
        text = (out or proc.stderr.decode(errors="replace")).strip()
        if "credentials not found" in text.lower():
            return None
        raise HelperError(f"credential helper '{helper}' {action} failed: {text[:200]}")
    return out


class CredentialStore:
    """Read and write credentials like docker. ``paths[0]`` is written; the rest are read-only."""

    def __init__(self, paths: Sequence[str] | None = None, *, include_podman: bool = True) -> None:
        self.paths = list(paths) if paths else [default_config_path()]
        self.fallbacks = podman_auth_paths() if include_podman and not paths else []

    def get(self, host: str) -> Credential:
        for path in [*self.paths, *self.fallbacks]:
            cred = self._get_from(_File.load(path), host)
            if cred:
                return cred
        return EMPTY_CREDENTIAL

    def _get_from(self, f: _File, host: str) -> Credential:
        helper = f.helper_for(host)
        if helper:
            out = run_helper(helper, "get", server_key(host))
            if out is None:
                return EMPTY_CREDENTIAL
            try:
                doc = json.loads(out)
            except ValueError:
                raise HelperError(f"credential helper '{helper}' returned invalid JSON") from None
            user, secret = str(doc.get("Username", "")), str(doc.get("Secret", ""))
            if user == _TOKEN_USER:
                return Credential(identity_token=secret)
            return Credential(username=user, password=secret)
        entry = f.entry_for(host)
        if entry is None:
            return EMPTY_CREDENTIAL
        user, password = str(entry.get("username", "")), str(entry.get("password", ""))
        if entry.get("auth"):
            user, password = _decode_auth(str(entry["auth"]))
        return Credential(
            username=user,
            password=password,
            identity_token=str(entry.get("identitytoken", "")),
            registry_token=str(entry.get("registrytoken", "")),
        )

    def store(self, host: str, cred: Credential) -> bool:
        """Save ``cred`` for ``host``; returns True when it was written in plain text."""
        f = _File.load(self.paths[0])
        helper = f.helper_for(host)
        key = server_key(host)
        if helper:
            user, secret = (_TOKEN_USER, cred.identity_token) if cred.identity_token else (
                cred.username, cred.password)
            run_helper(helper, "store",
                       json.dumps({"ServerURL": key, "Username": user, "Secret": secret}))
            return False
        auths = f.doc.setdefault("auths", {})
        entry: dict[str, str] = {}
        if cred.identity_token:
            entry["identitytoken"] = cred.identity_token
        else:
            raw = f"{cred.username}:{cred.password}".encode()
            entry["auth"] = base64.b64encode(raw).decode()
        for k in [k for k in auths if hostname_of(k) == hostname_of(key)]:
            del auths[k]
        auths[key] = entry
        f.save()
        return True

    def erase(self, host: str) -> bool:
        """Remove the credentials for ``host``; returns False when there were none."""
        f = _File.load(self.paths[0])
        helper = f.helper_for(host)
        if helper:
            return run_helper(helper, "erase", server_key(host)) is not None
        auths = f.doc.get("auths") or {}
        keys = [k for k in auths if hostname_of(k) == hostname_of(server_key(host))]
        for k in keys:
            del auths[k]
        if keys:
            f.save()
        return bool(keys)

    def plaintext_path(self) -> str:
        return self.paths[0]
