"""TOTP (RFC 6238) over HOTP (RFC 4226) with hmac: SHA-1, 6 digits, 30-second steps."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP = 30
DIGITS = 6


def new_secret() -> str:
    """160 random bits in base32 (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret_b32: str) -> bytes:
    padded = secret_b32.upper() + "=" * (-len(secret_b32) % 8)
    return base64.b32decode(padded)


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    code = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def totp(
    key: bytes, at: float, *, digits: int = DIGITS, digest: str = "sha1", step: int = STEP
) -> str:
    return hotp(key, int(at // step), digits, digest)


def matching_step(
    secret_b32: str, code: str, *, at: float | None = None, window: int = 1
) -> int | None:
    """The time step (`unix time // STEP`) whose code this is, within `window` steps either
    side of now (clock drift); None when it matches none. Every step is compared."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    moment = time.time() if at is None else at
    key = _key(secret_b32)
    found: int | None = None
    for drift in range(-window, window + 1):
        step = int((moment + drift * STEP) // STEP)
        if hmac.compare_digest(hotp(key, step), code):
            found = step
    return found


def verify_totp(secret_b32: str, code: str, *, at: float | None = None, window: int = 1) -> bool:
    """Accept the current step and `window` steps either side (clock drift). Stateless: the
    identity service adds the replay check (`service.mfa.accept_totp`)."""
    return matching_step(secret_b32, code, at=at, window=window) is not None


def provisioning_uri(secret_b32: str, account: str, issuer: str) -> str:
    query = urlencode({"secret": secret_b32, "issuer": issuer, "digits": DIGITS, "period": STEP})
    return f"otpauth://totp/{quote(issuer)}:{quote(account)}?{query}"
