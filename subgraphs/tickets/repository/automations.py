"""SQL of time-based automations: tickets old enough for a rule, and the windows fired."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.tickets.models import AutomationFiring, StatusCategory, Ticket


class AutomationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def aged_tickets(
        self, thresholds: dict[str, float], now: datetime, after: int, limit: int
    ) -> Sequence[Ticket]:
        """Open, unmerged tickets past every age in `thresholds` (hours per anchor: created,
        updated, status), in number order after `after`."""
        now = now.astimezone(UTC)  # SQLite compares UTC text without an offset
        columns = {
            "created": Ticket.created_at,
            "updated": Ticket.updated_at,
            "status": func.coalesce(Ticket.status_changed_at, Ticket.created_at),
        }
        statement = select(Ticket).where(
            Ticket.category != StatusCategory.CLOSED.value,
            Ticket.merged_into_id.is_(None),
            Ticket.number > after,
            *(columns[k] < now - timedelta(hours=h) for k, h in thresholds.items()),
        )
        rows = await self.session.execute(statement.order_by(Ticket.number).limit(limit))
        return rows.scalars().all()

    async def fired(
        self, rule_ids: Sequence[uuid.UUID], ticket_ids: Sequence[uuid.UUID]
    ) -> set[tuple[uuid.UUID, uuid.UUID, str]]:
        statement = select(
            AutomationFiring.automation_id, AutomationFiring.ticket_id, AutomationFiring.window_key
        ).where(
            AutomationFiring.automation_id.in_(list(rule_ids)),
            AutomationFiring.ticket_id.in_(list(ticket_ids)),
        )
        return {(r[0], r[1], r[2]) for r in await self.session.execute(statement)}

    def add_firing(self, firing: AutomationFiring) -> None:
        self.session.add(firing)
