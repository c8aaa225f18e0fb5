"""Conversations and contacts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from subgraphs.chat.models import ChatContact, ChatConversation, ConversationStatus
from subgraphs.kit.repository import Repository


@dataclass(frozen=True, slots=True)
class ConversationFilter:
    statuses: tuple[str, ...] = ()
    inbox_ids: tuple[uuid.UUID, ...] = ()
    assignee_ids: tuple[uuid.UUID, ...] = ()
    unassigned: bool | None = None
    contact_id: uuid.UUID | None = None  # a contact sees only their own
    queued: bool | None = None


class ConversationsRepository(Repository[ChatConversation]):
    model = ChatConversation

    async def find(self, conversation_id: uuid.UUID) -> ChatConversation | None:
        return await self.find_one(self.base().where(ChatConversation.id == conversation_id))

    async def find_for_update(self, conversation_id: uuid.UUID) -> ChatConversation | None:
        statement = self.base().where(ChatConversation.id == conversation_id)
        return await self.find_one(statement.with_for_update())

    async def list_by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[ChatConversation]:
        return await self.find_all(self.base().where(ChatConversation.id.in_(list(ids))))

    async def list_by_tickets(self, ticket_ids: Sequence[uuid.UUID]) -> Sequence[ChatConversation]:
        statement = self.base().where(ChatConversation.ticket_id.in_(list(ticket_ids)))
        return await self.find_all(statement.order_by(ChatConversation.created_at))

    async def page(
        self, spec: ConversationFilter, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[ChatConversation]:
        """Newest first, keyset on (created_at, id)."""
        statement = self.base()
        if spec.statuses:
            statement = statement.where(ChatConversation.status.in_(spec.statuses))
        if spec.inbox_ids:
            statement = statement.where(ChatConversation.inbox_id.in_(spec.inbox_ids))
        if spec.assignee_ids:
            statement = statement.where(ChatConversation.assignee_id.in_(spec.assignee_ids))
        if spec.unassigned is not None:
            column = ChatConversation.assignee_id
            statement = statement.where(column.is_(None) if spec.unassigned else column.isnot(None))
        if spec.contact_id is not None:
            statement = statement.where(ChatConversation.contact_id == spec.contact_id)
        if spec.queued is not None:
            queued = ChatConversation.queued_at
            statement = statement.where(queued.isnot(None) if spec.queued else queued.is_(None))
        if after is not None:
            at, key = after
            statement = statement.where(
                or_(
                    ChatConversation.created_at < at,
                    and_(ChatConversation.created_at == at, ChatConversation.id < key),
                )
            )
        order = (ChatConversation.created_at.desc(), ChatConversation.id.desc())
        return await self.find_all(statement.order_by(*order).limit(limit))

    async def queue(self, limit: int = 1000) -> Sequence[ChatConversation]:
        """Waiting conversations, oldest first: the routing order."""
        statement = self.base().where(ChatConversation.queued_at.isnot(None))
        order = (ChatConversation.queued_at, ChatConversation.id)
        return await self.find_all(statement.order_by(*order).limit(limit))

    async def queue_positions(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """1-based position of each queued conversation within its inbox's queue."""
        ranked = (
            select(
                ChatConversation.id,
                func.row_number()
                .over(
                    partition_by=ChatConversation.inbox_id,
                    order_by=(ChatConversation.queued_at, ChatConversation.id),
                )
                .label("position"),
            )
            .where(ChatConversation.queued_at.isnot(None))
            .subquery()
        )
        rows = await self.session.execute(
            select(ranked.c.id, ranked.c.position).where(ranked.c.id.in_(list(ids)))
        )
        return {row.id: int(row.position) for row in rows}

    async def open_load(self) -> tuple[dict[uuid.UUID, int], dict[uuid.UUID, int]]:
        """Open (not resolved) assigned conversations per agent and per inbox."""
        active = and_(
            ChatConversation.assignee_id.isnot(None),
            ChatConversation.status != ConversationStatus.RESOLVED,
        )
        per_agent = await self.session.execute(
            select(ChatConversation.assignee_id, func.count())
            .where(active)
            .group_by(ChatConversation.assignee_id)
        )
        per_inbox = await self.session.execute(
            select(ChatConversation.inbox_id, func.count())
            .where(active)
            .group_by(ChatConversation.inbox_id)
        )
        return (
            {row[0]: int(row[1]) for row in per_agent if row[0] is not None},
            {row[0]: int(row[1]) for row in per_inbox},
        )

    async def active_for_agent(self, user_id: uuid.UUID) -> Sequence[ChatConversation]:
        statement = self.base().where(
            ChatConversation.assignee_id == user_id,
            ChatConversation.status != ConversationStatus.RESOLVED,
        )
        return await self.find_all(statement.order_by(ChatConversation.created_at))

    async def mark_ticket_linked(self, ticket_id: uuid.UUID) -> int:
        statement = (
            update(ChatConversation)
            .where(ChatConversation.ticket_id == ticket_id)
            .values(ticket_state="LINKED")
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    async def due_snoozed(self, now: datetime) -> Sequence[ChatConversation]:
        statement = self.base().where(
            ChatConversation.status == ConversationStatus.SNOOZED,
            ChatConversation.snoozed_until <= now,
        )
        return await self.find_all(statement)

    async def next_seq(self, conversation_id: uuid.UUID, count: int = 1) -> int:
        """Reserve `count` message numbers; the UPDATE holds the row lock until commit."""
        statement = (
            update(ChatConversation)
            .where(ChatConversation.id == conversation_id)
            .values(message_seq=ChatConversation.message_seq + count)
            .returning(ChatConversation.message_seq)
        )
        last = int((await self.session.execute(statement)).scalar_one())
        return last - count + 1

    # contacts

    async def contact(self, contact_id: uuid.UUID) -> ChatContact | None:
        result = await self.session.execute(select(ChatContact).where(ChatContact.id == contact_id))
        return result.scalars().first()

    async def contacts(self, ids: Sequence[uuid.UUID]) -> Sequence[ChatContact]:
        result = await self.session.execute(select(ChatContact).where(ChatContact.id.in_(ids)))
        return result.scalars().all()

    async def contact_by_user(self, user_id: uuid.UUID) -> ChatContact | None:
        statement = select(ChatContact).where(ChatContact.user_id == user_id)
        return (await self.session.execute(statement)).scalars().first()

    async def contact_by_token(self, token_hash: str) -> ChatContact | None:
        statement = select(ChatContact).where(ChatContact.token_hash == token_hash)
        return (await self.session.execute(statement)).scalars().first()

    async def ensure_user_contact(
        self, user_id: uuid.UUID, name: str, email: str | None, at: datetime
    ) -> ChatContact:
        """The identified user's contact, created once even under concurrent first chats."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        values = {
            "id": uuid.uuid4(),
            "name": name,
            "email": email,
            "user_id": user_id,
            "created_at": at,
        }
        statement = insert(ChatContact).values(**values).on_conflict_do_nothing()
        await self.session.execute(statement)
        found = await self.contact_by_user(user_id)
        assert found is not None
        return found

    def add_contact(self, contact: ChatContact) -> ChatContact:
        self.session.add(contact)
        return contact
