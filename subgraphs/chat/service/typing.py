"""Typing indicators: ephemeral, published at once, never stored."""

from __future__ import annotations

import uuid

from subgraphs.chat import realtime
from subgraphs.chat.repository import ConversationsRepository
from subgraphs.chat.service.common import Unit, visible_or_raise


async def set_typing(unit: Unit, conversation_id: uuid.UUID, typing: bool) -> None:
    repo = ConversationsRepository(unit.session, unit.scope)
    visible_or_raise(unit.actor, await repo.find(conversation_id))
    name = realtime.conversation_channel(unit.scope.tenant_id, conversation_id)
    data = {
        "conversation_id": str(conversation_id),
        "participant": unit.actor.participant,
        "typing": typing,
    }
    unit.signals.add(name, "typing", data)
