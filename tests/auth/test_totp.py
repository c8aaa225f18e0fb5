"""TOTP against the RFC 6238 Appendix B test vectors (8 digits, SHA-1/256/512)."""

from __future__ import annotations

import pytest

from subgraphs.identity.totp import new_secret, totp, verify_totp

KEYS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), VECTORS)
def test_rfc6238_vectors(at: int, sha1: str, sha256: str, sha512: str) -> None:
    assert totp(KEYS["sha1"], at, digits=8, digest="sha1") == sha1
    assert totp(KEYS["sha256"], at, digits=8, digest="sha256") == sha256
    assert totp(KEYS["sha512"], at, digits=8, digest="sha512") == sha512


def test_verify_accepts_one_step_of_drift_only() -> None:
    secret = new_secret()
    import base64

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    now = 1_700_000_000.0
    code = totp(key, now)
    assert verify_totp(secret, code, at=now)
    assert verify_totp(secret, code, at=now + 30)
    assert not verify_totp(secret, code, at=now + 90)
    assert not verify_totp(secret, "12345", at=now)
    assert not verify_totp(secret, "abcdef", at=now)
