"""Read use cases: what a caller may list and see."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from subgraphs.chat.models import (
    ChatAgent,
    ChatCannedReply,
    ChatConversation,
    ChatInbox,
    ChatTeam,
    PresenceStatus,
)
from subgraphs.chat.repository import (
    ConfigRepository,
    ConversationFilter,
    ConversationsRepository,
    RoutingRepository,
)
from subgraphs.chat.service.common import Unit
from subgraphs.chat.service.routing import online


async def list_conversations(
    unit: Unit, spec: ConversationFilter, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[ChatConversation]:
    if unit.actor.is_contact:
        if unit.actor.contact_id is None:
            return []
        spec = replace(spec, contact_id=unit.actor.contact_id)
    return await ConversationsRepository(unit.session, unit.scope).page(spec, after, limit)


async def queue(unit: Unit) -> Sequence[ChatConversation]:
    if unit.actor.is_contact:
        return []
    return await ConversationsRepository(unit.session, unit.scope).queue()


async def get_conversation(
    unit: Unit, conversation_id: uuid.UUID | None
) -> ChatConversation | None:
    if conversation_id is None:
        return None
    row = await ConversationsRepository(unit.session, unit.scope).find(conversation_id)
    return row if row is not None and unit.actor.sees(row) else None


async def inboxes(unit: Unit) -> Sequence[ChatInbox]:
    return [] if unit.actor.is_contact else await ConfigRepository(unit.session).inboxes()


async def teams(unit: Unit) -> Sequence[ChatTeam]:
    return [] if unit.actor.is_contact else await ConfigRepository(unit.session).teams()


async def canned_replies(unit: Unit, search: str | None) -> Sequence[ChatCannedReply]:
    if unit.actor.is_contact:
        return []
    return await ConfigRepository(unit.session).canned_replies(search)


async def agents(unit: Unit) -> list[tuple[ChatAgent, PresenceStatus]]:
    """Every routing row with its effective status (a stale heartbeat counts offline)."""
    if unit.actor.is_contact:
        return []
    rows = await RoutingRepository(unit.session).agents()
    return [
        (a, PresenceStatus(a.status) if online(unit, a) else PresenceStatus.OFFLINE) for a in rows
    ]
