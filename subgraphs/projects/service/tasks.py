"""Tasks: create and update (with field history), custom field values, watchers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.events import record
from subgraphs.projects.errors import (
    CycleNotFoundError,
    InvalidInputError,
    LabelNotFoundError,
    ParentCycleError,
    StateNotFoundError,
)
from subgraphs.projects.events import TaskCreated, TaskUpdated
from subgraphs.projects.models import (
    CLOSED_CATEGORIES,
    PRIORITY_WEIGHT,
    Priority,
    Project,
    StateCategory,
    Task,
    TaskHistory,
    WorkflowState,
)
from subgraphs.projects.ranks import rank_after
from subgraphs.projects.repository.cycles import CycleRepository
from subgraphs.projects.repository.projects import (
    LabelRepository,
    ProjectRepository,
    StateRepository,
)
from subgraphs.projects.repository.tasks import TaskRepository
from subgraphs.projects.service.common import (
    clean_text,
    get_open_project,
    get_task,
    hours_to_seconds,
    now,
    record_changes,
)
from subgraphs.projects.service.wip import check_wip


@dataclass(frozen=True, slots=True)
class TaskDraft:
    project_id: uuid.UUID
    title: str
    description: str = ""
    state_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    priority: Priority = Priority.NONE
    estimate_points: float | None = None
    estimated_hours: float | None = None
    label_ids: tuple[uuid.UUID, ...] = ()
    due_date: date | None = None
    parent_id: uuid.UUID | None = None
    cycle_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class TaskChanges:
    """Fields to set; names in `clear` are set to null."""

    title: str | None = None
    description: str | None = None
    state_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    priority: Priority | None = None
    estimate_points: float | None = None
    estimated_hours: float | None = None
    remaining_hours: float | None = None
    due_date: date | None = None
    parent_id: uuid.UUID | None = None
    cycle_id: uuid.UUID | None = None
    label_ids: tuple[uuid.UUID, ...] | None = None
    clear: frozenset[str] = field(default_factory=frozenset)


def identifier(project: Project, task: Task) -> str:
    return f"{project.key}-{task.number}"


async def get_state(
    session: AsyncSession, project_id: uuid.UUID, state_id: uuid.UUID
) -> WorkflowState:
    found = await StateRepository(session).list_by_ids([state_id])
    if not found or found[0].project_id != project_id:
        raise StateNotFoundError(field="stateId")
    return found[0]


async def _default_state(session: AsyncSession, project_id: uuid.UUID) -> WorkflowState:
    states = await StateRepository(session).list_for_projects([project_id])
    for category in (StateCategory.UNSTARTED, StateCategory.BACKLOG):
        for state in states:
            if state.category == category.value:
                return state
    raise StateNotFoundError(field="stateId")


async def _check_labels(
    session: AsyncSession, project_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> None:
    found = await LabelRepository(session).list_by_ids(list(ids))
    if len({label.id for label in found if label.project_id == project_id}) != len(set(ids)):
        raise LabelNotFoundError(field="labelIds")


async def _check_cycle(session: AsyncSession, project_id: uuid.UUID, cycle_id: uuid.UUID) -> None:
    cycle = await CycleRepository(session).find(cycle_id)
    if cycle is None or cycle.project_id != project_id:
        raise CycleNotFoundError(field="cycleId")


async def _check_parent(
    session: AsyncSession, task_id: uuid.UUID | None, parent_id: uuid.UUID
) -> None:
    repository = TaskRepository(session)
    await get_task(session, parent_id, field="parentId")  # (a hidden one is not found)
    if task_id is not None and await repository.ancestors_include(parent_id, task_id):
        raise ParentCycleError(field="parentId")


def _points(value: float | None) -> float | None:
    if value is not None and not 0 <= value <= 1000:
        raise InvalidInputError(field="estimatePoints", what="estimate", reason="use 0 to 1000")
    return value


async def create_task(actor: Principal, session: AsyncSession, draft: TaskDraft) -> Task:
    project = await get_open_project(session, draft.project_id, lock=True)
    state = (
        await get_state(session, project.id, draft.state_id)
        if draft.state_id is not None
        else await _default_state(session, project.id)
    )
    if draft.label_ids:
        await _check_labels(session, project.id, draft.label_ids)
    if draft.cycle_id is not None:
        await _check_cycle(session, project.id, draft.cycle_id)
    if draft.parent_id is not None:
        await _check_parent(session, None, draft.parent_id)
    await check_wip(session, project.id, state.id, None)
    repository = TaskRepository(session)
    estimated = hours_to_seconds(draft.estimated_hours, field="estimatedHours")
    at = now()
    task = repository.add(
        Task(
            id=uuid.uuid4(),
            project_id=project.id,
            number=await _next_number(session, project),
            title=clean_text(draft.title, field="title", what="title", maximum=300),
            description=draft.description,
            state_id=state.id,
            assignee_id=draft.assignee_id,
            priority=draft.priority.value,
            priority_weight=PRIORITY_WEIGHT[draft.priority.value],
            estimate_points=_points(draft.estimate_points),
            estimated_seconds=estimated,
            remaining_seconds=estimated,
            due_date=draft.due_date,
            parent_id=draft.parent_id,
            cycle_id=draft.cycle_id,
            rank=rank_after(await repository.last_rank(project.id)),
            created_by=actor.user_id,
            created_at=at,
            updated_at=at,
            completed_at=at if state.category in CLOSED_CATEGORIES else None,
        )
    )
    await repository.flush()
    if draft.label_ids:
        await LabelRepository(session).set_for_task(task.id, draft.label_ids)
    watchers = [actor.user_id, *([draft.assignee_id] if draft.assignee_id else [])]
    await repository.add_watchers(task.id, watchers)
    session.add(
        TaskHistory(
            task_id=task.id,
            actor_id=actor.user_id,
            field="created",
            new_value=identifier(project, task),
            at=at,
        )
    )
    record(
        session,
        TaskCreated(
            tenant_id=actor.tenant_id,
            actor=str(actor.user_id),
            project_id=project.id,
            task_id=task.id,
            identifier=identifier(project, task),
        ),
    )
    return task


async def _next_number(session: AsyncSession, project: Project) -> int:
    number = await ProjectRepository(session).next_number(project.id)
    project.task_counter = number
    return number


async def update_task(
    actor: Principal, session: AsyncSession, task_id: uuid.UUID, changes: TaskChanges
) -> Task:
    task = await get_task(session, task_id, field="id")
    await get_open_project(session, task.project_id, lock=changes.state_id is not None)
    diff: list[tuple[str, object, object]] = []

    def put(name: str, value: object, column: str | None = None) -> None:
        attribute = column or name
        diff.append((name, getattr(task, attribute), value))
        setattr(task, attribute, value)

    if changes.title is not None:
        put("title", clean_text(changes.title, field="title", what="title", maximum=300))
    if changes.description is not None:
        put("description", changes.description)
    if changes.state_id is not None and changes.state_id != task.state_id:
        state = await get_state(session, task.project_id, changes.state_id)
        await check_wip(session, task.project_id, state.id, task.id)
        put("state", state.id, "state_id")
        task.completed_at = now() if state.category in CLOSED_CATEGORIES else None
    if changes.priority is not None:
        put("priority", changes.priority.value)
        task.priority_weight = PRIORITY_WEIGHT[changes.priority.value]
    if changes.estimate_points is not None or "estimatePoints" in changes.clear:
        put("estimatePoints", _points(changes.estimate_points), "estimate_points")
    if changes.estimated_hours is not None or "estimatedHours" in changes.clear:
        seconds = hours_to_seconds(changes.estimated_hours, field="estimatedHours")
        put("estimatedSeconds", seconds, "estimated_seconds")
        if task.remaining_seconds is None or changes.remaining_hours is None:
            put("remainingSeconds", seconds, "remaining_seconds")
    if changes.remaining_hours is not None:
        seconds = hours_to_seconds(changes.remaining_hours, field="remainingHours")
        put("remainingSeconds", seconds, "remaining_seconds")
    await _update_references(session, task, changes, put)
    if changes.label_ids is not None:
        await _check_labels(session, task.project_id, changes.label_ids)
        before = [label.id for _, label in await LabelRepository(session).for_tasks([task.id])]
        await LabelRepository(session).set_for_task(task.id, changes.label_ids)
        diff.append(
            (
                "labels",
                " ".join(sorted(map(str, before))) or None,
                " ".join(sorted(map(str, set(changes.label_ids)))) or None,
            )
        )
    changed = record_changes(session, task, actor, diff)
    if changed:
        task.updated_at = now()
        record(
            session,
            TaskUpdated(
                tenant_id=actor.tenant_id,
                actor=str(actor.user_id),
                project_id=task.project_id,
                task_id=task.id,
                fields=tuple(changed),
            ),
        )
    return task


async def _update_references(
    session: AsyncSession, task: Task, changes: TaskChanges, put: Callable[..., None]
) -> None:
    if changes.assignee_id is not None or "assigneeId" in changes.clear:
        put("assignee", changes.assignee_id, "assignee_id")
        if changes.assignee_id is not None:
            await TaskRepository(session).add_watchers(task.id, [changes.assignee_id])
    if changes.due_date is not None or "dueDate" in changes.clear:
        put("dueDate", changes.due_date, "due_date")
    if changes.parent_id is not None:
        await _check_parent(session, task.id, changes.parent_id)
        put("parent", changes.parent_id, "parent_id")
    elif "parentId" in changes.clear:
        put("parent", None, "parent_id")
    if changes.cycle_id is not None:
        await _check_cycle(session, task.project_id, changes.cycle_id)
        put("cycle", changes.cycle_id, "cycle_id")
    elif "cycleId" in changes.clear:
        put("cycle", None, "cycle_id")


async def watch(
    actor: Principal, session: AsyncSession, task_id: uuid.UUID, user_id: uuid.UUID, on: bool
) -> Task:
    task = await get_task(session, task_id)
    repository = TaskRepository(session)
    if on:
        await repository.add_watchers(task.id, [user_id])
    else:
        await repository.remove_watcher(task.id, user_id)
    return task
