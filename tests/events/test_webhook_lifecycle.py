"""Webhook endpoint lifecycle: update, secret rotation with a grace period, delete, and the
delivery-log retention purge; each checked across tenants."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from saas_platform.worker.jobs import scheduled_jobs
from subgraphs.integrations.app import build_app
from subgraphs.integrations.dispatcher import WebhookDispatcher, WebhookOptions
from subgraphs.integrations.jobs import purge_tenant, webhook_retention_job
from subgraphs.integrations.models import WebhookAttempt, WebhookDelivery
from subgraphs.integrations.signing import SIGNATURE_HEADER, parse, verify
from subgraphs.kit.events.scheduler import JobRun
from subgraphs.kit.ids import TenantId
from tests.events.auth import TOKENS
from tests.events.conftest import World
from tests.events.helpers import add_endpoint, fan_out, produce
from tests.events.receiver import Script, receiver
from tests.events.test_jobs_and_graphql import runtime_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
FAST = WebhookOptions(allow_private=True, timeout=1.0, retry_base=0.0)

ENDPOINTS = "{ webhookEndpoints { id url enabled eventTypes previousSecretExpiresAt } }"
UPDATE = """mutation($input: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(input: $input) {
    endpoint { id url enabled eventTypes previousSecretExpiresAt }
    secret userErrors { field code }
  }
}"""
DELETE = """mutation($id: ID!) {
  deleteWebhookEndpoint(input: {id: $id}) { deletedId userErrors { field code } }
}"""


async def call(client: httpx.AsyncClient, tenant: TenantId, query: str, **variables: Any) -> Any:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers=TOKENS.headers(tenant),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def client_for(world: World) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build_app(runtime_for(world)))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_update_and_delete_are_tenant_scoped(world: World) -> None:
    alpha, beta = world.tenants[0], world.tenants[1]
    endpoint_id = await add_endpoint(world, alpha, "https://hooks.example.com/a", [])
    async with client_for(world) as client:
        # beta cannot see, change, rotate or delete alpha's endpoint
        for change in (
            {"url": "https://evil.example.com/"},
            {"enabled": False},
            {"rotateSecret": True},
        ):
            result = await call(client, beta, UPDATE, input={"id": endpoint_id, **change})
            payload = result["updateWebhookEndpoint"]
            assert payload["endpoint"] is None
            assert payload["secret"] is None
            assert payload["userErrors"] == [{"field": "id", "code": "ENDPOINT_NOT_FOUND"}]
        gone = (await call(client, beta, DELETE, id=endpoint_id))["deleteWebhookEndpoint"]
        assert gone == {
            "deletedId": None,
            "userErrors": [{"field": "id", "code": "ENDPOINT_NOT_FOUND"}],
        }
        assert (await call(client, beta, ENDPOINTS))["webhookEndpoints"] == []
        [unchanged] = (await call(client, alpha, ENDPOINTS))["webhookEndpoints"]
        assert unchanged["url"] == "https://hooks.example.com/a"
        assert unchanged["enabled"] is True
        assert unchanged["previousSecretExpiresAt"] is None

        # alpha changes url, filters and enabled
        changes = {
            "id": endpoint_id,
            "url": "https://hooks.example.com/b",
            "eventTypes": ["sample.happened"],
            "enabled": False,
        }
        updated = (await call(client, alpha, UPDATE, input=changes))["updateWebhookEndpoint"]
        assert updated["userErrors"] == []
        assert updated["secret"] is None
        assert updated["endpoint"]["url"] == "https://hooks.example.com/b"
        assert updated["endpoint"]["eventTypes"] == ["sample.happened"]
        assert updated["endpoint"]["enabled"] is False
        bad = await call(client, alpha, UPDATE, input={"id": endpoint_id, "url": "ftp://x/"})
        assert bad["updateWebhookEndpoint"]["userErrors"][0]["code"] == "URL_NOT_ALLOWED"

        deleted = (await call(client, alpha, DELETE, id=endpoint_id))["deleteWebhookEndpoint"]
        assert deleted == {"deletedId": endpoint_id, "userErrors": []}
        assert (await call(client, alpha, ENDPOINTS))["webhookEndpoints"] == []
        again = (await call(client, alpha, DELETE, id=endpoint_id))["deleteWebhookEndpoint"]
        assert again["userErrors"][0]["code"] == "ENDPOINT_NOT_FOUND"


async def test_delete_removes_the_delivery_log(world: World, redis: Redis) -> None:
    alpha, beta = world.tenants[0], world.tenants[1]
    script = Script([200])
    with receiver(script) as url:
        endpoint_id = await add_endpoint(world, alpha, url, [])
        await add_endpoint(world, beta, url, [])
        await produce(world, alpha, 2)
        await produce(world, beta, 1)
        await fan_out(world, redis)
        dispatcher = WebhookDispatcher(world.source, world.session, FAST)
        assert await dispatcher.run_once() == 3
        await dispatcher.aclose()
    async with client_for(world) as client:
        await call(client, alpha, DELETE, id=endpoint_id)
    assert await world.count(alpha, "SELECT count(*) FROM webhook_deliveries") == 0
    assert await world.count(alpha, "SELECT count(*) FROM webhook_attempts") == 0
    assert await world.count(beta, "SELECT count(*) FROM webhook_deliveries") == 1
    assert await world.count(beta, "SELECT count(*) FROM webhook_attempts") == 1


async def test_rotation_signs_with_both_secrets_during_the_grace_period(
    world: World, redis: Redis
) -> None:
    tenant = world.tenants[2]
    script = Script([200])
    with receiver(script) as url:
        endpoint_id = await add_endpoint(world, tenant, url, [])  # secret whsec_test
        async with client_for(world) as client:
            invalid = {"id": endpoint_id, "rotateSecret": True, "secretGracePeriodSeconds": -1}
            refused = (await call(client, tenant, UPDATE, input=invalid))["updateWebhookEndpoint"]
            assert refused["userErrors"] == [
                {"field": "secretGracePeriodSeconds", "code": "INVALID_GRACE_PERIOD"}
            ]
            rotate = {"id": endpoint_id, "rotateSecret": True, "secretGracePeriodSeconds": 3600}
            rotated = (await call(client, tenant, UPDATE, input=rotate))["updateWebhookEndpoint"]
        new_secret = rotated["secret"]
        assert new_secret.startswith("whsec_")
        assert new_secret != "whsec_test"
        expires = datetime.fromisoformat(rotated["endpoint"]["previousSecretExpiresAt"])
        assert timedelta(minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=1)

        await produce(world, tenant, 1)
        await fan_out(world, redis)
        dispatcher = WebhookDispatcher(world.source, world.session, FAST)
        await dispatcher.dispatch_tenant(tenant)

        async with client_for(world) as client:
            stop_old = {"id": endpoint_id, "rotateSecret": True, "secretGracePeriodSeconds": 0}
            final = (await call(client, tenant, UPDATE, input=stop_old))["updateWebhookEndpoint"]
        await produce(world, tenant, 1, start=1)
        await fan_out(world, redis)
        await dispatcher.dispatch_tenant(tenant)
        await dispatcher.aclose()
    during, after = script.received
    header = during.headers[SIGNATURE_HEADER]
    assert len(parse(header)[1]) == 2
    assert verify(new_secret, during.body, header)
    assert verify("whsec_test", during.body, header)  # receivers not yet switched still verify
    assert len(parse(after.headers[SIGNATURE_HEADER])[1]) == 1
    assert verify(final["secret"], after.body, after.headers[SIGNATURE_HEADER])
    assert not verify(new_secret, after.body, after.headers[SIGNATURE_HEADER])
    assert final["endpoint"]["previousSecretExpiresAt"] is None


async def seed_delivery(
    world: World, tenant: TenantId, endpoint_id: str, status: str, age: timedelta
) -> str:
    at = datetime.now(UTC) - age
    delivery_id = str(uuid.uuid4())
    async with world.session(tenant) as session, session.begin():
        session.add(
            WebhookDelivery(
                id=delivery_id,
                endpoint_id=endpoint_id,
                event_id=str(uuid.uuid4()),
                event_type="sample.happened",
                body="{}",
                status=status,
                attempts=1,
                next_attempt_at=at if status == "RETRYING" else None,
                created_at=at,
                updated_at=at,
            )
        )
        await session.flush()
        session.add(
            WebhookAttempt(
                delivery_id=delivery_id, attempt=1, attempted_at=at, status_code=500, duration_ms=1
            )
        )
    return delivery_id


async def remaining(world: World, tenant: TenantId) -> set[str]:
    from sqlalchemy import text

    async with world.session(tenant) as session:
        rows = await session.execute(text("SELECT id FROM webhook_deliveries"))
        return {str(r[0]) for r in rows}


async def test_retention_purges_finished_deliveries_of_each_tenant_only(world: World) -> None:
    alpha, beta = world.tenants[0], world.tenants[1]
    a_endpoint = await add_endpoint(world, alpha, "https://hooks.example.com/a", [])
    b_endpoint = await add_endpoint(world, beta, "https://hooks.example.com/b", [])
    old = timedelta(days=40)
    await seed_delivery(world, alpha, a_endpoint, "SUCCEEDED", old)
    await seed_delivery(world, alpha, a_endpoint, "FAILED", old)
    retrying = await seed_delivery(world, alpha, a_endpoint, "RETRYING", old)
    recent = await seed_delivery(world, alpha, a_endpoint, "SUCCEEDED", timedelta(days=1))
    b_old = await seed_delivery(world, beta, b_endpoint, "SUCCEEDED", old)

    assert await purge_tenant(world.session, alpha, timedelta(days=30)) == 2
    assert await remaining(world, alpha) == {retrying, recent}
    assert await world.count(alpha, "SELECT count(*) FROM webhook_attempts") == 2
    assert await remaining(world, beta) == {b_old}  # another tenant's log is untouched

    # the scheduled job walks every active tenant with the configured retention
    job = webhook_retention_job(world.source, world.session, timedelta(days=30))
    await job.run(JobRun(job.name, datetime.now(UTC), 1))
    assert await remaining(world, beta) == set()
    assert await remaining(world, alpha) == {retrying, recent}


def test_worker_schedules_the_retention_purge(world: World) -> None:
    names = [job.name for job in scheduled_jobs(world.source, world.session)]
    assert "integrations.webhook_retention" in names
