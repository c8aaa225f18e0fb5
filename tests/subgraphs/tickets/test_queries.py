"""Lists: constant query count (dataloaders), filters, ordering, pagination, search."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.subgraphs.tickets.harness import COMMENT, People, TicketsHarness, sqlite_only

LIST = """query($first: Int, $after: String, $f: TicketFilter, $o: TicketOrder) {
  tickets(first: $first, after: $after, filter: $f, orderBy: $o) {
    edges { cursor node { id number subject requester { id } assignee { id }
      status { key } priority { key } group { name } slaBreached
      sla { metric remainingSeconds breached paused } } }
    pageInfo { hasNextPage endCursor } } }"""


@contextmanager
def counting() -> Iterator[list[str]]:
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "tickets_" in statement:  # this subgraph's queries (not the cached tenant lookup)
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", before)


async def _list(th: TicketsHarness, people: People, **variables: Any) -> dict[str, Any]:
    body = await th.gql(LIST, variables, tenant=people.tenant, token=people.agent)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["tickets"]
    return result


@sqlite_only
async def test_list_costs_a_constant_number_of_queries(th: TicketsHarness, people: People) -> None:
    group = await th.gql(
        'mutation { saveTicketGroup(input: {name: "L1"}) { group { id } } }',
        tenant=people.tenant,
        token=people.owner,
    )
    group_id = group["data"]["saveTicketGroup"]["group"]["id"]
    await th.gql(
        'mutation($t: JSON!) { createSlaPolicy(input: {name: "d", position: 1, targets: $t}) '
        "{ userErrors { code } } }",
        {"t": {"normal": {"FIRST_RESPONSE": 60, "RESOLUTION": 600}}},
        tenant=people.tenant,
        token=people.owner,
    )
    for i in range(100):
        await th.create(
            people,
            token=people.agent,
            assigneeId=people.agent_id,
            requesterId=people.requester_id,
            groupId=group_id if i % 2 else None,
        )
    with counting() as small:
        assert len((await _list(th, people, first=10))["edges"]) == 10
    with counting() as large:
        assert len((await _list(th, people, first=100))["edges"]) == 100
    assert len(large) == len(small), (len(small), len(large))
    assert len(large) <= 5, large  # page, statuses, priorities, groups, SLA clocks


@sqlite_only
async def test_filters_ordering_and_pages(th: TicketsHarness, people: People) -> None:
    t = people.tenant
    a = await th.create(people, tags=["billing"], priority="high")
    b = await th.create(people, tags=["billing", "vip"], priority="low")
    c = await th.create(people, priority="urgent", assigneeId=people.agent_id)

    async def ids(**variables: Any) -> list[str]:
        return [e["node"]["id"] for e in (await _list(th, people, **variables))["edges"]]

    assert await ids(f={"tagsAny": ["billing"]}, o={"field": "NUMBER", "direction": "ASC"}) == [
        a["id"],
        b["id"],
    ]
    assert await ids(f={"tagsAll": ["billing", "vip"]}) == [b["id"]]
    assert await ids(f={"priority": ["urgent", "high"]}, o={"field": "PRIORITY"}) == [
        c["id"],
        a["id"],
    ]
    assert await ids(f={"assigneeId": [people.agent_id]}) == [c["id"]]
    assert await ids(f={"unassigned": True}, o={"field": "NUMBER", "direction": "ASC"}) == [
        a["id"],
        b["id"],
    ]
    assert await ids(f={"status": ["open"]}) == []
    assert await ids(f={"status": ["no-such-status"]}) == []
    # keyset pagination over every ordering returns every ticket once
    for field in ("CREATED_AT", "UPDATED_AT", "NUMBER", "PRIORITY"):
        for direction in ("ASC", "DESC"):
            seen: list[str] = []
            after = None
            while True:
                page = await _list(
                    th, people, first=1, after=after, o={"field": field, "direction": direction}
                )
                seen += [e["node"]["id"] for e in page["edges"]]
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
            assert sorted(seen) == sorted([a["id"], b["id"], c["id"]]), (field, direction)
    body = await th.gql(
        '{ ticketCount(filter: {tagsAny: ["billing"]}) }', tenant=t, token=people.agent
    )
    assert body["data"]["ticketCount"] == 2


async def test_full_text_search(th: TicketsHarness, people: People) -> None:
    t = people.tenant
    printer = await th.create(
        people,
        subject="Printer jammed on floor 3",
        description="The office laser printer shows error E42",
    )
    vpn = await th.create(people, subject="VPN drops", description="Every hour or so")
    await th.gql(
        COMMENT,
        {"input": {"ticketId": vpn["id"], "body": "Firmware of the router updated, please retry"}},
        tenant=t,
        token=people.agent,
    )
    await th.gql(
        COMMENT,
        {"input": {"ticketId": printer["id"], "body": "secretnote internal", "public": False}},
        tenant=t,
        token=people.agent,
    )

    async def search(text: str) -> list[str]:
        edges = (await _list(th, people, f={"search": text}))["edges"]
        return [e["node"]["id"] for e in edges]

    assert await search("printer") == [printer["id"]]
    assert await search("E42") == [printer["id"]]
    assert await search("firmware") == [vpn["id"]]  # from a public comment
    assert await search("secretnote") == []  # internal notes are not indexed
    await search('printer" OR "vpn NEAR(')  # operators in user text never break the query
    assert await search("nothing-matches-this") == []
    # tickets match exact words: `*` is no prefix here (the kit's prefixes=False)
    assert await search("print*") == []
    assert await search("printer*") == [printer["id"]]


async def test_field_filters_and_time_ranges(th: TicketsHarness, people: People) -> None:
    t = people.tenant
    group = await th.gql(
        'mutation { saveTicketGroup(input: {name: "Billing"}) { group { id } } }',
        tenant=t,
        token=people.owner,
    )
    group_id = group["data"]["saveTicketGroup"]["group"]["id"]
    a = await th.create(people, type="INCIDENT", channel="EMAIL", groupId=group_id)
    b = await th.create(people, token=people.requester)
    c = await th.create(people, type="INCIDENT", status="open")
    stamps = await th.gql(
        "{ tickets(orderBy: {field: NUMBER, direction: ASC}) { edges { node { createdAt } } } }",
        tenant=t,
        token=people.agent,
    )
    created = [datetime.fromisoformat(e["node"]["createdAt"]) for e in _edges(stamps)]

    async def ids(**f: Any) -> list[str]:
        page = await _list(th, people, f=f, o={"field": "NUMBER", "direction": "ASC"})
        return [e["node"]["id"] for e in page["edges"]]

    assert await ids(groupId=[group_id]) == [a["id"]]
    assert await ids(requesterId=[people.requester_id]) == [b["id"]]
    assert await ids(type=["INCIDENT"]) == [a["id"], c["id"]]
    assert await ids(channel=["EMAIL"]) == [a["id"]]
    assert await ids(category=["OPEN"]) == [c["id"]]
    assert await ids(category=["NEW"], type=["INCIDENT"]) == [a["id"]]
    # createdAfter is inclusive, createdBefore exclusive; any UTC offset names the same instant
    middle = created[1]
    for bound in (middle, middle.astimezone(timezone(timedelta(hours=2)))):
        assert await ids(createdAfter=bound.isoformat()) == [b["id"], c["id"]]
        assert await ids(createdBefore=bound.isoformat()) == [a["id"]]
        assert await ids(createdAfter=created[0].isoformat(), createdBefore=bound.isoformat()) == [
            a["id"]
        ]
    body = await th.gql(UPDATE_SUBJECT, {"id": a["id"]}, tenant=t, token=people.agent)
    updated = datetime.fromisoformat(body["data"]["updateTicket"]["ticket"]["updatedAt"])
    assert await ids(updatedAfter=updated.isoformat()) == [a["id"]]
    assert await ids(updatedBefore=updated.isoformat()) == [b["id"], c["id"]]


UPDATE_SUBJECT = """mutation($id: ID!) { updateTicket(input: {id: $id, subject: "Later"}) {
  ticket { updatedAt } userErrors { code } } }"""


def _edges(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert "errors" not in body, body
    edges: list[dict[str, Any]] = body["data"]["tickets"]["edges"]
    return edges
