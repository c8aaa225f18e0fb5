"""Upstream streams: per-event entity resolution, sharing between identical subscriptions,
tenant isolation, upstream failures and slow consumers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from subscription_client import (
    Stack,
    close_code,
    collect,
    connect,
    init,
    receive,
    start_stack,
    subscribe,
)
from subscription_servers import Recorder
from websockets.asyncio.client import ClientConnection

FOREVER = "subscription { forever(intervalMs: 20) }"


async def wait_for(predicate: Any, seconds: float = 3.0) -> None:
    async with asyncio.timeout(seconds):
        while not predicate():  # noqa: ASYNC110 (polling a server's counter)
            await asyncio.sleep(0.01)


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


async def clients(stack: Stack, n: int, payload: dict[str, Any]) -> list[ClientConnection]:
    sockets = [await connect(stack) for _ in range(n)]
    for ws in sockets:
        await init(ws, payload)
    return sockets


async def test_entities_resolved_per_event_from_second_subgraph(stack: Stack) -> None:
    before = len(stack.accounts.http_headers)
    query = "subscription { reviewAdded(count: 3, intervalMs: 5) { id body author { id name } } }"
    async with await connect(stack) as ws:
        await init(ws, {"authorization": "Bearer alice"})
        await subscribe(ws, "1", query)
        results = await collect(ws, "1")
    names = {"1": "Ada", "2": "Grace"}
    assert results == [
        {
            "data": {
                "reviewAdded": {
                    "id": f"r{i}",
                    "body": f"review {i}",
                    "author": {"id": str(i % 2 + 1), "name": names[str(i % 2 + 1)]},
                }
            }
        }
        for i in (1, 2, 3)
    ]
    entity_calls = stack.accounts.http_headers[before:]
    assert len(entity_calls) == 3  # one _entities fetch per event
    assert [h.get("authorization") for h in entity_calls] == ["Bearer alice"] * 3


async def test_identical_subscriptions_share_one_upstream(stack: Stack) -> None:
    before = len(stack.events.connections)
    sockets = await clients(stack, 5, {"authorization": "Bearer alice"})
    try:
        for ws in sockets:
            await subscribe(ws, "1", FOREVER)
        for ws in sockets:
            assert (await receive(ws))["type"] == "next"
        assert len(stack.events.connections) - before == 1
        assert stack.events.connections[-1].headers["authorization"] == "Bearer alice"
        # other credentials never share that stream
        other = await clients(stack, 2, {"authorization": "Bearer bob"})
        for ws in other:
            await subscribe(ws, "1", FOREVER)
            assert (await receive(ws))["type"] == "next"
        assert len(stack.events.connections) - before == 2
        for ws in other:
            await ws.close()
        # different variables: another stream
        await subscribe(sockets[0], "2", "subscription { forever(intervalMs: 21) }")
        await wait_for(lambda: len(stack.events.connections) - before == 3)
    finally:
        for ws in sockets:
            await ws.close()
    await wait_for(lambda: all(not c.open for c in stack.events.connections[before:]))


async def test_tenants_never_share_and_never_see_each_other(stack: Stack) -> None:
    before = len(stack.events.connections)
    query = "subscription { tenantTicker(count: 5, intervalMs: 10) }"
    a1, a2, b = [await connect(stack) for _ in range(3)]
    try:
        await init(a1, {"x-tenant": "acme", "authorization": "Bearer a"})
        await init(a2, {"x-tenant": "acme", "authorization": "Bearer a"})
        await init(b, {"x-tenant": "globex", "authorization": "Bearer b"})
        for ws in (a1, a2, b):
            await subscribe(ws, "t", query)
        got_a1, got_a2, got_b = await asyncio.gather(
            collect(a1, "t"), collect(a2, "t"), collect(b, "t")
        )
    finally:
        for ws in (a1, a2, b):
            await ws.close()
    values_b = [r["data"]["tenantTicker"] for r in got_b]
    assert values_b == [f"globex:{i}" for i in range(1, 6)]
    for got in (got_a1, got_a2):
        values = [r["data"]["tenantTicker"] for r in got]
        assert values
        assert all(v.startswith("acme:") for v in values)
    tenants = sorted(c.headers.get("x-tenant", "") for c in stack.events.connections[before:])
    assert tenants == ["acme", "globex"]


async def test_tenant_from_handshake_header(stack: Stack) -> None:
    async with await connect(stack, headers={"x-tenant": "initech"}) as ws:
        await init(ws)
        await subscribe(ws, "t", "subscription { tenantTicker(count: 2, intervalMs: 5) }")
        got = await collect(ws, "t")
    assert [r["data"]["tenantTicker"] for r in got] == ["initech:1", "initech:2"]


async def test_upstream_break_sends_error_then_complete(stack: Stack) -> None:
    sockets = await clients(stack, 3, {"authorization": "Bearer crash"})
    try:
        for ws in sockets:
            await subscribe(ws, "1", FOREVER)
            assert (await receive(ws))["type"] == "next"
        stack.events.kill()
        for ws in sockets:
            results = await collect(ws, "1")
            last = results[-1]
            assert last["data"] is None
            assert last["errors"][0]["extensions"]["code"] == "SUBSCRIPTION_UPSTREAM_FAILED"
        # the client can resubscribe: a new upstream stream opens
        await subscribe(sockets[0], "1", "subscription { ticker(count: 2, intervalMs: 5) }")
        assert len(await collect(sockets[0], "1")) == 2
    finally:
        for ws in sockets:
            await ws.close()


async def test_upstream_operation_error_is_forwarded(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await init(ws)
        await subscribe(ws, "1", "subscription { failing }")
        results = await collect(ws, "1")
    assert results[0] == {"data": {"failing": 1}}
    codes = {e["extensions"].get("code") for r in results[1:] for e in r.get("errors", [])}
    assert codes  # the subgraph's error reaches the client, then complete
    assert codes <= {"SUBSCRIPTION_UPSTREAM_FAILED", "DOWNSTREAM_SERVICE_ERROR"}


async def test_stalled_client_is_dropped_others_keep_receiving(stack: Stack) -> None:
    query = "subscription { forever(intervalMs: 2, size: 20000) }"
    payload = {"authorization": "Bearer stall"}
    # a small receive buffer (no autotuning to tens of MB): the stall reaches the router soon
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    sock.connect(_address(stack.url))
    # no permessage-deflate: the events must really fill the socket buffers
    stalled = await connect(stack, max_queue=1, sock=sock, compression=None)
    healthy = await connect(stack, compression=None)
    try:
        await init(stalled, payload)
        await init(healthy, payload)
        await subscribe(stalled, "1", query)
        await subscribe(healthy, "1", query)
        service = stack.app.state.subscriptions
        dropped = service.dropped_clients
        async with asyncio.timeout(20):
            while service.dropped_clients == dropped:  # the stalled client overflows
                assert (await receive(healthy))["type"] == "next"
        for _ in range(50):  # the healthy one keeps streaming
            assert (await receive(healthy))["type"] == "next"
        assert await close_code(stalled, seconds=10) == 1013
    finally:
        await stalled.close()
        await healthy.close()


@pytest.fixture(scope="module")
async def legacy_stack(
    subgraphs: tuple[str, str, Recorder, Recorder],
) -> AsyncIterator[Stack]:
    async for value in start_stack(subgraphs, subscription_protocols={"events": "graphql-ws"}):
        yield value


async def test_legacy_graphql_ws_upstream(legacy_stack: Stack) -> None:
    before = len(legacy_stack.events.connections)
    async with await connect(legacy_stack) as ws:
        await init(ws)
        query = "subscription { reviewAdded(count: 2, intervalMs: 5) { id author { name } } }"
        await subscribe(ws, "1", query)
        results = await collect(ws, "1")
    assert [r["data"]["reviewAdded"]["author"]["name"] for r in results] == ["Grace", "Ada"]
    assert legacy_stack.events.connections[before].subprotocols == ["graphql-ws"]


@pytest.fixture(scope="module")
async def unreachable_stack(
    subgraphs: tuple[str, str, Recorder, Recorder],
) -> AsyncIterator[Stack]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    urls = {"events": f"http://127.0.0.1:{port}/"}
    async for value in start_stack(subgraphs, subgraph_urls=urls, connect_timeout=1.0):
        yield value


async def test_unreachable_subgraph_errors_then_completes(unreachable_stack: Stack) -> None:
    async with await connect(unreachable_stack) as ws:
        await init(ws)
        await subscribe(ws, "1", "subscription { ticker }")
        results = await collect(ws, "1")
    assert len(results) == 1
    assert results[0]["data"] is None
    assert results[0]["errors"][0]["extensions"]["code"] == "SUBSCRIPTION_UPSTREAM_FAILED"
