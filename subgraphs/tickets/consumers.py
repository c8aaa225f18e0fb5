"""Event consumers of the tickets subgraph (run by the worker, not by the app).

`chat_escalations()`: `chat.conversation_escalated` names the ticket id chat already stored on
the conversation; this consumer creates that ticket (channel CHAT, the transcript as
description). `tickets.ticket_created` then lets chat's `ticket_links()` mark the link LINKED.

Exactly once: the consumer kit records each event once per group in the handler's
transaction, and a ticket with the event's id already present makes a redelivery (or a second
group) a no-op; two racing creations collide on the primary key and one rolls back.
"""

from __future__ import annotations

import uuid

from subgraphs.kit.events import Event, HandlerContext, Subscription
from subgraphs.kit.scope import TenantScope
from subgraphs.tickets.models import Channel, Ticket
from subgraphs.tickets.service.common import Actor
from subgraphs.tickets.service.tickets import NewTicket, create_ticket

GROUP = "tickets-chat-escalations"
ESCALATED = "chat.conversation_escalated"
DESCRIPTION_LIMIT = 100_000


def _user(actor: str | None) -> uuid.UUID | None:
    """`user:<id>` (chat's participant form) -> the id; contacts and garbage -> None."""
    if not actor or not actor.startswith("user:"):
        return None
    try:
        return uuid.UUID(actor.removeprefix("user:"))
    except ValueError:
        return None


def escalation_description(event: Event) -> str:
    contact = getattr(event, "contact_email", None)
    conversation = getattr(event, "conversation_id", "")
    header = f"Escalated from chat conversation {conversation}"
    if contact:
        header += f" with {contact}"
    return f"{header}.\n\n{getattr(event, 'transcript', '')}"[:DESCRIPTION_LIMIT]


async def create_escalated_ticket(context: HandlerContext, event: Event) -> None:
    ticket_id = getattr(event, "ticket_id", None)
    agent = _user(event.actor)
    if event.event_type != ESCALATED or not isinstance(ticket_id, uuid.UUID) or agent is None:
        return
    if await context.session.get(Ticket, ticket_id) is not None:
        return  # already created: a redelivery
    # the requester: the contact's user when chat knows it, else the escalating agent
    requester = getattr(event, "contact_user_id", None) or agent
    actor = Actor(user_id=agent, is_agent=True, reads_all=True, configures=False)
    subject = str(getattr(event, "subject", "") or "Chat conversation").strip()[:500]
    await create_ticket(
        context.session,
        TenantScope(tenant_id=context.tenant_id, slug=""),
        actor,
        NewTicket(
            id=ticket_id,
            subject=subject or "Chat conversation",
            description=escalation_description(event),
            requester_id=requester,
            channel=Channel.CHAT.value,
            tags=("chat",),
        ),
    )


def chat_escalations() -> Subscription:
    return Subscription(
        GROUP, ("chat",), create_escalated_ticket, event_types=frozenset({ESCALATED})
    )
