"""Error text from the registry layer, references and login/logout, in the Go CLI's (v1.3.3) words.

Every expected string here was printed by the Go ``oras`` binary on the same failure (see
``tests/parity``); the library states the problem, the CLI adds the prefix, the operation and,
only where Go has none, a recommendation line.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
import urllib3
from click.testing import CliRunner

from orasx.cli import _hints
from orasx.cli._nethttp import go_text
from orasx.cli.main import cli
from orasx.errors import (
    AuthenticationError,
    InvalidReferenceError,
    NetworkError,
    NotFoundError,
    OrasError,
    RegistryError,
)
from orasx.reference import parse_reference
from orasx.registry._errors import (
    captured,
    go_value,
    network_error,
    refused_error,
    registry_error,
)
from orasx.registry.auth import Credential
from orasx.registry.credentials import CredentialStore
from tests.support.cli import command_context

URL = "http://localhost:5000/v2/ns/r/manifests/v1"


@dataclass
class Answer:
    """A registry's error answer (what ``registry_error`` reads of a response)."""

    status: int
    url: str = URL
    body: bytes = b""
    discarded: bool = False

    def read_capped(self, limit: int) -> bytes:
        return self.body[:limit]

    def discard(self) -> None:
        self.discarded = True


def _errors(*errors: dict[str, object]) -> bytes:
    return json.dumps({"errors": list(errors)}).encode()


_ctx = command_context


# -- registry answers: oras-go's ErrorResponse ---------------------------------------------------

def test_a_missing_repository_keeps_the_registrys_words_and_detail():
    body = _errors({"code": "NAME_UNKNOWN", "message": "repository name not known to registry",
                    "detail": {"name": "ns/none"}})
    answer = Answer(404, "http://localhost:5000/v2/ns/none/tags/list", body)
    err = registry_error(answer, "GET", "localhost:5000/ns/none", "localhost:5000")
    assert isinstance(err, NotFoundError) and isinstance(err, RegistryError) and answer.discarded
    assert err.detail == "name unknown: repository name not known to registry: map[name:ns/none]"
    assert str(err) == ('GET "http://localhost:5000/v2/ns/none/tags/list": response status code '
                        "404: " + err.detail)
    assert _hints.render(err, _ctx("repo tags", target=None)) == (
        "Error response from registry: name unknown: repository name not known to registry: "
        "map[name:ns/none]")


def test_several_errors_are_joined_as_oras_go_does():
    blobs = ["sha256:" + "a" * 64, "sha256:" + "b" * 64]
    body = _errors(*({"code": "MANIFEST_BLOB_UNKNOWN", "message": "blob unknown to registry",
                      "detail": d} for d in blobs))
    err = registry_error(Answer(400, body=body), "PUT", "ref", "localhost:5000")
    assert _hints.render(err, _ctx("manifest push", reference="localhost:5000/ns/r:v1")) == (
        "Error response from registry: "
        f"manifest blob unknown: blob unknown to registry: {blobs[0]}; "
        f"manifest blob unknown: blob unknown to registry: {blobs[1]}")


def test_an_answer_without_errors_is_shown_whole_without_the_operation():
    err = registry_error(Answer(401), "HEAD", "ref", "localhost:5000")
    assert isinstance(err, AuthenticationError) and err.detail == ""
    assert _hints.render(err, _ctx("resolve", reference="localhost:5000/ns/r:v1")) == (
        f'Error response from registry: HEAD "{URL}": response status code 401: Unauthorized')


def test_refused_credentials_show_the_registrys_answer():
    body = _errors({"code": "UNAUTHORIZED", "message": "authentication required",
                    "detail": [{"Type": "registry", "Class": "", "Name": "catalog",
                                "Action": "*"}]})
    err = refused_error(captured(Answer(401, body=body)), "GET", "localhost:5000")
    assert err.reason == "credentials-refused" and err.status == 401
    assert _hints.render(err, _ctx("repo ls", registry="localhost:5000")) == (
        "Error response from registry: unauthorized: authentication required: "
        "[map[Action:* Class: Name:catalog Type:registry]]")
    assert _hints.render(err, _ctx("login", registry="localhost:5000")) == (
        "Error response from registry: unauthorized: authentication required: "
        "[map[Action:* Class: Name:catalog Type:registry]]")


def test_a_body_that_is_not_the_specs_json_follows_the_status_text():
    err = registry_error(Answer(502, body=b"<html>bad gateway</html>"), "GET", "r", "h")
    assert str(err) == f'GET "{URL}": response status code 502: Bad Gateway: <html>bad gateway</html>'
    err = registry_error(Answer(413), "PUT", "r", "h")
    assert str(err).endswith("response status code 413: Request Entity Too Large")


