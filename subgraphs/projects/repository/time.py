"""Worklogs, timers and time roll-ups (SQL aggregates)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from subgraphs.kit.repository import Repository
from subgraphs.projects.models import Timer, Worklog


class RollupDimension(StrEnum):
    TASK = "TASK"
    PROJECT = "PROJECT"
    USER = "USER"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


def _period(dimension: RollupDimension, dialect: str) -> ColumnElement[Any]:
    started = Worklog.started_at
    if dialect == "postgresql":
        utc = func.timezone("UTC", started)
        if dimension is RollupDimension.MONTH:
            return func.to_char(utc, "YYYY-MM")
        unit = "week" if dimension is RollupDimension.WEEK else "day"
        return func.to_char(func.date_trunc(unit, utc), "YYYY-MM-DD")
    if dimension is RollupDimension.MONTH:
        return func.strftime("%Y-%m", started)
    if dimension is RollupDimension.WEEK:
        return func.date(started, "-6 days", "weekday 1")  # the Monday on or before
    return func.date(started)


class WorklogRepository(Repository[Worklog]):
    model = Worklog

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)

    async def find(self, worklog_id: uuid.UUID) -> Worklog | None:
        return await self.find_one(self.base().where(Worklog.id == worklog_id))

    async def of_tasks(self, task_ids: Sequence[uuid.UUID]) -> Sequence[Worklog]:
        statement = self.base().where(Worklog.task_id.in_(task_ids)).order_by(Worklog.started_at)
        return await self.find_all(statement)

    async def spent_by(self, column: Any, keys: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        statement = (
            select(column, func.sum(Worklog.duration_seconds))
            .where(column.in_(keys))
            .group_by(column)
        )
        return {row[0]: int(row[1] or 0) for row in (await self.session.execute(statement)).all()}

    async def rollup(
        self,
        dimension: RollupDimension,
        *,
        project_ids: Sequence[uuid.UUID],
        user_ids: Sequence[uuid.UUID],
        task_ids: Sequence[uuid.UUID],
        since: datetime | None,
        until: datetime | None,
        hidden: Collection[uuid.UUID] = (),
    ) -> list[tuple[str, int, int]]:
        """(group key, total seconds, worklog count) per group, largest first; the worklogs
        of `hidden` projects are left out."""
        dialect = self.session.get_bind().dialect.name
        key: Any
        if dimension is RollupDimension.TASK:
            key = Worklog.task_id
        elif dimension is RollupDimension.PROJECT:
            key = Worklog.project_id
        elif dimension is RollupDimension.USER:
            key = Worklog.user_id
        else:
            key = _period(dimension, dialect)
        total = func.sum(Worklog.duration_seconds)
        statement = select(key, total, func.count()).group_by(key)
        if project_ids:
            statement = statement.where(Worklog.project_id.in_(project_ids))
        if user_ids:
            statement = statement.where(Worklog.user_id.in_(user_ids))
        if task_ids:
            statement = statement.where(Worklog.task_id.in_(task_ids))
        if hidden:
            statement = statement.where(Worklog.project_id.not_in(list(hidden)))
        if since is not None:
            statement = statement.where(Worklog.started_at >= since)
        if until is not None:
            statement = statement.where(Worklog.started_at < until)
        periodic = dimension in (RollupDimension.DAY, RollupDimension.WEEK, RollupDimension.MONTH)
        statement = statement.order_by(key if periodic else total.desc())
        rows = (await self.session.execute(statement)).all()
        return [(str(row[0]), int(row[1] or 0), int(row[2])) for row in rows]

    async def delete(self, worklog_id: uuid.UUID) -> None:
        await self.session.execute(delete(Worklog).where(Worklog.id == worklog_id))

    async def find_timer(self, user_id: uuid.UUID) -> Timer | None:
        return await self.session.get(Timer, user_id)

    async def timers_of(self, user_ids: Sequence[uuid.UUID]) -> Sequence[Timer]:
        statement = select(Timer).where(Timer.user_id.in_(user_ids))
        return (await self.session.execute(statement)).scalars().all()

    async def delete_timer(self, user_id: uuid.UUID) -> None:
        await self.session.execute(delete(Timer).where(Timer.user_id == user_id))
