"""Hostile and legitimate directory layers (tar+gzip) through the file store's unpacking."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orasx.content._tar import pack_directory, unpack_directory
from orasx.content.file import FileStore
from orasx.descriptor import CONTENT_DIGEST, TITLE, UNPACK, Descriptor
from orasx.digest import Digest
from orasx.errors import PathTraversalError, VerificationError


def make_tar(entries: list[tarfile.TarInfo | tuple[tarfile.TarInfo, bytes]]) -> tuple[bytes, Digest]:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            if isinstance(e, tuple):
                tar.addfile(e[0], io.BytesIO(e[1]))
            else:
                tar.addfile(e)
    return gzip.compress(raw.getvalue()), Digest.from_bytes(raw.getvalue())


def reg(name: str, data: bytes = b"data", mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    return info, data


def link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def directory(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    return info


def pull_dir(out: Path, name: str, gz: bytes, tar_digest: Digest | None) -> None:
    ann = {TITLE: name, UNPACK: "true"}
    if tar_digest is not None:
        ann[CONTENT_DIGEST] = str(tar_digest)
    desc = Descriptor.from_bytes("application/vnd.oci.image.layer.v1.tar+gzip", gz, annotations=ann)
    with FileStore(str(out)) as store:
        store.push(desc, io.BytesIO(gz))


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".orasx"))


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    return out, outside


def test_symlink_to_outside_then_file_through_it_is_refused(dirs):
    out, outside = dirs
    gz, d = make_tar([directory("d"), link("d/a", str(outside)), reg("d/a/x")])
    with pytest.raises(PathTraversalError):
        pull_dir(out, "d", gz, d)
    assert not (outside / "x").exists()
    assert not (out / "d").exists() and leftovers(out) == []


def test_relative_symlink_escape_is_refused(dirs):
    out, outside = dirs
    gz, d = make_tar([directory("d"), link("d/a", "../../outside"), reg("d/a/x")])
    with pytest.raises(PathTraversalError):
        pull_dir(out, "d", gz, d)
    assert not (outside / "x").exists()


def test_symlink_chain_escape_ghsa_m37j(dirs):
    """Each link is lexically inside, the chain resolves outside (GHSA-m37j-52j7-pjw7)."""
    out, outside = dirs
    depth = 4
    chain = "/".join(["c"] * depth)
    entries: list = [directory("d")]
    for i in range(1, depth + 1):
        entries.append(directory("d/" + "/".join(["c"] * i)))
    entries.append(link(f"d/{chain}/up", "/".join([".."] * depth)))
    entries.append(link("d/escape", f"{chain}/up/../../outside"))
    entries.append(reg("d/escape/PWNED"))
    entries.append(reg("d/escape", b"through"))
    gz, d = make_tar(entries)
    with pytest.raises(PathTraversalError):
        pull_dir(out, "d", gz, d)
    assert not (outside / "PWNED").exists()
    assert os.listdir(outside) == []


def test_order_dependent_link_chain_is_caught_after_extraction(dirs):
    out, _outside = dirs
    gz, d = make_tar([directory("d"), link("d/l1", "l2/../x"), link("d/l2", ".")])
    # l1 -> l2/../x looked inside when l2 did not exist; with l2 -> . it resolves outside d.
    with pytest.raises(PathTraversalError):
        pull_dir(out, "d", gz, d)
    assert not (out / "d").exists()


def test_hardlink_is_not_resolved_against_the_process_cwd_ghsa_fxhp(dirs, monkeypatch):
    out, outside = dirs
    (outside / "sentinel.txt").write_text("secret")
    monkeypatch.chdir(outside)
    gz, d = make_tar([directory("d"), link("d/evil", "sentinel.txt", tarfile.LNKTYPE)])
    with pytest.raises(PathTraversalError):
        pull_dir(out, "d", gz, d)
    assert not (out / "d" / "evil").exists()


def test_hardlink_to_outside_is_refused(dirs):
    out, _outside = dirs
    gz, d = make_tar([directory("d"), link("d/evil", "../outside/x", tarfile.LNKTYPE)])
    with pytest.raises(PathTraversalError):
        pull_dir(out, "d", gz, d)


def test_hardlink_inside_works(dirs):
    out, _ = dirs
    gz, d = make_tar([directory("d"), reg("d/a", b"A"), link("d/b", "d/a", tarfile.LNKTYPE)])
    pull_dir(out, "d", gz, d)
    assert (out / "d" / "b").read_bytes() == b"A"


@pytest.mark.parametrize("name", ["/etc/evil", "d/../../evil", "../evil", "other/x"])
def test_entries_outside_the_directory_are_refused(dirs, name):
    out, outside = dirs
    gz, d = make_tar([directory("d"), reg(name)])
    with pytest.raises(PathTraversalError):
        pull_dir(out, "d", gz, d)
    assert not (outside / "evil").exists() and not (out / "evil").exists()


def test_regular_file_after_symlink_replaces_the_link(dirs):
    out, outside = dirs
    (outside / "victim").write_text("keep")
    gz, d = make_tar([directory("d"), link("d/f", "g"), reg("d/f", b"new")])
    pull_dir(out, "d", gz, d)
    assert not (out / "d" / "f").is_symlink()
    assert (out / "d" / "f").read_bytes() == b"new"
    assert (outside / "victim").read_text() == "keep"


def test_devices_and_fifos_are_skipped_and_modes_masked(dirs):
    out, _ = dirs
    fifo = tarfile.TarInfo("d/fifo")
    fifo.type = tarfile.FIFOTYPE
    dev = tarfile.TarInfo("d/dev")
    dev.type = tarfile.CHRTYPE
    gz, d = make_tar([directory("d"), fifo, dev, reg("d/suid", b"x", mode=0o4755)])
    pull_dir(out, "d", gz, d)
    assert sorted(os.listdir(out / "d")) == ["suid"]
    assert (out / "d" / "suid").stat().st_mode & 0o7777 == 0o755


def test_content_digest_mismatch_leaves_nothing(dirs):
    out, _ = dirs
    gz, _ = make_tar([directory("d"), reg("d/a")])
    with pytest.raises(VerificationError, match="content digest mismatch"):
        pull_dir(out, "d", gz, Digest.from_bytes(b"other"))
    assert not (out / "d").exists() and leftovers(out) == []


def test_legitimate_tar_forms_extract(dirs):
    out, _ = dirs
    gz, d = make_tar([directory("./d/"), reg("./d/a", b""), directory("d/sub/"),
                      reg("d/sub/deep/er/f.txt", b"deep"), link("d/sub/ln", "../a"),
                      link("d/self", ".")])
    pull_dir(out, "d", gz, d)
    assert (out / "d" / "a").read_bytes() == b""
    assert (out / "d" / "sub" / "deep" / "er" / "f.txt").read_bytes() == b"deep"
    assert os.readlink(out / "d" / "sub" / "ln") == "../a"


def test_pack_then_unpack_round_trips_a_tree(tmp_path: Path):
    src = tmp_path / "src"
    (src / "n" / "m").mkdir(parents=True)
    (src / "n" / "m" / "f").write_bytes(b"1" * 10000)
    (src / "empty").write_bytes(b"")
    (src / "ln").symlink_to("n/m/f")
    buf = io.BytesIO()
    tar_digest = pack_directory(str(src), "src", buf)
    with tarfile.open(fileobj=io.BytesIO(buf.getvalue()), mode="r:gz") as tar:
        names = tar.getnames()
        assert all(m.uid == 0 and m.gid == 0 and m.uname == "" for m in tar.getmembers())
    assert names[0] == "src" and "src/ln" in names and "src/n/m/f" in names
    dest = tmp_path / "dest"
    dest.mkdir()
    unpack_directory(io.BytesIO(buf.getvalue()), str(dest), "src", tar_digest)
    assert (dest / "n" / "m" / "f").read_bytes() == b"1" * 10000
    assert os.readlink(dest / "ln") == "n/m/f"


_names = st.sampled_from(["d/a", "d/b", "d/a/b", "d/../x", "d/c/../../y", "/abs", "d/..", "d/l"])
_targets = st.sampled_from([".", "..", "../..", "a", "/tmp", "b/../..", "l", "l/..", "c/d"])


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["reg", "sym", "lnk", "dir"]), _names, _targets),
                min_size=1, max_size=8))
def test_generated_archives_never_write_outside(tmp_path_factory, entries):
    base = tmp_path_factory.mktemp("gen")
    out, outside = base / "out", base / "outside"
    out.mkdir()
    outside.mkdir()
    (outside / "keep").write_text("k")
    built: list = [directory("d")]
    for kind, name, target in entries:
        if kind == "reg":
            built.append(reg(name, b"z"))
        elif kind == "dir":
            built.append(directory(name))
        else:
            tgt = target if kind == "sym" else f"d/{target}"
            built.append(link(name, tgt, tarfile.SYMTYPE if kind == "sym" else tarfile.LNKTYPE))
    gz, d = make_tar(built)
    try:
        pull_dir(out, "d", gz, d)
    except (PathTraversalError, VerificationError):
        assert not (out / "d").exists()
    assert sorted(os.listdir(outside)) == ["keep"]
    assert (outside / "keep").read_text() == "k"
    assert sorted(os.listdir(base)) == ["out", "outside"]
    assert leftovers(out) == []
    if (out / "d").exists():
        for root, dnames, fnames in os.walk(out / "d"):
            for n in dnames + fnames:
                p = os.path.join(root, n)
                if os.path.islink(p):
                    assert os.path.realpath(p).startswith(os.path.realpath(out / "d"))


def test_packed_tar_ends_at_the_end_of_archive_marker(tmp_path: Path):
    # The Go CLI digests a directory layer up to the marker: no record padding may follow it.
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f").write_bytes(b"x")
    out = io.BytesIO()
    tar_digest = pack_directory(str(tmp_path / "d"), "d", out)
    raw = gzip.decompress(out.getvalue())
    assert raw.endswith(b"\0" * 1024) and len(raw) % 512 == 0
    assert raw[-1536:-1024] != b"\0" * 512  # the file's data block, then the marker: no padding
    assert Digest.from_bytes(raw) == tar_digest
    members = tarfile.open(fileobj=io.BytesIO(raw)).getmembers()
    assert [m.name for m in members] == ["d", "d/f"]


@pytest.mark.parametrize("digested", ["up-to-marker", "with-record-padding"])
def test_both_content_digest_conventions_are_accepted(dirs, digested):
    out, _ = dirs
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info, data = reg("d/f", b"content")
        tar.addfile(info, io.BytesIO(data))
    padded = raw.getvalue()  # Python pads to 10 KiB records; Go's digest stops at the marker
    end = padded.index(b"content") + 512 + 1024
    digest = Digest.from_bytes(padded if digested == "with-record-padding" else padded[:end])
    pull_dir(out, "d", gzip.compress(padded), digest)
    assert (out / "d" / "f").read_bytes() == b"content"


def test_directory_pushed_as_dot_unpacks_into_the_output_itself(dirs):
    out, _ = dirs
    (out / "mine.txt").write_text("mine")
    gz, digest = make_tar([directory("."), reg("a.txt", b"a"), directory("sub"),
                           reg("sub/b.txt", b"b")])
    pull_dir(out, ".", gz, digest)
    assert (out / "a.txt").read_bytes() == b"a"
    assert (out / "sub" / "b.txt").read_bytes() == b"b"
    assert (out / "mine.txt").read_text() == "mine"
    assert leftovers(out) == []


def test_directory_pushed_as_dot_cannot_escape(dirs):
    out, outside = dirs
    gz, digest = make_tar([reg("../outside/evil", b"x")])
    with pytest.raises(PathTraversalError):
        pull_dir(out, ".", gz, digest)
    assert list(outside.iterdir()) == [] and leftovers(out) == []


def _zeros_layer(size: int) -> tuple[bytes, Digest]:
    info = tarfile.TarInfo("d/zeros")
    info.size = size
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(info, io.BytesIO(bytes(size)))
    return gzip.compress(raw.getvalue(), compresslevel=1), Digest.from_bytes(raw.getvalue())


def test_a_decompression_bomb_is_stopped_and_leaves_nothing(dirs, monkeypatch):
    import orasx.content.file as file_module
    from orasx.errors import SizeLimitError

    out, _ = dirs
    gz, digest = _zeros_layer(8 * 1024 * 1024)  # 8 MiB of zeros: about 8 KiB compressed
    monkeypatch.setattr(file_module, "UNPACK_FLOOR", 1024 * 1024)
    with pytest.raises(SizeLimitError, match="expands to more than"):
        pull_dir(out, "d", gz, digest)
    assert list(out.iterdir()) == []


def test_the_unpack_limit_can_be_lifted(dirs, monkeypatch):
    import orasx.content.file as file_module

    out, _ = dirs
    gz, digest = _zeros_layer(4 * 1024 * 1024)
    monkeypatch.setattr(file_module, "UNPACK_FLOOR", 1024 * 1024)
    desc = Descriptor.from_bytes("application/vnd.oci.image.layer.v1.tar+gzip", gz, annotations={
        TITLE: "d", UNPACK: "true", CONTENT_DIGEST: str(digest)})
    with FileStore(str(out), max_unpack_ratio=0) as store:
        store.push(desc, io.BytesIO(gz))
    assert (out / "d" / "zeros").stat().st_size == 4 * 1024 * 1024


def test_a_cancelled_extraction_stops_and_places_nothing(dirs):
    import threading

    from orasx.errors import CopyError

    out, _ = dirs
    gz, digest = _zeros_layer(1024 * 1024)
    cancel = threading.Event()
    cancel.set()
    desc = Descriptor.from_bytes("application/vnd.oci.image.layer.v1.tar+gzip", gz, annotations={
        TITLE: "d", UNPACK: "true", CONTENT_DIGEST: str(digest)})
    with FileStore(str(out), cancelled=cancel) as store, pytest.raises(CopyError):
        store.push(desc, io.BytesIO(gz))
    assert list(out.iterdir()) == []


def test_a_blob_larger_than_the_free_disk_space_is_refused_before_writing(dirs):
    from orasx.errors import SizeLimitError

    out, _ = dirs
    desc = Descriptor("application/octet-stream", Digest.from_bytes(b"x"), 2**62,
                      annotations={TITLE: "huge"})
    with FileStore(str(out)) as store, pytest.raises(SizeLimitError, match="bytes free"):
        store.push(desc, io.BytesIO(b"x"))
    assert list(out.iterdir()) == []
