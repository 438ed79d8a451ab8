"""Reproducible push: the same inputs give the same manifest digest from any checkout path, after
a touch of every file, with or without SOURCE_DATE_EPOCH."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import orasx


def _tree(root: Path) -> Path:
    (root / "bundle" / "sub").mkdir(parents=True)
    (root / "bundle" / "a.txt").write_text("a\n")
    (root / "bundle" / "sub" / "b.txt").write_text("b\n")
    (root / "bundle" / "link").symlink_to("a.txt")
    (root / "single.txt").write_text("single\n")
    return root


def _push(checkout: Path, layout: Path, tag: str, monkeypatch: pytest.MonkeyPatch,
          reproducible: bool = True) -> str:
    monkeypatch.chdir(checkout)
    result = orasx.push(f"{layout}:{tag}", ["bundle", "single.txt"], oci_layout=True,
                        reproducible=reproducible)
    return str(result.descriptor.digest)


def test_same_inputs_give_the_same_digest_anywhere(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    one = _tree(tmp_path / "checkout-one")
    two = tmp_path / "elsewhere" / "checkout-two"
    shutil.copytree(one, two, symlinks=True)
    first = _push(one, tmp_path / "layout", "one", monkeypatch)
    time.sleep(1.1)  # a later clock, and new mtimes everywhere
    for p in two.rglob("*"):
        os.utime(p, follow_symlinks=False)
    second = _push(two, tmp_path / "layout", "two", monkeypatch)
    assert first == second


def test_source_date_epoch_sets_created_and_mtimes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    checkout = _tree(tmp_path / "c")
    layout = tmp_path / "layout"
    _push(checkout, layout, "v1", monkeypatch)
    desc, raw = orasx.api.fetch_manifest(f"{layout}:v1", oci_layout=True)
    manifest = orasx.parse_manifest(desc.media_type, raw)
    assert manifest.annotations["org.opencontainers.image.created"] == "2023-11-14T22:13:20Z"
    out = tmp_path / "out"
    orasx.pull(f"{layout}:v1", str(out), oci_layout=True)
    assert int((out / "bundle" / "a.txt").stat().st_mtime) == 1700000000


def test_without_the_flag_pushes_differ_over_time(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    checkout = _tree(tmp_path / "c")
    first = _push(checkout, tmp_path / "layout", "a", monkeypatch, reproducible=False)
    time.sleep(1.1)
    os.utime(checkout / "bundle" / "a.txt")
    second = _push(checkout, tmp_path / "layout", "b", monkeypatch, reproducible=False)
    assert first != second  # the created annotation and the tar mtimes follow the clock


