"""A webhook's `data` equals what the GraphQL subscription pushes for the same event.

The tickets subgraph serves `ticketEvents` over a real WebSocket; the test subscribes with the
exact selection the webhook shape declares, creates a ticket, and compares the pushed
`TicketEvent` with the webhook body built from the committed outbox row (keys and values).
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import select

from subgraphs.kit.events.models import OutboxRow
from subgraphs.kit.events.public import SHAPES, selection, webhook_body
from subgraphs.kit.events.types import from_envelope
from subgraphs.kit.ids import TenantId
from tests.subgraphs.tickets.harness import People, TicketsHarness
from tests.subgraphs.tickets.test_realtime import receive, subscribe, subscriber

ASSIGN = """mutation($input: AssignTicketInput!) { assignTicket(input: $input) {
  userErrors { code } } }"""


async def webhook_of(th: TicketsHarness, people: People, event_type: str) -> dict[str, Any]:
    """The webhook body of the (single) committed outbox row of that type."""
    tenant = TenantId(uuid.UUID(people.tenant.id))
    async with th.identity.runtime.tenants.session(tenant) as session:
        rows = await session.execute(
            select(OutboxRow.envelope).where(OutboxRow.event_type == event_type)
        )
        [envelope] = [orjson.loads(r) for r in rows.scalars()]
    return webhook_body(from_envelope(envelope))


async def test_ticket_created_webhook_equals_the_subscription_push(
    th: TicketsHarness, people: People, server: str
) -> None:
    shape = SHAPES["tickets.ticket_created"]
    async with subscriber(server, people, people.agent) as ws:
        await subscribe(ws, "w", selection(shape), {})
        ticket = await th.create(people)
        message = await receive(ws)
    assert message["type"] == "next", message
    pushed = message["payload"]["data"][shape.subscription]
    body = await webhook_of(th, people, "tickets.ticket_created")

    assert pushed["ticketId"] == ticket["id"]
    assert body["data"] == pushed  # same keys, same values
    assert body["tenantId"] == people.tenant.id


async def test_ticket_assigned_webhook_equals_the_subscription_push(
    th: TicketsHarness, people: People, server: str
) -> None:
    shape = SHAPES["tickets.ticket_assigned"]
    ticket = await th.create(people)
    async with subscriber(server, people, people.agent) as ws:
        await subscribe(ws, "w", selection(shape), {})
        assigned = await th.gql(
            ASSIGN,
            {"input": {"ticketId": ticket["id"], "assigneeId": people.agent_id}},
            tenant=people.tenant,
            token=people.agent,
        )
        assert assigned["data"]["assignTicket"]["userErrors"] == [], assigned
        message = await receive(ws)
    pushed = message["payload"]["data"][shape.subscription]
    assert pushed["type"] == "ticket_assigned"
    assert pushed["ticket"]["assignee"] == {"id": people.agent_id}
    body = await webhook_of(th, people, "tickets.ticket_assigned")
    assert body["data"] == pushed
