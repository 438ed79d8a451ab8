"""The shared cache and snapshots hand out only bytes with the digest asked for (issue #19, cases 1-9).

Each test damages or attacks the cache the way a disk, an editor or another local user would, then
pulls as a user does (the ``oras`` command with ``ORAS_CACHE``, or ``orasx.snapshot``) against a
real registry, and checks what the user gets: the right bytes, or a failure with nothing placed.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import orasx
from orasx.api._snapshot import snapshot
from tests.conftest import ORAS
from tests.e2e.helpers import PLAIN
from tests.support.users import User

DATA = os.urandom(300_000)
NOTES = b"notes: " + b"n" * 194 + b"\n"


def _env(tmp_path: Path, cache: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "ORAS"))}
    env["HOME"] = str(tmp_path / "home")
    if cache is not None:
        env["ORAS_CACHE"] = str(cache)
    env.update(extra)
    return env


@pytest.fixture
def pushed(registry, repo_name, tmp_path) -> str:
    src = tmp_path / "src"
    src.mkdir()
    (src / "model.bin").write_bytes(DATA)
    (src / "notes.txt").write_bytes(NOTES)
    ref = f"{registry.localhost}/{repo_name}:v1"
    subprocess.run([ORAS, "push", ref, "model.bin", "notes.txt"], cwd=src, check=True,
                   capture_output=True, env=_env(tmp_path, None))
    return ref


def _pull(tmp_path: Path, ref: str, out: Path, cache: Path,
          **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ORAS, "pull", ref, "-o", str(out)], capture_output=True, text=True,
                          env=_env(tmp_path, cache), timeout=60, **kw)  # type: ignore[call-overload]


def _entry(cache: Path, data: bytes) -> Path:
    return cache / "blobs" / "sha256" / hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("damage", ["truncate", "append"])
def test_a_truncated_or_extended_cache_entry_is_dropped_and_fetched_again(
        pushed, tmp_path, damage):
    cache = tmp_path / "cache"
    assert _pull(tmp_path, pushed, tmp_path / "one", cache).returncode == 0
    blob = _entry(cache, DATA)
    os.chmod(blob, 0o644)
    with open(blob, "r+b") as f:
        if damage == "truncate":
            f.truncate(1000)
        else:
            f.seek(0, os.SEEK_END)
            f.write(b"trailing bytes")
    out = _pull(tmp_path, pushed, tmp_path / "two", cache)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "two" / "model.bin").read_bytes() == DATA
    assert blob.read_bytes() == DATA  # the cache holds the right bytes again
    again = _pull(tmp_path, pushed, tmp_path / "three", cache)
    assert again.returncode == 0 and (tmp_path / "three" / "model.bin").read_bytes() == DATA


def _shared_cache(tmp_path: Path, user: User) -> Path:
    """A cache directory group-writable for the users' shared group (setgid, umask 002)."""
    cache = tmp_path / "shared-cache"
    cache.mkdir()
    os.chown(cache, 0, user.share_gid)
    os.chmod(cache, 0o2775)
    return cache


_ATTACK = """
import os, sys
blob, how, value = sys.argv[1:4]
if how == "symlink":
    os.symlink(value, blob + ".new")
else:
    with open(blob + ".new", "wb") as f:
        f.write(open(value, "rb").read())
os.replace(blob + ".new", blob)
st = os.lstat(blob)
fp = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"
cache = blob.split("/blobs/")[0]
alg, hexd = blob.split("/")[-2:]
for marker in (f"{cache}/orasx-verified/{alg}/{hexd}", f"{cache}/orasx-verified/0/{alg}-{hexd}"):
    try:
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        open(marker + ".new", "w").write(fp)
        os.replace(marker + ".new", marker)
    except OSError:
        pass
"""


def _pulled_into_shared_cache(tmp_path: Path, user: User, ref: str) -> Path:
    """A shared cache (see :func:`_shared_cache`) that a pull of ``ref`` filled, as root with
    umask 002 (so what it makes is group-writable too)."""
    cache = _shared_cache(tmp_path, user)
    old = os.umask(0o002)
    try:
        assert _pull(tmp_path, ref, tmp_path / "one", cache).returncode == 0
    finally:
        os.umask(old)
    return cache


def _attack(user: User, blob: Path, how: str, value: str) -> None:
    """As ``user``: replace the cache entry ``blob`` (with a file's bytes, or a symlink) and write
    every verification marker she can for the result (the old marker and root's records)."""
    done = user.python(_ATTACK, str(blob), how, value)
    assert done.returncode == 0, done.stderr


