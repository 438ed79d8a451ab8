"""Reproducible push: the same inputs give the same manifest digest from any checkout path, after
a touch of every file, with or without SOURCE_DATE_EPOCH."""

from __future__ import annotations

import shutil
import time

from tests.test_reproducible import _tree


def test_the_push_command_is_reproducible(oras, tmp_path):
    one = _tree(tmp_path / "one")
    two = tmp_path / "two"
    shutil.copytree(one, two, symlinks=True)
    digests = []
    for checkout in (one, two):
        proc = oras("push", "--reproducible", "--oci-layout", f"{tmp_path / 'layout'}:v1",
                    "bundle", "single.txt", "--format", "go-template={{.digest}}", cwd=checkout)
        digests.append(proc.stdout.strip())
        time.sleep(1.1)
    assert digests[0] == digests[1] and digests[0].startswith("sha256:")
