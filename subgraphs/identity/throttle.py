"""Login throttling: failures counted per account (tenant + email) and per client IP.

Fixed windows: 5 failures per account per 15 minutes, 100 per IP per hour. Counters live in
Redis when REDIS_URL is set (keys `t:{tenant}:login:acct:{sha256(email)}`, `login:ip:{ip}`),
in process memory otherwise; when Redis fails the in-memory counters take over, so throttling
fails closed rather than open.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("subgraphs.identity.throttle")


@dataclass(frozen=True, slots=True)
class Rule:
    limit: int
    window: int  # seconds


ACCOUNT_RULE = Rule(limit=5, window=900)
IP_RULE = Rule(limit=100, window=3600)


@dataclass(frozen=True, slots=True)
class Counter:
    key: str
    rule: Rule


def login_counters(tenant_id: str, email: str, ip: str | None) -> list[Counter]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    counters = [Counter(f"t:{tenant_id}:login:acct:{digest}", ACCOUNT_RULE)]
    if ip:
        counters.append(Counter(f"login:ip:{ip}", IP_RULE))
    return counters


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
    def __init__(self, redis: Any, prefix: str = "identity:") -> None:
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
