"""`OnceCache`: remember that something was used, for a while (replay protection).

`claim(key, ttl)` is True the first time a key is claimed within `ttl` seconds and False after
that. `RedisOnce` uses `SET key 1 NX EX ttl` (one round trip, atomic across processes) and falls
back to the in-process `MemoryOnce` when Redis errors; the memory claim is always made too, so
a Redis outage cannot reopen a key this process has already seen. Identity uses it to refuse
a TOTP code accepted once (per user, per time step).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

logger = logging.getLogger("subgraphs.auth.once")

__all__ = ["MemoryOnce", "OnceCache", "RedisOnce"]


class OnceCache(Protocol):
    async def claim(self, key: str, ttl: int) -> bool: ...


class MemoryOnce:
    def __init__(self, max_entries: int = 100_000) -> None:
        self._until: dict[str, float] = {}
        self._max = max_entries

    async def claim(self, key: str, ttl: int) -> bool:
        now = time.monotonic()
        if self._until.get(key, 0.0) > now:
            return False
        if len(self._until) >= self._max:
            self._until = {k: v for k, v in self._until.items() if v > now}
        self._until[key] = now + ttl
        return True


class RedisOnce:
    def __init__(self, redis: Any, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self.fallback = MemoryOnce()

    async def claim(self, key: str, ttl: int) -> bool:
        local = await self.fallback.claim(key, ttl)
        try:
            stored = await self.redis.set(self.prefix + key, b"1", nx=True, ex=ttl)
        except Exception as exc:  # redis down: this process's memory decides
            logger.warning("replay cache falls back to memory: %s", exc)
            return local
        return bool(stored) and local
