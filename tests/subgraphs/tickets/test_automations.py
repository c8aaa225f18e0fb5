"""Automations: CRUD and permissions, firing on create and update in the same transaction,
the audit trail, loop safety, skipped actions, and tenant isolation."""

from __future__ import annotations

from typing import Any

from tests.subgraphs.tickets.harness import UPDATE, People, TicketsHarness, sqlite_only

pytestmark = sqlite_only

SAVE = """mutation($input: SaveTicketAutomationInput!) { saveTicketAutomation(input: $input) {
  automation { id name position active triggers conditions { field operator values key }
    actions { status priority addTags removeTags internalNote autoAssign groupId unassign } }
  userErrors { field code message } } }"""
DELETE = """mutation($id: ID!) { deleteTicketAutomation(input: {id: $id}) {
  deletedId userErrors { code } } }"""
LIST = "{ ticketAutomations { id name position } }"
TICKET = """query($id: ID!) { ticket(id: $id) { priority { key } status { key } tags
  assignee { id } group { id } comments { body public }
  history { field old new via actor { id } } } }"""
GROUP = """mutation($input: SaveTicketGroupInput!) { saveTicketGroup(input: $input) {
  group { id } userErrors { code } } }"""
FIELD = """mutation { createTicketCustomField(input: {key: "plan", name: "Plan", kind: SELECT,
  options: ["free", "pro"]}) { userErrors { code } } }"""


async def _save(th: TicketsHarness, people: People, token: str | None = None, **data: Any) -> Any:
    body = await th.gql(SAVE, {"input": data}, tenant=people.tenant, token=token or people.owner)
    assert "errors" not in body, body
    return body["data"]["saveTicketAutomation"]


async def _ok(th: TicketsHarness, people: People, **data: Any) -> str:
    result = await _save(th, people, **data)
    assert result["userErrors"] == [], result
    return str(result["automation"]["id"])


async def _ticket(th: TicketsHarness, people: People, ticket_id: str) -> Any:
    body = await th.gql(TICKET, {"id": ticket_id}, tenant=people.tenant, token=people.agent)
    return body["data"]["ticket"]


def _cond(field: str, operator: str, *values: str, key: str | None = None) -> dict[str, Any]:
    return {"field": field, "operator": operator, "values": list(values), "key": key}


async def test_crud_permissions_and_validation(th: TicketsHarness, people: People) -> None:
    rule = {"name": "Tag refunds", "actions": {"addTags": ["refund"]}}
    denied = await _save(th, people, token=people.agent, **rule)
    assert [e["code"] for e in denied["userErrors"]] == ["FORBIDDEN"]
    listed = await th.gql(LIST, tenant=people.tenant, token=people.agent)
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = [
        ({"conditions": [_cond("SUBJECT", "IS", "x")]}, "INVALID_INPUT"),
        ({"conditions": [_cond("TAGS", "CONTAINS")]}, "INVALID_INPUT"),
        ({"conditions": [_cond("PRIORITY", "IS", "nope")]}, "UNKNOWN_REFERENCE"),
        ({"conditions": [_cond("CUSTOM_FIELD", "SET", key="nope")]}, "UNKNOWN_REFERENCE"),
        ({"actions": {"status": "nope"}}, "UNKNOWN_REFERENCE"),
        ({"actions": {}}, "INVALID_INPUT"),
        ({"actions": {"addTags": ["two words"]}}, "INVALID_INPUT"),
        ({"triggers": []}, "INVALID_INPUT"),
        ({"name": " "}, "INVALID_INPUT"),
    ]
    for change, code in bad:
        result = await _save(th, people, **{**rule, **change})
        assert [e["code"] for e in result["userErrors"]] == [code], (change, result)
    second = await _ok(th, people, name="Second", position=2, actions={"addTags": ["b"]})
    first = await _ok(th, people, name="First", position=1, actions=rule["actions"])
    listed = await th.gql(LIST, tenant=people.tenant, token=people.owner)
    assert [a["id"] for a in listed["data"]["ticketAutomations"]] == [first, second]
    replaced = await _save(
        th, people, id=second, name="Renamed", position=0, actions={"priority": "high"}
    )
    assert replaced["automation"]["name"] == "Renamed"
    assert replaced["automation"]["actions"]["priority"] == "high"
    assert replaced["automation"]["actions"]["addTags"] == []
    gone = await th.gql(DELETE, {"id": first}, tenant=people.tenant, token=people.owner)
    assert gone["data"]["deleteTicketAutomation"] == {"deletedId": first, "userErrors": []}
    again = await th.gql(DELETE, {"id": first}, tenant=people.tenant, token=people.owner)
    codes = [e["code"] for e in again["data"]["deleteTicketAutomation"]["userErrors"]]
    assert codes == ["UNKNOWN_REFERENCE"]
    listed = await th.gql(LIST, tenant=people.tenant, token=people.owner)
    assert [a["name"] for a in listed["data"]["ticketAutomations"]] == ["Renamed"]


