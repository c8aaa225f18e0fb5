"""`boardUpdated` end to end: the projects app served by uvicorn on 127.0.0.1, clients on
real WebSockets (graphql-transport-ws), moves over HTTP. Two people see each other's moves;
a member removed from the private project gets BOARD_NOT_FOUND on their stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from subgraphs.projects.realtime import channel
from tests.subgraphs.projects.conftest import World
from tests.subgraphs.projects.test_private import MEMBER, UNMEMBER, make_private, move_to, user_of

SUBSCRIBE = "subscription($b: ID!) { boardUpdated(boardId: $b) { kind taskId actorId } }"


@pytest.fixture
async def ws_url(world: World) -> AsyncIterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        world.api.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
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
async def subscribed(
    world: World, url: str, token: str, board: str
) -> AsyncIterator[ClientConnection]:
    """A WebSocket of tenant A's `token` that sent `boardUpdated(board)` (see until_listening)."""
    headers = {"authorization": f"Bearer {token}", "x-tenant-id": world.a.id}
    async with connect(
        url, subprotocols=["graphql-transport-ws"], additional_headers=headers
    ) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        payload = {"query": SUBSCRIBE, "variables": {"b": board}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        yield ws


async def until_listening(world: World, project: dict[str, Any], count: int) -> None:
    name = channel(uuid.UUID(world.a.id), uuid.UUID(project["id"]))
    for _ in range(250):
        if world.api.feed.subscribers(name) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{count} subscribers expected on {name}")


async def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
    return message


async def test_two_people_see_each_others_moves(world: World, ws_url: str) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    task = await api.task(world.a, project["id"], "shared card")
    board = project["board"]["id"]
    async with (
        subscribed(world, ws_url, world.a.owner_token, board) as owner,
        subscribed(world, ws_url, world.member, board) as member,
    ):
        await until_listening(world, project, 2)
        await move_to(world, project, task, -1)  # by the owner
        body = await api.gql(
            "mutation($i: MoveCardInput!) { moveCard(input: $i) { userErrors { code } } }",
            {
                "i": {
                    "boardId": board,
                    "taskId": task["id"],
                    "toColumnId": project["board"]["columns"][0]["id"],
                }
            },
            tenant=world.a,
            token=world.member,
        )
        assert body["data"]["moveCard"]["userErrors"] == []
        for ws in (owner, member):
            first, second = await receive(ws), await receive(ws)
            assert [m["type"] for m in (first, second)] == ["next", "next"]
            events = [m["payload"]["data"]["boardUpdated"] for m in (first, second)]
            assert [(e["kind"], e["taskId"]) for e in events] == [("CARD_MOVED", task["id"])] * 2
            assert [e["actorId"] for e in events] == [world.a.owner_id, user_of(world.member)]


async def test_removed_member_stream_ends_with_board_not_found(world: World, ws_url: str) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    task = await api.task(world.a, project["id"], "secret card")
    await make_private(world, project["id"])
    member = user_of(world.member)
    await api.ok(MEMBER, {"p": project["id"], "u": member}, tenant=world.a)
    async with subscribed(world, ws_url, world.member, project["board"]["id"]) as ws:
        await until_listening(world, project, 1)
        await move_to(world, project, task, -1)
        assert (await receive(ws))["payload"]["data"]["boardUpdated"]["taskId"] == task["id"]
        await api.ok(UNMEMBER, {"p": project["id"], "u": member}, tenant=world.a)
        await move_to(world, project, task, 0)
        ended = await receive(ws)
        assert ended["type"] == "next", ended
        assert ended["payload"]["data"] is None
        assert [e["extensions"]["code"] for e in ended["payload"]["errors"]] == ["BOARD_NOT_FOUND"]
        assert await receive(ws) == {"id": "1", "type": "complete"}  # the stream ended
