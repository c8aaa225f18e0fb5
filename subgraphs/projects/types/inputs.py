"""Mutation inputs and filters; `UNSET` (omitted) differs from `null` (clear the field)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from subgraphs.projects.types.common import (
    AdjustEstimateMode,
    FieldType,
    OrderDirection,
    Priority,
    ProjectStatus,
    StateCategory,
    Swimlane,
    TaskOrderBy,
    TaskRelationType,
)

UNSET = strawberry.UNSET


@strawberry.input
class CreateProjectInput:
    key: str = strawberry.field(description="2-10 letters/digits, first a letter (OPS).")
    name: str
    description: str = ""
    lead_id: strawberry.ID | None = None
    start_date: date | None = None
    target_date: date | None = None
    private: bool = strawberry.field(
        default=False, description="Visible only to its members and the tenant's admins."
    )


@strawberry.input
class UpdateProjectInput:
    id: strawberry.ID
    name: str | None = UNSET
    description: str | None = UNSET
    status: ProjectStatus | None = UNSET
    lead_id: strawberry.ID | None = UNSET
    start_date: date | None = UNSET
    target_date: date | None = UNSET
    private: bool | None = strawberry.field(
        default=UNSET, description="Visible only to its members and the tenant's admins."
    )


@strawberry.input
class CreateTaskInput:
    project_id: strawberry.ID
    title: str
    description: str = ""
    state_id: strawberry.ID | None = None
    assignee_id: strawberry.ID | None = None
    priority: Priority = Priority.NONE
    estimate_points: float | None = None
    estimated_hours: float | None = None
    label_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    due_date: date | None = None
    parent_id: strawberry.ID | None = None
    cycle_id: strawberry.ID | None = None


@strawberry.input
class UpdateTaskInput:
    id: strawberry.ID
    title: str | None = UNSET
    description: str | None = UNSET
    state_id: strawberry.ID | None = UNSET
    assignee_id: strawberry.ID | None = UNSET
    priority: Priority | None = UNSET
    estimate_points: float | None = UNSET
    estimated_hours: float | None = UNSET
    remaining_hours: float | None = UNSET
    label_ids: list[strawberry.ID] | None = UNSET
    due_date: date | None = UNSET
    parent_id: strawberry.ID | None = UNSET
    cycle_id: strawberry.ID | None = UNSET


@strawberry.input
class MoveCardInput:
    board_id: strawberry.ID
    task_id: strawberry.ID
    to_column_id: strawberry.ID
    after_task_id: strawberry.ID | None = strawberry.field(
        default=None, description="Place right after this card (wins over beforeTaskId)."
    )
    before_task_id: strawberry.ID | None = None


@strawberry.input
class CreateBoardInput:
    project_id: strawberry.ID
    name: str
    swimlane: Swimlane = Swimlane.NONE


@strawberry.input
class AddColumnInput:
    board_id: strawberry.ID
    name: str
    state_ids: list[strawberry.ID]
    wip_limit: int | None = None


@strawberry.input
class UpdateColumnInput:
    id: strawberry.ID
    name: str | None = UNSET
    wip_limit: int | None = UNSET
    state_ids: list[strawberry.ID] | None = UNSET


@strawberry.input
class CreateStateInput:
    project_id: strawberry.ID
    name: str
    category: StateCategory


@strawberry.input(name="CreateTaskCustomFieldInput")
class CreateCustomFieldInput:
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="Null: a field of every project of the tenant."
    )
    name: str
    type: FieldType
    options: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class LinkTasksInput:
    task_id: strawberry.ID
    type: TaskRelationType
    other_task_id: strawberry.ID


@strawberry.input
class LogWorkInput:
    task_id: strawberry.ID
    seconds: int
    started_at: datetime | None = None
    note: str = ""
    adjust_estimate: AdjustEstimateMode = AdjustEstimateMode.AUTO
    new_estimate_seconds: int | None = None
    reduce_by_seconds: int | None = None


@strawberry.input
class CreateCycleInput:
    project_id: strawberry.ID
    name: str
    starts_on: date
    ends_on: date


@strawberry.input(name="TaskCustomFieldFilter")
class CustomFieldFilter:
    field_id: strawberry.ID
    equals: str | None = None
    min: float | None = None
    max: float | None = None


@strawberry.input
class TaskFilterInput:
    project_ids: list[strawberry.ID] | None = None
    state_ids: list[strawberry.ID] | None = None
    state_categories: list[StateCategory] | None = None
    assignee_ids: list[strawberry.ID] | None = None
    unassigned: bool = False
    priorities: list[Priority] | None = None
    label_ids: list[strawberry.ID] | None = None
    cycle_id: strawberry.ID | None = None
    parent_id: strawberry.ID | None = None
    due_before: date | None = None
    due_after: date | None = None
    search: str | None = strawberry.field(
        default=None,
        description="Full-text search of title, description and comments; every word is "
        "required, a word ending with `*` is a prefix (search-as-you-type).",
    )
    custom_fields: list[CustomFieldFilter] | None = None


@strawberry.input
class TaskOrderInput:
    field: TaskOrderBy = TaskOrderBy.CREATED_AT
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class SaveViewInput:
    name: str
    filter: TaskFilterInput | None = None
    order_by: TaskOrderInput | None = None
    shared: bool = False