def test_another_user_swapping_a_shared_cache_entry_and_forging_its_marker_is_not_served(
        pushed, shared_tmp_path, mallory):
    tmp_path = shared_tmp_path
    cache = _pulled_into_shared_cache(tmp_path, mallory, pushed)
    blob = _entry(cache, DATA)
    forged = b"E" * len(DATA)
    (tmp_path / "forged").write_bytes(forged)
    os.chmod(tmp_path / "forged", 0o644)
    _attack(mallory, blob, "bytes", str(tmp_path / "forged"))
    assert blob.read_bytes() == forged  # the attack took place
    out = _pull(tmp_path, pushed, tmp_path / "two", cache)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "two" / "model.bin").read_bytes() == DATA
    snap = snapshot(pushed, cache_dir=str(cache), remote=PLAIN)
    assert (snap / "model.bin").read_bytes() == DATA


def test_a_cache_entry_replaced_by_a_symlink_of_the_right_size_is_never_followed(
        pushed, shared_tmp_path, mallory):
    tmp_path = shared_tmp_path
    cache = _pulled_into_shared_cache(tmp_path, mallory, pushed)
    secret = tmp_path / "home" / ".docker" / "config.json"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(b'{"auths": {"x": {"auth": "c2VjcmV0"}}}')
    blob = _entry(cache, NOTES)
    # a link whose own size (the length of the path it names) is the blob's size, and a marker
    # for it: the victim's stat of the link matches the descriptor
    _attack(mallory, blob, "symlink", "/" * (len(NOTES) - len(str(secret))) + str(secret))
    assert os.lstat(blob).st_size == len(NOTES)
    out = _pull(tmp_path, pushed, tmp_path / "two", cache)
    assert out.returncode == 0, out.stderr
    got = (tmp_path / "two" / "notes.txt").read_bytes()
    assert got == NOTES and b"auths" not in got
    assert not blob.is_symlink()  # the link was dropped, the entry fetched again


def _plant_digest_named_entry(index_json: Path, other_digest: str, other_size: int,
                              name: str) -> None:
    index = json.loads(index_json.read_text())
    index["manifests"].insert(0, {
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": other_digest,
        "size": other_size, "annotations": {"org.opencontainers.image.ref.name": name}})
    index_json.write_text(json.dumps(index))


def test_a_digest_reference_is_resolved_by_digest_alone_in_a_layout(tmp_path):
    work = tmp_path / "w"
    work.mkdir()
    (work / "a.txt").write_text("the real one\n")
    (work / "b.txt").write_text("the other one\n")
    env = _env(tmp_path, None)
    layout = tmp_path / "layout"
    real = subprocess.run([ORAS, "push", "--oci-layout", f"{layout}:a", "a.txt", "--format",
                           "json"], cwd=work, capture_output=True, text=True, env=env, check=True)
    other = subprocess.run([ORAS, "push", "--oci-layout", f"{layout}:b", "b.txt", "--format",
                            "json"], cwd=work, capture_output=True, text=True, env=env, check=True)
    real_digest = json.loads(real.stdout)["digest"]
    other_doc = json.loads(other.stdout)
    _plant_digest_named_entry(layout / "index.json", other_doc["digest"], other_doc["size"],
                              real_digest)
    out = subprocess.run([ORAS, "pull", "--oci-layout", f"{layout}@{real_digest}", "-o",
                          str(tmp_path / "out"), "--format", "json"], capture_output=True,
                         text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["reference"].endswith(real_digest)
    assert (tmp_path / "out" / "a.txt").read_text() == "the real one\n"
    assert not (tmp_path / "out" / "b.txt").exists()


def test_a_digest_reference_is_resolved_by_digest_alone_in_the_cache(
        registry, repo_name, pushed, tmp_path):
    cache = tmp_path / "cache"
    work = tmp_path / "w"
    work.mkdir()
    (work / "b.txt").write_text("the other one\n")
    other_ref = f"{registry.localhost}/{repo_name}:other"
    subprocess.run([ORAS, "push", other_ref, "b.txt"], cwd=work, check=True,
                   capture_output=True, env=_env(tmp_path, None))
    assert _pull(tmp_path, other_ref, tmp_path / "o", cache).returncode == 0
    first = subprocess.run([ORAS, "pull", pushed, "-o", str(tmp_path / "one"), "--format",
                            "json"], capture_output=True, text=True, env=_env(tmp_path, cache))
    real_digest = json.loads(first.stdout)["reference"].rpartition("@")[2]
    other = orasx.Repository(orasx.parse_reference(other_ref), PLAIN.client(registry.localhost))
    other_desc = other.resolve("other")
    _plant_digest_named_entry(cache / "index.json", str(other_desc.digest), other_desc.size,
                              real_digest)
    by_digest = pushed.rpartition(":")[0] + f"@{real_digest}"
    out = subprocess.run([ORAS, "pull", by_digest, "-o", str(tmp_path / "two"), "--format",
                          "json"], capture_output=True, text=True, env=_env(tmp_path, cache))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["reference"].endswith(real_digest)
    assert (tmp_path / "two" / "model.bin").read_bytes() == DATA
    assert not (tmp_path / "two" / "b.txt").exists()


def test_a_snapshot_file_planted_by_another_user_is_not_returned(pushed, shared_tmp_path, mallory):
    tmp_path = shared_tmp_path
    cache = _shared_cache(tmp_path, mallory)
    manifest = orasx.Repository(orasx.parse_reference(pushed), PLAIN.client(
        pushed.split("/")[0])).resolve(pushed.rpartition(":")[2])
    code = """
import os, sys
d = os.path.join(sys.argv[1], "snapshots", "sha256", sys.argv[2])
os.makedirs(d, mode=0o777)
with open(os.path.join(d, "model.bin"), "wb") as f:
    f.write(b"planted" * 10)
"""
    done = mallory.python(code, str(cache), manifest.digest.encoded)
    assert done.returncode == 0, done.stderr
    snap = snapshot(pushed, cache_dir=str(cache), remote=PLAIN)
    assert (snap / "model.bin").read_bytes() == DATA
    assert (snap / "notes.txt").read_bytes() == NOTES


def test_an_edit_through_a_snapshot_does_not_persist_or_poison_later_pulls(pushed, tmp_path):
    cache = tmp_path / "cache"
    snap = snapshot(pushed, cache_dir=str(cache), remote=PLAIN)
    target = snap / "model.bin"
    os.chmod(target, 0o644)
    with open(target, "r+b") as f:  # edited in place, through the hardlink to the cache
        f.write(b"EDITED")
    again = snapshot(pushed, cache_dir=str(cache), remote=PLAIN)
    assert (again / "model.bin").read_bytes() == DATA
    out = _pull(tmp_path, pushed, tmp_path / "after", cache)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "after" / "model.bin").read_bytes() == DATA


