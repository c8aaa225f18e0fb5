"""Relay wake-ups: committed events announced on Redis are relayed without waiting for the
sweep; an announcement that is lost is still relayed by the sweep; idle cycles touch no
tenant database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from subgraphs.kit.events import RedisStreams, Relay, RelayOptions
from subgraphs.kit.events.keys import stream_for
from subgraphs.kit.events.wake import (
    DIRTY_KEY,
    WAKE_CHANNEL,
    RedisWakeSignal,
    start_wake_publisher,
)
from subgraphs.kit.ids import TenantId
from tests.events.conftest import World
from tests.events.helpers import produce
from tests.events.redis_server import ThrowawayRedis

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
SAMPLE = stream_for("sample")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ObservedRelay(Relay):
    """A relay whose completed cycles can be awaited."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changed = asyncio.Condition()

    async def cycle(self) -> int:
        published = await super().cycle()
        async with self.changed:
            self.changed.notify_all()
        return published

    async def until(self, predicate: Callable[[], bool], limit: float = 10.0) -> None:
        """Wait for a state after some cycle (the limit is a safety bound, not asserted)."""
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(predicate), limit)


async def test_announced_commit_is_relayed_without_a_sweep(world: World, redis: Redis) -> None:
    tenant = world.tenants[0]
    relay = ObservedRelay(
        RedisStreams(redis),
        world.source,
        world.session,
        RelayOptions(sweep_interval=3600),
        wake=RedisWakeSignal(redis),
        in_process_hints=False,  # only the Redis announcement can wake it
    )
    publisher, stop_publishing = start_wake_publisher(redis)  # the "subgraph process" side
    stop = asyncio.Event()
    running = asyncio.ensure_future(relay.run(stop))
    try:
        await asyncio.wait_for(relay.listening.wait(), 10)
        await relay.until(lambda: relay.stats.sweeps == 1)
        assert await redis.xlen(SAMPLE) == 0
        drained_by_sweep = relay.stats.tenants_drained

        [item] = await produce(world, tenant, 1)
        await publisher.drain()
        await relay.until(lambda: relay.stats.published == 1)
    finally:
        stop.set()
        await running
        stop_publishing()
    [(_, fields)] = await redis.xrange(SAMPLE)
    assert fields[b"event_id"].decode() == str(item.event_id)
    assert relay.stats.sweeps == 1  # no second sweep: the wake-up did it
    assert relay.stats.woken >= 1
    assert relay.stats.tenants_drained == drained_by_sweep + 1  # only the announced tenant
    assert publisher.sent >= 1
    assert await redis.scard(DIRTY_KEY) == 0


async def test_lost_announcement_is_relayed_by_the_sweep(world: World, redis: Redis) -> None:
    tenant = world.tenants[1]
    clock = Clock()
    options = RelayOptions(sweep_interval=30)
    relay = Relay(
        RedisStreams(redis),
        world.source,
        world.session,
        options,
        wake=RedisWakeSignal(redis),
        in_process_hints=False,
        clock=clock,
    )
    assert await relay.cycle() == 0  # the first cycle sweeps
    swept = relay.stats.tenants_drained
    assert swept == len(world.tenants)

    await produce(world, tenant, 2)  # committed, but no announcement (publisher crashed)
    clock.now += 10
    assert await relay.cycle() == 0  # sweep not due, nothing announced
    assert relay.stats.tenants_drained == swept  # an idle cycle opens no tenant database
    assert await redis.xlen(SAMPLE) == 0

    clock.now += 21
    assert await relay.cycle() == 2  # the safety-net sweep
    assert relay.stats.sweeps == 2
    assert await redis.xlen(SAMPLE) == 2


async def test_dirty_set_drains_only_announced_active_tenants(world: World, redis: Redis) -> None:
    alpha, beta = world.tenants[0], world.tenants[1]
    clock = Clock()
    signal = RedisWakeSignal(redis)
    relay = Relay(
        RedisStreams(redis),
        world.source,
        world.session,
        RelayOptions(sweep_interval=30),
        wake=signal,
        in_process_hints=False,
        clock=clock,
    )
    await relay.cycle()
    await produce(world, alpha, 1)
    await produce(world, beta, 3)
    # announced while no relay listened: kept in the dirty set; an unknown tenant is ignored
    await signal.notify([beta, TenantId(uuid.uuid4())])
    await redis.sadd(DIRTY_KEY, "not-a-uuid")
    drained = relay.stats.tenants_drained
    clock.now += 1
    assert await relay.cycle() == 3  # beta's events; alpha waits for the sweep
    assert relay.stats.tenants_drained == drained + 1
    assert await redis.scard(DIRTY_KEY) == 0
    clock.now += 30
    assert await relay.cycle() == 1


async def next_message(pubsub: Any) -> dict[str, Any]:
    async def first() -> dict[str, Any]:
        while True:  # get_message returns None for the subscription confirmation
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is not None:
                return dict(message)

    return await asyncio.wait_for(first(), 10)


async def test_served_subgraph_announces_commits_while_serving(world: World, redis: Redis) -> None:
    """`serving_app` (what `saas-platform subgraph` and `dev` serve) announces committed events
    from startup to shutdown."""
    from starlette.applications import Starlette

    from saas_platform.tenancy.runtime import build_runtime, serving_app

    tenant = world.tenants[2]
    runtime = build_runtime(world.env.settings, redis=redis)
    asgi = serving_app(Starlette(), runtime)
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()

    async def send(message: Any) -> None:
        await outbox.put(message)

    lifespan = asyncio.ensure_future(asgi({"type": "lifespan"}, inbox.get, send))
    listener = redis.pubsub()
    await listener.subscribe(WAKE_CHANNEL)
    try:
        await inbox.put({"type": "lifespan.startup"})
        assert (await asyncio.wait_for(outbox.get(), 10))["type"] == "lifespan.startup.complete"
        await produce(world, tenant, 1)
        message = await next_message(listener)
        assert message["data"].decode() == str(tenant)
        assert await redis.smembers(DIRTY_KEY) == {str(tenant).encode()}
    finally:
        runtime.redis = None  # the fixture owns the client
        await inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(lifespan, 10)
        await listener.aclose()


async def test_redis_restart_loses_announcements_and_the_relay_sweeps(
    world: World, redis: Redis, throwaway: ThrowawayRedis | None
) -> None:
    """Redis restarts (empty) while an event commits: the announcement and the dirty set are
    lost; the relay re-subscribes, sweeps at once and relays the event to the new instance."""
    if throwaway is None:
        pytest.skip("needs redis-server to restart a throwaway Redis")
    tenant = world.tenants[0]
    relay = ObservedRelay(
        RedisStreams(redis),
        world.source,
        world.session,
        RelayOptions(sweep_interval=3600),
        wake=RedisWakeSignal(redis, poll_timeout=0.2),
        in_process_hints=False,
    )
    publisher, stop_publishing = start_wake_publisher(redis)
    stop = asyncio.Event()
    running = asyncio.ensure_future(relay.run(stop))
    try:
        await asyncio.wait_for(relay.listening.wait(), 10)
        await relay.until(lambda: relay.stats.sweeps == 1)
        throwaway.kill()
        await produce(world, tenant, 1)
        await publisher.drain()
        assert publisher.failed == 1  # the announcement is lost
        throwaway.start()
        await relay.until(lambda: relay.stats.published == 1, limit=20)
    finally:
        stop.set()
        await running
        stop_publishing()
    assert relay.stats.sweeps == 2  # the re-subscription's sweep, not the hourly one
    assert await redis.xlen(SAMPLE) == 1
