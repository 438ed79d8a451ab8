"""``oras://`` through fsspec hands out only verified bytes, and only plain relative names.

A tampering proxy flips one byte of every blob body the registry sends (whole or ranged): every
read of a small file, ranged or not, and every whole-file or to-the-end read of a large one raises
instead of returning those bytes. Titles that are not plain relative paths are not listed, so
``fs.get(..., recursive=True)`` cannot write outside its target.
"""

from __future__ import annotations

import logging
import os

import pytest

import orasx
from orasx.errors import VerificationError
from tests.e2e.helpers import PLAIN, push_crafted
from tests.support.servers import Reply, Request

fsspec = pytest.importorskip("fsspec")
SMALL = 1024 * 1024
FLIP = SMALL // 2 + 100


def _flip(req: Request, rep: Reply) -> Reply:
    """Flip the byte at offset FLIP of the blob, in a whole body or in the range that holds it."""
    if req.method != "GET" or "/blobs/sha256:" not in req.path or rep.status not in (200, 206):
        return rep
    start = 0
    if rep.status == 206:
        start = int(rep.headers.get("Content-Range", "bytes 0-").split()[1].split("-")[0])
    at = FLIP - start
    if not 0 <= at < len(rep.body):
        return rep
    body = bytearray(rep.body)
    body[at] ^= 0x01
    return Reply(rep.status, rep.headers, bytes(body))


@pytest.fixture
def artifact(proxy, repo_name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small.bin").write_bytes(os.urandom(SMALL))
    ref = f"localhost:{proxy.host.rpartition(':')[2]}/{repo_name}:v1"
    desc = orasx.push(ref, ["small.bin"], remote=PLAIN).descriptor
    return ref.rpartition(":")[0] + f"@{desc.digest}"  # pinned by digest


def _fs(**options):
    return fsspec.filesystem("oras", skip_instance_cache=True, **options)


def test_a_ranged_read_of_a_tampered_small_file_raises(artifact, proxy):
    proxy.rewrite = _flip
    with _fs().open(f"oras://{artifact}/small.bin") as f:
        f.seek(FLIP - 10)
        with pytest.raises(VerificationError, match="digest mismatch"):
            f.read(20)


def test_a_whole_file_read_of_a_tampered_file_raises(artifact, proxy):
    proxy.rewrite = _flip
    with pytest.raises(VerificationError, match="digest mismatch"):
        _fs().cat_file(f"oras://{artifact}/small.bin")
    with pytest.raises(VerificationError, match="digest mismatch"), \
            fsspec.open(f"oras://{artifact}/small.bin") as f:
        f.read()


def test_a_sequential_read_of_a_large_tampered_file_raises_before_its_end(artifact, proxy):
    proxy.rewrite = _flip
    got = bytearray()
    # whole_fetch_limit=0: every file counts as large (no whole fetch for a ranged read)
    fs = _fs(whole_fetch_limit=0)
    with fs.open(f"oras://{artifact}/small.bin", block_size=64 * 1024) as f, \
            pytest.raises(VerificationError, match="digest mismatch"):
        while chunk := f.read(100 * 1024):
            got += chunk
    assert len(got) < SMALL  # the last bytes never came back


def test_reads_of_a_good_file_still_work(artifact, proxy, tmp_path):
    data = (tmp_path / "small.bin").read_bytes()
    assert _fs().cat_file(f"oras://{artifact}/small.bin") == data
    with _fs(whole_fetch_limit=0).open(f"oras://{artifact}/small.bin") as f:
        f.seek(FLIP)
        assert f.read(10) == data[FLIP:FLIP + 10]
        f.seek(0)
        assert f.read() == data
    with _fs().open(f"oras://{artifact}/small.bin") as f:
        f.seek(SMALL - 5)
        assert f.read() == data[-5:]
        f.seek(3)
        assert f.read(4) == data[3:7]


def test_listings_skip_titles_that_are_not_plain_relative_paths(registry, repo_name, caplog):
    files = {"ok.txt": b"ok", "../escape.txt": b"x", "/abs.txt": b"y", "a/../b.txt": b"z",
             "./dot.txt": b"w", "sub/fine.txt": b"f"}
    push_crafted(registry.host, repo_name, "v1", files)
    with caplog.at_level(logging.WARNING, logger="orasx.api._fsspec"):
        names = sorted(e.rpartition(":v1/")[2]
                       for e in _fs().find(f"oras://{registry.host}/{repo_name}:v1"))
    assert names == ["ok.txt", "sub/fine.txt"]  # (ls lists the top: ok.txt and sub)
    assert "../escape.txt" in caplog.text and "/abs.txt" in caplog.text
    with pytest.raises(FileNotFoundError):
        _fs().cat_file(f"oras://{registry.host}/{repo_name}:v1/../escape.txt")


def test_a_recursive_get_writes_only_below_its_target(registry, repo_name, tmp_path):
    push_crafted(registry.host, repo_name, "v1",
                 {"ok.txt": b"ok", "../escape.txt": b"x", "../../far.txt": b"y"})
    target = tmp_path / "a" / "b" / "target"
    target.mkdir(parents=True)
    _fs().get(f"oras://{registry.host}/{repo_name}:v1", str(target) + "/", recursive=True)
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert all(w.startswith("a/b/target/") for w in written), written
    assert [w.rpartition("/")[2] for w in written] == ["ok.txt"], written
