"""Agent presence with heartbeats and expiry.

`RedisPresence` keeps `t:{tenant}:chat:presence:{user}` with a TTL, so an agent whose client
stops sending heartbeats disappears by itself, across processes. `MemoryPresence` does the same
in one process (embedded default). Routing does not read these keys: it reads the agents'
`last_seen_at` inside its locked transaction, with the same TTL.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Protocol

from subgraphs.chat.models import PresenceStatus

PRESENCE_TTL_SECONDS = 60


def presence_key(tenant_id: uuid.UUID, user_id: uuid.UUID) -> str:
    return f"t:{tenant_id}:chat:presence:{user_id}"


class PresenceStore(Protocol):
    async def beat(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID, status: PresenceStatus
    ) -> None: ...

    async def clear(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None: ...

    async def status(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> PresenceStatus: ...


class MemoryPresence:
    def __init__(self, ttl: float = PRESENCE_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._seen: dict[str, tuple[float, PresenceStatus]] = {}

    async def beat(self, tenant_id: uuid.UUID, user_id: uuid.UUID, status: PresenceStatus) -> None:
        self._seen[presence_key(tenant_id, user_id)] = (time.monotonic() + self.ttl, status)

    async def clear(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
        self._seen.pop(presence_key(tenant_id, user_id), None)

    async def status(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> PresenceStatus:
        found = self._seen.get(presence_key(tenant_id, user_id))
        if found is None or found[0] < time.monotonic():
            return PresenceStatus.OFFLINE
        return found[1]


class RedisPresence:
    def __init__(self, redis: Any, ttl: int = PRESENCE_TTL_SECONDS) -> None:
        self.redis = redis
        self.ttl = ttl

    async def beat(self, tenant_id: uuid.UUID, user_id: uuid.UUID, status: PresenceStatus) -> None:
        await self.redis.set(presence_key(tenant_id, user_id), status.value, ex=self.ttl)

    async def clear(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
        await self.redis.delete(presence_key(tenant_id, user_id))

    async def status(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> PresenceStatus:
        raw = await self.redis.get(presence_key(tenant_id, user_id))
        if raw is None:
            return PresenceStatus.OFFLINE
        return PresenceStatus(raw.decode() if isinstance(raw, bytes) else str(raw))
