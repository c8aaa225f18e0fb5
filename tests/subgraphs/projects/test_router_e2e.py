# ruff: noqa: E501  (GraphQL documents read better on one line)
"""Through our router: a support agent's one query reads a ticket (tickets subgraph) and the
engineering status of its linked tasks (projects subgraph), and a task's linked tickets
come back with their subjects. Both apps and the router served by uvicorn on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import httpx

from router.app import build_app as build_router
from router.compose.compose import compose
from router.compose.result import SubgraphSource
from router.config import RouterConfig
from subgraphs.kit.federation import print_sdl
from subgraphs.projects.app import build_schema as projects_schema
from subgraphs.tickets.app import build_app as build_tickets
from subgraphs.tickets.app import build_schema as tickets_schema
from tests.subgraphs.chat.servers import serve
from tests.subgraphs.projects.conftest import World

CREATE_TICKET = "mutation($s: String!) { createTicket(input: {subject: $s}) { ticket { id } userErrors { code } } }"
LINK = "mutation($t: ID!, $k: ID!) { linkTicket(taskId: $t, ticketId: $k) { userErrors { code } } }"
AGENT_VIEW = "query($k: ID!) { ticket(id: $k) { subject linkedTasks { identifier title state { name category } } } }"
TASK_VIEW = "query($t: ID!) { task(id: $t) { identifier linkedTickets { id subject } } }"


async def test_ticket_and_its_tasks_in_one_routed_query(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    task = await api.task(world.a, project["id"], "Fix the export")
    headers = {"authorization": f"Bearer {world.a.owner_token}", "x-tenant-id": world.a.id}
    async with serve(build_tickets(api.identity.runtime)) as tickets, serve(api.app) as projects:
        sources = [
            SubgraphSource("tickets", f"http://{tickets}/graphql", print_sdl(tickets_schema())),
            SubgraphSource("projects", f"http://{projects}/graphql", print_sdl(projects_schema())),
        ]
        result = compose(sources)
        assert result.supergraph_sdl is not None, result.errors
        config = RouterConfig(
            hot_reload=False,
            request_timeout=10.0,
            propagate_headers=("authorization", "x-tenant-id", "x-request-id"),
        )
        routed = build_router(config, supergraph_sdl=result.supergraph_sdl)
        async with (
            serve(routed) as router,
            httpx.AsyncClient(base_url=f"http://{router}", headers=headers, timeout=10) as client,
        ):

            async def ask(query: str, variables: dict[str, Any]) -> dict[str, Any]:
                response = await client.post(
                    "/graphql", json={"query": query, "variables": variables}
                )
                body: dict[str, Any] = response.json()
                assert "errors" not in body, body
                return body["data"]  # type: ignore[no-any-return]

            created = await ask(CREATE_TICKET, {"s": "Export is broken"})
            ticket = created["createTicket"]["ticket"]["id"]
            assert (await ask(LINK, {"t": task["id"], "k": ticket}))["linkTicket"][
                "userErrors"
            ] == []
            view = await ask(AGENT_VIEW, {"k": ticket})
            state = {"name": task["state"]["name"], "category": task["state"]["category"]}
            linked = [{"identifier": task["identifier"], "title": "Fix the export", "state": state}]
            assert view["ticket"] == {"subject": "Export is broken", "linkedTasks": linked}
            back = await ask(TASK_VIEW, {"t": task["id"]})
            assert back["task"]["linkedTickets"] == [{"id": ticket, "subject": "Export is broken"}]
