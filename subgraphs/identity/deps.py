"""Collaborators of the identity subgraph, built once per process by `build_app`."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.keyring import KeyRing
from subgraphs.identity.mailer import Mailer
from subgraphs.identity.passwords import HashingService
from subgraphs.identity.throttle import Counter
from subgraphs.identity.tokens import TokenIssuer
from subgraphs.kit.ids import TenantId

TenantSessionOpener = Callable[[TenantId], AbstractAsyncContextManager[AsyncSession]]


class Throttle(Protocol):
    async def retry_after(self, counters: list[Counter]) -> int | None: ...

    async def failure(self, counters: list[Counter]) -> None: ...

    async def success(self, counters: list[Counter]) -> None: ...


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
