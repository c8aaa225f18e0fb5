"""API key format: `sk_live_<43 base62>_<6 base62 CRC32>` (GitHub's token format, our prefix).

The checksum lets every service reject a mistyped or forged key without touching a database,
and the fixed prefix lets secret scanners find leaked keys.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import zlib

__all__ = [
    "API_KEY_PATTERN",
    "generate_api_key",
    "hash_api_key",
    "is_api_key_like",
    "is_well_formed_api_key",
]

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BODY_LENGTH = 43  # 32 random bytes in base62
API_KEY_PATTERN = re.compile(r"^sk_(live|test)_([0-9A-Za-z]{43})_([0-9A-Za-z]{6})$")


def _base62(number: int, width: int) -> str:
    digits: list[str] = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(_ALPHABET[rest])
    return "".join(reversed(digits)).rjust(width, "0")


def _checksum(prefix_and_body: str) -> str:
    return _base62(zlib.crc32(prefix_and_body.encode()), 6)


def generate_api_key(environment: str = "live") -> str:
    body = _base62(int.from_bytes(secrets.token_bytes(32), "big"), _BODY_LENGTH)
    head = f"sk_{environment}_{body}"
    return f"{head}_{_checksum(head)}"


def is_api_key_like(credential: str) -> bool:
    """Whether a bearer credential claims to be an API key (it may still be malformed)."""
    return credential.startswith("sk_")


def is_well_formed_api_key(key: str) -> bool:
    """Format and checksum only: no I/O, constant work for any input length we accept."""
    if len(key) > 64:
        return False
    match = API_KEY_PATTERN.match(key)
    if match is None:
        return False
    head = key[: -(len(match.group(3)) + 1)]
    return secrets.compare_digest(_checksum(head), match.group(3))


def hash_api_key(key: str) -> str:
    """Stored form of a key. SHA-256 suffices: the key carries 256 random bits."""
    return hashlib.sha256(key.encode()).hexdigest()
