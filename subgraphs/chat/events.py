"""Domain events of the chat subgraph (recorded in the outbox with the change)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from subgraphs.kit.events import Event, register

DOMAIN = "chat"


@register
@dataclass(frozen=True, kw_only=True)
class ConversationEscalated(Event):
    event_type: ClassVar[str] = "chat.conversation_escalated"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = (
        "A conversation asks for a ticket; the tickets subgraph creates it with `ticket_id`."
    )
    conversation_id: uuid.UUID
    ticket_id: uuid.UUID
    contact_email: str | None
    subject: str
    transcript: str


@register
@dataclass(frozen=True, kw_only=True)
class ConversationAssigned(Event):
    event_type: ClassVar[str] = "chat.conversation_assigned"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = "A conversation was assigned (by routing or by hand)."
    conversation_id: uuid.UUID
    assignee_id: uuid.UUID | None
    previous_assignee_id: uuid.UUID | None


@register
@dataclass(frozen=True, kw_only=True)
class AgentMentioned(Event):
    event_type: ClassVar[str] = "chat.agent_mentioned"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = "An agent was @mentioned in a conversation message or note."
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    mentioned: tuple[uuid.UUID, ...]


@register
@dataclass(frozen=True, kw_only=True)
class MessagePosted(Event):
    event_type: ClassVar[str] = "chat.message_posted"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = (
        "A contact or agent posted a message or private note; carries the assignee and the "
        "assignee's presence (`ONLINE`, `AWAY`, `OFFLINE`) when it was posted."
    )
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    seq: int
    author: str  # participant: `user:<id>` or `contact:<id>`
    mentions: tuple[uuid.UUID, ...]
    assignee_id: uuid.UUID | None
    assignee_status: str | None  # None when the conversation has no assignee
    private: bool
    preview: str  # the body's first 140 characters
