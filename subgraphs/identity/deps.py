"""Collaborators of the identity subgraph, built once per process by `build_app`."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.keyring import KeyRing
from subgraphs.identity.mailer import Mailer
from subgraphs.identity.passwords import HashingService
from subgraphs.identity.tokens import TokenIssuer
from subgraphs.kit.auth.once import MemoryOnce, OnceCache
from subgraphs.kit.auth.revocations import RevocationPublisher
from subgraphs.kit.auth.throttle import Throttle as Throttle
from subgraphs.kit.ids import TenantId

TenantSessionOpener = Callable[[TenantId], AbstractAsyncContextManager[AsyncSession]]
ControlSessionOpener = Callable[[], AbstractAsyncContextManager[AsyncSession]]
REFRESH_GRACE_SECONDS = 10.0


class SessionCache(Protocol):
    def forget(self, session_id: str) -> None: ...


@dataclass
class IdentityDeps:
    keyring: KeyRing
    issuer: TokenIssuer
    hashing: HashingService
    mailer: Mailer
    throttle: Throttle
    secrets: Fernet  # encrypts TOTP secrets at rest
    open_tenant: TenantSessionOpener
    sessions_cache: SessionCache
    public_url: str = "http://localhost:8000"
    open_control: ControlSessionOpener | None = None  # platform operators (control database)
    once: OnceCache = field(default_factory=MemoryOnce)  # TOTP replay cache
    # successors of rotated refresh tokens are HMAC(refresh_key, presented token), so a
    # token reused within `refresh_grace_seconds` gets the same successor back
    refresh_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    refresh_grace_seconds: float = REFRESH_GRACE_SECONDS
    # revoked sessions announced to other processes (Redis); None: this process only
    revocations: RevocationPublisher | None = None
