"""`notificationAdded` over real WebSockets (graphql-transport-ws, uvicorn on 127.0.0.1):
the current user only, never another user's or another tenant's notifications."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from subgraphs.tickets.events import TicketAssigned
from tests.subgraphs.chat.servers import serve
from tests.subgraphs.notifications.harness import LIST, NotificationsHarness, Person, Team

ADDED = "subscription { notificationAdded { id kind subjectId title } }"


@pytest.fixture
def backend() -> str:
    """Realtime does not depend on the database: SQLite only."""
    return "sqlite"


@contextlib.asynccontextmanager
async def subscriber(host: str, team: Team, who: Person | None) -> AsyncIterator[ClientConnection]:
    headers = {"x-tenant-id": team.tenant.id}
    if who is not None:
        headers["authorization"] = f"Bearer {who.token}"
    async with connect(
        f"ws://{host}/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers=headers,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ADDED}}))
        await asyncio.sleep(0.3)  # the server subscribes to the channel
        yield ws


async def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
    return message


def errors(message: dict[str, Any]) -> list[str]:
    """Error codes of a refused subscription (it yields no data)."""
    assert message["type"] in {"next", "error"}, message
    found = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    if message["type"] == "next":
        assert message["payload"].get("data") is None
    return [e["extensions"]["code"] for e in found]


def assigned(team: Team, to: Person) -> TicketAssigned:
    return TicketAssigned(
        tenant_id=team.tenant_id,
        actor=str(team.owner.id),
        ticket_id=uuid.uuid4(),
        assignee_id=to.id,
        previous_assignee_id=None,
        rule="manual",
    )


async def test_only_the_recipient_receives(nh: NotificationsHarness, team: Team) -> None:
    other_team = await nh.team()
    async with (
        serve(nh.app) as host,
        subscriber(host, team, team.agent) as agent,
        subscriber(host, team, team.other) as colleague,
        subscriber(host, other_team, other_team.agent) as stranger,
    ):
        first = assigned(team, team.agent)
        await nh.deliver(team, first)
        await nh.dispatch(team)
        got = (await receive(agent))["payload"]["data"]["notificationAdded"]
        assert got["kind"] == "TICKET_ASSIGNED"
        assert got["subjectId"] == str(first.ticket_id)
        listed = await nh.ok(LIST, {}, team=team, who=team.agent)
        assert listed["notifications"]["edges"][0]["node"]["id"] == got["id"]
        # the colleague's and the other tenant's first message is their own notification
        for owner, person, ws in ((team, team.other, colleague),
                                  (other_team, other_team.agent, stranger)):  # fmt: skip
            theirs = assigned(owner, person)
            await nh.deliver(owner, theirs)
            await nh.dispatch(owner)
            message = (await receive(ws))["payload"]["data"]["notificationAdded"]
            assert message["subjectId"] == str(theirs.ticket_id)


async def test_subscription_needs_a_user(nh: NotificationsHarness, team: Team) -> None:
    other_team = await nh.team()
    async with serve(nh.app) as host:
        async with subscriber(host, team, None) as anonymous:
            assert errors(await receive(anonymous)) == ["UNAUTHENTICATED"]
        # a token of tenant B naming tenant A is refused too
        async with subscriber(host, team, other_team.agent) as forged:
            assert errors(await receive(forged)) == ["UNAUTHENTICATED"]
