"""SQL of a ticket's conversation (comments) and history (field changes)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.tickets.models import Change, Comment


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add_comment(self, comment: Comment) -> Comment:
        self.session.add(comment)
        return comment

    def add_change(self, change: Change) -> None:
        self.session.add(change)

    async def comments(
        self, ticket_ids: Sequence[uuid.UUID], *, include_internal: bool
    ) -> Sequence[Comment]:
        statement = select(Comment).where(Comment.ticket_id.in_(list(ticket_ids)))
        if not include_internal:
            statement = statement.where(Comment.public.is_(True))
        statement = statement.order_by(Comment.created_at, Comment.id)
        return (await self.session.execute(statement)).scalars().all()

    async def changes(self, ticket_ids: Sequence[uuid.UUID]) -> Sequence[Change]:
        statement = (
            select(Change)
            .where(Change.ticket_id.in_(list(ticket_ids)))
            .order_by(Change.at, Change.id)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def move(self, source: uuid.UUID, target: uuid.UUID) -> None:
        """Merge: the source's comments and history now belong to the target."""
        for model in (Comment, Change):
            await self.session.execute(
                update(model).where(model.ticket_id == source).values(ticket_id=target)
            )
