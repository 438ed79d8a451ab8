"""Slow responses: metadata at one byte per second must hit a total deadline; a blob that trickles
must be given up on in bounded time.

The tests shorten orasx's timeouts through the environment: ``ORASX_READ_TIMEOUT`` and
``ORASX_STALL_SECONDS`` exist; ``ORASX_METADATA_DEADLINE`` (total seconds for one metadata
request: manifest, tag list, referrers, token) is the one proposed for the fix. A deadline hit
must not be retried like a dropped connection (5 attempts x 2 s would overrun the bound), and the
stall detector's resumes and the copy's blob attempts need an overall budget too.
"""

from __future__ import annotations

from tests.hostile.conftest import check_error

ENV = {"ORASX_READ_TIMEOUT": "2", "ORASX_CONNECT_TIMEOUT": "2", "ORASX_METADATA_DEADLINE": "2",
       "ORASX_STALL_SECONDS": "1", "ORASX_STALL_MIN_BYTES": "16384"}
SLOW = r"deadline|timed? ?out|too slow|stall"


def test_headers_at_one_byte_per_second_hit_a_deadline(h):
    reg = h.registry("slow-headers")
    o = h.run("resolve", "--plain-http", reg.ref(), env=ENV, seconds=6)
    check_error(o, SLOW)


def test_a_manifest_at_one_byte_per_second_hits_a_deadline(h):
    reg = h.registry("slow-manifest-body")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref(), env=ENV, seconds=6)
    check_error(o, SLOW)


def test_a_trickling_blob_is_given_up_on_in_bounded_time(h):
    reg = h.registry("trickle-blob")
    o = h.run("pull", "--plain-http", "-o", "out", reg.ref(), env=ENV, seconds=6)
    check_error(o, SLOW)
