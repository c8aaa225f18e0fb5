"""Plain data shared by services and repositories: a task query (typed filters and order)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class TaskOrderField(StrEnum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    NUMBER = "NUMBER"
    PRIORITY = "PRIORITY"
    DUE_DATE = "DUE_DATE"
    RANK = "RANK"
    TITLE = "TITLE"
    RELEVANCE = "RELEVANCE"  # full-text rank of `search`, best match first (ASC)


@dataclass(frozen=True, slots=True)
class CustomFieldCondition:
    field_id: uuid.UUID
    equals: str | None = None  # TEXT, SELECT, DATE (ISO), BOOLEAN ("true"/"false")
    min: float | None = None  # NUMBER
    max: float | None = None


@dataclass(frozen=True, slots=True)
class TaskFilter:
    project_ids: tuple[uuid.UUID, ...] = ()
    state_ids: tuple[uuid.UUID, ...] = ()
    categories: tuple[str, ...] = ()
    assignee_ids: tuple[uuid.UUID, ...] = ()
    unassigned: bool = False
    priorities: tuple[str, ...] = ()
    label_ids: tuple[uuid.UUID, ...] = ()
    cycle_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    due_before: date | None = None
    due_after: date | None = None
    search: str | None = None
    custom: tuple[CustomFieldCondition, ...] = ()


@dataclass(frozen=True, slots=True)
class TaskOrder:
    field: TaskOrderField = TaskOrderField.CREATED_AT
    descending: bool = False


@dataclass(frozen=True, slots=True)
class TaskQuery:
    filter: TaskFilter = field(default_factory=TaskFilter)
    order: TaskOrder = field(default_factory=TaskOrder)
