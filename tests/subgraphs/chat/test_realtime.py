"""Subscriptions over real WebSockets (graphql-transport-ws) against uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from subgraphs.chat.realtime import Fanout, Signal, chat_channel
from subgraphs.kit.pubsub import PubSub
from tests.subgraphs.chat.harness import GET, SEND, UPDATE, ChatHarness, People
from tests.subgraphs.chat.servers import second_instance, serve

MESSAGES = """subscription($id: ID!, $t: String) { messageAdded(conversationId: $id,
  contactToken: $t) { seq kind body private } }"""
UPDATED = """subscription { conversationUpdated { id status priority subject queued
  messageCount assignee { id } } }"""
TYPING = """subscription($id: ID!) { typing(conversationId: $id) { participant typing } }"""
SET_TYPING = """mutation($id: ID!, $t: String) { setChatTyping(conversationId: $id,
  contactToken: $t) }"""


@pytest.fixture
def backend() -> str:
    """Realtime does not depend on the database: SQLite only, to keep the suite fast."""
    return "sqlite"


@contextlib.asynccontextmanager
async def subscriber(
    host: str, people: People, token: str | None
) -> AsyncIterator[ClientConnection]:
    headers = {"x-tenant-id": people.tenant.id}
    if token:
        headers["authorization"] = f"Bearer {token}"
    async with connect(
        f"ws://{host}/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers=headers,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        yield ws


async def subscribe(ws: ClientConnection, op: str, query: str, variables: dict[str, Any]) -> None:
    payload = {"query": query, "variables": variables}
    await ws.send(json.dumps({"id": op, "type": "subscribe", "payload": payload}))
    await asyncio.sleep(0.3)  # the server subscribes to the channel


async def receive(ws: ClientConnection, wait: float = 5.0) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), wait))
    return message


def data(message: dict[str, Any]) -> Any:
    assert message["type"] == "next", message
    (value,) = message["payload"]["data"].values()
    return value


async def test_message_through_a_reaches_subscriber_on_b(
    ch: ChatHarness, people: People, redis_url: str
) -> None:
    """Two instances, each with its own Redis-backed pub/sub hub (as two processes)."""
    redis_hub = PubSub(redis_url)
    ch.deps.pubsub = redis_hub
    inbox = await ch.inbox(people)
    conv = (await ch.start(people, inbox))["conversation"]
    async with (
        second_instance(ch, redis_url) as other,
        serve(other) as host_b,
        subscriber(host_b, people, people.agent) as ws,
    ):
        await subscribe(ws, "1", MESSAGES, {"id": conv["id"]})
        sent = {"conversationId": conv["id"], "body": "from A"}
        await ch.ok(SEND, {"input": sent}, tenant=people.tenant, token=people.agent2)
        got = data(await receive(ws))
        assert got == {"seq": 2, "kind": "TEXT", "body": "from A", "private": False}
    await redis_hub.disconnect()


async def test_contacts_get_no_notes_and_typing_flows(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    started = await ch.start(people, inbox)
    conv, token = started["conversation"], started["contactToken"]
    async with (
        serve(ch.app) as host,
        subscriber(host, people, None) as ws,
        subscriber(host, people, people.agent) as agent_ws,
    ):
        await subscribe(ws, "m", MESSAGES, {"id": conv["id"], "t": token})
        await subscribe(agent_ws, "t", TYPING, {"id": conv["id"]})
        await ch.ok(SET_TYPING, {"id": conv["id"], "t": token}, tenant=people.tenant, token=None)
        typing = data(await receive(agent_ws))
        assert typing == {"participant": f"contact:{conv['contact']['id']}", "typing": True}
        note = {"conversationId": conv["id"], "body": "secret", "private": True}
        await ch.ok(SEND, {"input": note}, tenant=people.tenant, token=people.agent)
        reply = {"conversationId": conv["id"], "body": "public"}
        await ch.ok(SEND, {"input": reply}, tenant=people.tenant, token=people.agent)
        assert data(await receive(ws))["body"] == "public"


async def test_tenant_a_never_sees_tenant_b(ch: ChatHarness) -> None:
    a, b = await ch.people(), await ch.people()
    inbox_a, inbox_b = await ch.inbox(a), await ch.inbox(b)
    async with serve(ch.app) as host, subscriber(host, a, a.agent) as ws_a:
        await subscribe(ws_a, "a", UPDATED, {})
        for _ in range(3):
            await ch.start(b, inbox_b)
        mine = (await ch.start(a, inbox_a))["conversation"]
        seen = set()
        with contextlib.suppress(TimeoutError):
            while True:
                seen.add(data(await receive(ws_a, wait=1.0))["id"])
        assert seen == {mine["id"]}


async def test_state_from_events_equals_a_fresh_query(ch: ChatHarness, people: People) -> None:
    """Zulip's verify_action: apply the subscription events to the state fetched first."""
    inbox = await ch.inbox(people)
    await ch.presence(people, people.agent)
    conv = (await ch.start(people, inbox))["conversation"]
    fields = ("status", "priority", "subject", "queued", "messageCount", "assignee")
    state = {k: conv[k] for k in fields}
    messages = [(m["seq"], m["body"]) for m in conv["messages"]]
    async with serve(ch.app) as host, subscriber(host, people, people.agent) as ws:
        await subscribe(ws, "u", UPDATED, {})
        await subscribe(ws, "m", MESSAGES, {"id": conv["id"]})
        steps: list[tuple[str, dict[str, Any]]] = [
            (SEND, {"conversationId": conv["id"], "body": "one"}),
            (UPDATE, {"id": conv["id"], "priority": "HIGH", "subject": "Refund"}),
            (SEND, {"conversationId": conv["id"], "body": "note", "private": True}),
            (UPDATE, {"id": conv["id"], "status": "PENDING"}),
            (UPDATE, {"id": conv["id"], "status": "RESOLVED"}),
        ]
        for query, variables in steps:
            await ch.ok(query, {"input": variables}, tenant=people.tenant, token=people.agent)
        with contextlib.suppress(TimeoutError):
            while True:
                message = await receive(ws, wait=1.0)
                if message["id"] == "u":
                    state = {k: data(message)[k] for k in fields}
                else:
                    messages.append((data(message)["seq"], data(message)["body"]))
    fresh = await ch.gql(GET, {"id": conv["id"]}, tenant=people.tenant, token=people.agent)
    node = fresh["data"]["conversation"]
    assert state == {k: node[k] for k in fields}
    assert messages == [(m["seq"], m["body"]) for m in node["messages"]]
    assert state["status"] == "RESOLVED"


