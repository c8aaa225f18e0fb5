"""Subscriptions over a real WebSocket (graphql-transport-ws) against uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from subgraphs.kit.pubsub import PubSub, PubSubUnavailableError, channel
from tests.ports import free_port
from tests.subgraphs.tickets.harness import COMMENT, GET, UPDATE, People, TicketsHarness


@pytest.fixture
def backend() -> str:
    """Realtime does not depend on the database: SQLite only, to keep the suite fast."""
    return "sqlite"


@pytest.fixture
async def server(th: TicketsHarness) -> AsyncIterator[str]:
    port = free_port()
    config = uvicorn.Config(
        th.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    served = uvicorn.Server(config)
    task = asyncio.create_task(served.serve())
    for _ in range(500):  # uvicorn offers no start event
        if served.started:
            break
        await asyncio.sleep(0.02)
    yield f"ws://127.0.0.1:{port}/graphql"
    served.should_exit = True
    await task


@contextlib.asynccontextmanager
async def subscriber(url: str, people: People, token: str) -> AsyncIterator[ClientConnection]:
    headers = {"authorization": f"Bearer {token}", "x-tenant-id": people.tenant.id}
    async with connect(
        url,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers=headers,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        yield ws


async def subscribe(
    ws: ClientConnection, op_id: str, query: str, variables: dict[str, Any]
) -> None:
    await ws.send(
        json.dumps(
            {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
    )
    await asyncio.sleep(0.2)  # the server subscribes to the channel


async def receive(ws: ClientConnection, wait: float = 5.0) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), wait))
    return message


UPDATED = """subscription($id: ID!) { ticketUpdated(id: $id) { id subject status { key }
  comments { body public } history { field old new actor { id } }
  sla { metric cycle breached paused remainingSeconds targetAt fulfilledAt } } }"""
EVENTS = """subscription($f: TicketFilter) { ticketEvents(filter: $f) { type ticketId
  ticket { id subject } } }"""


async def test_ticket_updated_equals_a_fresh_query(
    th: TicketsHarness, people: People, server: str
) -> None:
    ticket = await th.create(people, token=people.requester)
    async with subscriber(server, people, people.agent) as ws:
        await subscribe(ws, "1", UPDATED, {"id": ticket["id"]})
        await th.gql(
            UPDATE,
            {"input": {"id": ticket["id"], "subject": "Now urgent"}},
            tenant=people.tenant,
            token=people.agent,
        )
        message = await receive(ws)
        assert message["type"] == "next"
        pushed = message["payload"]["data"]["ticketUpdated"]
        fresh = await th.gql(GET, {"id": ticket["id"]}, tenant=people.tenant, token=people.agent)
        pushed_sla = [
            {k: v for k, v in s.items() if k != "remainingSeconds"} for s in pushed["sla"]
        ]
        fresh_sla = [
            {k: v for k, v in s.items() if k != "remainingSeconds"}
            for s in fresh["data"]["ticket"]["sla"]
        ]
        assert pushed["subject"] == fresh["data"]["ticket"]["subject"] == "Now urgent"
        assert pushed["history"] == fresh["data"]["ticket"]["history"]
        assert pushed["comments"] == fresh["data"]["ticket"]["comments"]
        assert pushed_sla == fresh_sla


async def test_requester_gets_no_internal_note_events(
    th: TicketsHarness, people: People, server: str
) -> None:
    ticket = await th.create(people, token=people.requester)
    async with subscriber(server, people, people.requester) as ws:
        await subscribe(ws, "1", UPDATED, {"id": ticket["id"]})
        await th.gql(
            COMMENT,
            {"input": {"ticketId": ticket["id"], "body": "note", "public": False}},
            tenant=people.tenant,
            token=people.agent,
        )
        await th.gql(
            COMMENT,
            {"input": {"ticketId": ticket["id"], "body": "Hello there"}},
            tenant=people.tenant,
            token=people.agent,
        )
        message = await receive(ws)
        comments = message["payload"]["data"]["ticketUpdated"]["comments"]
        assert comments == [{"body": "Hello there", "public": True}]


async def test_cross_tenant_isolation(th: TicketsHarness, server: str) -> None:
    a, b = await th.people(), await th.people()
    async with subscriber(server, b, b.agent) as ws_b, subscriber(server, a, a.agent) as ws_a:
        await subscribe(ws_b, "b", EVENTS, {"f": None})
        await subscribe(ws_a, "a", EVENTS, {"f": None})
        for _ in range(3):
            await th.create(a)
        marker = await th.create(b, subject="b marker")
        got_b = await receive(ws_b)
        assert got_b["payload"]["data"]["ticketEvents"]["ticketId"] == marker["id"]
        with pytest.raises(TimeoutError):
            await receive(ws_b, wait=0.5)  # zero foreign events
        got_a = [await receive(ws_a) for _ in range(3)]
        assert {m["payload"]["data"]["ticketEvents"]["type"] for m in got_a} == {"ticket_created"}


async def test_view_filter_and_presence(th: TicketsHarness, people: People, server: str) -> None:
    ticket = await th.create(people, tags=["vip"])
    other = await th.create(people)
    presence = """subscription($t: ID!, $s: TicketPresenceState!) {
      ticketPresence(ticketId: $t, state: $s) { user { id } state } }"""
    async with (
        subscriber(server, people, people.agent) as ws,
        subscriber(server, people, people.owner) as ws2,
    ):
        await subscribe(ws, "v", EVENTS, {"f": {"tagsAny": ["vip"]}})
        await th.gql(
            UPDATE,
            {"input": {"id": other["id"], "subject": "x"}},
            tenant=people.tenant,
            token=people.agent,
        )
        await th.gql(
            UPDATE,
            {"input": {"id": ticket["id"], "subject": "y"}},
            tenant=people.tenant,
            token=people.agent,
        )
        message = await receive(ws)
        assert message["payload"]["data"]["ticketEvents"]["ticketId"] == ticket["id"]
        await subscribe(ws, "p", presence, {"t": ticket["id"], "s": "VIEWING"})
        first = await receive(ws)
        assert first["payload"]["data"]["ticketPresence"]["state"] == "VIEWING"
        await subscribe(ws2, "p2", presence, {"t": ticket["id"], "s": "REPLYING"})
        seen = await receive(ws)
        assert seen["payload"]["data"]["ticketPresence"]["state"] == "REPLYING"
        await ws2.send(json.dumps({"id": "p2", "type": "complete"}))
        left = await receive(ws)
        assert left["payload"]["data"]["ticketPresence"]["state"] == "LEFT"


async def test_subscribing_to_a_foreign_ticket_errors(th: TicketsHarness, server: str) -> None:
    a, b = await th.people(), await th.people()
    foreign = await th.create(b)
    async with subscriber(server, a, a.agent) as ws:
        await subscribe(ws, "1", UPDATED, {"id": foreign["id"]})
        message = await receive(ws)
        assert message["type"] == "error" or message["payload"].get("errors")


async def test_foreign_views_and_presence_answer_as_random_ids(
    th: TicketsHarness, server: str
) -> None:
    a, b = await th.people(), await th.people()
    foreign = await th.create(b)
    body = await th.gql(
        'mutation { saveTicketView(input: {name: "B new", shared: true, '
        'filter: {status: ["new"]}}) { view { id } } }',
        tenant=b.tenant,
        token=b.owner,
    )
    view = body["data"]["saveTicketView"]["view"]["id"]
    by_view = """subscription($v: ID) { ticketEvents(viewId: $v) { type ticketId } }"""
    presence = """subscription($t: ID!) { ticketPresence(ticketId: $t) { state } }"""
    async with subscriber(server, a, a.agent) as ws:
        await subscribe(ws, "v", by_view, {"v": view})  # B's view of new tickets
        await subscribe(ws, "r", by_view, {"v": str(uuid.uuid4())})
        await subscribe(ws, "all", EVENTS, {"f": None})
        body = await th.gql(
            'mutation { saveTicketView(input: {name: "A new", shared: true, '
            'filter: {status: ["new"]}}) { view { id } } }',
            tenant=a.tenant,
            token=a.owner,
        )
        await subscribe(ws, "own", by_view, {"v": body["data"]["saveTicketView"]["view"]["id"]})
        mine = await th.create(a)  # a new ticket of A: B's view matches nothing in A
        got = [await receive(ws), await receive(ws)]
        assert sorted(m["id"] for m in got) == ["all", "own"]
        assert {m["payload"]["data"]["ticketEvents"]["ticketId"] for m in got} == {mine["id"]}
        with pytest.raises(TimeoutError):
            await receive(ws, wait=0.5)
        answers = []
        for op_id, ticket_id in (("pb", foreign["id"]), ("pr", str(uuid.uuid4()))):
            await subscribe(ws, op_id, presence, {"t": ticket_id})
            message = await receive(ws)
            while message["type"] == "complete":  # the end of the previous operation
                message = await receive(ws)
            assert message["id"] == op_id
            answers.append(json.dumps(message["payload"]))
        assert "TICKET_NOT_FOUND" in answers[0]
        assert answers[0] == answers[1]


async def test_broken_backend_ends_subscriptions_with_an_error() -> None:
    hub = PubSub("memory://")
    await hub.connect()
    name = channel("00000000-0000-0000-0000-000000000001", "tickets")
    received: list[str] = []

    async def consume() -> None:
        async for message in hub.subscribe(name):
            received.append(message)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.05)
    await hub.publish(name, "one")
    await asyncio.sleep(0.05)
    listener = hub._broadcast._listener_task  # type: ignore[union-attr]
    listener.cancel()  # what a dropped Redis connection does to broadcaster's listener
    with pytest.raises(PubSubUnavailableError):
        await asyncio.wait_for(task, 2)
    assert received == ["one"]
    await hub.disconnect()


async def test_redis_connection_kill_is_never_silent(redis_url: str) -> None:
    """The server drops the subscriber connection (CLIENT KILL): the subscriber either keeps
    receiving (redis-py reconnected and resubscribed) or ends with PubSubUnavailableError;
    it never waits forever."""
    from redis.asyncio import Redis

    hub = PubSub(redis_url, heartbeat=0.2, heartbeat_timeout=0.5)
    await hub.connect()
    name = channel("00000000-0000-0000-0000-000000000002", "tickets")
    received: list[str] = []

    async def consume() -> None:
        async for message in hub.subscribe(name):
            received.append(message)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.2)
    admin = Redis.from_url(redis_url)
    try:
        await admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
        outcome = "error"
        for attempt in range(50):
            await asyncio.sleep(0.1)
            if task.done():
                break
            await admin.publish(name, f"after-{attempt}")
            if received:
                outcome = "delivered"
                break
    finally:
        await admin.aclose()
    if outcome == "error":
        with pytest.raises(PubSubUnavailableError):
            await asyncio.wait_for(task, 2)
    else:
        task.cancel()
    await hub.disconnect()


async def test_dead_redis_listener_ends_subscriptions(redis_url: str) -> None:
    hub = PubSub(redis_url)
    await hub.connect()
    name = channel("00000000-0000-0000-0000-000000000003", "tickets")

    async def consume() -> list[str]:
        return [m async for m in hub.subscribe(name)]

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.2)
    backend: Any = hub._broadcast._backend  # type: ignore[union-attr]
    backend._listener.cancel()  # the backend's reader task dies (what an unhandled error does)
    with pytest.raises(PubSubUnavailableError):
        await asyncio.wait_for(task, 5)
    await hub.disconnect()


def test_channel_names_are_tenant_prefixed() -> None:
    tenant = "00000000-0000-0000-0000-00000000000a"
    assert channel(tenant, "ticket", 7) == f"t:{tenant}:ticket:7"
    with pytest.raises(ValueError, match="bad channel"):
        channel(tenant, "a:b")


def test_pubsub_package_exports() -> None:
    import subgraphs.kit.pubsub as package

    assert sorted(package.__all__) == ["PubSub", "PubSubUnavailableError", "channel"]
    assert all(hasattr(package, name) for name in package.__all__)