async def test_tickets_admin_not_settings_manage_configures(
    th: TicketsHarness, people: People
) -> None:
    """Automations need `tickets:admin` (built-in admin); `settings:manage` alone is not enough."""
    tenant = people.tenant
    role = await th.identity.gql(
        'mutation { createRole(name: "security", permissions: ["settings:manage"]) '
        "{ userErrors { code } } }",
        tenant=tenant.id,
        token=tenant.owner_token,
    )
    assert role["data"]["createRole"]["userErrors"] == [], role
    security = await th.identity.add_user(tenant, f"sec@{tenant.slug}.test", "security")
    admin = await th.identity.add_user(tenant, f"admin@{tenant.slug}.test", "admin")
    rule = {"name": "Tag refunds", "actions": {"addTags": ["refund"]}}
    denied = await _save(th, people, token=security["accessToken"], **rule)
    assert [e["code"] for e in denied["userErrors"]] == ["FORBIDDEN"]
    saved = await _save(th, people, token=admin["accessToken"], **rule)
    assert saved["userErrors"] == [], saved
    listed = await th.gql(LIST, tenant=tenant, token=admin["accessToken"])
    assert [a["name"] for a in listed["data"]["ticketAutomations"]] == ["Tag refunds"]


async def test_on_create_sets_fields_notes_and_auto_assigns(
    th: TicketsHarness, people: People
) -> None:
    t = people.tenant
    members = [{"userId": people.agent_id, "capacity": 5}]
    body = await th.gql(
        GROUP,
        {"input": {"name": "Tier 2", "autoAssign": "ROUND_ROBIN", "members": members}},
        tenant=t,
        token=people.owner,
    )
    group = body["data"]["saveTicketGroup"]["group"]["id"]
    await _ok(
        th,
        people,
        name="Urgent email",
        conditions=[_cond("SUBJECT", "CONTAINS", "urgent"), _cond("CHANNEL", "IS", "EMAIL")],
        actions={
            "priority": "urgent",
            "addTags": ["vip"],
            "groupId": group,
            "autoAssign": True,
            "internalNote": "Paged tier 2",
        },
    )
    hit = await th.create(people, subject="URGENT: site down", channel="EMAIL")
    miss = await th.create(people, subject="URGENT: site down", channel="WEB")
    # the payload of createTicket already shows the result: same transaction
    assert hit["priority"]["key"] == "urgent"
    assert hit["tags"] == ["vip"]
    assert hit["assignee"] == {"id": people.agent_id}
    got = await _ticket(th, people, hit["id"])
    assert got["group"] == {"id": group}
    assert got["comments"] == [{"body": "Paged tier 2", "public": False}]
    history = {(h["field"], h["new"]): h for h in got["history"]}
    assert history[("automation", "Urgent email")]["via"] == "automation: Urgent email"
    assert history[("priority", "urgent")]["via"] == "automation: Urgent email"
    assert history[("priority", "urgent")]["actor"] == {"id": people.agent_id}
    assert history[("assignee", people.agent_id)]["via"] == "automation: Urgent email"
    other = await _ticket(th, people, miss["id"])
    assert other["priority"]["key"] == "normal"
    assert other["tags"] == []
    assert other["history"] == []
    # a requester's ticket triggers it too; the actions run with agent rights
    mine = await th.create(people, token=people.requester, subject="urgent please", channel="EMAIL")
    assert mine["priority"]["key"] == "urgent"