def test_the_url_in_an_answer_is_redacted():
    url = "https://alice:s3cret@reg.example/v2/ns/r/blobs/uploads/x?_state=SECRET&digest=sha256:1"
    err = registry_error(Answer(500, url=url), "PUT", "r", "reg.example")
    assert "s3cret" not in str(err) and "SECRET" not in str(err) and "alice" not in str(err)
    assert str(err).startswith('PUT "https://reg.example/v2/ns/r/blobs/uploads/x?')


@pytest.mark.parametrize(("value", "text"), [
    (1, "1"), (1.5, "1.5"), (1000000, "1e+06"), (123456, "123456"), (1234567, "1.234567e+06"),
    (0.0001, "0.0001"), (0.00001, "1e-05"), (-2.5e-7, "-2.5e-07"), (None, "<nil>"),
    ({"b": [True, None, "x"], "a": {}}, "map[a:map[] b:[true <nil> x]]"),
    (12345678901234567890, "1.2345678901234567e+19"),
])
def test_details_print_as_gos_percent_v(value, text):
    assert go_value(value) == text


# -- connection failures: Go's url.Error -----------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _connect_error(port: int) -> BaseException:
    pool = urllib3.HTTPConnectionPool("localhost", port, retries=False)
    try:
        pool.urlopen("GET", "/v2/", retries=False)
    except urllib3.exceptions.HTTPError as e:
        return e
    raise AssertionError("connected to a closed port")


def test_a_refused_connection_reads_as_gos_dial_error():
    port = _closed_port()
    url = f"http://localhost:{port}/v2/ns/r/manifests/v1"
    err = network_error("HEAD", url, _connect_error(port))
    # the library carries the data and states it in its words; the CLI words it as Go does
    assert (err.reason, err.method, err.url, err.host, err.port) == (
        "refused", "HEAD", url, "localhost", port)
    assert err.errno is not None
    assert str(err) == f"HEAD {url}: connection to localhost:{port} refused"
    assert go_text(err, address="127.0.0.1") == (
        f'Head "{url}": dial tcp 127.0.0.1:{port}: connect: connection refused')
    go = go_text(err)  # the address localhost resolves to
    assert go.startswith(f'Head "{url}": dial tcp ') and go.endswith(
        f":{port}: connect: connection refused")
    assert _hints.render(err, _ctx("resolve", reference=f"localhost:{port}/ns/r:v1")) == (
        f"Error: failed to resolve digest: {go}")
    assert _hints.render(err, _ctx("pull", reference=f"localhost:{port}/ns/r:v1")) == \
        f"Error: {go}"
    assert _hints.render(err, _ctx("login", registry=f"localhost:{port}")) == (
        f"Error: failed to validate the credentials for localhost:{port}: {go}")
    assert _hints.render(err, _ctx("repo ls", registry=f"localhost:{port}")) == (
        f'Error: could not list repositories for "localhost:{port}"\n{go}')


def test_an_ipv6_address_is_bracketed():
    err = network_error("GET", "https://[::1]:1/v2/", _connect_error_at("::1"))
    assert go_text(err).endswith("dial tcp [::1]:1: connect: connection refused")


def _connect_error_at(host: str) -> BaseException:
    e = urllib3.exceptions.NewConnectionError(
        urllib3.connection.HTTPConnection(host, 1), "Failed to establish a new connection: "
        "[Errno 111] Connection refused")
    return e


