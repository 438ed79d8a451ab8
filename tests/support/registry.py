"""Start and stop a real CNCF Distribution registry (Debian's ``docker-registry``) on loopback.

Used by the test suite and by the benchmarks. Each instance gets a free port on 127.0.0.1, its own
temporary storage directory and config, and optionally htpasswd basic auth. It is addressed as
``localhost:PORT`` (``host``): the name the clients, as the Go CLI, reach over plain HTTP by
default; ``127.0.0.1:PORT`` (``ip_host``) needs ``--plain-http`` (or TLS).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REGISTRY_BIN = "/usr/bin/docker-registry"
#: oras-project/distribution (the referrers API, image-spec 1.1.0-rc2 artifact manifests), beside
#: the clone; absent on machines without ../shared/tools
ORAS_DISTRIBUTION = str(Path(__file__).resolve().parents[3] / "shared" / "tools" / "oras-distribution"
                        / "registry")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def htpasswd_line(username: str, password: str) -> str:
    out = subprocess.run(
        ["htpasswd", "-Bbn", username, password], check=True, capture_output=True, text=True
    )
    return out.stdout.strip() + "\n"


@dataclass
class Registry:
    """A running registry process; ``host`` is ``localhost:PORT`` (plain HTTP by default),
    ``ip_host`` the same registry as ``127.0.0.1:PORT`` (HTTPS unless ``--plain-http``)."""

    port: int
    root: Path
    process: subprocess.Popen[bytes]
    username: str | None = None
    password: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return f"localhost:{self.port}"

    @property
    def localhost(self) -> str:
        """The same as ``host`` (kept for the tests that name the spelling on purpose)."""
        return f"localhost:{self.port}"

    @property
    def ip_host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def start_registry(
    *,
    username: str | None = None,
    password: str | None = None,
    storage: Path | None = None,
    tls: tuple[Path, Path] | None = None,
    client_ca: Path | None = None,
    token: dict[str, str] | None = None,
    extra_users: dict[str, str] | None = None,
    extra_config: str = "",
    binary: str = REGISTRY_BIN,
) -> Registry:
    """Start a registry on a free loopback port and wait until ``/v2/`` answers.

    ``tls`` is (certificate, key); ``client_ca`` makes it require client certificates;
    ``token`` enables token auth: ``{"realm", "service", "issuer", "rootcertbundle"}``;
    ``extra_config``: more top-level YAML (``validation:`` for foreign layers); ``binary``: the
    registry to run (:data:`ORAS_DISTRIBUTION` serves the referrers API, same config format).
    """
    if not os.path.exists(binary):
        raise RuntimeError(f"{binary} is missing: apt-get install docker-registry")
    root = Path(tempfile.mkdtemp(prefix="orasx-registry-"))
    data = storage or (root / "data")
    data.mkdir(parents=True, exist_ok=True)
    port = free_port()
    auth = ""
    if username is not None and password is not None:
        lines = [htpasswd_line(username, password)]
        lines += [htpasswd_line(u, p) for u, p in (extra_users or {}).items()]
        (root / "htpasswd").write_text("".join(lines))
        auth = f"auth:\n  htpasswd:\n    realm: basic-realm\n    path: {root / 'htpasswd'}\n"
    if token is not None:
        auth = "auth:\n  token:\n" + "".join(f"    {k}: {v}\n" for k, v in token.items())
    tls_conf = ""
    if tls is not None:
        tls_conf = f"  tls:\n    certificate: {tls[0]}\n    key: {tls[1]}\n"
        if client_ca is not None:
            tls_conf += f"    clientcas:\n      - {client_ca}\n"
    config = (
        "version: 0.1\n"
        "log:\n  level: error\n  accesslog:\n    disabled: true\n"
        f"storage:\n  filesystem:\n    rootdirectory: {data}\n  delete:\n    enabled: true\n"
        "  maintenance:\n    uploadpurging:\n      enabled: false\n"
        f"http:\n  addr: 127.0.0.1:{port}\n  secret: orasx-test-secret\n{tls_conf}"
        f"{auth}{extra_config}"
    )
    (root / "config.yml").write_text(config)
    log = open(root / "registry.log", "wb")
    proc = subprocess.Popen(
        [binary, "serve", str(root / "config.yml")],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    reg = Registry(port=port, root=root, process=proc, username=username, password=password)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("registry exited: " + (root / "registry.log").read_text())
        if tls is not None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return reg
            except OSError:
                time.sleep(0.05)
                continue
        try:
            urllib.request.urlopen(f"http://{reg.ip_host}/v2/", timeout=1).close()
            return reg
        except urllib.error.HTTPError:
            return reg  # 401 means it is up
        except OSError:
            time.sleep(0.05)
    reg.stop()
    raise RuntimeError("registry did not start within 20s")
