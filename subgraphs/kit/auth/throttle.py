"""Fixed-window throttling: named counters, each with a limit per window.

Counters live in Redis (`RedisThrottle`, keys prefixed) or in process memory (`MemoryThrottle`);
when Redis fails the in-memory counters take over, so throttling fails closed rather than open.
Used by identity (logins per account and per IP) and tenants (self-serve sign-ups per IP).
`failure()` counts an attempt, `retry_after()` answers the seconds to wait once a limit is hit,
`success()` resets the first counter (the account).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

logger = logging.getLogger("subgraphs.auth.throttle")

__all__ = ["Counter", "MemoryThrottle", "RedisThrottle", "Rule", "Throttle"]


@dataclass(frozen=True, slots=True)
class Rule:
    limit: int
    window: int  # seconds


@dataclass(frozen=True, slots=True)
class Counter:
    key: str
    rule: Rule


class Throttle(Protocol):
    async def retry_after(self, counters: Sequence[Counter]) -> int | None: ...

    async def failure(self, counters: Sequence[Counter]) -> None: ...

    async def success(self, counters: Sequence[Counter]) -> None: ...


class MemoryThrottle:
    def __init__(self) -> None:
        self._counts: dict[str, tuple[float, int]] = {}

    async def retry_after(self, counters: Sequence[Counter]) -> int | None:
        now = time.monotonic()
        waits = []
        for counter in counters:
            until, count = self._counts.get(counter.key, (0.0, 0))
            if until > now and count >= counter.rule.limit:
                waits.append(int(until - now) + 1)
        return max(waits) if waits else None

    async def failure(self, counters: Sequence[Counter]) -> None:
        now = time.monotonic()
        for counter in counters:
            until, count = self._counts.get(counter.key, (0.0, 0))
            if until <= now:
                until, count = now + counter.rule.window, 0
            self._counts[counter.key] = (until, count + 1)

    async def success(self, counters: Sequence[Counter]) -> None:
        for counter in counters[:1]:  # the account; the IP counter keeps counting
            self._counts.pop(counter.key, None)


class RedisThrottle:
    def __init__(self, redis: Any, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self.fallback = MemoryThrottle()

    async def retry_after(self, counters: Sequence[Counter]) -> int | None:
        try:
            pipe = self.redis.pipeline()
            for counter in counters:
                pipe.get(self.prefix + counter.key)
                pipe.ttl(self.prefix + counter.key)
            values = await pipe.execute()
        except Exception as exc:  # redis down: fail closed on the in-process counters
            logger.warning("throttle falls back to memory: %s", exc)
            return await self.fallback.retry_after(counters)
        waits = []
        for index, counter in enumerate(counters):
            count, ttl = values[2 * index], values[2 * index + 1]
            if count is not None and int(count) >= counter.rule.limit:
                waits.append(max(int(ttl), 1))
        return max(waits) if waits else await self.fallback.retry_after(counters)

    async def failure(self, counters: Sequence[Counter]) -> None:
        await self.fallback.failure(counters)
        try:
            pipe = self.redis.pipeline()
            for counter in counters:
                pipe.incr(self.prefix + counter.key)
                pipe.expire(self.prefix + counter.key, counter.rule.window, nx=True)
            await pipe.execute()
        except Exception as exc:
            logger.warning("throttle falls back to memory: %s", exc)

    async def success(self, counters: Sequence[Counter]) -> None:
        await self.fallback.success(counters)
        try:
            await self.redis.delete(self.prefix + counters[0].key)
        except Exception as exc:
            logger.warning("throttle reset failed: %s", exc)
