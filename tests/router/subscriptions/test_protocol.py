"""graphql-transport-ws protocol cases against the router, with raw frames (websockets).

Every close code of graphql-ws PROTOCOL.md the router sends, ping/pong both ways, operation
ids, the Origin allow-list and the per-socket operation cap."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest
import websockets
from subscription_client import Stack, close_code, collect, connect, init, receive, send, subscribe

TICKER = "subscription { ticker(count: 3, intervalMs: 5) }"
FOREVER = "subscription { forever(intervalMs: 20) }"


async def test_init_timeout_closes_4408(stack: Stack) -> None:
    async with await connect(stack) as ws:
        assert await close_code(ws, seconds=3) == 4408


async def test_subscribe_before_ack_closes_4401(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await subscribe(ws, "1", TICKER)
        assert await close_code(ws) == 4401


async def test_second_init_closes_4429(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await init(ws)
        await send(ws, {"type": "connection_init"})
        assert await close_code(ws) == 4429


async def test_refused_init_closes_4403(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await send(ws, {"type": "connection_init", "payload": {"token": "bad"}})
        assert await close_code(ws) == 4403


async def test_refused_handshake_token_closes_4403(stack: Stack) -> None:
    async with await connect(stack, headers={"authorization": "Bearer bad"}) as ws:
        await send(ws, {"type": "connection_init"})
        assert await close_code(ws) == 4403


async def test_duplicate_id_closes_4409(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await init(ws)
        await subscribe(ws, "same", FOREVER)
        await subscribe(ws, "same", FOREVER)
        assert await close_code(ws) == 4409


async def test_duplicate_long_id_still_closes_4409(stack: Stack) -> None:
    long_id = "x" * 300  # the close reason names the id: it is cut to 123 bytes
    async with await connect(stack) as ws:
        await init(ws)
        await subscribe(ws, long_id, FOREVER)
        await subscribe(ws, long_id, FOREVER)
        assert await close_code(ws) == 4409


async def test_client_vanishing_mid_stream_frees_its_subscriptions(stack: Stack) -> None:
    hub = stack.app.state.subscriptions.hub
    before = hub.subscriber_count
    ws = await connect(stack)
    await init(ws)
    await subscribe(ws, "1", "subscription { forever(intervalMs: 2) }")
    assert (await receive(ws))["type"] == "next"
    ws.transport.abort()  # no close handshake
    async with asyncio.timeout(5):
        while hub.subscriber_count > before:  # noqa: ASYNC110 (polling the router's hub)
            await asyncio.sleep(0.02)


async def test_id_reusable_after_complete(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await init(ws)
        await subscribe(ws, "a", TICKER)
        assert len(await collect(ws, "a")) == 3
        await subscribe(ws, "a", TICKER)
        assert len(await collect(ws, "a")) == 3


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        '{"type": "nope"}',
        "[1, 2]",
        '{"type": "subscribe", "payload": {"query": "{ me { id } }"}}',  # no id
        '{"id": "1", "type": "subscribe", "payload": {"variables": {}}}',  # no query
        '{"type": "connection_init", "payload": "text"}',
    ],
)
async def test_bad_message_closes_4400(stack: Stack, frame: str) -> None:
    async with await connect(stack) as ws:
        if "subscribe" in frame:
            await init(ws)
        await ws.send(frame)
        assert await close_code(ws) == 4400


async def test_ping_pong(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await init(ws)
        await send(ws, {"type": "ping"})
        assert await receive(ws) == {"type": "pong"}


async def test_server_keepalive_pings(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await init(ws)
        async with asyncio.timeout(2):
            assert orjson.loads(await ws.recv()) == {"type": "ping"}  # ws_keepalive = 0.3 s
        await send(ws, {"type": "pong"})


async def test_complete_stops_events_and_upstream(stack: Stack) -> None:
    before = stack.events.open_connections
    async with await connect(stack) as ws:
        await init(ws)
        await subscribe(ws, "1", FOREVER)
        assert (await receive(ws))["type"] == "next"
        await send(ws, {"id": "1", "type": "complete"})
        await asyncio.sleep(0.05)  # frames already queued may still arrive
        while True:
            try:
                message = await receive(ws, seconds=0.3)
            except TimeoutError:
                break
            assert message.get("id") == "1"
        async with asyncio.timeout(3):
            while stack.events.open_connections > before:  # noqa: ASYNC110 (last one left)
                await asyncio.sleep(0.02)


async def test_query_over_websocket(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await init(ws)
        await subscribe(ws, "q", "{ me { id name } }")
        assert await collect(ws, "q") == [{"data": {"me": {"id": "1", "name": "Ada"}}}]


async def test_invalid_operation_gets_error_message(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await init(ws)
        await subscribe(ws, "bad", "subscription { nope }")
        message = await receive(ws)
        assert message["type"] == "error"
        assert message["id"] == "bad"
        assert message["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        await send(ws, {"type": "ping"})  # the connection stays usable
        assert await receive(ws) == {"type": "pong"}


async def test_bad_variables_get_error_message(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await init(ws)
        query = "subscription ($n: Int!) { ticker(count: $n) }"
        await subscribe(ws, "v", query, {"n": "three"})
        message = await receive(ws)
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_operation_cap_per_socket(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await init(ws)
        for i in range(5):  # ws_max_subscriptions = 5
            await subscribe(ws, f"s{i}", FOREVER)
        await subscribe(ws, "extra", FOREVER)
        async with asyncio.timeout(5):
            while True:
                message = await receive(ws)
                if message.get("id") == "extra":
                    break
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"


async def test_foreign_origin_refused_at_handshake(stack: Stack) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        await connect(stack, origin="https://evil.example")  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403


async def test_allowed_origin_accepted(stack: Stack) -> None:
    async with await connect(stack, origin="http://app.example") as ws:  # type: ignore[arg-type]
        await init(ws)


async def test_legacy_client_subprotocol_refused(stack: Stack) -> None:
    async with await connect(stack, subprotocols=("graphql-ws",)) as ws:
        assert await close_code(ws) == 4406


async def test_http_post_of_a_subscription_is_405(stack: Stack) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(stack.url, json={"query": TICKER})
    assert response.status_code == 405


async def test_active_subscriptions_gauge(stack: Stack) -> None:
    async with await connect(stack) as ws:
        await init(ws)
        await subscribe(ws, "1", FOREVER)
        assert (await receive(ws))["type"] == "next"
        async with httpx.AsyncClient() as client:
            text = (await client.get(stack.url.replace("/graphql", "/metrics"))).text
    line = next(x for x in text.splitlines() if x.startswith("router_active_subscriptions"))
    assert float(line.split()[-1]) >= 1
