"""Shared fixtures: real Distribution registries on loopback and a runner for the ``oras`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import users
from tests.support.registry import Registry, start_registry
from tests.support.users import User

ORAS = os.path.join(os.path.dirname(sys.executable), "oras")

#: The integration tier: directories whose tests run the command, real registries, servers or
#: peers. Everything else under tests/ is the unit tier (`bash scripts/unit.sh`): pure and
#: in-process, no registry, server or command.
INTEGRATION_DIRS = {"integration", "e2e", "faults", "interop", "parity", "hostile"}
#: Fixtures that start a registry, a server or the installed command: integration only.
_INTEGRATION_FIXTURES = {"registry", "auth_registry", "oras", "tls_registry", "token_registry",
                         "mtls_registry", "referrers_registry", "proxy", "fault_proxy", "tls",
                         "mallory", "victor"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: long-running (the soak test); CI runs it")
    config.addinivalue_line("markers", "integration: runs the command or a server (not unit)")
    config.addinivalue_line("markers", "unit: fast, in-process, no registry or command "
                            "(`bash scripts/unit.sh`)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tier is the directory: tests outside :data:`INTEGRATION_DIRS` are the unit tier, and
    one of them that asks for a registry, a server or the command is an error (move it to
    tests/integration/)."""
    root = Path(__file__).parent
    for item in items:
        parts = set(Path(str(item.fspath)).relative_to(root).parts[:-1])
        if parts & INTEGRATION_DIRS:
            item.add_marker(pytest.mark.integration)
            continue
        params = set(getattr(getattr(item, "callspec", None), "params", {}))
        wanted = (set(getattr(item, "fixturenames", ())) - params) & _INTEGRATION_FIXTURES
        if wanted or item.get_closest_marker("slow") or item.get_closest_marker("integration"):
            raise pytest.UsageError(
                f"{item.nodeid}: a unit-tier test uses {', '.join(sorted(wanted)) or 'a mark'} "
                "of the integration tier: move it under tests/integration/")
        item.add_marker(pytest.mark.unit)


@pytest.fixture(scope="session")
def registry() -> Iterator[Registry]:
    """A plain-HTTP registry without auth, for the whole session."""
    reg = start_registry()
    yield reg
    reg.stop()


@pytest.fixture(scope="session")
def auth_registry() -> Iterator[Registry]:
    """A plain-HTTP registry with htpasswd basic auth (``alice``/``s3cret-pw``, ``carol``/``c4rol``)."""
    reg = start_registry(username="alice", password="s3cret-pw", extra_users={"carol": "c4rol"})
    yield reg
    reg.stop()


class Oras:
    """Runs the installed ``oras`` command as a user would."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def __call__(
        self, *args: str, cwd: Path | None = None, input: str | None = None, ok: bool = True
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env["HOME"] = str(self.cwd / ".home")
        proc = subprocess.run(
            [ORAS, *args],
            cwd=cwd or self.cwd,
            input=input,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        if ok and proc.returncode != 0:
            raise AssertionError(
                f"oras {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
            )
        return proc


@pytest.fixture
def oras(tmp_path: Path) -> Oras:
    return Oras(tmp_path)


@pytest.fixture
def repo_name(request: pytest.FixtureRequest) -> str:
    """A repository name unique to the test."""
    name = request.node.name.lower()
    return "t/" + "".join(c if c.isalnum() else "-" for c in name).strip("-")[:80]


@pytest.fixture(scope="session")
def mallory() -> User:
    """An unprivileged second local user (``orasx-mallory``) in the group ``orasx-share``."""
    reason = users.why_not()
    if reason:
        pytest.skip(reason)
    return users.ensure_user(users.USER)


@pytest.fixture(scope="session")
def victor() -> User:
    """Another unprivileged user (``orasx-victor``, also in ``orasx-share``) who runs orasx, for
    cases where root's powers would hide the problem (a read-only cache, another user's lock)."""
    reason = users.why_not()
    if reason:
        pytest.skip(reason)
    user = users.ensure_user(users.VICTIM)
    reason = users.can_run_python(user)
    if reason:
        pytest.skip(reason)
    return user


@pytest.fixture
def shared_tmp_path() -> Iterator[Path]:
    """A fresh directory every local user can reach (``tmp_path`` is private to root), for tests
    with a second user; removed afterwards."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="orasx-shared-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with two small files (``iris.csv``, ``notes.txt``), no cache."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ORAS_CACHE", raising=False)
    (tmp_path / "iris.csv").write_text("a,b\n1,2\n")
    (tmp_path / "notes.txt").write_text("hi\n")
    return tmp_path


@pytest.fixture
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file just big enough for the digest cache (kept in ``tmp_path``)."""
    from orasx.content import _digestcache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ORASX_NO_DIGEST_CACHE", raising=False)
    f = tmp_path / "big.bin"
    f.write_bytes(os.urandom(_digestcache.MIN_SIZE + 10))
    return f
