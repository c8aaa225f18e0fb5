"""Subscription metrics on GET /metrics: payloads delivered per tenant (tenant label bounded)
and upstream failures per subgraph, through real WebSocket clients, the real tenant policy and
strawberry subgraphs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import _paths  # noqa: F401 (sys.path for the shared stacks)
import httpx
import pytest
from subscription_client import Stack, collect, connect, init, receive, start_stack, subscribe
from subscription_servers import Recorder, accounts_app, events_app, serve

from router.observability.hook import RouterMetrics
from router.policies.config import PoliciesConfig, TenantSettings

TICKS = "subscription { tenantTicker(count: 3, intervalMs: 5) }"
FOREVER = "subscription { forever(intervalMs: 5) }"


@pytest.fixture
async def stack() -> AsyncIterator[Stack]:
    events, accounts = Recorder(events_app()), Recorder(accounts_app())
    async with serve(events) as events_url, serve(accounts) as accounts_url:
        policies = PoliciesConfig(tenant=TenantSettings(enabled=True, required=True))
        subgraphs = (f"{events_url}/", f"{accounts_url}/", events, accounts)
        async for value in start_stack(subgraphs, policies=policies):
            yield value


async def metric_lines(stack: Stack) -> dict[str, float]:
    async with httpx.AsyncClient() as client:
        text = (await client.get(stack.url.replace("/graphql", "/metrics"))).text
    values: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("router_subscription"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


async def test_events_delivered_per_tenant_and_upstream_failures(stack: Stack) -> None:
    tenants = ["acme", "acme", "globex"]
    sockets = [await connect(stack) for _ in tenants]
    try:
        for ws, tenant in zip(sockets, tenants, strict=True):
            await init(ws, {"x-tenant": tenant})
            await subscribe(ws, "1", TICKS)
        results = await asyncio.gather(*(collect(ws, "1") for ws in sockets))
    finally:
        for ws in sockets:
            await ws.close()
    received = {"acme": 0, "globex": 0}
    for tenant, got in zip(tenants, results, strict=True):
        assert got
        assert all("errors" not in r for r in got)
        received[tenant] += len(got)
    values = await metric_lines(stack)
    assert values['router_subscription_events_total{tenant="acme"}'] == received["acme"]
    assert values['router_subscription_events_total{tenant="globex"}'] == received["globex"]
    assert not any(k.startswith("router_subscription_upstream_failures") for k in values)

    # the upstream breaks: each client gets an error result (delivered too), one failure
    async with await connect(stack) as ws:
        await init(ws, {"x-tenant": "initech"})
        await subscribe(ws, "1", FOREVER)
        assert (await receive(ws))["type"] == "next"
        stack.events.kill()
        got = await collect(ws, "1")
    assert got[-1]["errors"][0]["extensions"]["code"] == "SUBSCRIPTION_UPSTREAM_FAILED"
    values = await metric_lines(stack)
    assert values['router_subscription_upstream_failures_total{subgraph="events"}'] == 1
    assert values['router_subscription_events_total{tenant="initech"}'] == 1 + len(got)
    # events are deliveries, never counted as GraphQL requests
    async with httpx.AsyncClient() as client:
        text = (await client.get(stack.url.replace("/graphql", "/metrics"))).text
    assert "router_requests_total{" not in text


def test_tenant_label_is_bounded() -> None:
    metrics = RouterMetrics(tenant_labels=3)
    for i in range(10):
        metrics.delivered(f"t{i}", 2)
    text = metrics.render()
    lines = [x for x in text.splitlines() if x.startswith("router_subscription_events_total{")]
    assert len(lines) == 4  # three tenants, then "other"
    assert 'router_subscription_events_total{tenant="other"} 14' in text
