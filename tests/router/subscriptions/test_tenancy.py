"""Cross-tenant subscriptions through the real edge policy (`router.policies.PolicyHook`,
tenant from the `x-tenant` header, required): the tenant is decided at `connection_init`,
forwarded as the verified `x-tenant-id`, and two tenants never share a stream nor see each
other's events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from subscription_client import (
    Stack,
    close_code,
    collect,
    connect,
    init,
    send,
    start_stack,
    subscribe,
)
from subscription_servers import Recorder

from router.policies.config import PoliciesConfig, TenantSettings

QUERY = "subscription { tenantTicker(count: 20, intervalMs: 5) }"


@pytest.fixture(scope="module")
async def tenant_stack(
    subgraphs: tuple[str, str, Recorder, Recorder],
) -> AsyncIterator[Stack]:
    policies = PoliciesConfig(tenant=TenantSettings(enabled=True, required=True))
    async for value in start_stack(subgraphs, policies=policies):
        yield value


async def test_two_tenants_get_only_their_own_events(tenant_stack: Stack) -> None:
    before = len(tenant_stack.events.connections)
    sockets = [await connect(tenant_stack) for _ in range(4)]
    tenants = ["acme", "acme", "globex", "globex"]
    try:
        for ws, tenant in zip(sockets, tenants, strict=True):
            await init(ws, {"x-tenant": tenant})
            await subscribe(ws, "1", QUERY)
        results = await asyncio.gather(*(collect(ws, "1") for ws in sockets))
    finally:
        for ws in sockets:
            await ws.close()
    for tenant, got in zip(tenants, results, strict=True):
        values = [r["data"]["tenantTicker"] for r in got]
        assert values, tenant
        assert all(v.startswith(f"{tenant}:") for v in values), (tenant, values)
    upstream = tenant_stack.events.connections[before:]
    assert sorted(c.headers.get("x-tenant-id", "") for c in upstream) == ["acme", "globex"]
    assert all("x-tenant" not in c.headers for c in upstream)  # the caller's header never


async def test_no_tenant_is_refused_at_init(tenant_stack: Stack) -> None:
    async with await connect(tenant_stack) as ws:
        await send(ws, {"type": "connection_init", "payload": {}})
        assert await close_code(ws) == 4403


async def test_malformed_tenant_is_refused_at_init(tenant_stack: Stack) -> None:
    async with await connect(tenant_stack) as ws:
        await send(ws, {"type": "connection_init", "payload": {"x-tenant": "acme:*"}})
        assert await close_code(ws) == 4403
