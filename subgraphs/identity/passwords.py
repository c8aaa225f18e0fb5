"""Password hashing and policy.

`PasswordHasher` is the port. `Argon2idHasher` (argon2-cffi, imported lazily) is the target;
until that dependency is installed, `ScryptHasher` with OWASP's parameters (N=2^17, r=8, p=1)
is used. `HashingService` runs hashing in worker threads behind a semaphore sized to the core
count (each scrypt/argon2 call holds 64-128 MiB), verifies any stored format, reports hashes
that need an upgrade, and verifies a dummy hash for unknown users so timing reveals nothing.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from typing import Any, Protocol

from subgraphs.identity.errors import WeakPasswordError

MIN_LENGTH = 12
MAX_LENGTH = 256

COMMON_PASSWORDS = frozenset(
    {
        "123456789012", "1234567890123", "password1234", "password12345", "passwordpassword",
        "qwertyuiop12", "qwertyuiopasdf", "iloveyou1234", "letmein12345", "welcome12345",
        "administrator", "adminadmin123", "changeme1234", "trustno112345", "football1234",
        "baseball1234", "monkey123456", "dragon123456", "sunshine1234", "princess1234",
        "starwars1234", "superman1234", "qwerty123456", "abc123456789", "111111111111",
        "000000000000", "aaaaaaaaaaaa", "passw0rd1234", "p@ssw0rd1234", "p@ssword1234",
        "correcthorsebatterystaple", "1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3",
        "asdfghjkl123", "michael12345", "jennifer1234", "whatever1234", "computer1234",
        "internet1234", "secret123456", "mypassword12", "yourpassword", "summer2024!!",
        "winter2024!!", "spring2025!!", "autumn2025!!", "companyname1", "helpdesk1234",
    }
)  # fmt: skip


class PasswordHasher(Protocol):
    prefix: str

    def hash(self, password: str) -> str: ...

    def verify(self, hashed: str, password: str) -> bool: ...

    def needs_rehash(self, hashed: str) -> bool: ...


class ScryptHasher:
    """`$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (hashlib.scrypt; needs 128 MiB per call)."""

    prefix = "$scrypt$"

    def __init__(self, log_n: int = 17, r: int = 8, p: int = 1) -> None:
        self.log_n, self.r, self.p = log_n, r, p

    def _derive(self, password: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
        n = 1 << log_n
        return hashlib.scrypt(
            password.encode(), salt=salt, n=n, r=r, p=p, maxmem=130 * n * r + 1_048_576, dklen=32
        )

    def hash(self, password: str) -> str:
        salt = secrets.token_bytes(16)
        digest = self._derive(password, salt, self.log_n, self.r, self.p)
        params = f"ln={self.log_n},r={self.r},p={self.p}"
        return f"$scrypt${params}${_b64(salt)}${_b64(digest)}"

    def verify(self, hashed: str, password: str) -> bool:
        try:
            _, _, params, salt, digest = hashed.split("$")
            values = dict(item.split("=") for item in params.split(","))
            log_n, r, p = int(values["ln"]), int(values["r"]), int(values["p"])
            expected = _unb64(digest)
            actual = self._derive(password, _unb64(salt), log_n, r, p)
        except (ValueError, KeyError):
            return False
        return hmac.compare_digest(actual, expected)

    def needs_rehash(self, hashed: str) -> bool:
        return not hashed.startswith(f"$scrypt$ln={self.log_n},r={self.r},p={self.p}$")


class Argon2idHasher:
    """argon2-cffi's `PasswordHasher` (RFC 9106 low-memory profile: t=3, 64 MiB, p=4)."""

    prefix = "$argon2id$"

    def __init__(self) -> None:
        import argon2  # lazy: optional until argon2-cffi is in the lock file

        self._argon2: Any = argon2
        self._hasher: Any = argon2.PasswordHasher()

    def hash(self, password: str) -> str:
        return str(self._hasher.hash(password))

    def verify(self, hashed: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(hashed, password))
        except self._argon2.exceptions.VerifyMismatchError:
            return False
        except (self._argon2.exceptions.VerificationError, self._argon2.exceptions.InvalidHash):
            return False

    def needs_rehash(self, hashed: str) -> bool:
        return bool(self._hasher.check_needs_rehash(hashed))


def default_hasher() -> PasswordHasher:
    try:
        return Argon2idHasher()
    except ImportError:
        return ScryptHasher()


class HashingService:
    """Async hashing off the event loop; verifies every known format (migration-friendly)."""

    def __init__(
        self, hasher: PasswordHasher, others: Sequence[PasswordHasher] = (), workers: int = 0
    ) -> None:
        self.hasher = hasher
        self._all = [hasher, *others]
        self._gate = asyncio.Semaphore(workers or os.cpu_count() or 2)
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        async with self._gate:
            return await asyncio.to_thread(self.hasher.hash, password)

    async def verify(self, hashed: str | None, password: str) -> bool:
        """False for a missing hash too, after the same work as a real verification."""
        if hashed is None:
            if self._dummy is None:
                self._dummy = await self.hash(secrets.token_urlsafe(16))
            await self._verify(self._dummy, password)
            return False
        return await self._verify(hashed, password)

    async def _verify(self, hashed: str, password: str) -> bool:
        hasher = next((h for h in self._all if hashed.startswith(h.prefix)), None)
        if hasher is None:
            return False
        async with self._gate:
            return await asyncio.to_thread(hasher.verify, hashed, password)

    def needs_rehash(self, hashed: str) -> bool:
        return not hashed.startswith(self.hasher.prefix) or self.hasher.needs_rehash(hashed)


def check_password_policy(password: str, email: str | None) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(field="password", reason=f"use at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPasswordError(field="password", reason=f"use at most {MAX_LENGTH} characters")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        raise WeakPasswordError(field="password", reason="it is too common")
    if email:
        local = email.lower().split("@", 1)[0]
        if email.lower() in lowered or (len(local) >= 3 and local in lowered):
            raise WeakPasswordError(field="password", reason="it contains your email")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))
