"""Through the router: chat subscriptions proxied over graphql-transport-ws. A message posted
through the router reaches `messageAdded` (the contact never sees the private note); an agent's
`conversationUpdated`, `typing`, `presenceChanged` and `queueChanged` receive the changes made
through the router; when the chat process's pub/sub breaks, every one of them gets an error
and completes, through the router."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from router.app import build_app as build_router
from router.compose.compose import compose
from router.compose.result import SubgraphSource
from router.config import RouterConfig
from subgraphs.chat.app import build_schema
from subgraphs.kit.federation import print_sdl
from tests.subgraphs.chat.harness import PRESENCE, SEND, START, ChatHarness, People
from tests.subgraphs.chat.servers import serve

MESSAGES = """subscription($id: ID!, $t: String) { messageAdded(conversationId: $id,
  contactToken: $t) { seq body private } }"""


@pytest.fixture
def backend() -> str:
    return "sqlite"


async def test_subscription_through_the_router(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    started = await ch.start(people, inbox)
    conv, token = started["conversation"], started["contactToken"]
    async with serve(ch.app) as chat_host:
        source = SubgraphSource("chat", f"http://{chat_host}/graphql", print_sdl(build_schema()))
        result = compose([source])
        assert result.supergraph_sdl is not None, result.errors
        config = RouterConfig(
            hot_reload=False,
            request_timeout=5.0,
            propagate_headers=("authorization", "x-tenant", "x-tenant-id", "x-request-id"),
        )
        router = build_router(config, supergraph_sdl=result.supergraph_sdl)
        async with (
            serve(router) as router_host,
            connect(
                f"ws://{router_host}/graphql",
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                additional_headers={"x-tenant": people.tenant.id},
            ) as ws,
        ):
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            payload = {"query": MESSAGES, "variables": {"id": conv["id"], "t": token}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            await asyncio.sleep(0.5)
            headers = {
                "x-tenant-id": people.tenant.id,
                "authorization": f"Bearer {people.agent}",
                "content-type": "application/json",
            }
            async with httpx.AsyncClient(base_url=f"http://{router_host}") as client:
                for body, private in (("note", True), ("hello through the router", False)):
                    data: dict[str, Any] = {
                        "conversationId": conv["id"],
                        "body": body,
                        "private": private,
                    }
                    response = await client.post(
                        "/graphql",
                        headers=headers,
                        json={"query": SEND, "variables": {"input": data}},
                    )
                    sent = response.json()
                    assert sent["data"]["sendChatMessage"]["userErrors"] == [], sent
            message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            while message["type"] == "ping":
                message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert message["type"] == "next", message
            assert message["payload"].get("data"), message
            assert message["payload"]["data"]["messageAdded"] == {
                "seq": 3,
                "body": "hello through the router",
                "private": False,
            }


STREAMS = {
    "u": "subscription { conversationUpdated { id queued assignee { id } } }",
    "t": """subscription($id: ID!) { typing(conversationId: $id) { participant typing } }""",
    "p": "subscription { presenceChanged { user { id } status } }",
    "q": "subscription { queueChanged { entries { conversationId position } } }",
}
TYPING = "mutation($id: ID!, $t: String) { setChatTyping(conversationId: $id, contactToken: $t) }"


@asynccontextmanager
async def routed(ch: ChatHarness) -> AsyncIterator[str]:
    """The chat app and a router composed from its SDL, both on ephemeral ports."""
    async with serve(ch.app) as chat_host:
        source = SubgraphSource("chat", f"http://{chat_host}/graphql", print_sdl(build_schema()))
        result = compose([source])
        assert result.supergraph_sdl is not None, result.errors
        config = RouterConfig(
            hot_reload=False,
            request_timeout=5.0,
            propagate_headers=("authorization", "x-tenant", "x-tenant-id", "x-request-id"),
        )
        router = build_router(config, supergraph_sdl=result.supergraph_sdl)
        async with serve(router) as router_host:
            yield router_host


async def _next(ws: Any) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if message["type"] not in {"ping", "pong"}:
            return message


async def test_agent_streams_through_the_router_and_a_broken_hub(
    ch: ChatHarness, people: People
) -> None:
    inbox = await ch.inbox(people)
    # an identified contact (signed in: the token names the tenant through the router)
    conv = (await ch.start(people, inbox, people.customer))["conversation"]  # queued
    async with (
        routed(ch) as host,
        connect(
            f"ws://{host}/graphql",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            additional_headers={"x-tenant": people.tenant.id},
        ) as ws,
        httpx.AsyncClient(base_url=f"http://{host}") as client,
    ):
        init = {"authorization": f"Bearer {people.agent}"}
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        for op, query in STREAMS.items():
            payload = {"query": query, "variables": {"id": conv["id"]}}
            await ws.send(json.dumps({"id": op, "type": "subscribe", "payload": payload}))
        await asyncio.sleep(0.5)  # the router subscribes upstream

        async def call(query: str, variables: dict[str, Any], who: str) -> None:
            headers = {"x-tenant-id": people.tenant.id, "authorization": f"Bearer {who}"}
            body = {"query": query, "variables": variables}
            answer = (await client.post("/graphql", headers=headers, json=body)).json()
            assert "errors" not in answer, answer

        await call(TYPING, {"id": conv["id"]}, people.customer)
        await call(PRESENCE, {"s": "ONLINE"}, people.agent2)  # agent2 takes the waiting one
        later = {"inboxId": inbox, "body": "second"}
        await call(START, {"input": later}, people.customer)
        seen: dict[str, list[Any]] = {op: [] for op in STREAMS}
        while not all(seen.values()) or len(seen["u"]) < 2:
            message = await _next(ws)
            assert message["type"] == "next", message
            seen[message["id"]].append(message["payload"]["data"])
        contact = f"contact:{conv['contact']['id']}"
        assert seen["t"][0] == {"typing": {"participant": contact, "typing": True}}
        assert seen["p"][0] == {
            "presenceChanged": {"user": {"id": people.agent2_id}, "status": "ONLINE"}
        }
        assigned = {"id": conv["id"], "queued": False, "assignee": {"id": people.agent2_id}}
        assert assigned in [d["conversationUpdated"] for d in seen["u"]]
        assert seen["q"][0] == {"queueChanged": {"entries": []}}

        ch.deps.pubsub.fail()  # what a dead Redis listener does, on the chat process
        ended: dict[str, list[str]] = {op: [] for op in STREAMS}
        while not all("complete" in kinds for kinds in ended.values()):
            message = await _next(ws)
            if message["type"] == "next" and not message["payload"].get("errors"):
                continue  # an event published before the failure
            ended[message["id"]].append(message["type"])
        for op, kinds in ended.items():  # told (an error) before the stream completed
            assert kinds[0] in {"error", "next"}, (op, kinds)
            assert kinds[-1] == "complete", (op, kinds)


JS_CLIENT = Path(__file__).parents[2] / "router" / "subscriptions" / "js" / "client.mjs"


async def test_graphql_ws_npm_client_through_the_router(ch: ChatHarness, people: People) -> None:
    """The `graphql-ws` reference client (tests/router/subscriptions/js) on `presenceChanged`."""
    node = shutil.which("node")
    if node is None or not (JS_CLIENT.parent / "node_modules" / "graphql-ws").is_dir():
        pytest.skip("node and tests/router/subscriptions/js/node_modules are needed")
    query = "subscription { presenceChanged { user { id } status } }"
    async with routed(ch) as host:
        process = await asyncio.create_subprocess_exec(
            node,
            str(JS_CLIENT),
            f"ws://{host}/graphql",
            query,
            "1",
            people.agent,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            async with httpx.AsyncClient(base_url=f"http://{host}") as client:
                headers = {"authorization": f"Bearer {people.agent2}"}
                body = {"query": PRESENCE, "variables": {"s": "AWAY"}}
                for _ in range(50):  # until the client's subscription is in place upstream
                    answer = (await client.post("/graphql", headers=headers, json=body)).json()
                    assert "errors" not in answer, answer
                    try:
                        async with asyncio.timeout(0.2):
                            await asyncio.shield(process.wait())
                        break
                    except TimeoutError:
                        body["variables"]["s"] = (
                            "ONLINE" if body["variables"]["s"] == "AWAY" else "AWAY"
                        )
            async with asyncio.timeout(20):
                out, err = await process.communicate()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0, err.decode()
    lines = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    assert lines[-1] == {"received": 1}
    event = lines[0]["data"]["presenceChanged"]
    assert event["user"] == {"id": people.agent2_id}
    assert event["status"] in {"AWAY", "ONLINE"}
