"""Registries with TLS, mTLS and token auth, and the PKI behind them (session-scoped)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.pki import CA, Pair, self_signed
from tests.support.registry import Registry, start_registry
from tests.support.servers import TokenServer


@dataclass
class TLSSetup:
    ca: CA
    registry: Registry  # TLS, server cert for registry.test, localhost and 127.0.0.1
    mtls: Registry  # TLS that requires a client certificate signed by the CA
    client: Pair
    other_ca: CA


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TLSSetup]:
    d = tmp_path_factory.mktemp("pki")
    ca = CA(d / "ca")
    server = ca.issue("registry.test", hosts=("registry.test", "localhost", "127.0.0.1"))
    client = ca.issue("client", client=True)
    other = CA(d / "other", name="untrusted CA")
    reg = start_registry(tls=(server.cert, server.key))
    mtls = start_registry(tls=(server.cert, server.key), client_ca=ca.cert_path)
    yield TLSSetup(ca, reg, mtls, client, other)
    reg.stop()
    mtls.stop()


@dataclass
class TokenSetup:
    registry: Registry
    tokens: TokenServer
    signer: Pair


@pytest.fixture(scope="session")
def token_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenSetup]:
    d: Path = tmp_path_factory.mktemp("token")
    signer = self_signed(d, "token-signer")
    tokens = TokenServer(signer)
    tokens.users["bob"] = "b0b-password"
    tokens.refresh_tokens["refresh-abc"] = "bob"
    reg = start_registry(token={
        "realm": f"{tokens.url}/token", "service": tokens.service, "issuer": tokens.issuer,
        "rootcertbundle": str(signer.cert),
    })
    yield TokenSetup(reg, tokens, signer)
    reg.stop()
    tokens.stop()
