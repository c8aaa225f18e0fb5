"""SQL of SLA clocks and of what the SLA job already emitted."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.tickets.models import SlaClock, SlaEmission


class SlaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def clocks(self, ticket_ids: Sequence[uuid.UUID]) -> Sequence[SlaClock]:
        statement = (
            select(SlaClock)
            .where(SlaClock.ticket_id.in_(list(ticket_ids)))
            .order_by(SlaClock.ticket_id, SlaClock.metric)
        )
        return (await self.session.execute(statement)).scalars().all()

    def add(self, clock: SlaClock) -> None:
        self.session.add(clock)

    async def delete_clocks(self, ticket_id: uuid.UUID) -> None:
        for clock in await self.clocks([ticket_id]):
            await self.session.delete(clock)

    async def due(self, now: datetime, limit: int) -> Sequence[SlaClock]:
        """Running, unfulfilled clocks whose warning or breach instant has come."""
        statement = (
            select(SlaClock)
            .where(SlaClock.fulfilled_at.is_(None))
            .where(SlaClock.running_since.is_not(None))
            .where(
                or_(
                    SlaClock.warn_at <= now,
                    and_(SlaClock.due_at <= now, SlaClock.breached_at.is_(None)),
                )
            )
            .order_by(SlaClock.due_at)
            .limit(limit)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def emitted(
        self, ticket_ids: Sequence[uuid.UUID]
    ) -> set[tuple[uuid.UUID, str, int, str]]:
        statement = select(SlaEmission).where(SlaEmission.ticket_id.in_(list(ticket_ids)))
        rows = (await self.session.execute(statement)).scalars().all()
        return {(r.ticket_id, r.metric, r.cycle, r.kind) for r in rows}

    def add_emission(self, emission: SlaEmission) -> None:
        self.session.add(emission)
