from __future__ import annotations

import hashlib
import io

import pytest

from orasx.digest import Digest, VerifyingReader, parse_digest
from orasx.errors import InvalidDigestError, VerificationError

DATA = b"hello world\n"
DIGEST = Digest.from_bytes(DATA)


def test_digest_round_trips_and_matches_hashlib():
    assert str(DIGEST) == "sha256:" + hashlib.sha256(DATA).hexdigest()
    assert parse_digest(str(DIGEST)) == DIGEST
    d512 = Digest.from_bytes(DATA, "sha512")
    assert parse_digest(str(d512)) == d512


@pytest.mark.parametrize(
    "text",
    ["sha256:../../etc/passwd", "sha256:" + "A" * 64, "sha256:" + "a" * 63, "md5:" + "a" * 32,
     "sha256:", "sha256:abc/def", "a" * 64, "", "sha512:" + "a" * 64],
)
def test_parse_digest_rejects_unsafe_or_malformed(text):
    with pytest.raises(InvalidDigestError):
        parse_digest(text)


def _read_all(reader: VerifyingReader) -> bytes:
    out = b""
    while chunk := reader.read(5):
        out += chunk
    reader.verify()
    return out


def test_verifying_reader_passes_exact_content():
    assert _read_all(VerifyingReader(io.BytesIO(DATA), DIGEST, len(DATA))) == DATA


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (DATA[:-1], "content ended"),
        (DATA + b"x", "longer than its size"),
        (b"hello World\n", "digest mismatch"),
    ],
)
def test_verifying_reader_refuses_short_long_and_corrupt_bodies(body, message):
    with pytest.raises(VerificationError, match=message):
        _read_all(VerifyingReader(io.BytesIO(body), DIGEST, len(DATA)))

