"""A requester (a person of the tenant without `tickets:read`/`tickets:write`) on every read
path and every agent-only mutation: only their own tickets and public replies, never internal
notes, history or other people's tickets; tickets they may not see answer as unknown ids."""

from __future__ import annotations

from typing import Any

from tests.subgraphs.tickets.harness import COMMENT, People, TicketsHarness, sqlite_only

pytestmark = sqlite_only


async def _setup(th: TicketsHarness, people: People) -> dict[str, Any]:
    t = people.tenant
    mine = await th.create(people, token=people.requester, subject="Laptop broken zebra")
    theirs = await th.create(people, token=people.other_requester, subject="Secret giraffe")
    # an agent's child of my ticket, requested by someone else
    child = await th.create(
        people, subject="Child okapi", parentId=mine["id"], requesterId=people.other_requester_id
    )
    for ticket in (mine, theirs):
        await th.gql(
            "mutation($id: ID!, $a: ID) { assignTicket(input: {ticketId: $id, assigneeId: $a}) "
            "{ userErrors { code } } }",
            {"id": ticket["id"], "a": people.agent_id},
            tenant=t,
            token=people.agent,
        )
    note = await th.gql(
        COMMENT,
        {"input": {"ticketId": mine["id"], "body": "internal walrus refund", "public": False}},
        tenant=t,
        token=people.agent,
    )
    assert note["data"]["addTicketComment"]["userErrors"] == []
    macro = await th.gql(
        'mutation { createMacro(input: {name: "M", actions: {priority: "urgent"}}) '
        "{ macro { id } } }",
        tenant=t,
        token=people.owner,
    )
    return {
        "mine": mine,
        "theirs": theirs,
        "child": child,
        "macro": macro["data"]["createMacro"]["macro"]["id"],
    }


async def test_requester_reads_only_their_own(th: TicketsHarness, people: People) -> None:
    t, token = people.tenant, people.requester
    world = await _setup(th, people)
    mine, theirs = world["mine"], world["theirs"]

    async def query(text: str, variables: dict[str, Any] | None = None) -> Any:
        body = await th.gql(text, variables, tenant=t, token=token)
        assert "errors" not in body, body
        return body["data"]

    got = await query(
        "query($n: Int!, $m: Int!) { a: ticketByNumber(number: $n) { id } "
        "b: ticketByNumber(number: $m) { id } }",
        {"n": mine["number"], "m": theirs["number"]},
    )
    assert got == {"a": {"id": mine["id"]}, "b": None}
    got = await query(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id } } }",
        {"r": [{"__typename": "Ticket", "id": i} for i in (mine["id"], theirs["id"])]},
    )
    assert got["_entities"] == [{"id": mine["id"]}, None]
    got = await query(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { "
        "assignedTickets { edges { node { id } } } requestedTickets { edges { node { id } } } "
        "} } }",
        {
            "r": [
                {"__typename": "User", "id": people.agent_id},
                {"__typename": "User", "id": people.other_requester_id},
            ]
        },
    )
    agent, other = got["_entities"]
    assert [e["node"]["id"] for e in agent["assignedTickets"]["edges"]] == [mine["id"]]
    assert other["requestedTickets"]["edges"] == []
    got = await query("{ ticketCount }")
    assert got["ticketCount"] == 1
    for words in ("giraffe", "okapi", "walrus"):  # others' subjects, an internal note
        got = await query(
            "query($s: String) { tickets(filter: {search: $s}) { edges { node { id } } } }",
            {"s": words},
        )
        assert got["tickets"]["edges"] == [], words
    got = await query(
        "query($id: ID!) { ticket(id: $id) { children { id } history { field } "
        "comments { body } } }",
        {"id": mine["id"]},
    )
    assert got["ticket"] == {"children": [], "history": [], "comments": []}
    got = await query(
        "query($id: ID!) { ticket(id: $id) { parent { id } } }", {"id": world["child"]["id"]}
    )
    assert got["ticket"] is None


async def test_requester_cannot_act_as_an_agent(th: TicketsHarness, people: People) -> None:
    t, token = people.tenant, people.requester
    world = await _setup(th, people)
    mine, theirs = world["mine"]["id"], world["theirs"]["id"]
    forbidden = {
        "assignTicket": (
            "mutation($t: ID!) { assignTicket(input: {ticketId: $t, auto: true}) "
            "{ userErrors { code } } }",
            {"t": mine},
        ),
        "mergeTickets": (
            "mutation($s: ID!, $t: ID!) { mergeTickets(input: {sourceId: $s, targetId: $t}) "
            "{ userErrors { code } } }",
            {"s": mine, "t": theirs},
        ),
        "applyMacro": (
            "mutation($t: ID!, $m: ID!) { applyMacro(input: {ticketId: $t, macroId: $m}) "
            "{ userErrors { code } } }",
            {"t": mine, "m": world["macro"]},
        ),
        "createMacro": (
            'mutation { createMacro(input: {name: "x", actions: {}}) { userErrors { code } } }',
            {},
        ),
        "saveTicketView": (
            'mutation { saveTicketView(input: {name: "x", filter: {}, shared: true}) '
            "{ userErrors { code } } }",
            {},
        ),
    }
    for name, (text, variables) in forbidden.items():
        body = await th.gql(text, variables, tenant=t, token=token)
        codes = [e["code"] for e in body["data"][name]["userErrors"]]
        assert codes == ["FORBIDDEN"], (name, body)
    for internal in ("{ macros { id } }", "{ slaPolicies { id } }", "{ businessCalendars { id } }"):
        body = await th.gql(internal, tenant=t, token=token)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", internal
        body = await th.gql(internal, tenant=t, token=people.agent)
        assert "errors" not in body, internal
    not_found = {
        "addTicketComment": (
            'mutation($t: ID!) { addTicketComment(input: {ticketId: $t, body: "hi"}) '
            "{ userErrors { code } } }",
        ),
        "rateTicket": (
            "mutation($t: ID!) { rateTicket(input: {ticketId: $t, score: 5}) "
            "{ userErrors { code } } }",
        ),
        "setTicketPresence": (
            "mutation($t: ID!) { setTicketPresence(input: {ticketId: $t, state: VIEWING}) "
            "{ userErrors { code } } }",
        ),
    }
    for name, (text,) in not_found.items():
        body = await th.gql(text, {"t": theirs}, tenant=t, token=token)
        codes = [e["code"] for e in body["data"][name]["userErrors"]]
        assert codes == ["TICKET_NOT_FOUND"], (name, body)
    # a requester's ticket is theirs whatever they send: agent-only fields are ignored
    body = await th.gql(
        "mutation($i: CreateTicketInput!) { createTicket(input: $i) { ticket { requester { id } "
        "assignee { id } priority { key } tags } userErrors { code } } }",
        {
            "i": {
                "subject": "Mine",
                "requesterId": people.other_requester_id,
                "assigneeId": people.agent_id,
                "priority": "urgent",
                "tags": ["vip"],
            }
        },
        tenant=t,
        token=token,
    )
    created = body["data"]["createTicket"]
    assert created["userErrors"] == []
    assert created["ticket"]["requester"]["id"] == people.requester_id
    assert created["ticket"]["assignee"] is None
    assert created["ticket"]["priority"]["key"] == "normal"
    assert created["ticket"]["tags"] == []  # a "vip" tag would pick the VIP SLA policy
