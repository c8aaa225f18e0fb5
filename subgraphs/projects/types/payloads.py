"""Mutation payloads: the result, and `userErrors` for expected failures."""

from __future__ import annotations

import strawberry

from subgraphs.kit.payloads import UserError
from subgraphs.projects.types.boards import Board, BoardColumn, Cycle
from subgraphs.projects.types.tasks import (
    Comment,
    CustomField,
    Label,
    Project,
    Task,
    TaskRelation,
    WorkflowState,
)
from subgraphs.projects.types.time import Timer, Worklog


@strawberry.type
class ProjectPayload:
    project: Project | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TaskPayload:
    task: Task | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class BoardPayload:
    board: Board | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class BoardColumnPayload:
    column: BoardColumn | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="ProjectLabelPayload")
class LabelPayload:
    label: Label | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WorkflowStatePayload:
    state: WorkflowState | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="TaskCustomFieldPayload")
class CustomFieldPayload:
    field: CustomField | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="TaskCommentPayload")
class CommentPayload:
    comment: Comment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TaskRelationPayload:
    relation: TaskRelation | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WorklogPayload:
    worklog: Worklog | None = None
    task: Task | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TimerPayload:
    timer: Timer | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CyclePayload:
    cycle: Cycle | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CompleteCyclePayload:
    cycle: Cycle | None = None
    next_cycle: Cycle | None = None
    rolled_over_count: int = 0
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="SavedTaskView")
class SavedView:
    id: strawberry.ID
    name: str
    shared: bool
    owner_id: strawberry.ID | None


@strawberry.type(name="SavedTaskViewPayload")
class SavedViewPayload:
    view: SavedView | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="DeleteSavedTaskViewPayload")
class DeletePayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
