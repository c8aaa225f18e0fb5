"""Through the router: a chat subscription proxied over graphql-transport-ws, a message
posted through the router reaches it; the contact never sees the private note."""

from __future__ import annotations

import asyncio
import json
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
from tests.subgraphs.chat.harness import SEND, ChatHarness, People
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
