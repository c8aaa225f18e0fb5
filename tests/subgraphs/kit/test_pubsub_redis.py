"""The kit hub on a real Redis: delivery after the listener idles, later channels, tenants.

broadcaster 0.3.1 + redis-py 8 put the Redis listener to sleep when it was woken before the
first SUBSCRIBE completed; the hub (heartbeat channel first) then received nothing, and its
heartbeat marked it broken after `heartbeat_timeout`. `KitRedisBackend` wakes it afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from subgraphs.kit.pubsub import PubSub, channel

pytestmark = [pytest.mark.redis, pytest.mark.slow]

TENANT_A = "00000000-0000-0000-0000-0000000000a1"
TENANT_B = "00000000-0000-0000-0000-0000000000b2"


async def _registered(admin: Redis, name: str) -> None:
    """Wait until Redis counts a subscriber on `name` (PUBSUB NUMSUB), at most 5 s."""
    for _ in range(250):
        if (await admin.pubsub_numsub(name))[0][1] >= 1:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{name} not subscribed within 5 s")


class _Consumer:
    """Collects the messages of one hub subscription in a task."""

    def __init__(self, hub: PubSub, name: str) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.task = asyncio.create_task(self._run(hub, name))

    async def _run(self, hub: PubSub, name: str) -> None:
        async for message in hub.subscribe(name):
            await self.queue.put(message)

    async def next(self) -> str:
        get = asyncio.ensure_future(self.queue.get())
        done, _ = await asyncio.wait({get, self.task}, timeout=5, return_when="FIRST_COMPLETED")
        if get not in done:
            get.cancel()
            if self.task in done:
                raise AssertionError(f"subscription ended: {self.task.exception()!r}")
            raise AssertionError("nothing delivered within 5 s")
        return get.result()

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


@pytest.fixture
async def hubs(redis_url: str) -> AsyncIterator[tuple[PubSub, PubSub, Redis]]:
    listening, other = PubSub(redis_url), PubSub(redis_url)
    admin = Redis.from_url(redis_url)
    try:
        yield listening, other, admin
    finally:
        await listening.disconnect()
        await other.disconnect()
        await admin.aclose()


async def test_subscriber_receives_after_the_listener_idled(
    hubs: tuple[PubSub, PubSub, Redis],
) -> None:
    hub, other, admin = hubs
    name = channel(TENANT_A, "conversation", "idle")
    consumer = _Consumer(hub, name)  # connects the hub: heartbeat and this channel race
    try:
        await _registered(admin, name)
        await asyncio.sleep(4)  # longer than heartbeat_timeout: the listener idles
        await other.publish(name, "after-idle")
        assert await consumer.next() == "after-idle"
        assert hub.healthy
    finally:
        await consumer.stop()


async def test_a_channel_subscribed_later_also_receives(
    hubs: tuple[PubSub, PubSub, Redis],
) -> None:
    hub, other, admin = hubs
    first, later = (channel(TENANT_A, "conversation", n) for n in ("first", "later"))
    await hub.connect()
    consumers = [_Consumer(hub, first)]
    try:
        await _registered(admin, first)
        await other.publish(first, "one")
        assert await consumers[0].next() == "one"
        await asyncio.sleep(1)  # the listener waits on the socket, not on its ready event
        consumers.append(_Consumer(hub, later))
        await _registered(admin, later)
        await other.publish(later, "two")
        await other.publish(first, "three")
        assert await consumers[1].next() == "two"
        assert await consumers[0].next() == "three"
    finally:
        for consumer in consumers:
            await consumer.stop()


async def test_a_tenants_message_never_reaches_another_tenant(
    hubs: tuple[PubSub, PubSub, Redis],
) -> None:
    hub, other, admin = hubs
    mine, theirs = channel(TENANT_A, "conversation", "1"), channel(TENANT_B, "conversation", "1")
    a, b = _Consumer(hub, mine), _Consumer(other, theirs)
    try:
        await _registered(admin, mine)
        await _registered(admin, theirs)
        await other.publish(mine, "for-a")
        await hub.publish(theirs, "for-b")  # published after: a leak would arrive first
        assert await a.next() == "for-a"
        assert await b.next() == "for-b"
        assert a.queue.empty()
        assert b.queue.empty()
    finally:
        await a.stop()
        await b.stop()
