"""Worklogs, timers and time roll-ups."""

from __future__ import annotations

from datetime import datetime

import strawberry

from subgraphs.projects import models
from subgraphs.projects.types.tasks import User, user


@strawberry.type(name="Worklog")
class Worklog:
    id: strawberry.ID
    task_id: strawberry.ID
    started_at: datetime
    duration_seconds: int
    note: str
    author: User | None

    @classmethod
    def of(cls, worklog: models.Worklog) -> Worklog:
        return cls(
            id=strawberry.ID(str(worklog.id)),
            task_id=strawberry.ID(str(worklog.task_id)),
            started_at=models.aware(worklog.started_at),
            duration_seconds=worklog.duration_seconds,
            note=worklog.note,
            author=user(worklog.user_id),
        )


@strawberry.type(name="Timer")
class Timer:
    task_id: strawberry.ID
    started_at: datetime

    @classmethod
    def of(cls, timer: models.Timer) -> Timer:
        return cls(
            task_id=strawberry.ID(str(timer.task_id)), started_at=models.aware(timer.started_at)
        )


@strawberry.type(name="TimeRollupRow")
class TimeRollupRow:
    key: str = strawberry.field(description="Task, project or user id, or the period start.")
    seconds: int
    hours: float
    worklogs: int