def _plain_http_answer() -> BaseException:
    return urllib3.exceptions.SSLError(
        ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"))


def test_plain_http_answering_https_says_so_and_suggests_plain_http():
    url = "https://127.0.0.1:5000/v2/ns/r/manifests/v1"
    err = network_error("HEAD", url, _plain_http_answer())
    go = go_text(err)
    assert go == f'Head "{url}": http: server gave HTTP response to HTTPS client'
    assert err.reason == "https-plain" and "--" not in str(err)  # no advice in the library
    text = _hints.render(err, _ctx("resolve", reference="127.0.0.1:5000/ns/r:v1"))
    assert text.split("\n") == [f"Error: failed to resolve digest: {go}",
                                "The registry answered in plain HTTP: pass --plain-http to use "
                                "HTTP for it"]
    assert "--insecure" not in text
    # the user chose HTTPS explicitly (--plain-http=false): Go's line alone
    assert _hints.render(err, _ctx("push", reference="localhost:5000/ns/r:v1",
                                   plain_http=False)) == f"Error: {go}"


def test_an_untrusted_certificate_reads_as_go_and_suggests_ca_file():
    e = urllib3.exceptions.SSLError(ssl.SSLCertVerificationError(
        1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate "
           "(_ssl.c:1006)"))
    err = network_error("GET", "https://reg.example/v2/", e)
    assert go_text(err) == ('Get "https://reg.example/v2/": tls: failed to verify certificate: '
                            "x509: certificate signed by unknown authority")
    assert _hints.render(err, _ctx("pull", reference="reg.example/r:v1")).split("\n")[1] == (
        "Pass --ca-file with the registry's CA certificate, or --insecure to skip the "
        "verification")


def test_an_unknown_host_reads_as_gos_lookup_error():
    e = urllib3.exceptions.NameResolutionError(
        "nonexist.invalid", urllib3.connection.HTTPSConnection("nonexist.invalid", 443),
        socket.gaierror(-2, "Name or service not known"))
    err = network_error("HEAD", "https://nonexist.invalid/v2/", e)
    assert go_text(err) == ('Head "https://nonexist.invalid/v2/": dial tcp: lookup '
                            "nonexist.invalid: no such host")
    assert (err.reason, err.host) == ("lookup", "nonexist.invalid")
    assert isinstance(err, NetworkError)


# -- references ------------------------------------------------------------------------------------

FORM = "Please make sure the provided reference is in the form of <registry>/<repo>[:tag|@digest]"


@pytest.mark.parametrize(("ref", "problem"), [
    ("x", "missing registry or repository"),
    ("localhost:5000/UPPER:v1", 'invalid repository "UPPER"'),
    ("localhost:5000/r:v1:v2", 'invalid tag "v1:v2"'),
    ("localhost:5000/r:-bad", 'invalid tag "-bad"'),
    ("localhost:5000/r@sha256:1234", 'invalid digest "sha256:1234": invalid checksum digest length'),
    ("localhost:5000/r:v1@sha256:1234",
     'invalid digest "sha256:1234": invalid checksum digest length'),
    ("localhost:5000/r@sha384:1234", 'invalid digest "sha384:1234": invalid checksum digest length'),
    ("localhost:5000/r@md5:1234", 'invalid digest "md5:1234": unsupported digest algorithm'),
])
def test_invalid_references_read_as_go(ref, problem):
    with pytest.raises(InvalidReferenceError) as info:
        parse_reference(ref)
    assert str(info.value) == f'"{ref}": invalid reference: {problem}'
    assert _hints.render(info.value, _ctx("pull")) == f"Error: {info.value}\n{FORM}"


def test_a_tag_is_split_at_the_first_colon_after_the_registry():
    ref = parse_reference("localhost:5000/ns/r:v1")
    assert (ref.registry, ref.repository, ref.tag) == ("localhost:5000", "ns/r", "v1")


# -- login and logout ------------------------------------------------------------------------------

def test_login_refuses_a_repository_path_after_the_warning(tmp_path: Path):
    result = CliRunner().invoke(cli, ["login", "localhost:1/ns/r", "-u", "alice", "-p", "pw",
                                      "--registry-config", str(tmp_path / "c.json")])
    assert result.exit_code == 1
    assert result.stderr == ("WARNING! Using --password via the CLI is insecure. Use "
                             "--password-stdin.\n"
                             'Error: invalid reference: invalid registry "localhost:1/ns/r"\n')
    assert not (tmp_path / "c.json").exists()


def test_login_to_nothing_names_the_validation(tmp_path: Path):
    port = _closed_port()
    result = CliRunner().invoke(cli, ["login", f"localhost:{port}", "-u", "alice",
                                      "--password-stdin", "--registry-config",
                                      str(tmp_path / "c.json")], input="pw\n")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f'Error: failed to validate the credentials for localhost:{port}: Get '
        f'"http://localhost:{port}/v2/": dial tcp ')
    assert result.stderr.endswith(f":{port}: connect: connection refused\n")


def test_the_credentials_file_has_gos_bytes_and_mode(tmp_path: Path):
    path = tmp_path / "config.json"
    store = CredentialStore([str(path)])
    store.store("localhost:5000", Credential(username="alice", password="s3cret-pw"))
    data = path.read_bytes()
    assert data == (b'{\n\t"auths": {\n\t\t"localhost:5000": {\n\t\t\t"auth": '
                    b'"YWxpY2U6czNjcmV0LXB3"\n\t\t}\n\t}\n}')
    assert not data.endswith(b"\n")  # as the Go CLI writes it
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    store.erase("localhost:5000")
    assert path.read_bytes() == b'{\n\t"auths": {}\n}'
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_the_credentials_file_sorts_and_escapes_as_go(tmp_path: Path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"zeta": "a<b>&c", "auths": {"b.io": {}, "a.io": {}},
                                "name": "é"}))
    CredentialStore([str(path)]).store("c.io", Credential(identity_token="tok"))
    text = path.read_bytes().decode()
    assert text.index('"auths"') < text.index('"name"') < text.index('"zeta"')
    assert text.index('"a.io"') < text.index('"b.io"') < text.index('"c.io"')
    assert '"a\\u003cb\\u003e\\u0026c"' in text and '"é"' in text
    assert not text.endswith("\n")


