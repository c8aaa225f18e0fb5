"""Messages and read receipts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update

from subgraphs.chat.models import ChatMessage, ChatReadReceipt, MessageKind
from subgraphs.kit.repository import Repository


class MessagesRepository(Repository[ChatMessage]):
    model = ChatMessage

    async def for_conversations(
        self, conversation_ids: Sequence[uuid.UUID], *, include_private: bool
    ) -> Sequence[ChatMessage]:
        statement = self.base().where(ChatMessage.conversation_id.in_(list(conversation_ids)))
        if not include_private:
            statement = statement.where(ChatMessage.kind != MessageKind.NOTE)
        return await self.find_all(statement.order_by(ChatMessage.conversation_id, ChatMessage.seq))

    async def last_seq(self, conversation_id: uuid.UUID) -> int:
        statement = select(func.max(ChatMessage.seq)).where(
            ChatMessage.conversation_id == conversation_id
        )
        return int((await self.session.execute(statement)).scalar() or 0)

    async def move(self, source_id: uuid.UUID, target_id: uuid.UUID, offset: int) -> int:
        """Move every message of `source_id` to `target_id`, renumbered after `offset`."""
        statement = (
            update(ChatMessage)
            .where(ChatMessage.conversation_id == source_id)
            .values(conversation_id=target_id, seq=ChatMessage.seq + offset)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    # read receipts

    async def receipts(self, conversation_ids: Sequence[uuid.UUID]) -> Sequence[ChatReadReceipt]:
        statement = (
            select(ChatReadReceipt)
            .where(ChatReadReceipt.conversation_id.in_(list(conversation_ids)))
            .order_by(ChatReadReceipt.conversation_id, ChatReadReceipt.participant)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def mark_read(
        self, conversation_id: uuid.UUID, participant: str, seq: int, at: datetime
    ) -> ChatReadReceipt:
        """Receipts only move forward."""
        statement = select(ChatReadReceipt).where(
            ChatReadReceipt.conversation_id == conversation_id,
            ChatReadReceipt.participant == participant,
        )
        row = (await self.session.execute(statement.with_for_update())).scalars().first()
        if row is None:
            row = ChatReadReceipt(
                conversation_id=conversation_id,
                participant=participant,
                last_read_seq=seq,
                read_at=at,
            )
            self.session.add(row)
        elif seq > row.last_read_seq:
            row.last_read_seq, row.read_at = seq, at
        return row

    async def move_receipts(self, source_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(ChatReadReceipt).where(ChatReadReceipt.conversation_id == source_id)
        )
