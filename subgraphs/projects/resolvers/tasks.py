"""Mutations on tasks: fields, custom values, watchers, comments, board moves, links."""

from __future__ import annotations

import uuid

import strawberry

from subgraphs.projects import models
from subgraphs.projects.errors import (
    BoardNotFoundError,
    ColumnNotFoundError,
    CycleNotFoundError,
    FieldNotFoundError,
    InvalidInputError,
    LabelNotFoundError,
    ProjectNotFoundError,
    StateNotFoundError,
    TaskNotFoundError,
)
from subgraphs.projects.resolvers.common import payload, uid, uids, write
from subgraphs.projects.service import boards, fields, links, tasks
from subgraphs.projects.service.links import Relation, relation_from
from subgraphs.projects.service.tasks import TaskChanges, TaskDraft
from subgraphs.projects.types.common import Ctx
from subgraphs.projects.types.inputs import (
    UNSET,
    CreateTaskInput,
    LinkTasksInput,
    MoveCardInput,
    UpdateTaskInput,
)
from subgraphs.projects.types.payloads import CommentPayload, TaskPayload, TaskRelationPayload
from subgraphs.projects.types.tasks import Comment, Task, TaskRelation

_CLEARABLE = {
    "assignee_id": "assigneeId",
    "estimate_points": "estimatePoints",
    "estimated_hours": "estimatedHours",
    "due_date": "dueDate",
    "parent_id": "parentId",
    "cycle_id": "cycleId",
}


def _opt(raw: object, error: type, field: str) -> uuid.UUID | None:
    return uid(raw, error, field) if raw is not None and raw is not UNSET else None


def _draft(input: CreateTaskInput) -> TaskDraft:
    return TaskDraft(
        project_id=uid(input.project_id, ProjectNotFoundError, "projectId"),
        title=input.title,
        description=input.description,
        state_id=_opt(input.state_id, StateNotFoundError, "stateId"),
        assignee_id=_opt(input.assignee_id, InvalidInputError, "assigneeId"),
        priority=models.Priority(input.priority.value),
        estimate_points=input.estimate_points,
        estimated_hours=input.estimated_hours,
        label_ids=uids(input.label_ids, LabelNotFoundError, "labelIds"),
        due_date=input.due_date,
        parent_id=_opt(input.parent_id, TaskNotFoundError, "parentId"),
        cycle_id=_opt(input.cycle_id, CycleNotFoundError, "cycleId"),
    )


def _changes(input: UpdateTaskInput) -> TaskChanges:
    def given(name: str) -> object:
        value = getattr(input, name)
        return None if value is UNSET else value

    clear = frozenset(api for name, api in _CLEARABLE.items() if getattr(input, name) is None)
    priority = given("priority")
    labels = given("label_ids")
    return TaskChanges(
        title=input.title if input.title is not UNSET else None,
        description=input.description if input.description is not UNSET else None,
        state_id=_opt(input.state_id, StateNotFoundError, "stateId"),
        assignee_id=_opt(input.assignee_id, InvalidInputError, "assigneeId"),
        priority=models.Priority(priority.value) if priority is not None else None,  # type: ignore[attr-defined]
        estimate_points=given("estimate_points"),  # type: ignore[arg-type]
        estimated_hours=given("estimated_hours"),  # type: ignore[arg-type]
        remaining_hours=given("remaining_hours"),  # type: ignore[arg-type]
        due_date=given("due_date"),  # type: ignore[arg-type]
        parent_id=_opt(input.parent_id, TaskNotFoundError, "parentId"),
        cycle_id=_opt(input.cycle_id, CycleNotFoundError, "cycleId"),
        label_ids=uids(labels, LabelNotFoundError, "labelIds") if labels is not None else None,  # type: ignore[arg-type]
        clear=clear,
    )


