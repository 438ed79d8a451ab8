"""Real commands, in process, with the library faked: the flags reach the library typed, and the
result comes out through the format's handler."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import orasx.api
from orasx.api import CopyResult, Endpoint, FileReference, PushResult, locate
from orasx.cli.main import cli
from orasx.descriptor import Descriptor

MANIFEST = Descriptor.from_bytes("application/vnd.oci.image.manifest.v1+json", b"{}")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), prog_name="oras")
    return result.exit_code, result.output


def test_push_passes_typed_flags_and_prints_through_the_handler(monkeypatch):
    calls: list[tuple[tuple[object, ...], dict[str, object]]] = []

    def fake_push(*args: object, **kwargs: object) -> PushResult:
        calls.append((args, kwargs))
        return PushResult(MANIFEST, b"{}", "dir:v1", ("v1", "v2"),
                          locate("dir:v1", oci_layout=True))

    monkeypatch.setattr(orasx.api, "push", fake_push)
    code, output = run("push", "--oci-layout", "--plain-http=false", "-H", "X-A: 1",
                       "--format", "json", "dir:v1,v2", "a.txt", "b.txt:text/plain")
    assert code == 0, output
    (args, kwargs), = calls
    # each file argument parsed once, by the CLI, into the value the library takes
    assert args == ("dir:v1,v2", [FileReference("a.txt"), FileReference("b.txt", "text/plain")])
    assert kwargs["oci_layout"] is True
    remote = kwargs["remote"]
    assert isinstance(remote, orasx.api.Remote)
    assert remote.options.plain_http is False and dict(remote.options.headers) == {"X-A": "1"}
    assert json.loads(output)["referenceAsTags"] == ["dir:v1", "dir:v2"]


def test_copy_gives_each_side_its_own_flags(monkeypatch):
    seen: list[Endpoint] = []

    def fake_copy(source: Endpoint, destination: Endpoint, **kwargs: object) -> CopyResult:
        seen.extend([source, destination])
        return CopyResult(MANIFEST, ("v1",), locate("a.example/x:v1"),
                          locate("dir:v1", oci_layout=True))

    monkeypatch.setattr(orasx.api, "copy", fake_copy)
    code, output = run("cp", "--from-username", "u", "--from-password", "p",
                       "--from-plain-http", "--to-oci-layout", "--to-registry-config", "c.json",
                       "a.example/x:v1", "dir:v1")
    assert code == 0, output
    source, destination = seen
    assert (source.reference, source.oci_layout) == ("a.example/x:v1", False)
    assert source.remote.credential.username == "u" and source.remote.options.plain_http
    assert (destination.reference, destination.oci_layout) == ("dir:v1", True)
    assert not destination.remote.credential and destination.remote.registry_config == ("c.json",)
    assert destination.remote.options.plain_http is None
    assert output.endswith("Copied [registry] a.example/x:v1 => [oci-layout] dir:v1\n"
                           f"Digest: {MANIFEST.digest}\n")


@pytest.mark.parametrize("args", [
    ("push", "--format", "yaml", "dir:v1"),
    ("pull", "--template", "x", "--format", "json", "r.example/a:v1"),
    ("discover", "--format", "yaml", "r.example/a:v1"),
])
def test_format_errors_come_before_the_library_is_called(monkeypatch, args):
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("the library was called")

    for verb in ("push", "pull", "discover"):
        monkeypatch.setattr(orasx.api, verb, boom)
    code, _ = run(*args)
    assert code == 1  # as the Go CLI: every error exits 1
