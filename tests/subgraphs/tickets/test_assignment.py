"""Assignment: manual with history, round-robin, least-loaded, capacity, concurrency."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.subgraphs.tickets.harness import GET, People, TicketsHarness, sqlite_only

GROUP = """mutation($input: SaveTicketGroupInput!) { saveTicketGroup(input: $input) {
  group { id autoAssign } userErrors { code field } } }"""
ASSIGN = """mutation($input: AssignTicketInput!) { assignTicket(input: $input) {
  ticket { id assignee { id } } userErrors { code field } } }"""


async def _group(th: TicketsHarness, people: People, rule: str, members: list[Any]) -> str:
    body = await th.gql(
        GROUP,
        {"input": {"name": f"G {rule}", "autoAssign": rule, "members": members}},
        tenant=people.tenant,
        token=people.owner,
    )
    assert body["data"]["saveTicketGroup"]["userErrors"] == [], body
    group_id: str = body["data"]["saveTicketGroup"]["group"]["id"]
    return group_id


async def _agents(th: TicketsHarness, people: People, count: int) -> list[str]:
    ids = []
    for i in range(count):
        email = f"a{i}@{people.tenant.slug}.test"
        result = await th.identity.add_user(people.tenant, email, "agent")
        ids.append(result["user"]["id"])
    return ids


@sqlite_only
async def test_manual_assignment_and_reassignment_history(
    th: TicketsHarness, people: People
) -> None:
    t = people.tenant
    ticket = await th.create(people)
    a, b = await _agents(th, people, 2)
    for who in (a, b, None):
        body = await th.gql(
            ASSIGN,
            {"input": {"ticketId": ticket["id"], "assigneeId": who}},
            tenant=t,
            token=people.agent,
        )
        assert body["data"]["assignTicket"]["userErrors"] == []
    body = await th.gql(GET, {"id": ticket["id"]}, tenant=t, token=people.agent)
    changes = [
        (h["old"], h["new"]) for h in body["data"]["ticket"]["history"] if h["field"] == "assignee"
    ]
    assert changes == [(None, a), (a, b), (b, None)]


@sqlite_only
async def test_round_robin_skips_full_agents(th: TicketsHarness, people: People) -> None:
    a, b, c = await _agents(th, people, 3)
    members = [
        {"userId": a, "capacity": 10},
        {"userId": b, "capacity": 1},
        {"userId": c, "capacity": 10},
    ]
    group = await _group(th, people, "ROUND_ROBIN", members)
    assigned = [(await th.create(people, groupId=group))["assignee"]["id"] for _ in range(5)]
    assert assigned == [a, b, c, a, c]  # b is full after one ticket


@sqlite_only
async def test_least_loaded_and_no_capacity(th: TicketsHarness, people: People) -> None:
    a, b = await _agents(th, people, 2)
    for _ in range(2):
        await th.create(people, assigneeId=a)
    group = await _group(
        th, people, "LEAST_LOADED", [{"userId": a, "capacity": 3}, {"userId": b, "capacity": 2}]
    )
    assigned = [(await th.create(people, groupId=group))["assignee"]["id"] for _ in range(3)]
    assert assigned == [b, b, a]  # loads (2/3, 0/2) -> (2/3, 1/2) -> (2/3, 2/2) -> a
    ticket = await th.create(people, groupId=group)
    assert ticket["assignee"] is None  # everyone at capacity
    body = await th.gql(
        ASSIGN,
        {"input": {"ticketId": ticket["id"], "auto": True}},
        tenant=people.tenant,
        token=people.agent,
    )
    assert body["data"]["assignTicket"]["userErrors"][0]["code"] == "NO_AGENT_AVAILABLE"


async def test_concurrent_auto_assignment_respects_capacity(
    th: TicketsHarness, people: People
) -> None:
    # 4 concurrent writers (each request also needs read connections: pool of 8)
    agents = await _agents(th, people, 3)
    group = await _group(th, people, "LEAST_LOADED", [{"userId": a, "capacity": 1} for a in agents])
    tickets = await asyncio.gather(*(th.create(people, groupId=group) for _ in range(4)))
    assigned = [t["assignee"]["id"] if t["assignee"] else None for t in tickets]
    assert sorted(a for a in assigned if a) == sorted(agents)
    assert assigned.count(None) == 1
    numbers = sorted(t["number"] for t in tickets)
    assert numbers == list(range(1001, 1005))


@sqlite_only
async def test_renaming_a_group_keeps_rule_and_members(th: TicketsHarness, people: People) -> None:
    (agent,) = await _agents(th, people, 1)
    group = await _group(th, people, "ROUND_ROBIN", [{"userId": agent, "capacity": 5}])
    body = await th.gql(
        GROUP, {"input": {"id": group, "name": "Renamed"}}, tenant=people.tenant, token=people.owner
    )
    assert body["data"]["saveTicketGroup"]["group"]["autoAssign"] == "ROUND_ROBIN"
    ticket = await th.create(people, groupId=group)
    assert ticket["assignee"]["id"] == agent
