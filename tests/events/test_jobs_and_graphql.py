"""Background jobs through the pipeline, and the integrations subgraph over GraphQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from saas_platform.tenancy.directory import ControlTenantDirectory
from saas_platform.worker.jobs import JOB_FUNCTIONS
from subgraphs.integrations.app import build_app
from subgraphs.kit.context import ScopeResolver
from subgraphs.kit.events import (
    Consumer,
    ConsumerOptions,
    HandlerContext,
    RedisStreams,
    Relay,
)
from subgraphs.kit.events.jobs import enqueue_job, jobs_subscription
from subgraphs.kit.ids import TenantId
from subgraphs.kit.runtime import Runtime
from tests.events.auth import TOKENS
from tests.events.conftest import World
from tests.events.helpers import produce
from tests.events.receiver import Script, receiver

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def explode(context: HandlerContext, payload: dict[str, Any]) -> None:
    raise RuntimeError("boom")


def runtime_for(world: World) -> Runtime:
    directory = ControlTenantDirectory(world.env.control)
    scopes = ScopeResolver(directory, trust_header=True)
    scopes.authenticator = TOKENS.authenticator()
    return Runtime(control=world.env.control, tenants=world.registry, scopes=scopes)


async def graphql(
    client: httpx.AsyncClient, tenant: TenantId, query: str, **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers=TOKENS.headers(tenant),
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


async def run_jobs(world: World, redis: Redis, rounds: int = 8) -> None:
    streams = RedisStreams(redis)
    await Relay(streams, world.source, world.session).run_once()
    functions = {**JOB_FUNCTIONS, "explode": explode}
    options = ConsumerOptions(block_ms=20, retry_base=0.01, retry_cap=0.02, max_deliveries=2)
    consumer = Consumer(
        streams, jobs_subscription(functions, world.session), world.session, options=options
    )
    for _ in range(rounds):
        await consumer.poll_once(block_ms=20)


JOB = "query($id: ID!) { job(id: $id) { kind status attempts result error } }"


async def test_jobs_report_status_over_graphql(world: World, redis: Redis) -> None:
    tenant = world.tenants[0]
    async with world.session(tenant) as session, session.begin():
        ok = enqueue_job(session, tenant, "echo", {"x": 1})
        bad = enqueue_job(session, tenant, "explode")
    transport = httpx.ASGITransport(app=build_app(runtime_for(world)))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        queued = await graphql(client, tenant, JOB, id=str(ok))
        assert queued["job"]["status"] == "QUEUED"
        await run_jobs(world, redis)
        done = (await graphql(client, tenant, JOB, id=str(ok)))["job"]
        failed = (await graphql(client, tenant, JOB, id=str(bad)))["job"]
        other = await graphql(client, world.tenants[1], JOB, id=str(ok))
    assert done["status"] == "SUCCEEDED"
    assert '"echo":{"x":1}' in done["result"]
    assert failed["status"] == "FAILED"
    assert failed["attempts"] == 2
    assert "boom" in failed["error"]
    assert other["job"] is None  # another tenant's database has no such job


CREATE = """mutation($url: String!) {
  createWebhookEndpoint(input: {url: $url, eventTypes: ["sample.happened"]}) {
    endpoint { id enabled eventTypes } secret userErrors { code field }
  }
}"""
DELIVERIES = "{ webhookDeliveries { id status attemptCount attempts { attempt statusCode } } }"
REDELIVER = """mutation($id: ID!) {
  redeliverWebhook(input: {deliveryId: $id}) { delivery { status } userErrors { code } }
}"""


async def test_webhook_endpoints_deliveries_and_redelivery_over_graphql(
    world: World, redis: Redis
) -> None:
    from subgraphs.integrations.dispatcher import WebhookDispatcher, WebhookOptions
    from tests.events.helpers import fan_out

    tenant = world.tenants[1]
    script = Script([200])
    options = WebhookOptions(allow_private=True, timeout=1.0)
    transport = httpx.ASGITransport(app=build_app(runtime_for(world)))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        bad = await graphql(client, tenant, CREATE, url="ftp://example.com/x")
        assert bad["createWebhookEndpoint"]["userErrors"][0]["code"] == "URL_NOT_ALLOWED"
        with receiver(script) as url:
            created = (await graphql(client, tenant, CREATE, url=url))["createWebhookEndpoint"]
            assert created["secret"].startswith("whsec_")
            await produce(world, tenant, 1)
            await fan_out(world, redis)
            dispatcher = WebhookDispatcher(world.source, world.session, options)
            await dispatcher.dispatch_tenant(tenant)
            [delivery] = (await graphql(client, tenant, DELIVERIES))["webhookDeliveries"]
            assert delivery["status"] == "SUCCEEDED"
            again = await graphql(client, tenant, REDELIVER, id=delivery["id"])
            assert again["redeliverWebhook"]["delivery"]["status"] == "PENDING"
            await dispatcher.dispatch_tenant(tenant)
            await dispatcher.aclose()
            [delivery] = (await graphql(client, tenant, DELIVERIES))["webhookDeliveries"]
        missing = await graphql(client, tenant, REDELIVER, id="nope")
    assert [a["attempt"] for a in delivery["attempts"]] == [1, 2]
    assert len(script.received) == 2
    assert missing["redeliverWebhook"]["userErrors"][0]["code"] == "DELIVERY_NOT_FOUND"
