"""Conversation → ticket, and merging conversations.

The tickets subgraph offers no service-to-service call to create a ticket, so escalation
stores a *pending* link: the ticket id is chosen here, recorded on the conversation and sent
in a `chat.conversation_escalated` outbox event (with the transcript); a tickets consumer can
create the ticket under that id (idempotently) and the link resolves through federation.
"""

from __future__ import annotations

import uuid

from subgraphs.chat.errors import InvalidTransitionError
from subgraphs.chat.events import ConversationEscalated
from subgraphs.chat.models import AuthorKind, ConversationStatus, MessageKind, TicketLinkState
from subgraphs.chat.repository import ConversationsRepository, MessagesRepository, RoutingRepository
from subgraphs.chat.service import routing, signals
from subgraphs.chat.service.common import Unit, visible_or_raise
from subgraphs.chat.service.messages import append
from subgraphs.chat.views import ConversationView
from subgraphs.kit.events import record

TRANSCRIPT_LIMIT = 100_000


async def escalate_to_ticket(unit: Unit, conversation_id: uuid.UUID) -> ConversationView:
    unit.actor.require_agent("escalate conversations")
    repo = ConversationsRepository(unit.session, unit.scope)
    row = visible_or_raise(unit.actor, await repo.find_for_update(conversation_id))
    if row.ticket_id is not None:
        raise InvalidTransitionError(reason="already escalated", field="conversationId")
    messages = await MessagesRepository(unit.session, unit.scope).for_conversations(
        [row.id], include_private=False
    )
    transcript = "\n".join(f"[{m.author_kind.lower()}] {m.body}" for m in messages)
    contact = await repo.contact(row.contact_id)
    row.ticket_id, row.ticket_state = uuid.uuid4(), TicketLinkState.PENDING
    record(
        unit.session,
        ConversationEscalated(
            tenant_id=unit.scope.tenant_id,
            actor=unit.actor.participant,
            conversation_id=row.id,
            ticket_id=row.ticket_id,
            contact_email=contact.email if contact else None,
            subject=row.subject or f"Chat {row.id}",
            transcript=transcript[:TRANSCRIPT_LIMIT],
        ),
    )
    await append(
        unit,
        row,
        kind=MessageKind.SYSTEM,
        author_kind=AuthorKind.SYSTEM,
        author_id=None,
        body="Escalated to a ticket.",
    )
    return signals.conversation_changed(unit, row)


async def merge_conversations(
    unit: Unit, source_id: uuid.UUID, target_id: uuid.UUID
) -> ConversationView:
    """Move the source's messages after the target's, resolve the source with a link."""
    unit.actor.require_agent("merge conversations")
    if source_id == target_id:
        raise InvalidTransitionError(
            reason="a conversation cannot merge into itself", field="sourceId"
        )
    await RoutingRepository(unit.session, unit.scope).lock()
    repo = ConversationsRepository(unit.session, unit.scope)
    first, second = sorted([source_id, target_id])  # one lock order: no deadlock
    rows = {
        r.id: r
        for r in [await repo.find_for_update(first), await repo.find_for_update(second)]
        if r is not None
    }
    source = visible_or_raise(unit.actor, rows.get(source_id))
    target = visible_or_raise(unit.actor, rows.get(target_id))
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise InvalidTransitionError(reason="already merged", field="sourceId")
    messages = MessagesRepository(unit.session, unit.scope)
    moved = source.message_seq
    await messages.move(source.id, target.id, target.message_seq)
    await messages.move_receipts(source.id)
    target.message_seq += moved
    source.message_seq = 0
    source.merged_into_id = target.id
    source.status, source.queued_at = ConversationStatus.RESOLVED, None
    source.updated_at = unit.now
    await append(
        unit,
        source,
        kind=MessageKind.SYSTEM,
        author_kind=AuthorKind.SYSTEM,
        author_id=None,
        body=f"Merged into conversation {target.id}.",
    )
    await append(
        unit,
        target,
        kind=MessageKind.SYSTEM,
        author_kind=AuthorKind.SYSTEM,
        author_id=None,
        body=f"{moved} messages merged from {source.id}.",
    )
    signals.conversation_changed(unit, source)
    await unit.session.flush()
    await routing.dispatch(unit, locked=True)
    return signals.conversation_changed(unit, target)
