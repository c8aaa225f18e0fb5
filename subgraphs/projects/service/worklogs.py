"""Time tracking: worklogs with Jira's remaining-estimate adjustment, timers, roll-ups."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.events import record
from subgraphs.projects.access import may_see_project_id
from subgraphs.projects.errors import (
    InvalidInputError,
    NoTimerError,
    TimerRunningError,
    WorklogNotFoundError,
)
from subgraphs.projects.events import WorklogAdded
from subgraphs.projects.models import Task, Timer, Worklog, aware
from subgraphs.projects.repository.time import RollupDimension, WorklogRepository
from subgraphs.projects.service.common import get_task, now, record_changes

MAX_WORKLOG_SECONDS = 24 * 3600 * 7


class AdjustEstimate(StrEnum):
    """Jira's `adjustEstimate`: AUTO subtracts the time spent from the remaining estimate,
    NEW sets it, LEAVE keeps it, MANUAL subtracts `reduce_by` instead."""

    AUTO = "AUTO"
    NEW = "NEW"
    LEAVE = "LEAVE"
    MANUAL = "MANUAL"


def _adjust(
    task: Task, spent: int, mode: AdjustEstimate, new: int | None, reduce_by: int | None
) -> int | None:
    current = (
        task.remaining_seconds if task.remaining_seconds is not None else task.estimated_seconds
    )
    if mode is AdjustEstimate.LEAVE:
        return task.remaining_seconds
    if mode is AdjustEstimate.NEW:
        if new is None:
            raise InvalidInputError(
                field="newEstimateSeconds", what="estimate", reason="required with NEW"
            )
        return new
    amount = spent if mode is AdjustEstimate.AUTO else reduce_by
    if amount is None:
        raise InvalidInputError(
            field="reduceBySeconds", what="reduction", reason="required with MANUAL"
        )
    if current is None:
        return None
    return max(0, current - amount)


async def log_work(
    actor: Principal,
    session: AsyncSession,
    task_id: uuid.UUID,
    *,
    seconds: int,
    started_at: datetime | None = None,
    note: str = "",
    adjust: AdjustEstimate = AdjustEstimate.AUTO,
    new_estimate_seconds: int | None = None,
    reduce_by_seconds: int | None = None,
    user_id: uuid.UUID | None = None,
) -> Worklog:
    if not 1 <= seconds <= MAX_WORKLOG_SECONDS:
        raise InvalidInputError(field="seconds", what="duration", reason="use 1 second to 7 days")
    for value, name in (
        (new_estimate_seconds, "newEstimateSeconds"),
        (reduce_by_seconds, "reduceBySeconds"),
    ):
        if value is not None and value < 0:
            raise InvalidInputError(field=name, what="seconds", reason="must not be negative")
    if len(note) > 5000:
        raise InvalidInputError(field="note", what="note", reason="use at most 5000 characters")
    task = await get_task(session, task_id)
    remaining = _adjust(task, seconds, adjust, new_estimate_seconds, reduce_by_seconds)
    record_changes(session, task, actor, [("remainingSeconds", task.remaining_seconds, remaining)])
    task.remaining_seconds = remaining
    worklog = WorklogRepository(session).add(
        Worklog(
            id=uuid.uuid4(),
            task_id=task.id,
            project_id=task.project_id,
            user_id=user_id or actor.user_id,
            started_at=started_at or now(),
            duration_seconds=seconds,
            note=note,
            created_at=now(),
        )
    )
    record(
        session,
        WorklogAdded(
            tenant_id=actor.tenant_id,
            actor=str(actor.user_id),
            task_id=task.id,
            worklog_id=worklog.id,
            user_id=worklog.user_id,
            duration_seconds=seconds,
        ),
    )
    return worklog


async def delete_worklog(actor: Principal, session: AsyncSession, worklog_id: uuid.UUID) -> Task:
    """Delete a worklog; its time goes back to the remaining estimate (Jira's AUTO)."""
    repository = WorklogRepository(session)
    worklog = await repository.find(worklog_id)
    if worklog is None or not await may_see_project_id(session, worklog.project_id):
        raise WorklogNotFoundError(field="id")
    task = await get_task(session, worklog.task_id)
    if task.remaining_seconds is not None:
        task.remaining_seconds += worklog.duration_seconds
    await repository.delete(worklog.id)
    return task


async def start_timer(actor: Principal, session: AsyncSession, task_id: uuid.UUID) -> Timer:
    task = await get_task(session, task_id)
    repository = WorklogRepository(session)
    if await repository.find_timer(actor.user_id) is not None:
        raise TimerRunningError(field="taskId")
    timer = Timer(user_id=actor.user_id, task_id=task.id, started_at=now())
    session.add(timer)
    return timer


async def stop_timer(actor: Principal, session: AsyncSession, note: str = "") -> Worklog:
    """Stop the caller's timer and log its time (at least one second, AUTO adjustment)."""
    repository = WorklogRepository(session)
    timer = await repository.find_timer(actor.user_id)
    if timer is None:
        raise NoTimerError()
    started = aware(timer.started_at)
    seconds = max(1, min(MAX_WORKLOG_SECONDS, int((now() - started).total_seconds())))
    await repository.delete_timer(actor.user_id)
    return await log_work(
        actor, session, timer.task_id, seconds=seconds, started_at=started, note=note
    )


async def rollup(
    session: AsyncSession,
    dimension: RollupDimension,
    *,
    project_ids: list[uuid.UUID],
    user_ids: list[uuid.UUID],
    task_ids: list[uuid.UUID],
    since: datetime | None,
    until: datetime | None,
    hidden: Collection[uuid.UUID] = (),
) -> list[tuple[str, int, int]]:
    if since is not None and until is not None and until <= since:
        raise InvalidInputError(field="until", what="period", reason="until must be after since")
    return await WorklogRepository(session).rollup(
        dimension,
        project_ids=project_ids,
        user_ids=user_ids,
        task_ids=task_ids,
        since=since,
        until=until,
        hidden=hidden,
    )
