"""Presence keys: tenant-prefixed, expiring by themselves (Redis TTL or in memory)."""

from __future__ import annotations

import asyncio
import uuid

from subgraphs.chat.models import PresenceStatus
from subgraphs.chat.presence import MemoryPresence, RedisPresence, presence_key


async def test_memory_presence_expires() -> None:
    store = MemoryPresence(ttl=0.2)
    tenant, user = uuid.uuid4(), uuid.uuid4()
    await store.beat(tenant, user, PresenceStatus.AWAY)
    assert await store.status(tenant, user) is PresenceStatus.AWAY
    assert await store.status(uuid.uuid4(), user) is PresenceStatus.OFFLINE  # other tenant
    await asyncio.sleep(0.3)
    assert await store.status(tenant, user) is PresenceStatus.OFFLINE


async def test_redis_presence_has_a_ttl(redis_url: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    store = RedisPresence(redis, ttl=1)
    tenant, user = uuid.uuid4(), uuid.uuid4()
    try:
        await store.beat(tenant, user, PresenceStatus.ONLINE)
        assert presence_key(tenant, user).startswith(f"t:{tenant}:chat:presence:")
        assert 0 < await redis.ttl(presence_key(tenant, user)) <= 1
        assert await store.status(tenant, user) is PresenceStatus.ONLINE
        await asyncio.sleep(1.2)
        assert await store.status(tenant, user) is PresenceStatus.OFFLINE
    finally:
        await redis.aclose()
