"""Decompression bombs and impossible sizes: a 10 MB directory layer that expands to 10 GiB, and
a layer whose descriptor claims 2^63 bytes.

The child may write at most 1 GiB per file (RLIMIT_FSIZE), so a client without a cap fails with
"File too large" instead of filling the disk; that is not the error a user should get.
``ORASX_MAX_UNPACK_BYTES`` sets the cap in bytes (the test sets 128 MiB).
"""

from __future__ import annotations

from tests.hostile.conftest import check_error

NOT_RLIMIT = ("File too large", "Errno 27")


def test_directory_layer_expanding_to_10_gib_is_refused(h):
    reg = h.registry("gzip-bomb")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref(),
              env={"ORASX_MAX_UNPACK_BYTES": str(128 << 20)}, seconds=10)
    assert not any(s in o.err for s in NOT_RLIMIT), f"stopped only by the test's rlimit: {o.summary()}"
    check_error(o, r"limit|exceed|too (large|big)|expan|ratio|bomb")


def test_layer_size_2_to_the_63_is_refused(h):
    reg = h.registry("size-2-63")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref(), seconds=6)
    assert not any(s in o.err for s in NOT_RLIMIT), f"stopped only by the test's rlimit: {o.summary()}"
    check_error(o, r"size")
