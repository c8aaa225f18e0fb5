"""The ticket-link consumer marks an escalation LINKED once the ticket exists."""

from __future__ import annotations

import uuid

import pytest

from subgraphs.chat.consumers import link_created_ticket, ticket_links
from subgraphs.kit.events import HandlerContext
from subgraphs.kit.ids import TenantId
from subgraphs.tickets.events import TicketCreated
from tests.subgraphs.chat.harness import GET, ChatHarness, People

ESCALATE = """mutation($id: ID!) { escalateConversationToTicket(conversationId: $id) {
  conversation { ticket { id } ticketState } userErrors { code } } }"""


@pytest.fixture
def backend() -> str:
    return "sqlite"


async def test_created_ticket_links_the_escalation(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    conv = (await ch.start(people, inbox))["conversation"]
    done = await ch.ok(ESCALATE, {"id": conv["id"]}, tenant=people.tenant, token=people.agent)
    ticket_id = uuid.UUID(done["conversation"]["ticket"]["id"])
    tenant = TenantId(uuid.UUID(people.tenant.id))
    event = TicketCreated(
        tenant_id=tenant, ticket_id=ticket_id, number=1, requester_id=uuid.uuid4()
    )
    async with ch.identity.runtime.tenants.session(tenant) as session:
        context = HandlerContext(session=session, tenant_id=tenant, group="chat", deliveries=1)
        await link_created_ticket(context, event)
        await link_created_ticket(context, event)  # a redelivery changes nothing
        await session.commit()
    got = await ch.gql(GET, {"id": conv["id"]}, tenant=people.tenant, token=people.agent)
    assert got["data"]["conversation"]["ticketState"] == "LINKED"
    assert ticket_links().event_types == frozenset({"tickets.ticket_created"})
