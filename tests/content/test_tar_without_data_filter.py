"""Our own checks hold without the standard library's ``tarfile.data_filter`` (absent before Python
3.11.4: Debian bookworm's python3 is 3.11.2): the hostile-archive tests of test_tar.py run again
with it switched off, on every interpreter."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from orasx.content import _tar
from orasx.errors import PathTraversalError
from tests.content.test_tar import (  # noqa: F401  (re-collected here, without the filter)
    dirs,
    test_directory_pushed_as_dot_cannot_escape,
    test_entries_outside_the_directory_are_refused,
    test_generated_archives_never_write_outside,
    test_hardlink_inside_works,
    test_hardlink_is_not_resolved_against_the_process_cwd_ghsa_fxhp,
    test_hardlink_to_outside_is_refused,
    test_legitimate_tar_forms_extract,
    test_order_dependent_link_chain_is_caught_after_extraction,
    test_relative_symlink_escape_is_refused,
    test_symlink_chain_escape_ghsa_m37j,
    test_symlink_to_outside_then_file_through_it_is_refused,
)


@pytest.fixture(autouse=True)
def _no_data_filter(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(_tar, "_DATA_FILTER", None)
    yield


def test_the_filter_is_a_second_opinion_where_python_has_it() -> None:
    import tarfile

    assert (getattr(tarfile, "data_filter", None) is None) == (sys.version_info < (3, 11, 4))


@pytest.mark.parametrize("rel", ["C:evil", "a/b:stream", "x:"])
def test_windows_names_with_a_colon_are_refused(rel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(PathTraversalError):
        _tar._target("/dest", rel, rel)


def test_a_target_is_below_the_destination() -> None:
    assert _tar._target("/dest", "a/b", "a/b") == "/dest/a/b"
    with pytest.raises(PathTraversalError):
        _tar._target("/dest", "../x", "../x")
