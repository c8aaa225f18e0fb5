"""Signed, expiring download tokens: HMAC-SHA256 over (tenant id, file id, expiry).

A token names its tenant, so a URL signed for tenant A is looked up in A's database only: it
can never serve tenant B's file, and changing any part breaks the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["DownloadGrant", "TokenError", "TokenProblem", "sign_download", "verify_download"]


class TokenProblem(StrEnum):
    MALFORMED = "MALFORMED"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    EXPIRED = "EXPIRED"


class TokenError(Exception):
    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class DownloadGrant:
    tenant_id: str
    file_id: str
    expires: int


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, b"files.download.v1|" + payload, hashlib.sha256).digest()


def sign_download(secret: bytes, tenant_id: str, file_id: str, expires: int) -> str:
    payload = f"{tenant_id}|{file_id}|{expires}".encode()
    return f"{_b64(payload)}.{_b64(_mac(secret, payload))}"


def verify_download(secret: bytes, token: str, now: float | None = None) -> DownloadGrant:
    """The grant of a valid token; raises `TokenError` (malformed, bad signature, expired)."""
    try:
        encoded, signature = token.split(".", 1)
        payload, mac = _unb64(encoded), _unb64(signature)
        tenant_id, file_id, raw_expires = payload.decode().split("|")
        expires = int(raw_expires)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TokenError(TokenProblem.MALFORMED) from exc
    if not hmac.compare_digest(mac, _mac(secret, payload)):
        raise TokenError(TokenProblem.BAD_SIGNATURE)
    if expires <= (time.time() if now is None else now):
        raise TokenError(TokenProblem.EXPIRED)
    return DownloadGrant(tenant_id, file_id, expires)
