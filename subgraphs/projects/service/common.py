"""Shared pieces of the use cases: lookups that raise, validation, field history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.principal import Principal
from subgraphs.projects.access import may_see, may_see_project_id
from subgraphs.projects.errors import (
    InvalidInputError,
    ProjectArchivedError,
    ProjectNotFoundError,
    TaskNotFoundError,
)
from subgraphs.projects.models import Project, Task, TaskHistory
from subgraphs.projects.repository.projects import ProjectRepository
from subgraphs.projects.repository.tasks import TaskRepository

SECONDS_PER_HOUR = 3600


def now() -> datetime:
    return datetime.now(UTC)


def actor_id(actor: Principal) -> uuid.UUID:
    return actor.user_id


async def get_project(session: AsyncSession, project_id: uuid.UUID) -> Project:
    """A project the session's viewer may see (access.py), else PROJECT_NOT_FOUND."""
    project = await ProjectRepository(session).find(project_id)
    if project is None or not await may_see(session, project):
        raise ProjectNotFoundError(field="projectId")
    return project


async def get_open_project(
    session: AsyncSession, project_id: uuid.UUID, *, lock: bool = False
) -> Project:
    """A project that accepts changes; `lock` serialises writers of its board order."""
    repository = ProjectRepository(session)
    project = await (repository.lock(project_id) if lock else repository.find(project_id))
    if project is None or not await may_see(session, project):
        raise ProjectNotFoundError(field="projectId")
    if project.archived_at is not None:
        raise ProjectArchivedError(field="projectId")
    return project


async def get_task(session: AsyncSession, task_id: uuid.UUID, field: str = "taskId") -> Task:
    task = await TaskRepository(session).find(task_id)
    if task is None or not await may_see_project_id(session, task.project_id):
        raise TaskNotFoundError(field=field)
    return task


def clean_text(value: str, *, field: str, what: str, maximum: int, minimum: int = 1) -> str:
    cleaned = value.strip()
    if not minimum <= len(cleaned) <= maximum:
        raise InvalidInputError(
            field=field, what=what, reason=f"use {minimum} to {maximum} characters"
        )
    return cleaned


def check_dates(start: date | None, end: date | None, *, field: str) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidInputError(field=field, what="dates", reason="the end is before the start")


def hours_to_seconds(hours: float | None, *, field: str) -> int | None:
    if hours is None:
        return None
    if hours < 0 or hours > 100_000:
        raise InvalidInputError(field=field, what="hours", reason="use 0 to 100000")
    return round(hours * SECONDS_PER_HOUR)


def as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def record_changes(
    session: AsyncSession,
    task: Task,
    actor: Principal,
    changes: Sequence[tuple[str, object, object]],
) -> list[str]:
    """Write one history row per changed field; returns the names of the changed fields."""
    changed: list[str] = []
    at = now()
    for field, old, new in changes:
        if as_text(old) == as_text(new):
            continue
        session.add(
            TaskHistory(
                task_id=task.id,
                actor_id=actor.user_id,
                field=field,
                old_value=as_text(old),
                new_value=as_text(new),
                at=at,
            )
        )
        changed.append(field)
    return changed
