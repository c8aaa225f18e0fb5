"""Webhooks against a real local receiver: signature, retries, attempt order, auto-disable."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from redis.asyncio import Redis
from sqlalchemy import text

from subgraphs.integrations import repository
from subgraphs.integrations.dispatcher import WebhookDispatcher, WebhookOptions
from subgraphs.integrations.signing import SIGNATURE_HEADER, verify
from subgraphs.kit.ids import TenantId
from tests.events.conftest import World
from tests.events.helpers import add_endpoint, fan_out, produce
from tests.events.receiver import Script, receiver

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
FAST = WebhookOptions(allow_private=True, timeout=0.5, retry_base=0.0, disable_after=50)


async def attempts(world: World, tenant: TenantId) -> list[tuple[int, int | None, str | None]]:
    async with world.session(tenant) as session:
        deliveries = await repository.list_deliveries(session, None, 10)
        assert len(deliveries) == 1
        rows = await repository.list_attempts(session, deliveries[0].id)
    return [(r.attempt, r.status_code, r.error) for r in rows]


async def test_signed_delivery_verifies(world: World, redis: Redis) -> None:
    tenant = world.tenants[0]
    script = Script([200])
    with receiver(script) as url:
        await add_endpoint(world, tenant, url, ["sample.happened"])
        [item] = await produce(world, tenant, 1)
        await fan_out(world, redis)
        dispatcher = WebhookDispatcher(world.source, world.session, FAST)
        assert await dispatcher.run_once() == 1
        await dispatcher.aclose()
    [got] = script.received
    assert verify("whsec_test", got.body, got.headers[SIGNATURE_HEADER])
    assert not verify("wrong", got.body, got.headers[SIGNATURE_HEADER])
    envelope = orjson.loads(got.body)
    assert envelope["id"] == str(item.event_id)
    assert envelope["type"] == "sample.happened"
    assert envelope["tenantId"] == str(tenant)
    assert got.headers["X-Webhook-Event"] == "sample.happened"


async def test_retries_on_500_and_timeout_in_order(world: World, redis: Redis) -> None:
    tenant = world.tenants[1]
    script = Script([500, ("sleep", 1.0), 200])
    with receiver(script) as url:
        await add_endpoint(world, tenant, url, [])
        await produce(world, tenant, 1)
        await fan_out(world, redis)
        dispatcher = WebhookDispatcher(world.source, world.session, FAST)
        for _ in range(3):
            await dispatcher.dispatch_tenant(tenant)
        await dispatcher.aclose()
    log = await attempts(world, tenant)
    assert [(a, c) for a, c, _ in log] == [(1, 500), (2, None), (3, 200)]
    assert "Timeout" in (log[1][2] or "")
    assert len({r.body for r in script.received}) == 1  # every attempt sends the same body


async def test_endpoint_disabled_after_consecutive_failures(world: World, redis: Redis) -> None:
    tenant = world.tenants[2]
    script = Script([500])
    options = WebhookOptions(allow_private=True, timeout=0.5, retry_base=0.0, disable_after=3)
    with receiver(script) as url:
        endpoint_id = await add_endpoint(world, tenant, url, [])
        await produce(world, tenant, 1)
        await fan_out(world, redis)
        dispatcher = WebhookDispatcher(world.source, world.session, options)
        for _ in range(5):
            await dispatcher.dispatch_tenant(tenant)
        await dispatcher.aclose()
    assert len(script.received) == 3
    async with world.session(tenant) as session:
        endpoint = await repository.find_endpoint(session, endpoint_id)
        assert endpoint is not None
        assert not endpoint.enabled
        kinds = (await session.execute(text("SELECT event_type FROM event_outbox"))).scalars()
        assert "integrations.webhook_endpoint_disabled" in list(kinds)


async def test_private_receiver_refused_without_opt_in(world: World, redis: Redis) -> None:
    tenant = world.tenants[0]
    script = Script([200])
    with receiver(script) as url:
        await add_endpoint(world, tenant, url, [])
        await produce(world, tenant, 1)
        await fan_out(world, redis)
        dispatcher = WebhookDispatcher(world.source, world.session, WebhookOptions(timeout=0.5))
        await dispatcher.dispatch_tenant(tenant)
        await dispatcher.aclose()
        await asyncio.sleep(0.05)
    assert script.received == []
    [(_, code, error)] = await attempts(world, tenant)
    assert code is None
    assert "non-public address 127.0.0.1" in (error or "")
