# mypy: disable-error-code="untyped-decorator"
# (strawberry types its decorators only when called without arguments; ours set descriptions)
"""Conversation (and its messages, contact, inbox), the User and Ticket entity stubs."""

from __future__ import annotations

import uuid
from datetime import datetime

import orjson
import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types import Info

from subgraphs.chat import models
from subgraphs.chat.deps import ChatDeps
from subgraphs.chat.loaders import (
    ContactsById,
    ConversationsByTicket,
    InboxesById,
    MessagesByConversation,
    QueuePositions,
    ReceiptsByConversation,
    TeamMembersByTeam,
    TeamsById,
)
from subgraphs.chat.service.common import ChatActor
from subgraphs.chat.types.enums import (
    AgentPresenceStatus,
    ChatAuthorKind,
    ChatChannel,
    ChatMessageKind,
    ChatRoutingStrategy,
    ChatTicketLinkState,
    ConversationPriority,
    ConversationStatus,
)
from subgraphs.chat.views import ConversationView, MessageView
from subgraphs.kit.context import SubgraphContext

Ctx = Info[SubgraphContext[ChatDeps], None]


def _id(value: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.federation.type(name="User", keys=["id"])
class User:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> User:
        return cls(id=id)


@strawberry.federation.type(name="File", keys=[Key(fields=FieldSet("id"), resolvable=False)])
class File:
    """A file of the files subgraph (its fields resolve there)."""

    id: strawberry.ID


@strawberry.type(name="ChatAttachment", description="A reference to a stored file.")
class ChatAttachment:
    name: str
    url: str
    content_type: str
    size: int


@strawberry.type(name="ChatMessage")
class ChatMessage:
    id: strawberry.ID
    conversation_id: strawberry.ID
    seq: int = strawberry.field(description="Position in the conversation, from 1.")
    kind: ChatMessageKind  # type: ignore[valid-type]
    author_kind: ChatAuthorKind  # type: ignore[valid-type]
    body: str
    attachments: list[ChatAttachment] = strawberry.field(
        description="Legacy file references (name, URL) of messages sent before file storage."
    )
    attachment_ids: list[strawberry.ID] = strawberry.field(description="Ids of the attached files.")
    files: list[File | None] = strawberry.field(
        description="The attached files (null for one deleted since)."
    )
    mentions: list[User]
    private: bool = strawberry.field(description="A note: never shown to the contact.")
    created_at: datetime
    author_user: User | None = strawberry.field(description="The agent who wrote it.")
    author_contact_id: strawberry.ID | None

    @classmethod
    def of(cls, view: MessageView) -> ChatMessage:
        agent = view.author_kind is models.AuthorKind.AGENT and view.author_id is not None
        contact = view.author_kind is models.AuthorKind.CONTACT and view.author_id is not None
        return cls(
            id=_id(view.id),
            conversation_id=_id(view.conversation_id),
            seq=view.seq,
            kind=view.kind,
            author_kind=view.author_kind,
            body=view.body,
            attachments=[
                ChatAttachment(name=a.name, url=a.url, content_type=a.content_type, size=a.size)
                for a in view.attachments
            ],
            attachment_ids=[_id(f) for f in view.file_ids],
            files=[File(id=_id(f)) for f in view.file_ids],
            mentions=[User(id=_id(m)) for m in view.mentions],
            private=view.private,
            created_at=view.created_at,
            author_user=User(id=_id(view.author_id)) if agent and view.author_id else None,
            author_contact_id=_id(view.author_id) if contact and view.author_id else None,
        )


@strawberry.type(name="ChatContact")
class ChatContact:
    id: strawberry.ID
    name: str
    email: str | None
    identified: bool = strawberry.field(description="A signed-in user rather than a visitor.")
    user: User | None


@strawberry.type(name="ChatReadReceipt")
class ChatReadReceipt:
    participant: str = strawberry.field(description="`user:<id>` or `contact:<id>`.")
    last_read_seq: int


@strawberry.type(name="ChatTeam")
class ChatTeam:
    id: strawberry.ID
    name: str

    @strawberry.field
    async def members(self, info: Ctx) -> list[User]:
        found = await info.context.loaders.get(TeamMembersByTeam).load(uuid.UUID(self.id))
        return [User(id=_id(u)) for u in found or []]


@strawberry.type(name="ChatInbox")
class ChatInbox:
    id: strawberry.ID
    name: str
    channel: ChatChannel  # type: ignore[valid-type]
    routing: ChatRoutingStrategy  # type: ignore[valid-type]
    capacity: int | None
    timezone: str
    office_hours: str = strawberry.field(description='JSON: {"mon": [["09:00","17:00"]], ...}')
    away_message: str
    team_id: strawberry.ID | None
    required_skills: list[str] = strawberry.field(
        description="Skills every conversation started in this inbox requires."
    )

    @classmethod
    def of(cls, row: models.ChatInbox) -> ChatInbox:
        return cls(
            id=_id(row.id),
            name=row.name,
            channel=models.Channel(row.channel),
            routing=models.RoutingStrategy(row.routing),
            capacity=row.capacity,
            timezone=row.timezone,
            office_hours=row.office_hours,
            away_message=row.away_message,
            team_id=_id(row.team_id) if row.team_id else None,
            required_skills=list(orjson.loads(row.required_skills or "[]")),
        )

    @strawberry.field
    async def team(self, info: Ctx) -> ChatTeam | None:
        if self.team_id is None:
            return None
        row = await info.context.loaders.get(TeamsById).load(uuid.UUID(self.team_id))
        return ChatTeam(id=_id(row.id), name=row.name) if row else None


@strawberry.type(name="CannedReply")
class CannedReply:
    id: strawberry.ID
    short_code: str
    content: str


@strawberry.type(name="AgentPresence")
class AgentPresence:
    user: User
    status: AgentPresenceStatus  # type: ignore[valid-type]
    capacity: int | None = None
    last_seen_at: datetime | None = None
    skills: list[str] | None = None


def viewer(info: Ctx) -> ChatActor | None:
    """The caller resolved by the root field, else derived from the principal (what decides
    whether private notes show needs permissions only)."""
    actor = getattr(info.context, "chat_actor", None)
    if isinstance(actor, ChatActor):
        return actor
    principal = info.context.principal
    return ChatActor.of(principal) if principal is not None else None


@strawberry.type(name="Conversation")
class Conversation:
    id: strawberry.ID
    status: ConversationStatus  # type: ignore[valid-type]
    priority: ConversationPriority  # type: ignore[valid-type]
    subject: str
    assignee: User | None
    snoozed_until: datetime | None
    ticket_state: ChatTicketLinkState | None  # type: ignore[valid-type]
    merged_into_id: strawberry.ID | None
    message_count: int
    queued: bool
    created_at: datetime
    updated_at: datetime
    required_skills: list[str] = strawberry.field(
        description="Routing assigns the conversation only to an agent holding all of them."
    )
    view: strawberry.Private[ConversationView]

    @classmethod
    def of(cls, view: ConversationView) -> Conversation:
        return cls(
            id=_id(view.id),
            status=view.status,
            priority=view.priority,
            subject=view.subject,
            assignee=User(id=_id(view.assignee_id)) if view.assignee_id else None,
            snoozed_until=view.snoozed_until,
            ticket_state=view.ticket_state,
            merged_into_id=_id(view.merged_into_id) if view.merged_into_id else None,
            message_count=view.message_count,
            queued=view.queued_at is not None,
            created_at=view.created_at,
            updated_at=view.updated_at,
            required_skills=list(view.required_skills),
            view=view,
        )

    @classmethod
    def of_row(cls, row: models.ChatConversation) -> Conversation:
        return cls.of(ConversationView.of(row))

    @strawberry.field(description="The escalation ticket (owned by the tickets subgraph).")
    def ticket(self) -> Ticket | None:
        return Ticket(id=_id(self.view.ticket_id)) if self.view.ticket_id else None

    @strawberry.field
    async def inbox(self, info: Ctx) -> ChatInbox | None:
        row = await info.context.loaders.get(InboxesById).load(self.view.inbox_id)
        return ChatInbox.of(row) if row else None

    @strawberry.field
    async def contact(self, info: Ctx) -> ChatContact | None:
        row = await info.context.loaders.get(ContactsById).load(self.view.contact_id)
        if row is None:
            return None
        user = User(id=_id(row.user_id)) if row.user_id else None
        return ChatContact(
            id=_id(row.id),
            name=row.name,
            email=row.email,
            identified=row.user_id is not None,
            user=user,
        )

    @strawberry.field(description="Messages in order; private notes only for agents.")
    async def messages(self, info: Ctx, last: int | None = None) -> list[ChatMessage]:
        actor = viewer(info)
        private = actor is not None and not actor.is_contact
        key = (self.view.id, private)
        found = await info.context.loaders.get(MessagesByConversation).load(key) or []
        if last is not None:
            found = found[-max(0, min(last, 500)) :] if last > 0 else []
        return [ChatMessage.of(m) for m in found]

    @strawberry.field(description="Each participant's last read message.")
    async def read_receipts(self, info: Ctx) -> list[ChatReadReceipt]:
        found = await info.context.loaders.get(ReceiptsByConversation).load(self.view.id)
        return [ChatReadReceipt(participant=p, last_read_seq=s) for p, s in found or []]

    @strawberry.field(description="1-based place in the inbox's queue while waiting.")
    async def queue_position(self, info: Ctx) -> int | None:
        if self.view.queued_at is None:
            return None
        return await info.context.loaders.get(QueuePositions).load(self.view.id)


@strawberry.federation.type(name="Ticket", keys=["id"])
class Ticket:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> Ticket:
        return cls(id=id)

    @strawberry.field(description="Chat conversations escalated to this ticket.")
    async def conversations(self, info: Ctx) -> list[Conversation]:
        actor = viewer(info)
        if actor is None or actor.is_contact:
            return []
        try:
            key = uuid.UUID(str(self.id))
        except ValueError:
            return []
        rows = await info.context.loaders.get(ConversationsByTicket).load(key) or []
        return [Conversation.of_row(r) for r in rows]
