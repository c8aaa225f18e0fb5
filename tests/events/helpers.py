"""Helpers shared by the events tests."""

from __future__ import annotations

from redis.asyncio import Redis
from sqlalchemy import text

from subgraphs.integrations import service
from subgraphs.kit.events import (
    Consumer,
    ConsumerOptions,
    HandlerContext,
    RedisStreams,
    Relay,
    record,
)
from subgraphs.kit.events.types import Event
from subgraphs.kit.ids import TenantId
from tests.events.conftest import World
from tests.events.sample_events import SampleHappened


async def produce(world: World, tenant_id: TenantId, count: int, start: int = 0) -> list[Event]:
    events: list[Event] = []
    async with world.session(tenant_id) as session, session.begin():
        for n in range(start, start + count):
            events.append(record(session, SampleHappened(tenant_id=tenant_id, n=n)))
    return events


class EffectLog:
    """A handler whose effect is a row in `tenant_identity`-free scratch space: we count calls
    and, inside the handler's transaction, touch the database to prove the session works."""

    def __init__(self, fail_times: int = 0) -> None:
        self.calls: list[tuple[TenantId, str]] = []
        self.fail_times = fail_times

    async def __call__(self, context: HandlerContext, item: Event) -> None:
        await context.session.execute(text("SELECT 1"))
        if self.fail_times > 0:
            self.fail_times -= 1
            raise RuntimeError("handler failed on purpose")
        self.calls.append((context.tenant_id, str(item.event_id)))


async def add_endpoint(world: World, tenant: TenantId, url: str, types: list[str]) -> str:
    async with world.session(tenant) as session, session.begin():
        created = await service.create_endpoint(session, url, types, secret="whsec_test")
    return created.endpoint.id


async def fan_out(world: World, redis: Redis) -> None:
    streams = RedisStreams(redis)
    await Relay(streams, world.source, world.session).run_once()
    consumer = Consumer(
        streams,
        service.webhooks_subscription(),
        world.session,
        options=ConsumerOptions(block_ms=20),
    )
    await consumer.ensure_groups()
    for _ in range(3):
        await consumer.poll_once(block_ms=20)