async def test_broken_pubsub_ends_subscriptions_with_an_error(
    ch: ChatHarness, people: People
) -> None:
    inbox = await ch.inbox(people)
    conv = (await ch.start(people, inbox))["conversation"]
    async with serve(ch.app) as host, subscriber(host, people, people.agent) as ws:
        await subscribe(ws, "1", MESSAGES, {"id": conv["id"]})
        ch.deps.pubsub.fail()  # what a dead Redis listener does
        first = await receive(ws)
        if first["type"] == "next":  # told with an error, then the stream completes
            assert first["payload"]["errors"], first
            assert (await receive(ws))["type"] == "complete"
        else:  # or a protocol error, which ends the operation by itself
            assert first["type"] == "error", first


def test_channel_names_are_tenant_first() -> None:
    name = chat_channel("00000000-0000-0000-0000-000000000001", "queue")  # type: ignore[arg-type]
    assert name == "t:00000000-0000-0000-0000-000000000001:chat:queue"


async def test_concurrent_first_subscribers_all_receive(redis_url: str) -> None:
    """broadcaster alone loses all but one of the subscribers racing onto a new channel."""
    hub = PubSub(redis_url)
    await hub.connect()
    await asyncio.sleep(0.3)  # connected at start-up, heartbeat running
    fanout = Fanout(hub)
    name = chat_channel(uuid.uuid4(), "queue")
    got: list[int] = [0] * 20

    async def one(i: int) -> None:
        async for _ in fanout.listen(name):
            got[i] += 1
            return

    tasks = [asyncio.create_task(one(i)) for i in range(20)]
    await asyncio.sleep(0.3)
    await hub.publish(name, Signal(name, "queue", {"entries": []}).encode())
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert got == [1] * 20
    await hub.disconnect()
