"""Macros, saved views, merge, parent/child links, CSAT."""

from __future__ import annotations

from tests.subgraphs.tickets.harness import (
    COMMENT,
    GET,
    UPDATE,
    People,
    TicketsHarness,
    sqlite_only,
)

MERGE = """mutation($s: ID!, $t: ID!) { mergeTickets(input: {sourceId: $s, targetId: $t}) {
  ticket { id comments { body } } userErrors { code field } } }"""
LINKS = """query($id: ID!) { ticket(id: $id) { id status { key } mergedInto { id }
  parent { id } children { id } csat { score comment requestedAt } } }"""


async def test_merge_keeps_comments_and_history(th: TicketsHarness, people: People) -> None:
    t = people.tenant
    source = await th.create(people, token=people.requester)
    target = await th.create(people, token=people.requester)
    await th.gql(
        COMMENT,
        {"input": {"ticketId": source["id"], "body": "from source"}},
        tenant=t,
        token=people.agent,
    )
    body = await th.gql(MERGE, {"s": source["id"], "t": target["id"]}, tenant=t, token=people.agent)
    result = body["data"]["mergeTickets"]
    assert result["userErrors"] == []
    assert [c["body"] for c in result["ticket"]["comments"]] == ["from source"]
    body = await th.gql(LINKS, {"id": source["id"]}, tenant=t, token=people.agent)
    assert body["data"]["ticket"]["status"]["key"] == "closed"
    assert body["data"]["ticket"]["mergedInto"]["id"] == target["id"]
    history = await th.gql(GET, {"id": target["id"]}, tenant=t, token=people.agent)
    fields = {h["field"] for h in history["data"]["ticket"]["history"]}
    assert "mergedFrom" in fields
    assert "status" in fields  # the source's history moved along
    body = await th.gql(MERGE, {"s": source["id"], "t": target["id"]}, tenant=t, token=people.agent)
    assert body["data"]["mergeTickets"]["userErrors"][0]["code"] == "INVALID_MERGE"
    body = await th.gql(MERGE, {"s": target["id"], "t": target["id"]}, tenant=t, token=people.agent)
    assert body["data"]["mergeTickets"]["userErrors"][0]["code"] == "INVALID_MERGE"


@sqlite_only
async def test_macro_changes_fields_and_replies(th: TicketsHarness, people: People) -> None:
    t = people.tenant
    ticket = await th.create(people, token=people.requester)
    body = await th.gql(
        'mutation($a: JSON!) { createMacro(input: {name: "Refund", actions: $a, '
        'reply: "Refund issued"}) { macro { id } userErrors { code } } }',
        {"a": {"status": "pending", "priority": "high", "add_tags": ["refund"]}},
        tenant=t,
        token=people.agent,
    )
    macro = body["data"]["createMacro"]["macro"]["id"]
    body = await th.gql(
        "mutation($t: ID!, $m: ID!) { applyMacro(input: {ticketId: $t, macroId: $m}) "
        "{ ticket { status { key } priority { key } tags comments { body } } "
        "userErrors { code } } }",
        {"t": ticket["id"], "m": macro},
        tenant=t,
        token=people.agent,
    )
    result = body["data"]["applyMacro"]
    assert result["userErrors"] == []
    assert result["ticket"]["status"]["key"] == "pending"
    assert result["ticket"]["priority"]["key"] == "high"
    assert result["ticket"]["tags"] == ["refund"]
    assert [c["body"] for c in result["ticket"]["comments"]] == ["Refund issued"]
    bad = await th.gql(
        'mutation { createMacro(input: {name: "x", actions: {drop: 1}}) { userErrors { code } } }',
        tenant=t,
        token=people.agent,
    )
    assert bad["data"]["createMacro"]["userErrors"][0]["code"] == "INVALID_INPUT"


@sqlite_only
async def test_views_shared_and_personal(th: TicketsHarness, people: People) -> None:
    t = people.tenant
    vip = await th.create(people, tags=["vip"])
    await th.create(people)
    save = """mutation($n: String!, $s: Boolean!) { saveTicketView(input: {name: $n, shared: $s,
      filter: {tagsAny: ["vip"]}}) { view { id shared } userErrors { code } } }"""
    shared = await th.gql(save, {"n": "VIP", "s": True}, tenant=t, token=people.owner)
    view_id = shared["data"]["saveTicketView"]["view"]["id"]
    denied = await th.gql(save, {"n": "VIP2", "s": True}, tenant=t, token=people.agent)
    assert denied["data"]["saveTicketView"]["userErrors"][0]["code"] == "FORBIDDEN"
    await th.gql(save, {"n": "Mine", "s": False}, tenant=t, token=people.agent)
    names = await th.gql("{ ticketViews { name shared } }", tenant=t, token=people.agent)
    assert {v["name"] for v in names["data"]["ticketViews"]} == {"VIP", "Mine"}
    names = await th.gql("{ ticketViews { name } }", tenant=t, token=people.viewer)
    assert [v["name"] for v in names["data"]["ticketViews"]] == ["VIP"]
    body = await th.gql(
        "query($v: ID) { tickets(viewId: $v) { edges { node { id } } } ticketCount(viewId: $v) }",
        {"v": view_id},
        tenant=t,
        token=people.agent,
    )
    assert [e["node"]["id"] for e in body["data"]["tickets"]["edges"]] == [vip["id"]]
    assert body["data"]["ticketCount"] == 1


@sqlite_only
async def test_parent_child_and_csat(th: TicketsHarness, people: People) -> None:
    t = people.tenant
    parent = await th.create(people, token=people.requester)
    child = await th.create(people, parentId=parent["id"], requesterId=people.requester_id)
    body = await th.gql(LINKS, {"id": parent["id"]}, tenant=t, token=people.agent)
    assert body["data"]["ticket"]["children"] == [{"id": child["id"]}]
    rate = """mutation($t: ID!, $s: Int!) { rateTicket(input: {ticketId: $t, score: $s,
      comment: "quick"}) { ticket { csat { score comment } } userErrors { code } } }"""
    early = await th.gql(rate, {"t": parent["id"], "s": 5}, tenant=t, token=people.requester)
    assert early["data"]["rateTicket"]["userErrors"][0]["code"] == "CSAT_NOT_REQUESTED"
    await th.gql(
        UPDATE, {"input": {"id": parent["id"], "status": "solved"}}, tenant=t, token=people.agent
    )
    body = await th.gql(LINKS, {"id": parent["id"]}, tenant=t, token=people.requester)
    assert body["data"]["ticket"]["csat"]["requestedAt"] is not None
    other = await th.gql(rate, {"t": parent["id"], "s": 5}, tenant=t, token=people.other_requester)
    assert other["data"]["rateTicket"]["userErrors"][0]["code"] == "TICKET_NOT_FOUND"
    agent = await th.gql(rate, {"t": parent["id"], "s": 5}, tenant=t, token=people.agent)
    assert agent["data"]["rateTicket"]["userErrors"][0]["code"] == "CSAT_NOT_REQUESTED"
    done = await th.gql(rate, {"t": parent["id"], "s": 4}, tenant=t, token=people.requester)
    assert done["data"]["rateTicket"]["ticket"]["csat"] == {"score": 4, "comment": "quick"}
    # a requester's reply reopens a solved ticket
    await th.gql(
        COMMENT,
        {"input": {"ticketId": parent["id"], "body": "again"}},
        tenant=t,
        token=people.requester,
    )
    body = await th.gql(LINKS, {"id": parent["id"]}, tenant=t, token=people.agent)
    assert body["data"]["ticket"]["status"]["key"] == "open"
