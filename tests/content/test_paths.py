from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orasx.content._paths import lexically_inside, resolve_write_path, within
from orasx.errors import PathTraversalError

HOSTILE = ["../evil", "/tmp/evil", "a/../../evil", "..\\evil", "C:\\evil", "C:/evil", "", ".",
           "a/./../..", "\\\\server\\share", "a/..", "x/../../../y"]


@pytest.mark.parametrize("title", HOSTILE)
def test_pull_title_traversal_is_refused(tmp_path: Path, title: str):
    with pytest.raises(PathTraversalError):
        resolve_write_path(str(tmp_path / "out"), title)


@pytest.mark.parametrize("title", ["a.txt", "dir/a.txt", "./a.txt", "a/../b.txt", "a:b"])
def test_legitimate_titles_resolve_inside(tmp_path: Path, title: str):
    path = resolve_write_path(str(tmp_path), title)
    assert within(path, os.path.realpath(tmp_path))


def test_allow_traversal_opts_in(tmp_path: Path):
    out = tmp_path / "out"
    assert resolve_write_path(str(out), "../evil", allow_traversal=True) == str(tmp_path / "evil")


def test_symlinked_component_pointing_outside_is_refused(tmp_path: Path):
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "link").symlink_to(outside)
    with pytest.raises(PathTraversalError, match="symlink"):
        resolve_write_path(str(out), "link/passwd")
    with pytest.raises(PathTraversalError):
        resolve_write_path(str(out), "link/deeper/x")


def test_symlinked_component_pointing_inside_is_fine(tmp_path: Path):
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to("real")
    target = resolve_write_path(str(tmp_path), "alias/x")
    assert os.path.realpath(target).endswith("real/x")


_part = st.sampled_from(["..", ".", "a", "b", "", "\\..", "..\\", "C:", "/"])


@settings(max_examples=500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(_part, min_size=1, max_size=6), sep=st.sampled_from(["/", "\\"]))
def test_no_generated_title_escapes(tmp_path: Path, parts: list[str], sep: str):
    title = sep.join(parts)
    root = os.path.realpath(tmp_path / "root")
    try:
        path = resolve_write_path(root, title)
    except PathTraversalError:
        return
    assert within(path, root) and path != root
    assert lexically_inside(title)
