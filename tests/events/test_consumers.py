"""Consumers: crash and XAUTOCLAIM, retries, dead letters and replay, NOGROUP, tenant guard."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.events import (
    Consumer,
    ConsumerOptions,
    RedisStreams,
    Relay,
    Subscription,
    dead_letter_stream,
    list_dead_letters,
    replay_dead_letters,
    stream_for,
    to_envelope,
)
from subgraphs.kit.events.types import dumps
from subgraphs.kit.ids import TenantId
from tests.events.conftest import World
from tests.events.helpers import EffectLog, produce
from tests.events.sample_events import SampleHappened, SampleMoved

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
STREAM = stream_for("sample")
FAST = ConsumerOptions(block_ms=50, retry_base=0.01, retry_cap=0.05, claim_idle_ms=100)


def consumer(world: World, redis: Redis, handler: EffectLog, **options: Any) -> Consumer:
    subscription = Subscription("test-group", ("sample",), handler)
    opts = dataclasses.replace(FAST, **options)
    return Consumer(RedisStreams(redis), subscription, world.session, options=opts)


async def drain(*consumers: Consumer, rounds: int = 40) -> None:
    for _ in range(rounds):
        await asyncio.gather(*(c.poll_once(block_ms=20) for c in consumers))


async def publish(world: World, redis: Redis) -> None:
    await Relay(RedisStreams(redis), world.source, world.session).run_once()


async def test_crashed_consumer_entries_are_reclaimed_and_deduplicated(
    world: World, redis: Redis
) -> None:
    handler = EffectLog()
    dying, survivor = consumer(world, redis, handler), consumer(world, redis, handler)
    await produce(world, world.tenants[0], 10)
    await dying.ensure_groups()
    await publish(world, redis)
    entries = await dying.streams.read_group("test-group", dying.name, [STREAM], 100, 10)
    assert len(entries) == 10
    for entry in entries[:4]:  # effect committed, then killed before XACK
        from subgraphs.kit.events.consumer import decode_entry

        await dying._handle(decode_entry(entry), 1)
    handler.calls.clear()
    await asyncio.sleep(0.15)
    await drain(survivor, rounds=3)
    assert survivor.stats.reclaimed == 10
    assert survivor.stats.duplicates == 4
    assert len(handler.calls) == 6
    assert await world.count(world.tenants[0], "SELECT count(*) FROM processed_events") == 10
    assert (await redis.xpending(STREAM, "test-group"))["pending"] == 0


async def test_failures_retry_with_backoff_then_succeed(world: World, redis: Redis) -> None:
    handler = EffectLog(fail_times=2)
    worker = consumer(world, redis, handler)
    await worker.ensure_groups()
    await produce(world, world.tenants[1], 1)
    await publish(world, redis)
    await drain(worker, rounds=10)
    assert worker.stats.failures == 2
    assert len(handler.calls) == 1
    assert worker.stats.dead_lettered == 0


async def test_dead_letter_after_max_deliveries_then_replay(world: World, redis: Redis) -> None:
    handler = EffectLog(fail_times=3)
    worker = consumer(world, redis, handler, max_deliveries=3)
    await worker.ensure_groups()
    await produce(world, world.tenants[0], 1)
    await publish(world, redis)
    await drain(worker, rounds=15)
    assert worker.stats.dead_lettered == 1
    assert handler.calls == []
    dead = await list_dead_letters(worker.streams, "test-group")
    assert [d.fields["dlq_deliveries"] for d in dead] == ["3"]
    assert await world.count(world.tenants[0], "SELECT count(*) FROM processed_events") == 0

    assert await replay_dead_letters(worker.streams, "test-group") == 1
    await drain(worker, rounds=5)
    assert len(handler.calls) == 1
    assert await redis.xlen(dead_letter_stream("test-group")) == 0


async def test_lost_group_is_recreated(world: World, redis: Redis) -> None:
    handler = EffectLog()
    worker = consumer(world, redis, handler)
    await worker.ensure_groups()
    await redis.delete(STREAM)  # what a Redis restart without persistence does
    await drain(worker, rounds=2)
    await produce(world, world.tenants[2], 3)
    await publish(world, redis)
    await drain(worker, rounds=3)
    assert worker.stats.group_recreated >= 1
    assert len(handler.calls) == 3


class OpenedTenants:
    def __init__(self, world: World) -> None:
        self.world = world
        self.opened: list[TenantId] = []

    def __call__(self, tenant_id: TenantId) -> AbstractAsyncContextManager[AsyncSession]:
        self.opened.append(tenant_id)
        return self._session(tenant_id)

    @asynccontextmanager
    async def _session(self, tenant_id: TenantId) -> AsyncIterator[AsyncSession]:
        async with self.world.session(tenant_id) as session:
            yield session


async def test_consumer_opens_only_the_envelope_tenant_and_refuses_forgeries(
    world: World, redis: Redis
) -> None:
    alpha, beta = world.tenants[0], world.tenants[1]
    handler = EffectLog()
    sessions = OpenedTenants(world)
    worker = Consumer(
        RedisStreams(redis),
        Subscription("test-group", ("sample",), handler),
        sessions,
        options=FAST,
    )
    await worker.ensure_groups()
    honest = SampleHappened(tenant_id=alpha, n=1)
    forged_payload = SampleMoved(tenant_id=alpha, target_tenant=beta)
    lying_entry = SampleHappened(tenant_id=alpha, n=2)
    entries = [
        {"tenant_id": str(alpha), "envelope": dumps(to_envelope(honest))},
        {"tenant_id": str(alpha), "envelope": dumps(to_envelope(forged_payload))},
        {"tenant_id": str(beta), "envelope": dumps(to_envelope(lying_entry))},
        {"tenant_id": str(alpha), "envelope": "{not json"},
    ]
    for fields in entries:
        await redis.xadd(STREAM, {**fields, "event_id": str(uuid.uuid4())})
    await drain(worker, rounds=2)

    assert handler.calls == [(alpha, str(honest.event_id))]
    assert sessions.opened == [alpha]
    assert worker.stats.dead_lettered == 3
    for tenant in (alpha, beta):
        rows = await world.count(tenant, "SELECT count(*) FROM processed_events")
        assert rows == (1 if tenant == alpha else 0)
