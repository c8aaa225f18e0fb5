"""The realtime signals use cases emit (published after commit by the resolver layer)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from subgraphs.chat import realtime
from subgraphs.chat.models import ChatConversation
from subgraphs.chat.service.common import Unit
from subgraphs.chat.views import ConversationView, MessageView


def conversation_changed(unit: Unit, row: ChatConversation) -> ConversationView:
    view = ConversationView.of(row)
    name = realtime.chat_channel(unit.scope.tenant_id, realtime.CONVERSATIONS)
    unit.signals.add(name, "conversation", view.to_json())
    return view


def message_added(unit: Unit, view: MessageView) -> None:
    name = realtime.conversation_channel(unit.scope.tenant_id, view.conversation_id)
    unit.signals.add(name, "message", view.to_json())


def presence_changed(unit: Unit, user_id: uuid.UUID, status: str) -> None:
    name = realtime.chat_channel(unit.scope.tenant_id, realtime.PRESENCE)
    unit.signals.add(name, "presence", {"user_id": str(user_id), "status": status})


def queue_changed(unit: Unit, queue: Sequence[ChatConversation]) -> None:
    """The whole queue after the change, in routing order: subscribers need no query."""
    name = realtime.chat_channel(unit.scope.tenant_id, realtime.QUEUE)
    entries = [{"id": str(c.id), "inbox_id": str(c.inbox_id)} for c in queue]
    unit.signals.add(name, "queue", {"entries": entries})
