"""Agents' routing rows and the routing lock."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, text, update

from subgraphs.chat.models import ChatAgent
from subgraphs.kit.repository import Repository

# pg_advisory_xact_lock key (per tenant database): serialises every routing decision
ROUTING_LOCK = 7_301_006


class RoutingRepository(Repository[ChatAgent]):
    model = ChatAgent

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    async def lock(self) -> None:
        """Held until the transaction ends. PostgreSQL: a transaction-scoped advisory lock, so
        routing in two processes never reads the same free capacity. SQLite: a no-op UPDATE
        takes the database write lock before anything is read."""
        if self.dialect == "postgresql":
            await self.session.execute(text(f"SELECT pg_advisory_xact_lock({ROUTING_LOCK})"))
            return
        await self.claim_writer()

    async def claim_writer(self) -> None:
        """SQLite only: take the database write lock before the first read, so a transaction
        that reads then writes never fails with "database is locked" (a deferred transaction
        cannot upgrade while another writer holds the lock); waiting uses the busy timeout.
        PostgreSQL needs nothing here."""
        if self.dialect == "sqlite":
            touch = update(ChatAgent).where(ChatAgent.user_id.is_(None)).values(capacity=0)
            await self.session.execute(touch.execution_options(synchronize_session=False))

    async def agent(self, user_id: uuid.UUID) -> ChatAgent | None:
        return await self.find_one(self.base().where(ChatAgent.user_id == user_id))

    async def agents(self, ids: Sequence[uuid.UUID] | None = None) -> Sequence[ChatAgent]:
        statement = self.base()
        if ids is not None:
            statement = statement.where(ChatAgent.user_id.in_(list(ids)))
        return await self.find_all(statement.order_by(ChatAgent.user_id))

    async def agents_for_update(self) -> Sequence[ChatAgent]:
        result = await self.session.execute(
            select(ChatAgent).order_by(ChatAgent.user_id).with_for_update()
        )
        return result.scalars().all()
