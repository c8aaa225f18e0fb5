"""Leader election with fencing tokens: one scheduler leads across processes.

`RedisLeaderLock`: the lock key holds `<owner>|<token>` with a TTL. Acquiring INCRs a fence
counter, so every new leadership gets a larger token; the leader renews before the TTL runs
out and a follower takes over once it expires. Whatever a leader does is checked against the
token (`claim_run`): a resource that has seen token N refuses anything older, so a paused
ex-leader that wakes up after a takeover cannot act. `MemoryLeaderLock` is the one-process
equivalent for the embedded default.
"""

from __future__ import annotations

from typing import Any, Protocol

from subgraphs.kit.events.keys import key

__all__ = ["LeaderLock", "MemoryLeaderLock", "RedisLeaderLock"]

_ACQUIRE = """
local current = redis.call('GET', KEYS[1])
if not current then
  local token = redis.call('INCR', KEYS[2])
  redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
  return token
end
local owner, token = string.match(current, '^(.*)|(%d+)$')
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(token)
end
return 0
"""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# run `ARGV[2]` of job KEYS[1]... once per slot, and never with a token older than one seen
_CLAIM_RUN = """
local seen = tonumber(redis.call('GET', KEYS[1]) or '0')
local token = tonumber(ARGV[1])
if token < seen then return -1 end
if token > seen then redis.call('SET', KEYS[1], token) end
if redis.call('SET', KEYS[2], token, 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""


class LeaderLock(Protocol):
    async def acquire(self, owner: str, ttl_ms: int) -> int | None: ...

    async def renew(self, owner: str, token: int, ttl_ms: int) -> bool: ...

    async def release(self, owner: str, token: int) -> None: ...

    async def claim_run(self, job: str, slot: str, token: int, keep_ms: int) -> bool: ...


class RedisLeaderLock:
    def __init__(self, redis: Any, name: str = "scheduler") -> None:
        self.redis = redis
        self.lock_key = key(name, "leader")
        self.fence_key = key(name, "fence")
        self.seen_key = key(name, "fence-seen")
        self.name = name

    async def acquire(self, owner: str, ttl_ms: int) -> int | None:
        token = int(
            await self.redis.eval(_ACQUIRE, 2, self.lock_key, self.fence_key, owner, ttl_ms)
        )
        return token or None

    async def renew(self, owner: str, token: int, ttl_ms: int) -> bool:
        value = f"{owner}|{token}"
        return bool(await self.redis.eval(_RENEW, 1, self.lock_key, value, ttl_ms))

    async def release(self, owner: str, token: int) -> None:
        await self.redis.eval(_RELEASE, 1, self.lock_key, f"{owner}|{token}")

    async def claim_run(self, job: str, slot: str, token: int, keep_ms: int) -> bool:
        run_key = key(self.name, "run", job, slot.replace(":", "."))
        result = await self.redis.eval(_CLAIM_RUN, 2, self.seen_key, run_key, token, keep_ms)
        return int(result) == 1


class MemoryLeaderLock:
    """One process: the first owner leads until it releases; same fencing rules."""

    def __init__(self) -> None:
        self._holder: tuple[str, int] | None = None
        self._fence = 0
        self._seen = 0
        self._runs: set[tuple[str, str]] = set()

    async def acquire(self, owner: str, ttl_ms: int) -> int | None:
        if self._holder is None:
            self._fence += 1
            self._holder = (owner, self._fence)
        return self._holder[1] if self._holder[0] == owner else None

    async def renew(self, owner: str, token: int, ttl_ms: int) -> bool:
        return self._holder == (owner, token)

    async def release(self, owner: str, token: int) -> None:
        if self._holder == (owner, token):
            self._holder = None

    async def claim_run(self, job: str, slot: str, token: int, keep_ms: int) -> bool:
        if token < self._seen or (job, slot) in self._runs:
            return False
        self._seen = token
        self._runs.add((job, slot))
        return True
