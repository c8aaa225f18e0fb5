"""The identity subgraph's implementations of the auth kit's ports (in-process wiring)."""

from __future__ import annotations

import time
import uuid

from subgraphs.identity.deps import TenantSessionOpener
from subgraphs.identity.models import UserStatus
from subgraphs.identity.repository import SessionRepository
from subgraphs.identity.service.api_keys import resolve_api_key
from subgraphs.identity.service.common import now
from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.db import begin_write
from subgraphs.kit.ids import TenantId

LIVE_CACHE_SECONDS = 5.0


class IdentityApiKeys:
    """`ApiKeyResolver`: looks the key's hash up in the target tenant's database only."""

    def __init__(self, open_tenant: TenantSessionOpener) -> None:
        self.open_tenant = open_tenant

    async def resolve(self, tenant_id: TenantId, key: str) -> Principal | None:
        async with self.open_tenant(tenant_id) as session:
            await begin_write(session)  # reads then writes last_used_at: SQLite BEGIN IMMEDIATE
            principal = await resolve_api_key(session, tenant_id, key)
            await session.commit()  # last_used_at
        return principal


class IdentitySessions:
    """`SessionChecker`: an access token dies with its session (logout, reuse, deactivation).

    Live answers are cached for a few seconds; revocations in this process forget the entry at
    once, other processes see them within `LIVE_CACHE_SECONDS`.
    """

    def __init__(self, open_tenant: TenantSessionOpener) -> None:
        self.open_tenant = open_tenant
        self._live: dict[str, float] = {}

    async def is_active(self, tenant_id: TenantId, user_id: str, session_id: str) -> bool:
        key = f"{tenant_id}:{session_id}"
        if self._live.get(key, 0.0) > time.monotonic():
            return True
        try:
            sid, uid = uuid.UUID(session_id), uuid.UUID(user_id)
        except ValueError:
            return False
        async with self.open_tenant(tenant_id) as session:
            row = await SessionRepository(session).find_live(sid, uid, now())
        live = row is not None and row[1] == UserStatus.ACTIVE.value
        if live:
            if len(self._live) > 50_000:
                self._live.clear()
            self._live[key] = time.monotonic() + LIVE_CACHE_SECONDS
        return live

    def forget(self, session_id: str) -> None:
        for key in [k for k in self._live if k.endswith(f":{session_id}")]:
            self._live.pop(key, None)