def _keep_metadata_after_bitrot(path: Path, cache: Path, data: bytes) -> None:
    """Flip bytes in ``path`` and make every fingerprint this user recorded for it match the
    flipped file again: what bit rot under an unmounted filesystem leaves (the inode's metadata
    as it was), which a test cannot otherwise produce without a raw disk."""
    os.chmod(path, 0o644)
    with open(path, "r+b") as f:
        f.seek(len(data) // 2)
        f.write(bytes(b ^ 0xFF for b in data[len(data) // 2: len(data) // 2 + 64]))
    os.chmod(path, 0o444)
    st = os.stat(path)
    fp = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"
    digest = hashlib.sha256(data).hexdigest()
    for marker in (cache / "orasx-verified" / "sha256" / digest,
                   cache / "orasx-verified" / str(os.geteuid()) / f"sha256-{digest}"):
        if marker.parent.is_dir():
            marker.write_text(fp + ("\n" if marker.name.startswith("sha256-") else ""))


def test_bit_rot_that_keeps_the_metadata_is_caught_by_a_pull_and_a_snapshot(pushed, tmp_path):
    cache = tmp_path / "cache"
    assert _pull(tmp_path, pushed, tmp_path / "one", cache).returncode == 0
    _keep_metadata_after_bitrot(_entry(cache, DATA), cache, DATA)
    out = _pull(tmp_path, pushed, tmp_path / "two", cache)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "two" / "model.bin").read_bytes() == DATA
    _keep_metadata_after_bitrot(_entry(cache, DATA), cache, DATA)
    snap = snapshot(pushed, cache_dir=str(cache), remote=PLAIN)
    assert (snap / "model.bin").read_bytes() == DATA


@pytest.fixture(scope="module")
def big_pushed(registry, tmp_path_factory) -> str:
    work = tmp_path_factory.mktemp("big")
    with open(work / "big.bin", "wb") as f:
        f.write(os.urandom(64 << 20))
    ref = f"{registry.localhost}/t/cache-interrupt:v1"
    subprocess.run([ORAS, "push", ref, "big.bin"], cwd=work, check=True, capture_output=True,
                   env=_env(work, None))
    return ref


def test_ctrl_c_during_a_cached_pull_stops_at_once_and_leaves_nothing(
        registry, big_pushed, tmp_path):
    from bench.delayline import DelayLine

    host, port = registry.ip_host.split(":")
    cache = tmp_path / "cache"
    with DelayLine(host, int(port), delay=0.02, window=64 << 10) as line:  # about 3 MB/s
        ref = big_pushed.replace(registry.localhost, line.host)
        proc = subprocess.Popen([ORAS, "pull", "--plain-http", ref, "-o", str(tmp_path / "out")],
                                env=_env(tmp_path, cache), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        time.sleep(2.0)
        assert proc.poll() is None, "the pull ended before it was interrupted"
        proc.send_signal(signal.SIGINT)
        start = time.monotonic()
        try:
            proc.wait(timeout=10)
        finally:
            proc.kill()
        took = time.monotonic() - start
    assert took < 1.5, f"the pull took {took:.1f} s to stop"
    assert proc.returncode != 0
    assert not (tmp_path / "out" / "big.bin").exists()
    left = [p.name for p in cache.rglob("*") if p.is_file() and p.stat().st_size > 1 << 20]
    assert left == [], left
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()] \
        if (tmp_path / "out").exists() else True


def test_a_read_only_cache_of_another_user_serves_a_pull(pushed, shared_tmp_path, victor):
    tmp_path = shared_tmp_path
    cache = tmp_path / "cache"
    assert _pull(tmp_path, pushed, tmp_path / "one", cache).returncode == 0
    os.chmod(tmp_path, 0o755)
    subprocess.run(["chmod", "-R", "a+rX,a-w", str(cache)], check=True)
    out_dir = tmp_path / "victor-out"
    out_dir.mkdir()
    os.chown(out_dir, victor.uid, victor.gid)
    env = {"HOME": str(out_dir), "ORAS_CACHE": str(cache), "PATH": os.environ["PATH"]}
    if os.environ.get("PYTHONPATH"):  # the code under test, when it is not the installed one
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    done = victor.run([sys.executable, "-m", "orasx", "pull", pushed, "-o", str(out_dir / "o")],
                      env=env)
    assert done.returncode == 0, done.stderr
    assert (out_dir / "o" / "model.bin").read_bytes() == DATA
    # a blob the cache lacks: the pull goes on without storing it, with one warning line
    _entry(cache, DATA).parent.chmod(0o755)
    subprocess.run(["rm", "-f", str(_entry(cache, DATA))], check=True)
    subprocess.run(["chmod", "a-w", str(_entry(cache, DATA).parent)], check=True)
    done = victor.run([sys.executable, "-m", "orasx", "pull", pushed, "-o", str(out_dir / "p")],
                      env=env)
    assert done.returncode == 0, done.stderr
    assert (out_dir / "p" / "model.bin").read_bytes() == DATA
    warnings = [line for line in done.stderr.splitlines() if "cache" in line]
    assert len(warnings) == 1 and warnings[0].startswith("Warning: cache "), done.stderr


def _hold_lock(user: User, directory: Path) -> subprocess.Popen[str]:
    code = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(120)
"""
    proc = user.popen([sys.executable, "-c", code, str(directory)], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_a_lock_held_by_another_user_bounds_the_wait(pushed, shared_tmp_path, mallory):
    tmp_path = shared_tmp_path
    cache = tmp_path / "cache"
    assert _pull(tmp_path, pushed, tmp_path / "one", cache).returncode == 0
    layout = tmp_path / "layout"
    work = tmp_path / "w"
    work.mkdir()
    (work / "a.txt").write_text("a\n")
    subprocess.run([ORAS, "push", "--oci-layout", f"{layout}:v1", "a.txt"], cwd=work, check=True,
                   capture_output=True, env=_env(tmp_path, None))
    os.chmod(tmp_path, 0o755)
    holders = [_hold_lock(mallory, cache / "ingest"), _hold_lock(mallory, layout / "ingest")]
    try:
        env = _env(tmp_path, cache, ORASX_LOCK_TIMEOUT="1")
        start = time.monotonic()
        pulled = subprocess.run([ORAS, "pull", pushed, "-o", str(tmp_path / "two")],
                                capture_output=True, text=True, env=env, timeout=30)
        assert pulled.returncode == 0, pulled.stderr  # recording the tag is not needed
        assert (tmp_path / "two" / "model.bin").read_bytes() == DATA
        tagged = subprocess.run([ORAS, "tag", "--oci-layout", f"{layout}:v1", "v2"],
                                capture_output=True, text=True, env=env, timeout=30)
        assert tagged.returncode == 1
        assert str(layout / "ingest") in tagged.stderr and "locked" in tagged.stderr
        assert len(tagged.stderr.strip().splitlines()) == 1
        os.environ["ORASX_LOCK_TIMEOUT"] = "1"
        try:
            snap = snapshot(pushed, cache_dir=str(cache), remote=PLAIN)
        finally:
            del os.environ["ORASX_LOCK_TIMEOUT"]
        assert (snap / "model.bin").read_bytes() == DATA
        assert time.monotonic() - start < 20
    finally:
        for proc in holders:
            proc.kill()
            proc.wait()
