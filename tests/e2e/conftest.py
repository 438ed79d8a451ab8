"""Fixtures of the e2e tests that talk to the registry through the library."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.registry import Registry
from tests.support.servers import Proxy


@pytest.fixture
def proxy(registry: Registry) -> Iterator[Proxy]:
    """A proxy in front of the session registry that records every request (``.requests``)."""
    p = Proxy(registry.host)
    yield p
    p.stop()
