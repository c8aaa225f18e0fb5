"""Relay wake-ups across processes: committed outbox rows announce their tenant on Redis.

After a commit that recorded events (`local_hub`), the `WakePublisher` of that process adds the
tenant ids to the set `events:dirty` and publishes them on the channel `events:wake`, in one
round trip, coalescing the commits of one loop iteration. Relays subscribe to the channel and
drain only those tenants, popping the set (`SPOP`) so a relay that was not listening when the
message went out still finds the tenant at its next cycle. Both are hints: a lost message
(publisher crashed after commit, Redis restarted, relay reconnecting) only delays the event
until the relay's periodic sweep of every tenant (`RelayOptions.sweep_interval`).

    subgraph:  COMMIT ─► local_hub ─► WakePublisher ─► SADD events:dirty + PUBLISH events:wake
    relay:     SUBSCRIBE events:wake ─► wake-up ─► SPOP events:dirty ─► drain those tenants
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from redis.exceptions import RedisError

from subgraphs.kit.events.keys import key
from subgraphs.kit.events.outbox import EventHub, local_hub
from subgraphs.kit.events.types import Event
from subgraphs.kit.ids import TenantId

__all__ = [
    "DIRTY_KEY",
    "WAKE_CHANNEL",
    "RedisWakeSignal",
    "WakePublisher",
    "WakeSignal",
    "start_wake_publisher",
]

logger = logging.getLogger("events.wake")
DIRTY_KEY = key("events", "dirty")
WAKE_CHANNEL = key("events", "wake")
OnWake = Callable[[set[TenantId] | None], None]  # None: "messages may have been lost"


class WakeSignal(Protocol):
    async def notify(self, tenants: Iterable[TenantId]) -> None: ...

    async def take_dirty(self) -> set[TenantId]: ...

    async def listen(
        self, on_wake: OnWake, stop: asyncio.Event, ready: asyncio.Event | None = None
    ) -> None: ...


def _tenants(raw: Any) -> set[TenantId]:
    found: set[TenantId] = set()
    items = raw if isinstance(raw, (list, set, tuple)) else str(_text(raw)).split(",")
    for item in items:
        try:
            found.add(TenantId(uuid.UUID(_text(item))))
        except ValueError:
            logger.warning("ignoring a malformed wake-up %r", item)
    return found


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisWakeSignal:
    def __init__(self, redis: Any, *, max_take: int = 10_000, poll_timeout: float = 1.0) -> None:
        self.redis = redis
        self.max_take = max_take
        self.poll_timeout = poll_timeout

    async def notify(self, tenants: Iterable[TenantId]) -> None:
        ids = sorted({str(t) for t in tenants})
        if not ids:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.sadd(DIRTY_KEY, *ids)
            pipe.publish(WAKE_CHANNEL, ",".join(ids))
            await pipe.execute()

    async def take_dirty(self) -> set[TenantId]:
        raw = await self.redis.spop(DIRTY_KEY, self.max_take)
        return _tenants(raw or [])

    async def listen(
        self, on_wake: OnWake, stop: asyncio.Event, ready: asyncio.Event | None = None
    ) -> None:
        """Call `on_wake(tenants)` per message until `stop`. After a re-subscription, call
        `on_wake(None)`: what was published while disconnected is unknown (and a restarted
        Redis lost the dirty set too)."""
        subscribed_before = False
        while not stop.is_set():
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(WAKE_CHANNEL)
                if subscribed_before:
                    on_wake(None)
                subscribed_before = True
                if ready is not None:
                    ready.set()
                while not stop.is_set():
                    message = await pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=self.poll_timeout
                    )
                    if message is not None and message.get("type") == "message":
                        on_wake(_tenants(message["data"]))
            except (RedisError, OSError) as exc:
                logger.warning("relay wake-up channel lost (%s); sweeping meanwhile", exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()


class WakePublisher:
    """A `local_hub` subscriber announcing the tenants of committed events (coalesced)."""

    def __init__(self, signal: WakeSignal) -> None:
        self.signal = signal
        self.sent = 0
        self.failed = 0
        self._pending: set[TenantId] = set()
        self._task: asyncio.Task[None] | None = None

    def __call__(self, item: Event) -> None:
        self._pending.add(item.tenant_id)
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._flush())

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # let the rest of the commit's events join this round trip
        while self._pending:
            batch, self._pending = self._pending, set()
            try:
                await self.signal.notify(batch)
                self.sent += 1
            except (RedisError, OSError):
                self.failed += 1  # the relay's sweep will find these rows
                logger.warning("could not announce committed events of %d tenant(s)", len(batch))

    async def drain(self) -> None:
        """Wait for announcements in flight (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await self._task


def start_wake_publisher(
    redis: Any, hub: EventHub = local_hub
) -> tuple[WakePublisher, Callable[[], None]]:
    """Announce this process's committed events on Redis; returns the publisher and the
    function that stops it."""
    publisher = WakePublisher(RedisWakeSignal(redis))
    return publisher, hub.subscribe(publisher)
