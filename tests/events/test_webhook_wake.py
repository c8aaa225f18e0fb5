"""Webhook dispatcher wake-ups: new deliveries are announced after the fan-out commits and sent
without a sweep; known retries are revisited when due; lost announcements are found by the
sweep; idle cycles visit no tenant; redelivery announces only on commit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from subgraphs.integrations import repository, service
from subgraphs.integrations.dispatcher import WebhookDispatcher, WebhookOptions
from subgraphs.integrations.service import WEBHOOKS_TOPIC
from subgraphs.kit.events.wake import RedisWakeSignal, announcements, start_wake_publisher
from subgraphs.kit.ids import TenantId
from tests.events.conftest import World
from tests.events.helpers import add_endpoint, fan_out, produce
from tests.events.receiver import Script, receiver
from tests.events.test_webhook_lifecycle import seed_delivery

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
FAST = WebhookOptions(allow_private=True, timeout=1.0, retry_base=0.0, sweep_interval=30.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ObservedDispatcher(WebhookDispatcher):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changed = asyncio.Condition()

    async def cycle(self, sweep_interval: float) -> int:
        sent = await super().cycle(sweep_interval)
        async with self.changed:
            self.changed.notify_all()
        return sent

    async def until(self, predicate: Callable[[], bool], limit: float = 10.0) -> None:
        """Wait for a state after some cycle (the limit is a safety bound, not asserted)."""
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(predicate), limit)


async def test_fan_out_announcement_sends_without_a_sweep(world: World, redis: Redis) -> None:
    tenant = world.tenants[0]
    script = Script([200])
    publisher, stop_publishing = start_wake_publisher(redis)  # the consumer's process side
    options = WebhookOptions(allow_private=True, timeout=1.0, sweep_interval=3600.0)
    dispatcher = ObservedDispatcher(
        world.source,
        world.session,
        options,
        wake=RedisWakeSignal(redis, WEBHOOKS_TOPIC),
        in_process_hints=False,  # only the Redis announcement can wake it
    )
    stop = asyncio.Event()
    with receiver(script) as url:
        await add_endpoint(world, tenant, url, [])
        running = asyncio.ensure_future(dispatcher.run(stop))
        try:
            await asyncio.wait_for(dispatcher.listening.wait(), 10)
            await dispatcher.until(lambda: dispatcher.stats.sweeps == 1)
            visited = dispatcher.stats.tenants_visited
            await produce(world, tenant, 1)
            await fan_out(world, redis)  # the consumer commits the delivery, then announces
            await publisher.drain()
            await dispatcher.until(lambda: dispatcher.stats.sent == 1)
        finally:
            stop.set()
            await running
            stop_publishing()
    assert len(script.received) == 1
    assert dispatcher.stats.sweeps == 1
    assert dispatcher.stats.tenants_visited == visited + 1  # only the announced tenant


async def test_lost_announcement_swept_and_retries_revisited(world: World, redis: Redis) -> None:
    tenant, other = world.tenants[1], world.tenants[2]
    script = Script([500, 200])
    clock = Clock()
    dispatcher = WebhookDispatcher(
        world.source,
        world.session,
        FAST,
        wake=RedisWakeSignal(redis, WEBHOOKS_TOPIC),
        in_process_hints=False,
        clock=clock,
    )
    with receiver(script) as url:
        await add_endpoint(world, tenant, url, [])
        await add_endpoint(world, other, url, ["sample.moved"])
        assert await dispatcher.cycle(30.0) == 0  # first cycle sweeps
        swept = dispatcher.stats.tenants_visited
        assert swept == len(world.tenants)

        await produce(world, tenant, 1)
        await fan_out(world, redis)  # no publisher: the announcement is lost
        clock.now += 1
        assert await dispatcher.cycle(30.0) == 0  # idle: no tenant visited
        assert dispatcher.stats.tenants_visited == swept
        assert script.received == []

        clock.now += 30
        assert await dispatcher.cycle(30.0) == 1  # the sweep finds it: HTTP 500, retry due
        visited = dispatcher.stats.tenants_visited
        clock.now += 1
        assert await dispatcher.cycle(30.0) == 1  # the known retry, without a sweep
        assert dispatcher.stats.tenants_visited == visited + 1
        clock.now += 1
        assert await dispatcher.cycle(30.0) == 0  # nothing due any more: nothing visited
        assert dispatcher.stats.tenants_visited == visited + 1
        await dispatcher.aclose()
    assert len(script.received) == 2
    assert script.received[0].body == script.received[1].body
    async with world.session(tenant) as session:
        [delivery] = await repository.list_deliveries(session, None, 10)
    assert delivery.status == "SUCCEEDED"


async def test_redelivery_announces_after_commit_only(world: World) -> None:
    tenant = world.tenants[0]
    heard: list[tuple[str, set[TenantId]]] = []
    stop = announcements.subscribe(lambda topic, tenants: heard.append((topic, tenants)))
    try:
        endpoint_id = await add_endpoint(world, tenant, "https://hooks.example.com/a", [])
        delivery_id = await seed_delivery(world, tenant, endpoint_id, "FAILED", timedelta(0))
        heard.clear()
        async with world.session(tenant) as session:
            transaction = await session.begin()
            await service.redeliver(session, delivery_id, tenant)
            await transaction.rollback()
        await asyncio.sleep(0)
        assert heard == []  # rolled back: nothing to wake anyone for
        async with world.session(tenant) as session, session.begin():
            await service.redeliver(session, delivery_id, tenant)
        await asyncio.sleep(0)
        assert heard == [(WEBHOOKS_TOPIC, {tenant})]
    finally:
        stop()
