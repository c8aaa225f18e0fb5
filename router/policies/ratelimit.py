"""Per-tenant and per-IP token buckets: in Redis (one Lua script, atomic, server clock) or in
memory.

`take(address, tenant)` takes a token from the client address's bucket (when per-IP limits are
on) and then from the tenant's, in one step: one Redis round trip (one script call over both
keys) per request. A refused address takes no tenant token.

Redis keys are `<key_prefix>:t:<tenant>` and `<key_prefix>:ip:<address>`. When Redis does not
answer within `redis_timeout` the limiter fails open (allows) or closed (refuses with 503) as
configured, and skips Redis for a second before trying again, so an outage costs no latency
per request.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

from router.policies.config import RateLimitSettings
from router.policies.resp import RespClient, RespScript

logger = logging.getLogger("router.policies")

RATE_LIMITED = "RATE_LIMITED"
LIMITER_UNAVAILABLE = "RATE_LIMITER_UNAVAILABLE"

# KEYS: the buckets in order; ARGV: capacity and refill rate per key. Stops at the first
# refusal (later buckets are not touched) and returns {allowed, tokens} per bucket visited.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local result = {}
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i])
  local data = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(data[1]) or capacity
  local ts = tonumber(data[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate / 1000)
  local allowed = 0
  if tokens >= 1 then
    tokens = tokens - 1
    allowed = 1
  end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', now)
  redis.call('PEXPIRE', key, math.ceil(capacity * 1000 / rate) + 1000)
  result[#result + 1] = allowed
  result[#result + 1] = tostring(tokens)
  if allowed == 0 then
    break
  end
end
return result
"""


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until a token is available (refused) or the bucket is full
    unavailable: bool = False
    scope: str = "tenant"  # "ip" or "tenant": the bucket decided on

    def headers(self) -> list[tuple[bytes, bytes]]:
        if self.unavailable:
            return []
        return [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(self.reset).encode()),
        ]


@dataclass(frozen=True, slots=True)
class _Bucket:
    scope: str
    key: str  # without the prefix: "ip:<address>" or "t:<tenant>"
    capacity: int
    rate: float


class RateLimiter(Protocol):
    async def take(self, address: str | None, tenant: str) -> list[Decision]:
        """The address's bucket (None: per-IP limits off) then the tenant's; stops at the
        first refusal, which is the last decision returned."""
        ...

    async def aclose(self) -> None: ...


def _decision(allowed: bool, tokens: float, bucket: _Bucket) -> Decision:
    capacity, rate = bucket.capacity, bucket.rate
    if allowed:
        reset = math.ceil((capacity - tokens) / rate) if rate > 0 else 0
    else:
        reset = math.ceil((1 - tokens) / rate) if rate > 0 else 60
    return Decision(allowed, capacity, max(0, int(tokens)), max(0, reset), scope=bucket.scope)


def _buckets(settings: RateLimitSettings, address: str | None, tenant: str) -> list[_Bucket]:
    buckets = []
    if address is not None and settings.per_ip_capacity > 0:
        rate = settings.per_ip_refill_per_second
        buckets.append(_Bucket("ip", "ip:" + address, settings.per_ip_capacity, rate))
    capacity = _capacity(settings, tenant)
    buckets.append(_Bucket("tenant", "t:" + tenant, capacity, settings.refill_per_second))
    return buckets


class MemoryRateLimiter:
    def __init__(self, settings: RateLimitSettings) -> None:
        self.settings = settings
        self._buckets: dict[str, tuple[float, float]] = {}

    async def take(self, address: str | None, tenant: str) -> list[Decision]:
        decisions = []
        for bucket in _buckets(self.settings, address, tenant):
            decision = self._take(bucket)
            decisions.append(decision)
            if not decision.allowed:
                break
        return decisions

    def _take(self, bucket: _Bucket) -> Decision:
        now = time.monotonic()
        capacity, rate = bucket.capacity, bucket.rate
        tokens, last = self._buckets.get(bucket.key, (float(capacity), now))
        tokens = min(capacity, tokens + (now - last) * rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self._buckets[bucket.key] = (tokens, now)
        if len(self._buckets) > 100_000:
            self._buckets.clear()
        return _decision(allowed, tokens, bucket)

    async def aclose(self) -> None:
        return None


class RedisRateLimiter:
    """Buckets in Redis. `redis://` URLs use the lean pipelined client (router.policies.resp);
    other URLs (TLS, sockets), or an injected client, use redis-py."""

    def __init__(self, settings: RateLimitSettings, redis: Any = None) -> None:
        self.settings = settings
        self.redis: Any = None
        self.lean: RespClient | None = None
        self.script: Any
        if redis is None and settings.redis_url.startswith("redis://"):
            self.lean = RespClient(settings.redis_url, settings.redis_timeout)
            self.script = RespScript(self.lean, _SCRIPT)
        else:
            import redis.asyncio as aioredis

            self.redis = redis or aioredis.Redis.from_url(
                settings.redis_url,
                socket_timeout=settings.redis_timeout,
                socket_connect_timeout=settings.redis_timeout,
                retry_on_timeout=False,
            )
            self.script = self.redis.register_script(_SCRIPT)
        self.down_until = 0.0
        self.failures = 0

    async def take(self, address: str | None, tenant: str) -> list[Decision]:
        buckets = _buckets(self.settings, address, tenant)
        if time.monotonic() >= self.down_until:
            prefix = self.settings.key_prefix
            args: list[float] = []
            for bucket in buckets:
                args += [bucket.capacity, bucket.rate]
            try:  # one round trip for every bucket
                flat = await self.script(keys=[f"{prefix}:{b.key}" for b in buckets], args=args)
                return [
                    _decision(bool(int(flat[i])), float(flat[i + 1]), bucket)
                    for i, bucket in zip(range(0, len(flat), 2), buckets, strict=False)
                ]
            except Exception as exc:  # connection refused, timeout, script error
                self.failures += 1
                self.down_until = time.monotonic() + 1.0
                logger.warning("rate limiter: Redis unavailable (%s)", type(exc).__name__)
                await self._drop_connections()
        fail_open = self.settings.fail_open
        return [Decision(fail_open, b.capacity, 0, 1, True, b.scope) for b in buckets]

    async def _drop_connections(self) -> None:
        """After a failure: a restarted Redis must not meet stale connections, each of which
        would fail once more and take the limiter down for another second."""
        if self.lean is not None:
            self.lean.close()
            return
        with contextlib.suppress(Exception):
            await self.redis.connection_pool.disconnect()

    async def aclose(self) -> None:
        if self.lean is not None:
            self.lean.close()
        else:
            await self.redis.aclose()


def _capacity(settings: RateLimitSettings, tenant: str) -> int:
    special = settings.per_tenant.get(tenant)
    return int(special) if special is not None else settings.capacity


def build_limiter(settings: RateLimitSettings) -> RateLimiter:
    if settings.redis_url:
        return RedisRateLimiter(settings)
    return MemoryRateLimiter(settings)
