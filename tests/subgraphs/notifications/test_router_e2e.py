"""Through the router: the notifications query and `notificationAdded` proxied over
graphql-transport-ws to the subgraph."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from websockets.asyncio.client import connect

from router.app import build_app as build_router
from router.compose.compose import compose
from router.compose.result import SubgraphSource
from router.config import RouterConfig
from subgraphs.kit.federation import print_sdl
from subgraphs.notifications.app import build_schema
from subgraphs.tickets.events import TicketAssigned
from tests.subgraphs.chat.servers import serve
from tests.subgraphs.notifications.harness import NotificationsHarness, Team

ADDED = "subscription { notificationAdded { kind subjectId } }"
COUNT = "{ unreadNotificationCount notifications(first: 5) { edges { node { kind } } } }"


@pytest.fixture
def backend() -> str:
    return "sqlite"


async def test_query_and_subscription_through_the_router(
    nh: NotificationsHarness, team: Team
) -> None:
    auth = {"x-tenant": team.tenant.id, "authorization": f"Bearer {team.agent.token}"}
    async with serve(nh.app) as host:
        source = SubgraphSource(
            "notifications", f"http://{host}/graphql", print_sdl(build_schema())
        )
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
                additional_headers=auth,
            ) as ws,
        ):
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ADDED}}))
            await asyncio.sleep(0.5)  # the subgraph subscribes to the channel
            event = TicketAssigned(
                tenant_id=team.tenant_id,
                actor=str(team.owner.id),
                ticket_id=uuid.uuid4(),
                assignee_id=team.agent.id,
                previous_assignee_id=None,
                rule="manual",
            )
            await nh.deliver(team, event)
            await nh.dispatch(team)
            message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            while message["type"] == "ping":
                message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert message["type"] == "next", message
            assert message["payload"]["data"]["notificationAdded"] == {
                "kind": "TICKET_ASSIGNED",
                "subjectId": str(event.ticket_id),
            }
            async with httpx.AsyncClient(base_url=f"http://{router_host}") as client:
                response = await client.post("/graphql", headers=auth, json={"query": COUNT})
            body = response.json()
            assert body["data"]["unreadNotificationCount"] == 1, body
            assert body["data"]["notifications"]["edges"] == [{"node": {"kind": "TICKET_ASSIGNED"}}]
