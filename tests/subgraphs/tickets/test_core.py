"""Create, update, read, transitions, permissions (agent / viewer / requester)."""

from __future__ import annotations

from tests.subgraphs.tickets.harness import (
    COMMENT,
    CREATE,
    GET,
    UPDATE,
    People,
    TicketsHarness,
    sqlite_only,
)


async def test_create_numbers_and_defaults(th: TicketsHarness, people: People) -> None:
    first = await th.create(people, tags=["Billing", "vip"])
    second = await th.create(people)
    assert first["number"] == 1001
    assert second["number"] == 1002
    assert first["status"] == {"key": "new", "category": "NEW"}
    assert first["priority"] == {"key": "normal"}
    assert first["tags"] == ["billing", "vip"]
    assert first["requester"]["id"] == people.agent_id


async def test_update_records_history_and_enforces_transitions(
    th: TicketsHarness, people: People
) -> None:
    ticket = await th.create(people)
    t = people.tenant
    body = await th.gql(
        UPDATE,
        {
            "input": {
                "id": ticket["id"],
                "status": "solved",
                "priority": "high",
                "subject": "Renamed",
            }
        },
        tenant=t,
        token=people.agent,
    )
    result = body["data"]["updateTicket"]
    assert result["userErrors"] == []
    assert result["ticket"]["status"]["key"] == "solved"
    body = await th.gql(
        UPDATE, {"input": {"id": ticket["id"], "status": "closed"}}, tenant=t, token=people.agent
    )
    assert body["data"]["updateTicket"]["userErrors"] == []
    body = await th.gql(
        UPDATE, {"input": {"id": ticket["id"], "status": "open"}}, tenant=t, token=people.agent
    )
    assert body["data"]["updateTicket"]["userErrors"][0]["code"] == "TICKET_CLOSED"
    body = await th.gql(GET, {"id": ticket["id"]}, tenant=t, token=people.agent)
    history = {(h["field"], h["old"], h["new"]) for h in body["data"]["ticket"]["history"]}
    assert ("status", "new", "solved") in history
    assert ("status", "solved", "closed") in history
    assert ("priority", "normal", "high") in history
    assert all(h["actor"]["id"] == people.agent_id for h in body["data"]["ticket"]["history"])


@sqlite_only
async def test_invalid_transition(th: TicketsHarness, people: People) -> None:
    ticket = await th.create(people)
    body = await th.gql(
        UPDATE,
        {"input": {"id": ticket["id"], "status": "closed"}},
        tenant=people.tenant,
        token=people.agent,
    )
    assert body["data"]["updateTicket"]["userErrors"][0]["code"] == "INVALID_TRANSITION"


async def test_requester_sees_only_own_and_no_internal_notes(
    th: TicketsHarness, people: People
) -> None:
    t = people.tenant
    mine = await th.create(people, token=people.requester)
    assert mine["requester"]["id"] == people.requester_id
    theirs = await th.create(people, token=people.other_requester)
    for body_text, public in (("internal: refund approved", False), ("We are on it", True)):
        body = await th.gql(
            COMMENT,
            {"input": {"ticketId": mine["id"], "body": body_text, "public": public}},
            tenant=t,
            token=people.agent,
        )
        assert body["data"]["addTicketComment"]["userErrors"] == []
    body = await th.gql(GET, {"id": mine["id"]}, tenant=t, token=people.requester)
    assert [c["body"] for c in body["data"]["ticket"]["comments"]] == ["We are on it"]
    assert body["data"]["ticket"]["history"] == []
    body = await th.gql(GET, {"id": theirs["id"]}, tenant=t, token=people.requester)
    assert body["data"]["ticket"] is None
    body = await th.gql("{ tickets { edges { node { id } } } }", tenant=t, token=people.requester)
    assert [e["node"]["id"] for e in body["data"]["tickets"]["edges"]] == [mine["id"]]
    body = await th.gql(GET, {"id": mine["id"]}, tenant=t, token=people.agent)
    assert len(body["data"]["ticket"]["comments"]) == 2
    # a requester cannot write internal notes nor update fields
    body = await th.gql(
        COMMENT,
        {"input": {"ticketId": mine["id"], "body": "x", "public": False}},
        tenant=t,
        token=people.requester,
    )
    assert body["data"]["addTicketComment"]["userErrors"][0]["code"] == "FORBIDDEN"
    body = await th.gql(
        UPDATE,
        {"input": {"id": mine["id"], "priority": "urgent"}},
        tenant=t,
        token=people.requester,
    )
    assert body["data"]["updateTicket"]["userErrors"][0]["code"] == "FORBIDDEN"


@sqlite_only
async def test_viewer_reads_but_cannot_write(th: TicketsHarness, people: People) -> None:
    t = people.tenant
    ticket = await th.create(people)
    body = await th.gql(GET, {"id": ticket["id"]}, tenant=t, token=people.viewer)
    assert body["data"]["ticket"]["id"] == ticket["id"]
    body = await th.gql(
        UPDATE, {"input": {"id": ticket["id"], "subject": "x"}}, tenant=t, token=people.viewer
    )
    assert body["data"]["updateTicket"]["userErrors"][0]["code"] == "FORBIDDEN"
    body = await th.gql(
        COMMENT, {"input": {"ticketId": ticket["id"], "body": "hi"}}, tenant=t, token=people.viewer
    )
    assert body["data"]["addTicketComment"]["userErrors"][0]["code"] == "FORBIDDEN"


@sqlite_only
async def test_custom_fields_validated(th: TicketsHarness, people: People) -> None:
    t = people.tenant
    create_field = """mutation($input: CreateCustomFieldInput!) {
      createTicketCustomField(input: $input) { field { key } userErrors { code } } }"""
    for data in (
        {"key": "plan", "name": "Plan", "kind": "SELECT", "options": ["free", "pro"]},
        {"key": "seats", "name": "Seats", "kind": "NUMBER"},
        {"key": "renewal", "name": "Renewal", "kind": "DATE"},
        {"key": "vip", "name": "VIP", "kind": "CHECKBOX"},
    ):
        body = await th.gql(create_field, {"input": data}, tenant=t, token=people.owner)
        assert body["data"]["createTicketCustomField"]["userErrors"] == [], body
    ok = await th.create(
        people, customFields={"plan": "pro", "seats": 12, "renewal": "2027-01-31", "vip": True}
    )
    assert ok["customFields"]["seats"] == 12
    for bad in (
        {"plan": "gold"},
        {"seats": "many"},
        {"renewal": "soon"},
        {"vip": "yes"},
        {"nope": 1},
    ):
        body = await th.gql(
            CREATE, {"input": {"subject": "x", "customFields": bad}}, tenant=t, token=people.agent
        )
        codes = [e["code"] for e in body["data"]["createTicket"]["userErrors"]]
        assert codes in (["INVALID_FIELD_VALUE"], ["UNKNOWN_REFERENCE"]), (bad, body)
    query = """query($f: TicketFilter) { tickets(filter: $f) { edges { node { id } } } }"""
    body = await th.gql(
        query,
        {"f": {"customFields": [{"key": "seats", "value": "12"}]}},
        tenant=t,
        token=people.agent,
    )
    assert [e["node"]["id"] for e in body["data"]["tickets"]["edges"]] == [ok["id"]]
