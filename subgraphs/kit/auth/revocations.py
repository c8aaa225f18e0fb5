"""Session revocations across processes, over Redis.

An access token lives 10 minutes and carries its session (`sid`). In one process the identity
subgraph answers "is this session live?" from its database; subgraphs in their own process
(`AUTH_JWKS_URL` mode) cannot, so identity publishes every revocation (logout, revoke-all,
refresh-token reuse, deactivation, password change or reset) to Redis after its commit:

- `SET auth:revoked:<tenant>:<session> 1 EX <access-token lifetime + leeway>`: the durable
  record, read by any process that has not heard of the revocation yet;
- `PUBLISH auth:revocations <tenant>:<session>`: instant invalidation of every listener.

`RedisSessionChecker` (a `SessionChecker`) answers from a short per-(tenant, session) cache
(`cache_seconds`); a pub/sub message turns an entry into "revoked" at once, and revoked
entries are remembered in memory for the token lifetime. The keys are per tenant: a
revocation only ever applies to the tenant it was published for.

Redis unreachable: `fail_open=True` (the default, `AUTH_REVOCATION_FAIL=open`) accepts tokens
whose session is not known to be revoked (they still verify and expire within 10 minutes);
`fail_open=False` (`AUTH_REVOCATION_FAIL=closed`) refuses every session-bound token until
Redis answers again. While the pub/sub connection is down the live cache still expires after
`cache_seconds`, and it is cleared whenever the subscription is (re)established.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from subgraphs.kit.ids import TenantId

__all__ = [
    "CHANNEL",
    "KEY_PREFIX",
    "REVOCATION_TTL",
    "RedisSessionChecker",
    "RevocationPublisher",
    "revocation_key",
]

logger = logging.getLogger("subgraphs.auth.revocations")

KEY_PREFIX = "auth:revoked:"
CHANNEL = "auth:revocations"
REVOCATION_TTL = 600 + 60  # access-token lifetime + clock leeway


def revocation_key(tenant_id: TenantId | str, session_id: str) -> str:
    return f"{KEY_PREFIX}{tenant_id}:{session_id}"


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


class RevocationPublisher:
    """Identity's side: record and announce revoked sessions (one pipeline round trip)."""

    def __init__(self, redis: Any, ttl: int = REVOCATION_TTL) -> None:
        self.redis = redis
        self.ttl = ttl

    async def publish(self, tenant_id: TenantId, session_ids: Iterable[str]) -> bool:
        """True when Redis took them; False (logged) when it failed: the revocation still
        holds in the database, other processes see it once their cache of it expires."""
        ids = sorted(set(session_ids))
        if not ids:
            return True
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for session_id in ids:
                    pipe.set(revocation_key(tenant_id, session_id), b"1", ex=self.ttl)
                    pipe.publish(CHANNEL, f"{tenant_id}:{session_id}")
                await pipe.execute()
        except Exception as exc:
            logger.warning("session revocations not published to Redis: %s", exc)
            return False
        return True


class RedisSessionChecker:
    """`SessionChecker` for processes without identity's database (see the module doc)."""

    def __init__(
        self,
        redis: Any,
        *,
        cache_seconds: float = 5.0,
        fail_open: bool = True,
        remember_seconds: float = REVOCATION_TTL,
        max_entries: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.cache_seconds = cache_seconds
        self.fail_open = fail_open
        self.remember_seconds = remember_seconds
        self.lookups = 0  # Redis reads (cache misses)
        self.invalidations = 0  # pub/sub messages applied
        self._max = max_entries
        self._clock = clock
        self._live: dict[str, float] = {}
        self._revoked: dict[str, float] = {}
        self._listener: asyncio.Task[None] | None = None
        self._closing = False
        self._changed = asyncio.Condition()
        self.subscribed = asyncio.Event()

    async def is_active(self, tenant_id: TenantId, user_id: str, session_id: str) -> bool:
        self.start()
        key = f"{tenant_id}:{session_id}"
        now = self._clock()
        if self._revoked.get(key, 0.0) > now:
            return False
        if self._live.get(key, 0.0) > now:
            return True
        self.lookups += 1
        try:
            revoked = bool(await self.redis.exists(revocation_key(tenant_id, session_id)))
        except Exception as exc:
            logger.warning("revocation check failed (fail %s): %s", self._mode, exc)
            return self.fail_open
        if revoked:
            self._remember(self._revoked, key, now + self.remember_seconds)
            return False
        self._remember(self._live, key, now + self.cache_seconds)
        return True

    @property
    def _mode(self) -> str:
        return "open" if self.fail_open else "closed"

    def _remember(self, table: dict[str, float], key: str, until: float) -> None:
        if len(table) >= self._max:
            now = self._clock()
            for stale in [k for k, v in table.items() if v <= now]:
                del table[stale]
            if len(table) >= self._max:
                table.clear()
        table[key] = until

    def start(self) -> None:
        """Start listening to revocations (idempotent; needs a running event loop)."""
        if not self._closing and (self._listener is None or self._listener.done()):
            self._listener = asyncio.get_running_loop().create_task(self._listen())

    async def aclose(self) -> None:
        """Stop listening (the listener polls with a 1 s timeout and then ends)."""
        listener, self._listener = self._listener, None
        if listener is None:
            return
        self._closing = True
        done, _ = await asyncio.wait({listener}, timeout=2.0)
        if not done:
            listener.cancel()
            await asyncio.wait({listener}, timeout=1.0)
        with contextlib.suppress(asyncio.CancelledError, Exception):
            if listener.done():
                listener.result()

    async def wait_revoked(self, tenant_id: TenantId, session_id: str) -> None:
        """Until a revocation of this session reached this process (tests and tools; wrap in
        `asyncio.timeout`)."""
        key = f"{tenant_id}:{session_id}"
        async with self._changed:
            await self._changed.wait_for(lambda: self._revoked.get(key, 0.0) > self._clock())

    async def _apply(self, message: str) -> None:
        tenant, _, session_id = message.partition(":")
        if not tenant or not session_id:
            return
        key = f"{tenant}:{session_id}"
        self._live.pop(key, None)
        self._remember(self._revoked, key, self._clock() + self.remember_seconds)
        self.invalidations += 1
        async with self._changed:
            self._changed.notify_all()

    async def _listen(self) -> None:
        delay = 0.5
        while not self._closing:
            pubsub = None
            try:
                pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(CHANNEL)
                self._live.clear()  # messages may have been missed while not subscribed
                self.subscribed.set()
                delay = 0.5
                while not self._closing:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        await self._apply(_text(message.get("data", b"")))
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("revocation listener lost Redis, retrying: %s", exc)
            finally:
                self.subscribed.clear()
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        await pubsub.aclose()
            if not self._closing:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
