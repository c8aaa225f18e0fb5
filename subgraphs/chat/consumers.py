"""Event consumers of the chat subgraph (run by the worker, not by the app).

`ticket_links()`: when the tickets subgraph creates the ticket an escalation asked for (same
id, from `chat.conversation_escalated`), the pending link becomes LINKED. Idempotent: the
consumer kit records each event once per group, and the update is a no-op the second time.
"""

from __future__ import annotations

from subgraphs.chat.repository import ConversationsRepository
from subgraphs.kit.events import Event, HandlerContext, Subscription

GROUP = "chat-ticket-links"
TICKET_CREATED = "tickets.ticket_created"


async def link_created_ticket(context: HandlerContext, event: Event) -> None:
    ticket_id = getattr(event, "ticket_id", None)
    if event.event_type != TICKET_CREATED or ticket_id is None:
        return
    await ConversationsRepository(context.session).mark_ticket_linked(ticket_id)


def ticket_links() -> Subscription:
    return Subscription(
        GROUP, ("tickets",), link_created_ticket, event_types=frozenset({TICKET_CREATED})
    )
