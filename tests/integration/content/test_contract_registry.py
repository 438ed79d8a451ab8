"""The store contract (tests/content/test_contract.py) against a real registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from orasx.content import Target
from orasx.registry.remote import Repository
from tests.content.test_contract import (  # noqa: F401 (the same tests, collected here too)
    test_fetch_of_missing_content_is_not_found,
    test_manifest_push_tag_resolve,
    test_push_of_corrupt_content_is_refused_and_invisible,
    test_push_of_short_content_is_refused,
    test_push_then_fetch_returns_the_same_bytes,
)
from tests.support.registry import Registry


@pytest.fixture
def store(registry: Registry, repo_name: str) -> Iterator[Target]:
    yield Repository(f"{registry.host}/{repo_name}-registry")
