"""Auto-disable tells a person: the endpoint's registrant gets a WEBHOOK_DISABLED notification
through the kit pipeline (dispatcher -> outbox -> relay -> stream -> `notifications` group),
in the endpoint's tenant only."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from subgraphs.integrations import service
from subgraphs.integrations.dispatcher import WebhookDispatcher, WebhookOptions
from subgraphs.kit.events import Consumer, ConsumerOptions, RedisStreams, Relay
from subgraphs.kit.ids import TenantId
from subgraphs.notifications.consumers import notifications_subscription
from subgraphs.notifications.models import Notification
from tests.events.conftest import World
from tests.events.helpers import fan_out, produce
from tests.events.receiver import Script, receiver

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
FAILING = WebhookOptions(allow_private=True, timeout=0.5, retry_base=0.0, disable_after=2)


async def notices(world: World, tenant: TenantId, user: uuid.UUID) -> list[Notification]:
    async with world.session(tenant) as session:
        query = select(Notification).where(
            Notification.user_id == user, Notification.kind == "WEBHOOK_DISABLED"
        )
        return list((await session.execute(query)).scalars())


async def test_registrant_is_notified_when_the_endpoint_is_disabled(
    world: World, redis: Redis
) -> None:
    tenant, other = world.tenants[0], world.tenants[1]
    owner = uuid.uuid4()
    with receiver(Script([500])) as url:
        async with world.session(tenant) as session, session.begin():
            created = await service.create_endpoint(session, url, [], "whsec_x", owner)
        await produce(world, tenant, 1)
        await fan_out(world, redis)
        dispatcher = WebhookDispatcher(world.source, world.session, FAILING)
        for _ in range(3):
            await dispatcher.dispatch_tenant(tenant)
        await dispatcher.aclose()
    streams = RedisStreams(redis)
    await Relay(streams, world.source, world.session).run_once()
    consumer = Consumer(
        streams, notifications_subscription(), world.session, options=ConsumerOptions(block_ms=20)
    )
    await consumer.ensure_groups()
    for _ in range(3):
        await consumer.poll_once(block_ms=20)
    [notice] = await notices(world, tenant, owner)
    assert notice.subject_id == uuid.UUID(created.endpoint.id)
    assert url in notice.body
    assert "2 times" in notice.body
    assert await notices(world, other, owner) == []  # the other tenant's database: nothing
    await consumer.poll_once(block_ms=20)  # nothing new: still exactly one
    assert len(await notices(world, tenant, owner)) == 1
