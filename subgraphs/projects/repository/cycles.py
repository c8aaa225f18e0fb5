"""Cycles (sprints): lookups, progress aggregates and the roll-over of unfinished tasks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.repository import Repository
from subgraphs.projects.models import CLOSED_CATEGORIES, Cycle, StateCategory, Task, WorkflowState


@dataclass(frozen=True, slots=True)
class CycleCounts:
    total: int
    completed: int
    cancelled: int
    started: int
    points_total: float
    points_completed: float


class CycleRepository(Repository[Cycle]):
    model = Cycle

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)

    async def find(self, cycle_id: uuid.UUID) -> Cycle | None:
        return await self.find_one(self.base().where(Cycle.id == cycle_id))

    async def list_by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[Cycle]:
        return await self.find_all(self.base().where(Cycle.id.in_(ids)))

    async def list_for_projects(self, project_ids: Sequence[uuid.UUID]) -> Sequence[Cycle]:
        statement = self.base().where(Cycle.project_id.in_(project_ids)).order_by(Cycle.starts_on)
        return await self.find_all(statement)

    async def counts(self, cycle_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, CycleCounts]:
        """Progress of many cycles in one GROUP BY."""
        category = WorkflowState.category
        points = func.coalesce(Task.estimate_points, 0.0)
        done = category == StateCategory.COMPLETED.value
        statement = (
            select(
                Task.cycle_id,
                func.count(),
                func.sum(case((done, 1), else_=0)),
                func.sum(case((category == StateCategory.CANCELLED.value, 1), else_=0)),
                func.sum(case((category == StateCategory.STARTED.value, 1), else_=0)),
                func.sum(points),
                func.sum(case((done, points), else_=0.0)),
            )
            .join(WorkflowState, WorkflowState.id == Task.state_id)
            .where(Task.cycle_id.in_(cycle_ids))
            .group_by(Task.cycle_id)
        )
        found: dict[uuid.UUID, CycleCounts] = {}
        for row in (await self.session.execute(statement)).all():
            found[row[0]] = CycleCounts(
                int(row[1]),
                int(row[2] or 0),
                int(row[3] or 0),
                int(row[4] or 0),
                float(row[5] or 0),
                float(row[6] or 0),
            )
        return found

    async def due(self, today: date) -> Sequence[Cycle]:
        """Cycles whose end has passed and that were not completed yet, oldest first."""
        statement = (
            self.base()
            .where(Cycle.ends_on < today, Cycle.completed_at.is_(None))
            .order_by(Cycle.ends_on)
            .with_for_update(skip_locked=True)
        )
        return await self.find_all(statement)

    async def next_after(self, cycle: Cycle) -> Cycle | None:
        statement = (
            self.base()
            .where(
                Cycle.project_id == cycle.project_id,
                Cycle.id != cycle.id,
                Cycle.starts_on >= cycle.ends_on,
                Cycle.completed_at.is_(None),
            )
            .order_by(Cycle.starts_on)
        )
        return await self.find_one(statement)

    async def move_unfinished(self, cycle_id: uuid.UUID, target: uuid.UUID | None) -> int:
        """Move every task of the cycle whose state is not closed; one UPDATE."""
        open_states = select(WorkflowState.id).where(
            WorkflowState.category.not_in(CLOSED_CATEGORIES)
        )
        statement = (
            update(Task)
            .where(Task.cycle_id == cycle_id, Task.state_id.in_(open_states))
            .values(cycle_id=target)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)
