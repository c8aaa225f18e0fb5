"""Tables of the chat subgraph, in each tenant's database (branch `chat`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Integer, MetaData, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}
When = DateTime(timezone=True)


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class ChatBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ConversationStatus(StrEnum):
    OPEN = "OPEN"
    PENDING = "PENDING"
    SNOOZED = "SNOOZED"
    RESOLVED = "RESOLVED"


class ConversationPriority(StrEnum):
    NONE = "NONE"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    URGENT = "URGENT"


class Channel(StrEnum):
    WEB_WIDGET = "WEB_WIDGET"
    API = "API"
    EMAIL = "EMAIL"


class RoutingStrategy(StrEnum):
    ROUND_ROBIN = "ROUND_ROBIN"
    BALANCED = "BALANCED"
    MANUAL = "MANUAL"


class MessageKind(StrEnum):
    TEXT = "TEXT"
    NOTE = "NOTE"  # private: never shown to contacts
    SYSTEM = "SYSTEM"


class AuthorKind(StrEnum):
    AGENT = "AGENT"
    CONTACT = "CONTACT"
    SYSTEM = "SYSTEM"


class PresenceStatus(StrEnum):
    ONLINE = "ONLINE"
    AWAY = "AWAY"
    OFFLINE = "OFFLINE"


class TicketLinkState(StrEnum):
    PENDING = "PENDING"  # the tickets subgraph has not created the ticket yet
    LINKED = "LINKED"


class ChatTeam(ChatBase):
    __tablename__ = "chat_teams"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class ChatTeamMember(ChatBase):
    __tablename__ = "chat_team_members"
    team_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)


class ChatInbox(ChatBase):
    __tablename__ = "chat_inboxes"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(20))
    routing: Mapped[str] = mapped_column(String(20), default=RoutingStrategy.BALANCED)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)  # open, assigned
    team_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    office_hours: Mapped[str] = mapped_column(Text, default="")  # "" = always open
    away_message: Mapped[str] = mapped_column(Text, default="")
    required_skills: Mapped[str] = mapped_column(Text, default="[]")  # JSON, new conversations
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class ChatAgent(ChatBase):
    """An agent's routing row: presence, capacity, fairness; locked while routing."""

    __tablename__ = "chat_agents"
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default=PresenceStatus.OFFLINE)
    capacity: Mapped[int] = mapped_column(Integer, default=5)
    last_seen_at: Mapped[datetime | None] = mapped_column(When, nullable=True)
    last_assigned_at: Mapped[datetime | None] = mapped_column(When, nullable=True)
    freed_at: Mapped[datetime | None] = mapped_column(When, nullable=True)
    skills: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of skill names


class ChatContact(ChatBase):
    __tablename__ = "chat_contacts"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, unique=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class ChatConversation(ChatBase):
    __tablename__ = "chat_conversations"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    inbox_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    status: Mapped[str] = mapped_column(String(10), default=ConversationStatus.OPEN)
    priority: Mapped[str] = mapped_column(String(10), default=ConversationPriority.NONE)
    subject: Mapped[str] = mapped_column(String(300), default="")
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    queued_at: Mapped[datetime | None] = mapped_column(When, nullable=True)
    snoozed_until: Mapped[datetime | None] = mapped_column(When, nullable=True)
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    ticket_state: Mapped[str | None] = mapped_column(String(10), nullable=True)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    message_seq: Mapped[int] = mapped_column(Integer, default=0)
    required_skills: Mapped[str] = mapped_column(Text, default="[]")  # JSON: all are needed
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class ChatMessage(ChatBase):
    __tablename__ = "chat_messages"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    conversation_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    author_kind: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    body: Mapped[str] = mapped_column(Text)
    attachments: Mapped[str] = mapped_column(Text, default="[]")  # JSON references
    mentions: Mapped[str] = mapped_column(Text, default="[]")  # JSON user ids
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class ChatReadReceipt(ChatBase):
    __tablename__ = "chat_read_receipts"
    conversation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    participant: Mapped[str] = mapped_column(String(60), primary_key=True)  # user:<id>|contact:<id>
    last_read_seq: Mapped[int] = mapped_column(Integer)
    read_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class ChatCannedReply(ChatBase):
    __tablename__ = "chat_canned_replies"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    short_code: Mapped[str] = mapped_column(String(60), unique=True)
    content: Mapped[str] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
