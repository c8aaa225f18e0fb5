"""Cross-tenant: every query and mutation, given tenant B's ids with tenant A's credentials,
answers exactly as for a random id, and B is unchanged."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.subgraphs.tickets.harness import GET, People, TicketsHarness

SNAPSHOT = """query($id: ID!) { ticket(id: $id) { id subject updatedAt status { key }
  assignee { id } tags comments { body } history { field new } csat { score } } }"""

# (name, operation, variables) - "$B.x" placeholders name one of tenant B's ids
OPERATIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("ticket", "query($id: ID!) { ticket(id: $id) { id } }", {"id": "$B.ticket"}),
    (
        "tickets.assignee",
        "query($a: [ID!]) { tickets(filter: {assigneeId: $a}) { edges { node { id } } } }",
        {"a": ["$B.agent"]},
    ),
    (
        "tickets.group",
        "query($g: [ID!]) { tickets(filter: {groupId: $g}) { edges { node { id } } } }",
        {"g": ["$B.group"]},
    ),
    (
        "tickets.view",
        "query($v: ID) { tickets(viewId: $v) { edges { node { id } } } }",
        {"v": "$B.view"},
    ),
    ("ticketCount.view", "query($v: ID) { ticketCount(viewId: $v) }", {"v": "$B.view"}),
    (
        "entities.ticket",
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id subject } } }",
        {"r": [{"__typename": "Ticket", "id": "$B.ticket"}]},
    ),
    (
        "entities.user",
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on User "
        "{ assignedTickets { edges { node { id } } } "
        "requestedTickets { edges { node { id } } } } } }",
        {"r": [{"__typename": "User", "id": "$B.agent"}]},
    ),
    (
        "updateTicket",
        'mutation($id: ID!) { updateTicket(input: {id: $id, subject: "pwned"}) '
        "{ ticket { id } userErrors { code field } } }",
        {"id": "$B.ticket"},
    ),
    (
        "addTicketComment",
        "mutation($id: ID!) { addTicketComment(input: {ticketId: $id, "
        'body: "pwned"}) { comment { id } userErrors { code field } } }',
        {"id": "$B.ticket"},
    ),
    (
        "assignTicket",
        "mutation($id: ID!, $a: ID) { assignTicket(input: {ticketId: $id, "
        "assigneeId: $a}) { ticket { id } userErrors { code field } } }",
        {"id": "$B.ticket", "a": "$A.agent"},
    ),
    (
        "assignTicket.auto",
        "mutation($id: ID!) { assignTicket(input: {ticketId: $id, auto: true})"
        " { ticket { id } userErrors { code field } } }",
        {"id": "$B.ticket"},
    ),
    (
        "mergeTickets.source",
        "mutation($s: ID!, $t: ID!) { mergeTickets(input: {sourceId: $s, "
        "targetId: $t}) { ticket { id } userErrors { code field } } }",
        {"s": "$B.ticket", "t": "$A.ticket"},
    ),
    (
        "mergeTickets.target",
        "mutation($s: ID!, $t: ID!) { mergeTickets(input: {sourceId: $s, "
        "targetId: $t}) { ticket { id } userErrors { code field } } }",
        {"s": "$A.ticket", "t": "$B.ticket"},
    ),
    (
        "applyMacro.ticket",
        "mutation($t: ID!, $m: ID!) { applyMacro(input: {ticketId: $t, "
        "macroId: $m}) { ticket { id } userErrors { code field } } }",
        {"t": "$B.ticket", "m": "$A.macro"},
    ),
    (
        "applyMacro.macro",
        "mutation($t: ID!, $m: ID!) { applyMacro(input: {ticketId: $t, "
        "macroId: $m}) { ticket { id } userErrors { code field } } }",
        {"t": "$A.ticket", "m": "$B.macro"},
    ),
    (
        "rateTicket",
        "mutation($t: ID!) { rateTicket(input: {ticketId: $t, score: 1}) "
        "{ ticket { id } userErrors { code field } } }",
        {"t": "$B.ticket"},
    ),
    (
        "createTicket.group",
        'mutation($g: ID) { createTicket(input: {subject: "x", groupId: $g})'
        " { ticket { id } userErrors { code field } } }",
        {"g": "$B.group"},
    ),
    (
        "createTicket.parent",
        'mutation($p: ID) { createTicket(input: {subject: "x", '
        "parentId: $p}) { ticket { id } userErrors { code field } } }",
        {"p": "$B.ticket"},
    ),
    (
        "updateTicket.group",
        "mutation($id: ID!, $g: ID) { updateTicket(input: {id: $id, "
        "groupId: $g}) { ticket { id } userErrors { code field } } }",
        {"id": "$A.ticket", "g": "$B.group"},
    ),
    (
        "updateTicket.parent",
        "mutation($id: ID!, $p: ID) { updateTicket(input: {id: $id, "
        "parentId: $p}) { ticket { id } userErrors { code field } } }",
        {"id": "$A.ticket", "p": "$B.ticket"},
    ),
    (
        "saveTicketGroup",
        'mutation($id: ID) { saveTicketGroup(input: {id: $id, name: "pwned"})'
        " { group { id } userErrors { code field } } }",
        {"id": "$B.group"},
    ),
    (
        "createSlaPolicy",
        'mutation($c: ID) { createSlaPolicy(input: {name: "p", position: 9, '
        "targets: {}, calendarId: $c}) { policy { id } userErrors { code field } } }",
        {"c": "$B.calendar"},
    ),
    (
        "createTicketStatus",
        'mutation($k: String!) { createTicketStatus(input: {key: $k, name: "S", category: OPEN})'
        " { status { key } userErrors { code field } } }",
        {"k": "$B.key"},
    ),
    (
        "createTicketPriority",
        'mutation($k: String!) { createTicketPriority(input: {key: $k, name: "P", rank: 99})'
        " { priority { key } userErrors { code field } } }",
        {"k": "$B.key"},
    ),
    (
        "createTicketCustomField",
        'mutation($k: String!) { createTicketCustomField(input: {key: $k, name: "F", '
        "kind: TEXT}) { field { key } userErrors { code field } } }",
        {"k": "$B.key"},
    ),
    (
        "createBusinessCalendar",
        'mutation($k: String!) { createBusinessCalendar(input: {name: $k, timezone: "UTC", '
        "hours: {}}) { calendar { name } userErrors { code field } } }",
        {"k": "$B.key"},
    ),
    (
        "createMacro",
        'mutation($a: JSON!) { createMacro(input: {name: "M", actions: $a}) '
        "{ macro { name } userErrors { code field } } }",
        {"a": {"group_id": "$B.group"}},
    ),
    (
        "saveTicketView",
        'mutation($g: [ID!]) { saveTicketView(input: {name: "V", filter: {groupId: $g}}) '
        "{ view { name } userErrors { code field } } }",
        {"g": ["$B.group"]},
    ),
    (
        "createTicket.assignee",
        'mutation($a: ID) { createTicket(input: {subject: "x", assigneeId: $a})'
        " { ticket { subject } userErrors { code field } } }",
        {"a": "$B.agent"},
    ),
    (
        "updateTicket.assignee",
        "mutation($id: ID!, $a: ID) { updateTicket(input: {id: $id, assigneeId: $a}) "
        "{ ticket { id } userErrors { code field } } }",
        {"id": "$A.ticket", "a": "$B.agent"},
    ),
    (
        "saveTicketAutomation.id",
        'mutation($id: ID) { saveTicketAutomation(input: {id: $id, name: "pwned", '
        'actions: {addTags: ["x"]}}) { automation { name } userErrors { code field } } }',
        {"id": "$B.automation"},
    ),
    (
        "saveTicketAutomation.group",
        'mutation($g: ID) { saveTicketAutomation(input: {name: "G", '
        "actions: {groupId: $g}}) { automation { name } userErrors { code field } } }",
        {"g": "$B.group"},
    ),
    (
        "deleteTicketAutomation",
        "mutation($id: ID!) { deleteTicketAutomation(input: {id: $id}) "
        "{ deletedId userErrors { code field } } }",
        {"id": "$B.automation"},
    ),
    (
        "setTicketPresence",
        "mutation($t: ID!) { setTicketPresence(input: {ticketId: $t, "
        "state: VIEWING}) { ok userErrors { code field } } }",
        {"t": "$B.ticket"},
    ),
]

ID_FREE = [  # no id argument: they must list only tenant A's rows
    ("ticketStatuses", "{ ticketStatuses { key } }"),
    ("ticketPriorities", "{ ticketPriorities { key } }"),
    ("ticketGroups", "{ ticketGroups { name } }"),
    ("ticketCustomFields", "{ ticketCustomFields { key } }"),
    ("businessCalendars", "{ businessCalendars { name } }"),
    ("slaPolicies", "{ slaPolicies { name } }"),
    ("macros", "{ macros { name } }"),
    ("ticketViews", "{ ticketViews { name } }"),
    ("ticketAutomations", "{ ticketAutomations { name } }"),
    ("tickets", "{ tickets { edges { node { subject } } } }"),
    ("ticketCount", "{ ticketCount }"),
]


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return ids[value[1:]]
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


async def _world(th: TicketsHarness, people: People, tag: str) -> dict[str, Any]:
    t, owner = people.tenant, people.owner

    async def run(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = await th.gql(query, variables, tenant=t, token=owner)
        assert "errors" not in body, body
        return body["data"]

    group = await run(
        "mutation($m: [GroupMemberInput!]) { saveTicketGroup(input: {name: "
        '"L2", autoAssign: ROUND_ROBIN, members: $m}) { group { id } } }',
        {"m": [{"userId": people.agent_id, "capacity": 5}]},
    )
    calendar = await run(
        'mutation($h: JSON!) { createBusinessCalendar(input: {name: "Berlin", '
        'timezone: "Europe/Berlin", hours: $h}) { calendar { id } } }',
        {"h": {"0": [["09:00", "17:00"]]}},
    )
    macro = await run(
        'mutation { createMacro(input: {name: "Close", actions: {status: '
        '"solved"}, reply: "Done"}) { macro { id } } }',
        {},
    )
    view = await run(
        f'mutation {{ saveTicketView(input: {{name: "{tag} view", shared: true, '
        'filter: {status: ["new"]}}) { view { id } } }',
        {},
    )
    await run(
        f'mutation {{ createTicketStatus(input: {{key: "{tag}_wait", name: "W", '
        "category: PENDING, pausesSla: true}) { status { key } } }",
        {},
    )
    automation = await run(
        "mutation($c: [TicketAutomationConditionInput!]) { saveTicketAutomation(input: "
        f'{{name: "{tag} rule", triggers: [TIME], conditions: $c, actions: '
        '{addTags: ["late"]}}) { automation { id } } }',
        {"c": [{"field": "HOURS_SINCE_CREATED", "operator": "GREATER_THAN", "values": ["1"]}]},
    )
    ticket = await th.create(
        people,
        subject=f"{tag} secret",
        assigneeId=people.agent_id,
        groupId=group["saveTicketGroup"]["group"]["id"],
    )
    return {
        "ticket": ticket["id"],
        "number": ticket["number"],
        "agent": people.agent_id,
        "group": group["saveTicketGroup"]["group"]["id"],
        "calendar": calendar["createBusinessCalendar"]["calendar"]["id"],
        "macro": macro["createMacro"]["macro"]["id"],
        "view": view["saveTicketView"]["view"]["id"],
        "key": f"{tag}_wait",
        "automation": automation["saveTicketAutomation"]["automation"]["id"],
    }


def _normalise(body: dict[str, Any], foreign: dict[str, Any], random: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True)
    for key in foreign:
        text = text.replace(str(foreign[key]), "<ID>").replace(str(random[key]), "<ID>")
    return text


@pytest.fixture
async def worlds(th: TicketsHarness) -> tuple[People, People, dict[str, Any], dict[str, Any]]:
    a, b = await th.people(), await th.people()
    return a, b, await _world(th, a, "alpha"), await _world(th, b, "beta")


async def test_every_operation_treats_foreign_ids_as_random(
    th: TicketsHarness, worlds: tuple[People, People, dict[str, Any], dict[str, Any]]
) -> None:
    a, b, ids_a, ids_b = worlds
    before = await th.gql(SNAPSHOT, {"id": ids_b["ticket"]}, tenant=b.tenant, token=b.owner)
    # lists without an id argument hold only tenant A's rows
    for name, query in ID_FREE:
        body = await th.gql(query, tenant=a.tenant, token=a.owner)
        assert "errors" not in body, (name, body)
        assert "beta" not in json.dumps(body), name
    random: dict[str, Any] = {k: str(uuid.uuid4()) for k in ids_b}
    random.update(number=987654, key=f"rnd_{uuid.uuid4().hex[:8]}")
    for name, operation, variables in OPERATIONS:
        a_ids = {f"A.{k}": v for k, v in ids_a.items()}
        foreign = _fill(variables, {**a_ids, **{f"B.{k}": v for k, v in ids_b.items()}})
        guessed = _fill(variables, {**a_ids, **{f"B.{k}": v for k, v in random.items()}})
        got = await th.gql(operation, foreign, tenant=a.tenant, token=a.owner)
        expected = await th.gql(operation, guessed, tenant=a.tenant, token=a.owner)
        assert _normalise(got, ids_b, random) == _normalise(expected, ids_b, random), name
    # human numbers are per tenant: B's #1001 names A's own #1001
    body = await th.gql(
        "query($n: Int!) { ticketByNumber(number: $n) { id } }",
        {"n": ids_b["number"]},
        tenant=a.tenant,
        token=a.owner,
    )
    assert body["data"]["ticketByNumber"]["id"] == ids_a["ticket"]
    after = await th.gql(SNAPSHOT, {"id": ids_b["ticket"]}, tenant=b.tenant, token=b.owner)
    assert after == before
    assert after["data"]["ticket"]["subject"] == "beta secret"
    # A's token aimed at tenant B is refused outright
    body = await th.gql(GET, {"id": ids_b["ticket"]}, tenant=b.tenant, token=a.owner)
    assert body["data"] is None or body["data"]["ticket"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
