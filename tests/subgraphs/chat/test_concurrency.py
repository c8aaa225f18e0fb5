"""Routing under concurrency: two chat instances (two uvicorn servers, separate pools; and two
`saas-platform subgraph chat` processes) on one tenant database assign at once. Capacity is
never exceeded and the queue keeps its order."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from saas_platform.tenancy.testing import TenancyEnv
from tests.subgraphs.chat.harness import CAPACITY, START, UPDATE, ChatHarness, People
from tests.subgraphs.chat.servers import chat_processes, second_instance, serve

LIST = """{ conversations(first: 100) { edges { node { id status queued queuePosition
  assignee { id } createdAt } } } }"""


@pytest.fixture
def backend() -> str:
    return "postgres"


@pytest.fixture
def pg_admin(postgres_url: str) -> str:
    return postgres_url


async def _post(
    client: httpx.AsyncClient, people: People, token: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    headers = {"x-tenant-id": people.tenant.id, "authorization": f"Bearer {token}"}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


async def _setup(ch: ChatHarness, people: People) -> tuple[str, dict[str, int]]:
    inbox = await ch.inbox(people, routing="BALANCED")
    caps = {people.agent_id: 2, people.agent2_id: 3}
    for user, cap in caps.items():
        await ch.ok(CAPACITY, {"u": user, "c": cap}, tenant=people.tenant, token=people.owner)
    await ch.presence(people, people.agent)
    await ch.presence(people, people.agent2)
    return inbox, caps


async def test_two_instances_never_exceed_capacity(ch: ChatHarness, people: People) -> None:
    inbox, caps = await _setup(ch, people)
    async with (
        second_instance(ch) as other_app,
        serve(ch.app) as host_a,
        serve(other_app) as host_b,
        httpx.AsyncClient(base_url=f"http://{host_a}", timeout=30) as a,
        httpx.AsyncClient(base_url=f"http://{host_b}", timeout=30) as b,
    ):
        await _race(people, inbox, caps, a, b)


async def test_two_processes_never_exceed_capacity(
    ch: ChatHarness, people: People, env: TenancyEnv
) -> None:
    """The same race between two operating-system processes (`saas-platform subgraph chat`)."""
    inbox, caps = await _setup(ch, people)
    async with (
        chat_processes(env.settings, 2) as (host_a, host_b),
        httpx.AsyncClient(base_url=f"http://{host_a}", timeout=30) as a,
        httpx.AsyncClient(base_url=f"http://{host_b}", timeout=30) as b,
    ):
        for client in (a, b):  # each process has fetched identity's JWKS before the race
            await _warm(client, people)
        await _race(people, inbox, caps, a, b)


async def _warm(client: httpx.AsyncClient, people: People) -> None:
    headers = {"x-tenant-id": people.tenant.id, "authorization": f"Bearer {people.owner}"}
    for _ in range(120):  # a JWKS fetch that timed out is retried after its refetch interval
        response = await client.post(
            "/graphql", json={"query": "{ chatInboxes { id } }"}, headers=headers
        )
        if "errors" not in response.json():
            return
        await asyncio.sleep(0.5)
    raise AssertionError(response.text)


async def _race(
    people: People,
    inbox: str,
    caps: dict[str, int],
    a: httpx.AsyncClient,
    b: httpx.AsyncClient,
) -> None:
    clients = [a, b]
    start = {"inboxId": inbox, "body": "help"}
    await asyncio.gather(
        *(
            _post(clients[i % 2], people, people.customer, START, {"input": start})
            for i in range(16)
        )
    )
    listed = await _post(a, people, people.owner, LIST, {})
    nodes = [e["node"] for e in listed["conversations"]["edges"]]
    load: dict[str, int] = {}
    for node in nodes:
        if node["assignee"]:
            load[node["assignee"]["id"]] = load.get(node["assignee"]["id"], 0) + 1
    assert load == caps  # filled exactly, never past
    queued = sorted((n for n in nodes if n["queued"]), key=lambda n: n["queuePosition"])
    assert [n["queuePosition"] for n in queued] == list(range(1, 12))
    assert [n["createdAt"] for n in queued] == sorted(n["createdAt"] for n in queued)
    # free 4 slots at once through both instances: the 4 oldest waiting get them, in order
    busy = [n for n in nodes if n["assignee"]][:4]
    await asyncio.gather(
        *(
            _post(
                clients[i % 2],
                people,
                people.owner,
                UPDATE,
                {"input": {"id": n["id"], "status": "RESOLVED"}},
            )
            for i, n in enumerate(busy)
        )
    )
    after = await _post(b, people, people.owner, LIST, {})
    by_id = {e["node"]["id"]: e["node"] for e in after["conversations"]["edges"]}
    served = [by_id[n["id"]]["assignee"] is not None for n in queued]
    assert served == [True] * 4 + [False] * 7
    open_load: dict[str, int] = {}
    for node in by_id.values():
        if node["assignee"] and node["status"] != "RESOLVED":
            open_load[node["assignee"]["id"]] = open_load.get(node["assignee"]["id"], 0) + 1
    assert open_load == caps
