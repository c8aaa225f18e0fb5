"""Agents' routing rows and the routing lock."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, text

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
        """PostgreSQL: a transaction-scoped advisory lock, held until the transaction ends, so
        routing in two processes never reads the same free capacity. SQLite: nothing to do;
        every chat write transaction began `BEGIN IMMEDIATE` (`RequestSessions.write()`,
        `write_transaction`), so it already holds the database's single write lock."""
        if self.dialect == "postgresql":
            await self.session.execute(text(f"SELECT pg_advisory_xact_lock({ROUTING_LOCK})"))

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
