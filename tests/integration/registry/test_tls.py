"""TLS with a CA the tests generate: --ca-file, untrusted certificates, --insecure, mTLS."""

from __future__ import annotations

from pathlib import Path


def _args(tls, reg, *extra: str) -> list[str]:
    return [f"registry.test:{reg.port}/tls/x:v1", "--resolve",
            f"registry.test:{reg.port}:127.0.0.1", *extra]


def test_ca_file_makes_tls_work(oras, tls, tmp_path: Path):
    (tmp_path / "f.txt").write_text("tls")
    oras("push", *_args(tls, tls.registry, "--ca-file", str(tls.ca.cert_path)), "f.txt")
    oras("pull", *_args(tls, tls.registry, "--ca-file", str(tls.ca.cert_path)), "-o", "out")
    assert (tmp_path / "out" / "f.txt").read_text() == "tls"


def test_untrusted_certificate_fails_with_a_clear_message(oras, tls, tmp_path: Path):
    (tmp_path / "f.txt").write_text("tls")
    proc = oras("push", *_args(tls, tls.registry), "f.txt", ok=False)
    assert proc.returncode == 1
    assert "tls: failed to verify certificate: x509: certificate signed by unknown authority" \
        in proc.stderr and "--ca-file" in proc.stderr
    assert proc.stderr.count("\n") == 2  # Go's line, then what to pass
    proc = oras("push", *_args(tls, tls.registry, "--ca-file", str(tls.other_ca.cert_path)),
                "f.txt", ok=False)
    assert proc.returncode == 1 and "tls: failed to verify certificate" in proc.stderr


def test_insecure_skips_verification(oras, tls, tmp_path: Path):
    (tmp_path / "f.txt").write_text("tls")
    oras("push", *_args(tls, tls.registry, "--insecure"), "f.txt")


def test_localhost_with_plain_http_false_uses_tls(oras, tls, tmp_path: Path):
    (tmp_path / "f.txt").write_text("tls")
    oras("push", f"{tls.registry.localhost}/tls/y:v1", "--plain-http=false", "--ca-file",
         str(tls.ca.cert_path), "f.txt")
    proc = oras("push", f"{tls.registry.localhost}/tls/y:v1", "f.txt", ok=False)
    assert proc.returncode == 1  # plain HTTP to a TLS port fails; never a silent switch


def test_127_0_0_1_uses_tls_by_default(oras, tls, tmp_path: Path):
    # only the name localhost is plain HTTP by default (as the Go CLI); the IP gets TLS
    (tmp_path / "f.txt").write_text("tls by ip")
    out = oras("push", f"{tls.registry.ip_host}/tls/ip:v1", "--ca-file", str(tls.ca.cert_path),
               "f.txt")
    assert f"Pushed [registry] {tls.registry.ip_host}/tls/ip:v1" in out.stdout


def test_mtls_with_client_certificate(oras, tls, tmp_path: Path):
    (tmp_path / "f.txt").write_text("mtls")
    ca = str(tls.ca.cert_path)
    oras("push", *_args(tls, tls.mtls, "--ca-file", ca, "--cert-file", str(tls.client.cert),
                        "--key-file", str(tls.client.key)), "f.txt")
    proc = oras("push", *_args(tls, tls.mtls, "--ca-file", ca), "f.txt", ok=False)
    assert proc.returncode == 1 and proc.stderr.startswith("Error: ")
    proc = oras("push", *_args(tls, tls.mtls, "--cert-file", str(tls.client.cert)), "f.txt",
                ok=False)
    assert proc.returncode == 1 and "--key-file" in proc.stderr  # usage errors exit 1, as Go
