"""Concurrent writers (processes and threads) to one OCI image layout keep every tag."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.content.test_oci_concurrency import N, _assert_all_ok, _index_tags, _run_all, _survivors


@pytest.mark.integration
def test_parallel_push_processes_into_a_new_layout_keep_every_tag(tmp_path: Path):
    for i in range(N):
        (tmp_path / f"f{i}.txt").write_text(f"file {i}\n")
    # The layout does not exist yet: all 16 processes also race to create it.
    _assert_all_ok(_run_all(tmp_path, [["push", "--oci-layout", f"lay:t{i}", f"f{i}.txt"]
                                       for i in range(N)]))

    layout = tmp_path / "lay"
    expected = {f"t{i}" for i in range(N)}
    assert expected <= set(_index_tags(layout)), _survivors(expected, layout)
    assert (layout / "oci-layout").read_bytes() == b'{"imageLayoutVersion":"1.0.0"}'

    _assert_all_ok(_run_all(tmp_path, [["pull", "--oci-layout", f"lay:t{i}", "-o", f"out{i}"]
                                       for i in range(N)]))
    for i in range(N):
        assert (tmp_path / f"out{i}" / f"f{i}.txt").read_text() == f"file {i}\n"

@pytest.mark.integration
def test_parallel_tag_processes_keep_every_tag(tmp_path: Path):
    (tmp_path / "f.txt").write_text("tagged many times\n")
    _assert_all_ok(_run_all(tmp_path, [["push", "--oci-layout", "lay:t0", "f.txt"]]))

    _assert_all_ok(_run_all(tmp_path, [["tag", "--oci-layout", "lay:t0", f"x{i}"]
                                       for i in range(N)]))

    layout = tmp_path / "lay"
    tags = _index_tags(layout)
    expected = {"t0", *(f"x{i}" for i in range(N))}
    assert expected <= set(tags), _survivors(expected, layout)
    assert {tags[t] for t in expected} == {tags["t0"]}

    listed = _run_all(tmp_path, [["repo", "tags", "--oci-layout", "lay"]])
    _assert_all_ok(listed)
    assert set(listed[0].stdout.split()) == expected
