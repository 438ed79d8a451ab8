"""The library raises the specific error class from every verb, with the failing side as ``origin``,
and its messages carry no command-line advice."""

from __future__ import annotations

from pathlib import Path

import pytest

import orasx
from orasx.api import Remote
from orasx.registry.auth import Credential

NO_STORE = Remote(use_credential_store=False)
CLI_ADVICE = ("oras login", "-u/-p", "--plain-http", "--insecure", "-T/", "-k/")


def _no_advice(err: BaseException) -> None:
    assert not [a for a in CLI_ADVICE if a in str(err)], str(err)


@pytest.fixture
def artifact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("hello\n")
    return tmp_path


def test_push_without_credentials_raises_authentication_error(auth_registry, artifact, repo_name):
    with pytest.raises(orasx.AuthenticationError) as info:
        orasx.push(f"{auth_registry.host}/{repo_name}:v1", ["a.txt"], remote=NO_STORE)
    assert info.value.origin in (None, "destination")
    assert info.value.reason == "unauthorized"
    _no_advice(info.value)


def test_pull_without_credentials_raises_authentication_error(auth_registry, artifact, repo_name):
    with pytest.raises(orasx.AuthenticationError) as info:
        orasx.pull(f"{auth_registry.host}/{repo_name}:v1", "out", remote=NO_STORE)
    _no_advice(info.value)


def test_copy_from_a_registry_without_credentials_says_source(auth_registry, artifact, repo_name):
    good = Remote(credential=Credential(username="alice", password="s3cret-pw"),
                  use_credential_store=False)
    ref = f"{auth_registry.host}/{repo_name}:v1"
    orasx.push(ref, ["a.txt"], remote=good)
    src = orasx.Repository(orasx.parse_reference(ref), NO_STORE.client(auth_registry.host))
    dst = orasx.OCILayoutStore("layout")
    with pytest.raises(orasx.AuthenticationError) as info:
        orasx.copy(src, "v1", dst, "v1")
    assert info.value.origin == "source"
    _no_advice(info.value)


def test_copy_to_a_registry_without_credentials_says_destination(auth_registry, artifact,
                                                                  repo_name):
    orasx.push("layout:v1", ["a.txt"], oci_layout=True)
    src = orasx.OCILayoutStore("layout")
    ref = orasx.parse_reference(f"{auth_registry.host}/{repo_name}:v1")
    dst = orasx.Repository(ref, NO_STORE.client(auth_registry.host))
    with pytest.raises(orasx.AuthenticationError) as info:
        orasx.copy(src, "v1", dst, "v1")
    assert info.value.origin == "destination"


def test_copy_of_a_missing_tag_raises_not_found(registry, artifact, repo_name):
    src = orasx.Repository(orasx.parse_reference(f"{registry.host}/{repo_name}:nope"))
    with pytest.raises(orasx.NotFoundError) as info:
        orasx.copy(src, "nope", orasx.MemoryStore(), "nope")
    assert info.value.origin == "source"


def test_pull_of_a_missing_tag_raises_not_found(registry, artifact, repo_name):
    with pytest.raises(orasx.NotFoundError):
        orasx.pull(f"{registry.host}/{repo_name}:nope", "out")


def test_cli_still_gives_the_login_advice(oras, auth_registry, repo_name, tmp_path):
    (tmp_path / "a.txt").write_text("x")
    proc = oras("push", f"{auth_registry.localhost}/{repo_name}:v1", "a.txt", ok=False)
    assert proc.returncode == 1
    # The library said only "unauthorized"; the CLI words it as the Go CLI does, with the hint.
    assert proc.stderr.startswith("Error: basic credential not found\n")
    assert "Please check whether the registry credential stored" in proc.stderr