# -- not found: OCI layouts and the commands that name what they looked for -----------------------

def test_a_tag_missing_from_a_layout_reads_as_gos_store(tmp_path):
    from orasx.content.oci import OCILayoutStore

    with pytest.raises(NotFoundError) as info:  # the store's own error, as a command meets it
        OCILayoutStore(str(tmp_path / "layout")).resolve("nope")
    err = info.value
    assert _hints.render(err, _ctx("pull", reference="layout:nope", oci_layout=True)) == \
        "Error: not found"
    assert _hints.render(err, _ctx("resolve", reference="layout:nope", oci_layout=True)) == \
        "Error: failed to resolve digest: not found"
    assert _hints.render(err, _ctx("manifest fetch", reference="layout:nope", oci_layout=True)) \
        == 'Error: failed to fetch the content of "layout:nope": not found'
    err.origin = "source"
    assert _hints.render(err, _ctx("copy", source="layout:nope", from_oci_layout=True)) == \
        'Error from source oci-layout for "layout:nope": not found'


def test_no_platform_match_in_a_layout_names_the_operation_as_go():
    # (texts printed by the Go CLI v1.3.3 for an index without linux/s390x)
    digest = "sha256:" + "a" * 64
    err = NotFoundError(f"{digest}: not found: no matching manifest was found in the manifest list")
    assert _hints.render(err, _ctx("resolve", reference="lay:idx", oci_layout=True)) == \
        f"Error: failed to resolve digest: {err}"
    assert _hints.render(err, _ctx("manifest fetch", reference="lay:idx", oci_layout=True)) == \
        f'Error: failed to fetch the content of "lay:idx": {err}'
    assert _hints.render(err, _ctx("pull", reference="lay:idx", oci_layout=True)) == f"Error: {err}"


def test_a_missing_layout_directory_is_a_bad_argument(tmp_path, monkeypatch):
    from orasx.api import open_target

    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotFoundError) as info:  # the library's own error
        open_target("nolayout:v1", oci_layout=True, create=False)
    err = info.value
    assert _hints.render(err, _ctx("pull", reference="nolayout:v1", oci_layout=True)) == (
        'Error: invalid argument "nolayout:v1": failed to find path "nolayout": stat nolayout: '
        "no such file or directory")


def test_a_blob_reference_with_a_tag_is_an_invalid_digest():
    from orasx.api import fetch_blob

    with pytest.raises(OrasError) as info:  # the library's own error (no request is made)
        fetch_blob("localhost:5000/ns/r:v1", None)
    err = info.value
    assert _hints.render(err, _ctx("blob fetch", reference="localhost:5000/ns/r:v1")) == \
        "Error: invalid checksum digest format"


@pytest.mark.parametrize(("command", "reference", "missing", "operation"), [
    ("manifest index create", "localhost:5000/ns/r:idx", "localhost:5000/ns/r:nope",
     "could not find the manifest nope: "),
    ("manifest index update", "localhost:5000/ns/r:idx", "localhost:5000/ns/r:nope",
     "could not find the manifest nope: "),
    ("manifest index update", "localhost:5000/ns/r:nope", "localhost:5000/ns/r:nope",
     "could not find the index nope: "),
    ("manifest index create", "localhost:5000/ns/r:idx", f"localhost:5000/ns/r@sha256:{'a' * 64}",
     f"could not find the manifest sha256:{'a' * 64}: "),
])
def test_index_commands_name_what_they_could_not_find(command, reference, missing, operation):
    err = NotFoundError(f"{missing}: not found", reference=missing)
    assert _hints.render(err, _ctx(command, reference=reference)) == (
        f"Error response from registry: {operation}{missing}: not found")


def test_repo_ls_without_credentials_drops_its_wrapping(monkeypatch):
    monkeypatch.setenv("DOCKER_CONFIG", "/h/.docker")
    err = AuthenticationError("h: unauthorized: no credentials", reason="unauthorized", registry="h")
    assert _hints.render(err, _ctx("repo ls", registry="h")) == (
        "Error: basic credential not found\n"
        "Please check whether the registry credential stored in the authentication file at "
        '"/h/.docker/config.json" is correct')


def test_control_characters_are_quoted_as_gos_percent_q():
    # (the Go CLI v1.3.3: `oras tag REF $'a\x01b'` -> invalid tag "a\x01b"; JSON quoting said \u0001)
    from orasx.cli._artifact import check_tags

    with pytest.raises(InvalidReferenceError) as e:
        check_tags(["a\x01b"])
    assert str(e.value) == 'invalid reference: invalid tag "a\\x01b"'
    with pytest.raises(InvalidReferenceError) as e:
        check_tags(["x\u200ey"])
    assert str(e.value) == 'invalid reference: invalid tag "x\\u200ey"'