async def test_on_update_is_loop_safe(th: TicketsHarness, people: People) -> None:
    """ping -> pong -> ping would cycle forever if automations re-triggered each other."""
    updated = ["UPDATED"]
    await _ok(
        th,
        people,
        name="ping",
        position=1,
        triggers=updated,
        conditions=[_cond("TAGS", "CONTAINS", "ping")],
        actions={"removeTags": ["ping"], "addTags": ["pong"]},
    )
    await _ok(
        th,
        people,
        name="pong",
        position=2,
        triggers=updated,
        conditions=[_cond("TAGS", "CONTAINS", "pong")],
        actions={"removeTags": ["pong"], "addTags": ["ping"]},
    )
    ticket = await th.create(people, tags=["ping"])
    assert ticket["tags"] == ["ping"]  # CREATED only: neither rule listens
    body = await th.gql(
        UPDATE,
        {"input": {"id": ticket["id"], "subject": "changed"}},
        tenant=people.tenant,
        token=people.agent,
    )
    assert body["data"]["updateTicket"]["ticket"]["tags"] == ["ping"]
    got = await _ticket(th, people, ticket["id"])
    fired = [h["new"] for h in got["history"] if h["field"] == "automation"]
    assert sorted(fired) == ["ping", "pong"]  # each rule once, then the pass ends


async def test_conditions_changed_custom_fields_and_skipped_actions(
    th: TicketsHarness, people: People
) -> None:
    t = people.tenant
    assert (await th.gql(FIELD, tenant=t, token=people.owner))["data"]
    await _ok(
        th,
        people,
        name="Pro customers solved",
        triggers=["UPDATED"],
        conditions=[
            _cond("STATUS", "CHANGED"),
            _cond("CATEGORY", "IS", "SOLVED"),
            _cond("CUSTOM_FIELD", "IS", "pro", key="plan"),
            _cond("ASSIGNEE", "SET"),
        ],
        actions={"addTags": ["pro-solved"], "status": "new"},  # SOLVED -> NEW: not allowed
    )
    pro = await th.create(people, customFields={"plan": "pro"}, assigneeId=people.agent_id)
    free = await th.create(people, customFields={"plan": "free"}, assigneeId=people.agent_id)
    for ticket in (pro, free):
        body = await th.gql(
            UPDATE,
            {"input": {"id": ticket["id"], "status": "solved"}},
            tenant=t,
            token=people.agent,
        )
        assert body["data"]["updateTicket"]["userErrors"] == [], body
    solved = await _ticket(th, people, pro["id"])
    assert solved["tags"] == ["pro-solved"]
    assert solved["status"]["key"] == "solved"  # the disallowed status action was skipped
    assert (await _ticket(th, people, free["id"]))["tags"] == []
    # an update that does not change the status does not match CHANGED
    body = await th.gql(
        UPDATE,
        {"input": {"id": pro["id"], "removeTags": ["pro-solved"]}},
        tenant=t,
        token=people.agent,
    )
    assert body["data"]["updateTicket"]["ticket"]["tags"] == []


async def test_automations_stay_in_their_tenant(th: TicketsHarness, people: People) -> None:
    other = await th.people()
    mine = await _ok(
        th,
        people,
        name="A only",
        conditions=[_cond("SUBJECT", "CONTAINS", "printer")],
        actions={"priority": "high"},
    )
    # B's admin sees none of A's rules and cannot change or delete them
    listed = await th.gql(LIST, tenant=other.tenant, token=other.owner)
    assert listed["data"]["ticketAutomations"] == []
    hijack = await _save(th, other, id=mine, name="B", actions={"priority": "low"})
    assert [e["code"] for e in hijack["userErrors"]] == ["UNKNOWN_REFERENCE"]
    gone = await th.gql(DELETE, {"id": mine}, tenant=other.tenant, token=other.owner)
    codes = [e["code"] for e in gone["data"]["deleteTicketAutomation"]["userErrors"]]
    assert codes == ["UNKNOWN_REFERENCE"]
    # A's tokens cannot act on B
    cross = await th.gql(LIST, tenant=other.tenant, token=people.owner)
    assert cross["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # A's rule fires for A, never for B
    theirs = await th.create(other, subject="printer jam")
    assert theirs["priority"]["key"] == "normal"
    ours = await th.create(people, subject="printer jam")
    assert ours["priority"]["key"] == "high"
    listed = await th.gql(LIST, tenant=people.tenant, token=people.owner)
    assert [a["name"] for a in listed["data"]["ticketAutomations"]] == ["A only"]
