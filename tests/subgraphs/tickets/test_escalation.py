"""Chat escalation end to end: escalate in chat -> relay -> the tickets consumer creates the
ticket (channel CHAT, transcript) -> relay -> chat's consumer marks the link LINKED; the link
is visible from both subgraphs; redeliveries create nothing more."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from saas_platform.tenancy.testing import TenancyEnv
from saas_platform.worker.runner import default_subscriptions
from saas_platform.worker.tenants import ControlTenantSource
from subgraphs.chat.app import build_app as build_chat
from subgraphs.chat.consumers import ticket_links
from subgraphs.chat.deps import ChatDeps
from subgraphs.chat.events import ConversationEscalated
from subgraphs.chat.presence import MemoryPresence
from subgraphs.kit.events import Consumer, ConsumerOptions, HandlerContext, MemoryStreams, Relay
from subgraphs.kit.ids import TenantId
from subgraphs.kit.pubsub import PubSub
from subgraphs.tickets.consumers import GROUP, chat_escalations, create_escalated_ticket
from tests.subgraphs.tickets.harness import People, TicketsHarness, sqlite_only

pytestmark = sqlite_only

INBOX = """mutation { saveChatInbox(input: {name: "Support", channel: WEB_WIDGET}) {
  inbox { id } userErrors { code } } }"""
START = """mutation($i: ID!) { startConversation(input: {inboxId: $i, body: "My invoice is wrong",
  subject: "Invoice", contactName: "Ann", contactEmail: "ann@example.com"}) {
  conversation { id } userErrors { code } } }"""
ESCALATE = """mutation($id: ID!) { escalateConversationToTicket(conversationId: $id) {
  conversation { ticket { id } ticketState } userErrors { code } } }"""
CONVERSATION = """query($id: ID!) { conversation(id: $id) { ticketState ticket { id } } }"""
TICKET = """query($id: ID!) { ticket(id: $id) { id channel subject description tags
  requester { id } } }"""
ENTITY = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Ticket { conversations { id } } } }"""
COUNT = """query { ticketCount(filter: {channel: CHAT}) }"""


@pytest.fixture
async def chat(th: TicketsHarness) -> AsyncIterator[httpx.AsyncClient]:
    deps = ChatDeps(pubsub=PubSub("memory://"), presence=MemoryPresence())
    await deps.pubsub.connect()
    app = build_chat(th.identity.runtime, deps)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://chat"
        ) as client:
            yield client
    finally:
        await deps.pubsub.disconnect()


async def _chat(
    client: httpx.AsyncClient, people: People, query: str, **variables: Any
) -> dict[str, Any]:
    headers = {"x-tenant-id": people.tenant.id, "authorization": f"Bearer {people.agent}"}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


async def _pump(env: TenancyEnv, th: TicketsHarness, streams: MemoryStreams) -> None:
    runtime = th.identity.runtime
    sessions = runtime.tenants.session
    relay = Relay(streams, ControlTenantSource(runtime.control, 0), sessions)
    options = ConsumerOptions(block_ms=10)
    consumers = [
        Consumer(streams, s, sessions, options=options)
        for s in (chat_escalations(), ticket_links())
    ]
    for _ in range(3):  # escalation -> ticket_created -> link
        await relay.run_once()
        for consumer in consumers:
            await consumer.poll_once(block_ms=10)


async def test_escalation_creates_one_linked_chat_ticket(
    env: TenancyEnv, th: TicketsHarness, people: People, chat: httpx.AsyncClient
) -> None:
    owner = People(**{**people.__dict__, "agent": people.owner})
    inbox = (await _chat(chat, owner, INBOX))["saveChatInbox"]["inbox"]["id"]
    conv = (await _chat(chat, people, START, i=inbox))["startConversation"]["conversation"]["id"]
    done = (await _chat(chat, people, ESCALATE, id=conv))["escalateConversationToTicket"]
    ticket_id = done["conversation"]["ticket"]["id"]
    assert done["conversation"]["ticketState"] == "PENDING"
    streams = MemoryStreams()
    await _pump(env, th, streams)

    got = await th.gql(TICKET, {"id": ticket_id}, tenant=people.tenant, token=people.agent)
    ticket = got["data"]["ticket"]
    assert ticket["channel"] == "CHAT"
    assert ticket["subject"] == "Invoice"
    assert "My invoice is wrong" in ticket["description"]
    assert "ann@example.com" in ticket["description"]
    assert ticket["requester"]["id"] == people.agent_id
    assert ticket["tags"] == ["chat"]
    linked = (await _chat(chat, people, CONVERSATION, id=conv))["conversation"]
    assert linked == {"ticketState": "LINKED", "ticket": {"id": ticket_id}}
    entity = await _chat(chat, people, ENTITY, r=[{"__typename": "Ticket", "id": ticket_id}])
    assert entity["_entities"] == [{"conversations": [{"id": conv}]}]

    # a redelivery of the same event (another worker, a retry) creates nothing more
    tenant = TenantId(uuid.UUID(people.tenant.id))
    event = ConversationEscalated(
        tenant_id=tenant,
        actor=f"user:{people.agent_id}",
        conversation_id=uuid.UUID(conv),
        ticket_id=uuid.UUID(ticket_id),
        contact_email=None,
        subject="again",
        transcript="again",
    )
    async with th.identity.runtime.tenants.session(tenant) as session, session.begin():
        context = HandlerContext(session=session, tenant_id=tenant, group=GROUP, deliveries=2)
        await create_escalated_ticket(context, event)
    await _pump(env, th, streams)
    count = await th.gql(COUNT, tenant=people.tenant, token=people.agent)
    assert count["data"]["ticketCount"] == 1
    again = await th.gql(TICKET, {"id": ticket_id}, tenant=people.tenant, token=people.agent)
    assert again["data"]["ticket"]["subject"] == "Invoice"


async def test_escalation_stays_in_its_tenant(th: TicketsHarness, people: People) -> None:
    """An event of tenant B creates B's ticket only: A never sees it."""
    other = await th.people()
    tenant_b = TenantId(uuid.UUID(other.tenant.id))
    ticket_id = uuid.uuid4()
    event = ConversationEscalated(
        tenant_id=tenant_b,
        actor=f"user:{other.agent_id}",
        conversation_id=uuid.uuid4(),
        ticket_id=ticket_id,
        contact_email=None,
        subject="B's chat",
        transcript="[contact] hi",
    )
    async with th.identity.runtime.tenants.session(tenant_b) as session, session.begin():
        context = HandlerContext(session=session, tenant_id=tenant_b, group=GROUP, deliveries=1)
        await create_escalated_ticket(context, event)
    ids = {"id": str(ticket_id)}
    mine = await th.gql(TICKET, ids, tenant=other.tenant, token=other.agent)
    assert mine["data"]["ticket"]["channel"] == "CHAT"
    theirs = await th.gql(TICKET, ids, tenant=people.tenant, token=people.agent)
    assert theirs["data"]["ticket"] is None
    assert (await th.gql(COUNT, tenant=people.tenant, token=people.agent))["data"] == {
        "ticketCount": 0
    }


def test_worker_runs_the_escalation_consumer(th: TicketsHarness) -> None:
    groups = {s.group for s in default_subscriptions(th.identity.runtime)}
    assert {GROUP, "chat-ticket-links"} <= groups
