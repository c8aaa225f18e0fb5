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

Other work queues use the same mechanism under their own topic: `announce(session, topic,
tenant)` in a transaction announces the tenant on `{topic}:dirty` / `{topic}:wake` after the
commit (the webhook dispatcher's `webhooks` topic: new deliveries, redeliveries).

`WakeSchedule` is the cycle both the relay and the webhook dispatcher run on: sweep every
tenant when the sweep is due, else visit the tenants hinted in-process or announced on Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from subgraphs.kit.events.keys import key
from subgraphs.kit.events.outbox import EventHub, local_hub
from subgraphs.kit.events.types import Event
from subgraphs.kit.ids import TenantId

__all__ = [
    "DIRTY_KEY",
    "EVENTS_TOPIC",
    "WAKE_CHANNEL",
    "Announcements",
    "RedisWakeSignal",
    "WakePublisher",
    "WakeSchedule",
    "WakeSignal",
    "announce",
    "announcements",
    "dirty_key",
    "start_wake_publisher",
    "wake_channel",
]

logger = logging.getLogger("events.wake")
EVENTS_TOPIC = "events"
OnWake = Callable[[set[TenantId] | None], None]  # None: "messages may have been lost"
Listener = Callable[[str, set[TenantId]], None]
_ANNOUNCE = "saas_wake_announcements"


def dirty_key(topic: str) -> str:
    return key(topic, "dirty")


def wake_channel(topic: str) -> str:
    return key(topic, "wake")


DIRTY_KEY = dirty_key(EVENTS_TOPIC)
WAKE_CHANNEL = wake_channel(EVENTS_TOPIC)


class Announcements:
    """In-process fan-out of committed announcements `(topic, tenants)`."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def publish(self, items: set[tuple[str, TenantId]]) -> None:
        by_topic: dict[str, set[TenantId]] = {}
        for topic, tenant_id in items:
            by_topic.setdefault(topic, set()).add(tenant_id)
        for topic, tenants in by_topic.items():
            for listener in list(self._listeners):
                try:
                    listener(topic, tenants)
                except Exception:
                    logger.exception("wake-up listener failed on %s", topic)


announcements = Announcements()


def announce(session: AsyncSession, topic: str, tenant_id: TenantId) -> None:
    """After this session's transaction commits, wake whoever serves `topic` for the tenant
    (nothing on rollback)."""
    session.sync_session.info.setdefault(_ANNOUNCE, set()).add((topic, tenant_id))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    items: set[tuple[str, TenantId]] | None = session.info.pop(_ANNOUNCE, None)
    if not items:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    loop.call_soon(announcements.publish, items)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:
        session.info.pop(_ANNOUNCE, None)


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
    def __init__(
        self,
        redis: Any,
        topic: str = EVENTS_TOPIC,
        *,
        max_take: int = 10_000,
        poll_timeout: float = 1.0,
    ) -> None:
        self.redis = redis
        self.topic = topic
        self.dirty_key = dirty_key(topic)
        self.channel = wake_channel(topic)
        self.max_take = max_take
        self.poll_timeout = poll_timeout

    async def notify(self, tenants: Iterable[TenantId]) -> None:
        ids = sorted({str(t) for t in tenants})
        if not ids:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.sadd(self.dirty_key, *ids)
            pipe.publish(self.channel, ",".join(ids))
            await pipe.execute()

    async def take_dirty(self) -> set[TenantId]:
        raw = await self.redis.spop(self.dirty_key, self.max_take)
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
                await pubsub.subscribe(self.channel)
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
                logger.warning("wake-up channel %s lost (%s); sweeping", self.channel, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()


class WakePublisher:
    """Announces on Redis the tenants of committed events (`local_hub`) and of committed
    `announce()` calls, coalescing what one loop iteration committed into one round trip per
    topic."""

    def __init__(self, redis: Any) -> None:
        self.redis = redis
        self.sent = 0
        self.failed = 0
        self._signals: dict[str, RedisWakeSignal] = {}
        self._pending: dict[str, set[TenantId]] = {}
        self._task: asyncio.Task[None] | None = None

    def on_event(self, item: Event) -> None:
        self.on_announce(EVENTS_TOPIC, {item.tenant_id})

    def on_announce(self, topic: str, tenants: set[TenantId]) -> None:
        self._pending.setdefault(topic, set()).update(tenants)
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._flush())

    def _signal(self, topic: str) -> RedisWakeSignal:
        if topic not in self._signals:
            self._signals[topic] = RedisWakeSignal(self.redis, topic)
        return self._signals[topic]

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # let the rest of the commit's events join this round trip
        while self._pending:
            batch, self._pending = self._pending, {}
            for topic, tenants in batch.items():
                try:
                    await self._signal(topic).notify(tenants)
                    self.sent += 1
                except (RedisError, OSError):
                    self.failed += 1  # the sweep will find this work
                    logger.warning("could not announce %s for %d tenant(s)", topic, len(tenants))

    async def drain(self) -> None:
        """Wait for announcements in flight (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await self._task


def start_wake_publisher(
    redis: Any, hub: EventHub = local_hub, hub_announcements: Announcements = announcements
) -> tuple[WakePublisher, Callable[[], None]]:
    """Announce this process's committed events and announcements on Redis; returns the
    publisher and the function that stops it."""
    publisher = WakePublisher(redis)
    stop_events = hub.subscribe(publisher.on_event)
    stop_announcements = hub_announcements.subscribe(publisher.on_announce)

    def stop() -> None:
        stop_events()
        stop_announcements()

    return publisher, stop


class WakeSchedule:
    """When to sweep every tenant, and which tenants were announced meanwhile.

    `next()` answers None ("sweep every tenant now": due every `sweep_interval`, the first
    call included, or after `on_wake(None)`) or the tenants hinted in-process (`hint`,
    `on_wake`) plus those a `WakeSignal` popped from Redis; `wait()` sleeps until a hint, the
    next sweep or `stop`."""

    def __init__(self, sweep_interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.sweep_interval = sweep_interval
        self.clock = clock
        self.dirty: set[TenantId] = set()  # in-process hints not yet taken
        self.next_sweep = 0.0  # the first cycle sweeps
        self._woken = asyncio.Event()

    def hint(self, tenants: Iterable[TenantId]) -> None:
        self.dirty.update(tenants)
        self._woken.set()

    def on_wake(self, tenants: set[TenantId] | None) -> None:
        """A wake-up; None (after a (re)subscription) asks for a sweep, since announcements
        made meanwhile were missed."""
        if tenants is None:
            self.next_sweep = 0.0
            self._woken.set()
        else:
            self.hint(tenants)

    async def next(self, wake: WakeSignal | None) -> set[TenantId] | None:
        """None: sweep every tenant now (what Redis announced is dropped, the sweep covers
        it); else the tenants to visit (possibly none). If Redis fails, the in-process hints
        are kept for the next call and the error propagates."""
        now = self.clock()
        if now >= self.next_sweep:
            self.next_sweep = now + self.sweep_interval
            if wake is not None:
                await wake.take_dirty()  # this sweep covers them
            return None
        dirty = set(self.dirty)
        self.dirty.clear()
        if wake is not None:
            try:
                dirty |= await wake.take_dirty()
            except Exception:
                self.dirty |= dirty  # keep the in-process hints for the next cycle
                raise
        return dirty

    async def wait(self, stop: asyncio.Event, until: float | None = None) -> None:
        """Sleep until a hint, the next sweep, `until` seconds (if given) or `stop`."""
        if self.dirty:
            return
        self._woken.clear()
        timeout = max(0.0, self.next_sweep - self.clock())
        if until is not None:
            timeout = min(timeout, until)
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._woken.wait())]
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
