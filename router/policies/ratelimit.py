"""Per-tenant and per-IP token buckets: in Redis (one Lua script, atomic, server clock) or in
memory.

Redis keys are `<key_prefix>:t:<tenant>` and `<key_prefix>:ip:<address>`. When Redis does not
answer within `redis_timeout` the limiter fails open (allows) or closed (refuses with 503) as
configured, and skips Redis for a second before trying again, so an outage costs no latency
per request.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

from router.policies.config import RateLimitSettings

logger = logging.getLogger("router.policies")

RATE_LIMITED = "RATE_LIMITED"
LIMITER_UNAVAILABLE = "RATE_LIMITER_UNAVAILABLE"

_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(data[1]) or capacity
local ts = tonumber(data[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate / 1000)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
return {allowed, tostring(tokens)}
"""


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until a token is available (refused) or the bucket is full
    unavailable: bool = False

    def headers(self) -> list[tuple[bytes, bytes]]:
        if self.unavailable:
            return []
        return [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(self.reset).encode()),
        ]


class RateLimiter(Protocol):
    async def acquire(self, tenant: str) -> Decision: ...

    async def acquire_ip(self, address: str) -> Decision: ...

    async def aclose(self) -> None: ...


def _decision(allowed: bool, tokens: float, capacity: int, rate: float) -> Decision:
    if allowed:
        reset = math.ceil((capacity - tokens) / rate) if rate > 0 else 0
    else:
        reset = math.ceil((1 - tokens) / rate) if rate > 0 else 60
    return Decision(allowed, capacity, max(0, int(tokens)), max(0, reset))


class MemoryRateLimiter:
    def __init__(self, settings: RateLimitSettings) -> None:
        self.settings = settings
        self._buckets: dict[str, tuple[float, float]] = {}

    async def acquire(self, tenant: str) -> Decision:
        capacity = _capacity(self.settings, tenant)
        return self._take("t:" + tenant, capacity, self.settings.refill_per_second)

    async def acquire_ip(self, address: str) -> Decision:
        s = self.settings
        return self._take("ip:" + address, s.per_ip_capacity, s.per_ip_refill_per_second)

    def _take(self, key: str, capacity: int, rate: float) -> Decision:
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (float(capacity), now))
        tokens = min(capacity, tokens + (now - last) * rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > 100_000:
            self._buckets.clear()
        return _decision(allowed, tokens, capacity, rate)

    async def aclose(self) -> None:
        return None


class RedisRateLimiter:
    def __init__(self, settings: RateLimitSettings, redis: Any = None) -> None:
        import redis.asyncio as aioredis

        self.settings = settings
        self.redis = redis or aioredis.Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout,
            socket_connect_timeout=settings.redis_timeout,
            retry_on_timeout=False,
        )
        self.script = self.redis.register_script(_SCRIPT)
        self.down_until = 0.0
        self.failures = 0

    async def acquire(self, tenant: str) -> Decision:
        capacity = _capacity(self.settings, tenant)
        key = f"{self.settings.key_prefix}:t:{tenant}"
        return await self._take(key, capacity, self.settings.refill_per_second)

    async def acquire_ip(self, address: str) -> Decision:
        s = self.settings
        key = f"{s.key_prefix}:ip:{address}"
        return await self._take(key, s.per_ip_capacity, s.per_ip_refill_per_second)

    async def _take(self, key: str, capacity: int, rate: float) -> Decision:
        if time.monotonic() >= self.down_until:
            try:
                allowed, tokens = await self.script(keys=[key], args=[capacity, rate])
                return _decision(bool(int(allowed)), float(tokens), capacity, rate)
            except Exception as exc:  # connection refused, timeout, script error
                self.failures += 1
                self.down_until = time.monotonic() + 1.0
                logger.warning("rate limiter: Redis unavailable (%s)", type(exc).__name__)
        return Decision(self.settings.fail_open, capacity, 0, 1, unavailable=True)

    async def aclose(self) -> None:
        await self.redis.aclose()


def _capacity(settings: RateLimitSettings, tenant: str) -> int:
    special = settings.per_tenant.get(tenant)
    return int(special) if special is not None else settings.capacity


def build_limiter(settings: RateLimitSettings) -> RateLimiter:
    if settings.redis_url:
        return RedisRateLimiter(settings)
    return MemoryRateLimiter(settings)