@strawberry.type
class TaskMutations:
    @strawberry.mutation
    async def create_task(self, info: Ctx, input: CreateTaskInput) -> TaskPayload:
        result = await write(info, lambda actor, db: tasks.create_task(actor, db, _draft(input)))
        return payload(TaskPayload, "task", result, Task.of)

    @strawberry.mutation
    async def update_task(self, info: Ctx, input: UpdateTaskInput) -> TaskPayload:
        result = await write(
            info,
            lambda actor, db: tasks.update_task(
                actor, db, uid(input.id, TaskNotFoundError, "id"), _changes(input)
            ),
        )
        return payload(TaskPayload, "task", result, Task.of)

    @strawberry.mutation
    async def set_custom_field_value(
        self, info: Ctx, task_id: strawberry.ID, field_id: strawberry.ID, value: str | None
    ) -> TaskPayload:
        result = await write(
            info,
            lambda actor, db: fields.set_field_value(
                actor,
                db,
                uid(task_id, TaskNotFoundError, "taskId"),
                uid(field_id, FieldNotFoundError, "fieldId"),
                value,
            ),
        )
        return payload(TaskPayload, "task", result, Task.of)

    @strawberry.mutation
    async def watch_task(
        self,
        info: Ctx,
        task_id: strawberry.ID,
        watching: bool = True,
        user_id: strawberry.ID | None = None,
    ) -> TaskPayload:
        """Watch (or stop watching) a task; default: the caller."""
        result = await write(
            info,
            lambda actor, db: tasks.watch(
                actor,
                db,
                uid(task_id, TaskNotFoundError, "taskId"),
                _opt(user_id, InvalidInputError, "userId") or actor.user_id,
                watching,
            ),
        )
        return payload(TaskPayload, "task", result, Task.of)

    @strawberry.mutation
    async def add_comment(self, info: Ctx, task_id: strawberry.ID, body: str) -> CommentPayload:
        """Markdown; mention people as @[Name](user:<id>)."""
        result = await write(
            info,
            lambda actor, db: fields.add_comment(
                actor, db, uid(task_id, TaskNotFoundError, "taskId"), body
            ),
        )
        return payload(CommentPayload, "comment", result, Comment.of)

    @strawberry.mutation
    async def move_card(self, info: Ctx, input: MoveCardInput) -> TaskPayload:
        """Move a card; fails with WIP_LIMIT_EXCEEDED on a full column."""
        result = await write(
            info,
            lambda actor, db: boards.move_card(
                actor,
                db,
                uid(input.board_id, BoardNotFoundError, "boardId"),
                uid(input.task_id, TaskNotFoundError, "taskId"),
                uid(input.to_column_id, ColumnNotFoundError, "toColumnId"),
                _opt(input.after_task_id, TaskNotFoundError, "afterTaskId"),
                _opt(input.before_task_id, TaskNotFoundError, "beforeTaskId"),
            ),
        )
        return payload(TaskPayload, "task", result, Task.of)

    @strawberry.mutation
    async def link_tasks(self, info: Ctx, input: LinkTasksInput) -> TaskRelationPayload:
        """Refused with DEPENDENCY_CYCLE when blocks would loop."""
        task_id = input.task_id
        result = await write(
            info,
            lambda actor, db: links.link_tasks(
                actor,
                db,
                uid(task_id, TaskNotFoundError, "taskId"),
                Relation(input.type.value),
                uid(input.other_task_id, TaskNotFoundError, "otherTaskId"),
            ),
        )

        def view(link: models.TaskLink) -> TaskRelation:
            kind, other = relation_from(link, uuid.UUID(str(task_id)))
            return TaskRelation(
                id=strawberry.ID(str(link.id)), type=kind, task_id=strawberry.ID(str(other))
            )

        return payload(TaskRelationPayload, "relation", result, view)

    @strawberry.mutation
    async def unlink_tasks(self, info: Ctx, relation_id: strawberry.ID) -> TaskPayload:
        result = await write(
            info,
            lambda actor, db: links.unlink_tasks(
                actor, db, uid(relation_id, TaskNotFoundError, "relationId")
            ),
        )
        return payload(TaskPayload, "task", result, Task.of)

    @strawberry.mutation
    async def link_ticket(
        self, info: Ctx, task_id: strawberry.ID, ticket_id: strawberry.ID
    ) -> TaskPayload:
        """Link a task to a helpdesk ticket (Ticket.linkedTasks)."""
        result = await write(
            info,
            lambda actor, db: links.link_ticket(
                actor, db, uid(task_id, TaskNotFoundError, "taskId"), str(ticket_id)
            ),
        )
        return payload(TaskPayload, "task", result, Task.of)

    @strawberry.mutation
    async def unlink_ticket(
        self, info: Ctx, task_id: strawberry.ID, ticket_id: strawberry.ID
    ) -> TaskPayload:
        result = await write(
            info,
            lambda actor, db: links.unlink_ticket(
                actor, db, uid(task_id, TaskNotFoundError, "taskId"), str(ticket_id)
            ),
        )
        return payload(TaskPayload, "task", result, Task.of)
