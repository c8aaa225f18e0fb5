"""Who may manage webhooks: `webhooks:manage` (owner, admin); others get FORBIDDEN, no
credential UNAUTHENTICATED. The registering person is remembered (told on auto-disable)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from subgraphs.identity.permissions import BUILTIN_ROLES
from subgraphs.integrations import repository
from subgraphs.integrations.app import build_app
from tests.events.auth import TOKENS, VIEWER
from tests.events.conftest import World
from tests.events.test_jobs_and_graphql import runtime_for

pytestmark = [pytest.mark.postgres]
CREATE = """mutation($url: String!) { createWebhookEndpoint(input: {url: $url, eventTypes: []}) {
  endpoint { id } userErrors { code } } }"""
LIST = "{ webhookEndpoints { id } }"
DELIVERIES = "{ webhookDeliveries { id } }"


async def post(client: httpx.AsyncClient, query: str, headers: dict[str, str]) -> Any:
    body = {"query": query, "variables": {"url": "https://hooks.example.com/in"}}
    response = await client.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_only_webhook_managers_touch_webhooks(world: World) -> None:
    tenant = world.tenants[0]
    refused = [
        TOKENS.headers(tenant, VIEWER),
        TOKENS.headers(tenant, BUILTIN_ROLES["member"]),
        TOKENS.headers(tenant, ("settings:manage", "users:read")),  # no longer enough
    ]
    anonymous = {"x-tenant-id": str(tenant)}
    transport = httpx.ASGITransport(app=build_app(runtime_for(world)))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for query in (CREATE, LIST, DELIVERIES):
            for headers in refused:
                assert codes(await post(client, query, headers)) == ["FORBIDDEN"], query
            assert codes(await post(client, query, anonymous)) == ["UNAUTHENTICATED"], query
        async with world.session(tenant) as session:
            assert await repository.list_endpoints(session) == []


async def test_the_registering_person_is_remembered_not_a_service(world: World) -> None:
    tenant = world.tenants[1]
    person = uuid.uuid4()
    admin = {
        "x-tenant-id": str(tenant),
        "authorization": f"Bearer {TOKENS.token(tenant, user_id=person)}",
    }
    service = {
        "x-tenant-id": str(tenant),
        "authorization": f"Bearer {TOKENS.token(tenant, kind='service')}",
    }
    transport = httpx.ASGITransport(app=build_app(runtime_for(world)))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        by_person = (await post(client, CREATE, admin))["data"]["createWebhookEndpoint"]
        by_service = (await post(client, CREATE, service))["data"]["createWebhookEndpoint"]
    async with world.session(tenant) as session:
        first = await repository.find_endpoint(session, by_person["endpoint"]["id"])
        second = await repository.find_endpoint(session, by_service["endpoint"]["id"])
    assert first is not None
    assert first.created_by == str(person)
    assert second is not None
    assert second.created_by is None


async def test_the_builtin_admin_registers_webhooks(world: World) -> None:
    tenant = world.tenants[0]
    admin = TOKENS.headers(tenant, BUILTIN_ROLES["admin"])
    transport = httpx.ASGITransport(app=build_app(runtime_for(world)))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        created = (await post(client, CREATE, admin))["data"]["createWebhookEndpoint"]
        assert created["userErrors"] == [], created
        listed = (await post(client, LIST, admin))["data"]["webhookEndpoints"]
    assert [e["id"] for e in listed] == [created["endpoint"]["id"]]
