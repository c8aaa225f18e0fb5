"""Mutations on time tracking, cycles and saved views."""

from __future__ import annotations

import strawberry

from subgraphs.projects.errors import (
    CycleNotFoundError,
    ProjectNotFoundError,
    TaskNotFoundError,
    ViewNotFoundError,
    WorklogNotFoundError,
)
from subgraphs.projects.models import SavedView as SavedViewModel
from subgraphs.projects.models import Worklog as WorklogModel
from subgraphs.projects.resolvers.common import payload, uid, write
from subgraphs.projects.resolvers.filters import task_query
from subgraphs.projects.service import cycles, views, worklogs
from subgraphs.projects.service.cycles import RolloverResult
from subgraphs.projects.service.worklogs import AdjustEstimate
from subgraphs.projects.types.boards import Cycle
from subgraphs.projects.types.common import Ctx
from subgraphs.projects.types.inputs import CreateCycleInput, LogWorkInput, SaveViewInput
from subgraphs.projects.types.payloads import (
    CompleteCyclePayload,
    CyclePayload,
    DeletePayload,
    SavedView,
    SavedViewPayload,
    TaskPayload,
    TimerPayload,
    WorklogPayload,
)
from subgraphs.projects.types.tasks import Task
from subgraphs.projects.types.time import Timer, Worklog


def _worklog_payload(result: object) -> WorklogPayload:
    if not isinstance(result, WorklogModel):
        return WorklogPayload(user_errors=result)  # type: ignore[arg-type]
    return WorklogPayload(worklog=Worklog.of(result))


def saved_view(view: SavedViewModel) -> SavedView:
    owner = strawberry.ID(str(view.owner_id)) if view.owner_id else None
    return SavedView(
        id=strawberry.ID(str(view.id)), name=view.name, shared=view.shared, owner_id=owner
    )


@strawberry.type
class TimeMutations:
    @strawberry.mutation
    async def log_work(self, info: Ctx, input: LogWorkInput) -> WorklogPayload:
        """Log time; adjustEstimate as in Jira (AUTO/NEW/LEAVE/MANUAL)."""
        result = await write(
            info,
            lambda actor, db: worklogs.log_work(
                actor,
                db,
                uid(input.task_id, TaskNotFoundError, "taskId"),
                seconds=input.seconds,
                started_at=input.started_at,
                note=input.note,
                adjust=AdjustEstimate(input.adjust_estimate.value),
                new_estimate_seconds=input.new_estimate_seconds,
                reduce_by_seconds=input.reduce_by_seconds,
            ),
        )
        return _worklog_payload(result)

    @strawberry.mutation
    async def delete_worklog(self, info: Ctx, id: strawberry.ID) -> TaskPayload:
        result = await write(
            info,
            lambda actor, db: worklogs.delete_worklog(
                actor, db, uid(id, WorklogNotFoundError, "id")
            ),
        )
        return payload(TaskPayload, "task", result, Task.of)

    @strawberry.mutation
    async def start_timer(self, info: Ctx, task_id: strawberry.ID) -> TimerPayload:
        """One running timer per user: TIMER_ALREADY_RUNNING else."""
        result = await write(
            info,
            lambda actor, db: worklogs.start_timer(
                actor, db, uid(task_id, TaskNotFoundError, "taskId")
            ),
        )
        return payload(TimerPayload, "timer", result, Timer.of)

    @strawberry.mutation
    async def stop_timer(self, info: Ctx, note: str = "") -> WorklogPayload:
        """Stop the caller's timer and log its time."""
        result = await write(info, lambda actor, db: worklogs.stop_timer(actor, db, note))
        return _worklog_payload(result)

    @strawberry.mutation
    async def create_cycle(self, info: Ctx, input: CreateCycleInput) -> CyclePayload:
        result = await write(
            info,
            lambda actor, db: cycles.create_cycle(
                actor,
                db,
                uid(input.project_id, ProjectNotFoundError, "projectId"),
                input.name,
                input.starts_on,
                input.ends_on,
            ),
        )
        return payload(CyclePayload, "cycle", result, Cycle.of)

    @strawberry.mutation
    async def complete_cycle(self, info: Ctx, id: strawberry.ID) -> CompleteCyclePayload:
        """End a cycle now; unfinished tasks roll over to the next."""
        result = await write(
            info,
            lambda actor, db: cycles.complete_cycle(actor, db, uid(id, CycleNotFoundError, "id")),
        )
        if not isinstance(result, RolloverResult):
            return CompleteCyclePayload(user_errors=result)
        from subgraphs.projects.loaders import CyclesById

        loader = info.context.loaders.get(CyclesById)
        done = await loader.load(result.cycle_id)
        following = await loader.load(result.next_cycle_id) if result.next_cycle_id else None
        return CompleteCyclePayload(
            cycle=Cycle.of(done) if done else None,
            next_cycle=Cycle.of(following) if following else None,
            rolled_over_count=result.moved,
        )

    @strawberry.mutation
    async def save_view(self, info: Ctx, input: SaveViewInput) -> SavedViewPayload:
        result = await write(
            info,
            lambda actor, db: views.save_view(
                actor, db, input.name, task_query(input.filter, input.order_by), input.shared
            ),
        )
        return payload(SavedViewPayload, "view", result, saved_view)

    @strawberry.mutation
    async def delete_view(self, info: Ctx, id: strawberry.ID) -> DeletePayload:
        result = await write(
            info, lambda actor, db: views.delete_view(actor, db, uid(id, ViewNotFoundError, "id"))
        )
        return payload(DeletePayload, "deleted_id", result, lambda v: strawberry.ID(str(v)))
