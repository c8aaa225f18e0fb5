"""GraphQL filter inputs -> the plain `TaskQuery` the services take."""

from __future__ import annotations

from subgraphs.projects.errors import (
    CycleNotFoundError,
    FieldNotFoundError,
    InvalidInputError,
    LabelNotFoundError,
    ProjectNotFoundError,
    StateNotFoundError,
    TaskNotFoundError,
)
from subgraphs.projects.filters import (
    CustomFieldCondition,
    TaskFilter,
    TaskOrder,
    TaskOrderField,
    TaskQuery,
)
from subgraphs.projects.resolvers.common import uid, uids
from subgraphs.projects.types.common import OrderDirection
from subgraphs.projects.types.inputs import TaskFilterInput, TaskOrderInput


def task_filter(spec: TaskFilterInput | None) -> TaskFilter:
    if spec is None:
        return TaskFilter()
    return TaskFilter(
        project_ids=uids(spec.project_ids, ProjectNotFoundError, "projectIds"),
        state_ids=uids(spec.state_ids, StateNotFoundError, "stateIds"),
        categories=tuple(c.value for c in spec.state_categories or []),
        assignee_ids=uids(spec.assignee_ids, InvalidInputError, "assigneeIds"),
        unassigned=spec.unassigned,
        priorities=tuple(p.value for p in spec.priorities or []),
        label_ids=uids(spec.label_ids, LabelNotFoundError, "labelIds"),
        cycle_id=uid(spec.cycle_id, CycleNotFoundError, "cycleId") if spec.cycle_id else None,
        parent_id=uid(spec.parent_id, TaskNotFoundError, "parentId") if spec.parent_id else None,
        due_before=spec.due_before,
        due_after=spec.due_after,
        search=(spec.search or "").strip()[:200] or None,
        custom=tuple(
            CustomFieldCondition(
                uid(c.field_id, FieldNotFoundError, "fieldId"), c.equals, c.min, c.max
            )
            for c in spec.custom_fields or []
        ),
    )


def task_order(order: TaskOrderInput | None) -> TaskOrder:
    if order is None:
        return TaskOrder()
    return TaskOrder(TaskOrderField(order.field.value), order.direction is OrderDirection.DESC)


def task_query(spec: TaskFilterInput | None, order: TaskOrderInput | None) -> TaskQuery:
    query = TaskQuery(task_filter(spec), task_order(order))
    if query.order.field is TaskOrderField.RELEVANCE and not query.filter.search:
        raise InvalidInputError(
            field="orderBy", what="order", reason="RELEVANCE needs a search in the filter"
        )
    return query
