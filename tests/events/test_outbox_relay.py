"""Outbox atomicity, relay publication, Redis restart and relay restart."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from subgraphs.kit.events import RedisStreams, Relay, RelayOptions, local_hub, record, stream_for
from subgraphs.kit.ids import TenantId
from tests.events.conftest import World
from tests.events.helpers import produce
from tests.events.redis_server import ThrowawayRedis
from tests.events.sample_events import SampleHappened

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
STREAM = stream_for("sample")


async def _failing_change(world: World, tenant: TenantId) -> None:
    async with world.session(tenant) as session, session.begin():
        record(session, SampleHappened(tenant_id=tenant, n=1))
        raise RuntimeError("the change fails")


async def test_rollback_records_no_event(world: World) -> None:
    tenant = world.tenants[0]
    seen: list[object] = []
    unsubscribe = local_hub.subscribe(seen.append)
    try:
        with pytest.raises(RuntimeError):
            await _failing_change(world, tenant)
        events = await produce(world, tenant, 1)
    finally:
        unsubscribe()
    assert await world.count(tenant, "SELECT count(*) FROM event_outbox") == 1
    assert seen == events  # only the committed event reached in-process subscribers


async def test_relay_publishes_each_event_once(world: World, redis: Redis) -> None:
    streams = RedisStreams(redis)
    for tenant in world.tenants:
        await produce(world, tenant, 30)
    relay = Relay(streams, world.source, world.session, RelayOptions(batch=7))
    assert await relay.run_once() == 90
    assert await relay.run_once() == 0
    entries = await streams.range(STREAM, "-", 1000)
    assert len(entries) == 90
    assert len({e.fields["event_id"] for e in entries}) == 90
    for tenant in world.tenants:
        unpublished = "SELECT count(*) FROM event_outbox WHERE published_at IS NULL"
        assert await world.count(tenant, unpublished) == 0


async def test_two_relays_never_publish_the_same_row(world: World, redis: Redis) -> None:
    import asyncio

    streams = RedisStreams(redis)
    for tenant in world.tenants:
        await produce(world, tenant, 100)
    relays = [Relay(streams, world.source, world.session, RelayOptions(batch=5)) for _ in "ab"]
    counts = await asyncio.gather(*(r.run_once() for r in relays))
    assert sum(counts) == 300
    entries = await streams.range(STREAM, "-", 1000)
    assert len({e.fields["event_id"] for e in entries}) == len(entries) == 300


async def test_redis_restart_republishes_what_redis_lost(
    world: World, redis: Redis, throwaway: ThrowawayRedis | None
) -> None:
    if throwaway is None:
        pytest.skip("needs redis-server to restart a throwaway Redis")
    streams = RedisStreams(redis)
    relay = Relay(streams, world.source, world.session)
    await produce(world, world.tenants[0], 20)
    await relay.run_once()
    throwaway.restart()
    await redis.connection_pool.disconnect()
    await produce(world, world.tenants[1], 5)
    await relay.run_once()
    assert relay.stats.restarts_seen == 1
    entries = await streams.range(STREAM, "-", 1000)
    assert len({e.fields["event_id"] for e in entries}) == 25


async def test_restarted_relay_publishes_the_rest(world: World, redis: Redis) -> None:
    streams = RedisStreams(redis)
    first = Relay(streams, world.source, world.session, RelayOptions(batch=10))
    await produce(world, world.tenants[0], 25)
    assert await first.publish_batch(world.tenants[0]) == 10  # then the relay "dies"
    second = Relay(streams, world.source, world.session, RelayOptions(batch=10))
    assert await second.run_once() == 15
    entries = await streams.range(STREAM, "-", 1000)
    assert len({e.fields["event_id"] for e in entries}) == len(entries) == 25
