"""The resolver context type, enums and id parsing shared by every GraphQL module."""

from __future__ import annotations

import uuid
from enum import Enum

import strawberry
from strawberry.types import Info

from subgraphs.kit.context import SubgraphContext
from subgraphs.kit.errors import DomainError
from subgraphs.projects import models
from subgraphs.projects.deps import ProjectsDeps
from subgraphs.projects.filters import TaskOrderField
from subgraphs.projects.repository.time import RollupDimension
from subgraphs.projects.service.links import Relation
from subgraphs.projects.service.worklogs import AdjustEstimate

Ctx = Info[SubgraphContext[ProjectsDeps], None]
READ = "projects:read"
WRITE = "projects:write"

# the domain enums, registered as GraphQL enums (strawberry.enum marks the class in place)
ProjectStatus = models.ProjectStatus
StateCategory = models.StateCategory
Priority = models.Priority
Swimlane = models.Swimlane
FieldType = models.FieldType
TaskRelationType = Relation
AdjustEstimateMode = AdjustEstimate
RollupBy = RollupDimension
TaskOrderBy = TaskOrderField
for _enum, _name in (
    (ProjectStatus, "ProjectStatus"),
    (StateCategory, "StateCategory"),
    (Priority, "Priority"),
    (Swimlane, "Swimlane"),
    (FieldType, "TaskCustomFieldType"),
    (Relation, "TaskRelationType"),
    (AdjustEstimate, "AdjustEstimate"),
    (RollupDimension, "TimeRollupDimension"),
    (TaskOrderField, "TaskOrderField"),
):
    strawberry.enum(_enum, name=_name)


@strawberry.enum(name="OrderDirection")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


def parse_uuid(raw: str | None, error: type[DomainError], field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise error(field=field) from exc


def maybe_uuid(raw: str | None) -> uuid.UUID | None:
    if raw is None:
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def hours(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 4)
