"""Tasks: lookups, the filtered and ordered page, board order, history, watchers, comments."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Numeric,
    Select,
    and_,
    cast,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from subgraphs.kit.fulltext import fts5_matches, tsvector_match, tsvector_rank
from subgraphs.kit.repository import Repository
from subgraphs.projects.filters import TaskFilter, TaskOrder, TaskOrderField
from subgraphs.projects.models import (
    Comment,
    CustomFieldValue,
    Project,
    Task,
    TaskHistory,
    TaskLabel,
    TaskWatcher,
    WorkflowState,
)

_FAR_FUTURE = date(9999, 12, 31)
_VECTOR = "tasks.search_vector"  # PostgreSQL: generated from title (A), description, comments
_FTS = "tasks_fts"  # SQLite: FTS5 (task_id UNINDEXED, title, body), kept by triggers
_FTS_WEIGHTS = (0.0, 4.0, 1.0)


def order_column(order: TaskOrder, score: ColumnElement[Any] | None = None) -> ColumnElement[Any]:
    if order.field is TaskOrderField.RELEVANCE:
        if score is None:
            raise ValueError("RELEVANCE needs a search")
        return score
    columns: dict[TaskOrderField, Any] = {
        TaskOrderField.CREATED_AT: Task.created_at,
        TaskOrderField.UPDATED_AT: Task.updated_at,
        TaskOrderField.NUMBER: Task.number,
        TaskOrderField.PRIORITY: Task.priority_weight,
        TaskOrderField.DUE_DATE: func.coalesce(Task.due_date, literal(_FAR_FUTURE)),
        TaskOrderField.RANK: Task.rank,
        TaskOrderField.TITLE: Task.title,
    }
    column: ColumnElement[Any] = columns[order.field]
    return column


def sort_value(field: TaskOrderField, raw: str) -> Any:
    """A cursor's sort value back in the column's Python type."""
    if field in (TaskOrderField.CREATED_AT, TaskOrderField.UPDATED_AT):
        return datetime.fromisoformat(raw)
    if field in (TaskOrderField.NUMBER, TaskOrderField.PRIORITY):
        return int(raw)
    if field is TaskOrderField.DUE_DATE:
        return date.fromisoformat(raw)
    if field is TaskOrderField.RELEVANCE:
        return Decimal(raw)
    return raw


def _custom_condition(condition: Any) -> ColumnElement[bool]:
    value = CustomFieldValue
    clauses: list[ColumnElement[bool]] = [
        value.task_id == Task.id,
        value.field_id == condition.field_id,
    ]
    if condition.equals is not None:
        clauses.append(value.value_text == condition.equals)
    if condition.min is not None:
        clauses.append(value.value_number >= condition.min)
    if condition.max is not None:
        clauses.append(value.value_number <= condition.max)
    return exists().where(and_(*clauses))


def filter_clauses(spec: TaskFilter) -> list[ColumnElement[bool]]:
    """The filter's conditions, except `search` (see `TaskRepository.searched`)."""
    clauses: list[ColumnElement[bool]] = []
    if spec.project_ids:
        clauses.append(Task.project_id.in_(spec.project_ids))
    if spec.state_ids:
        clauses.append(Task.state_id.in_(spec.state_ids))
    if spec.categories:
        clauses.append(
            Task.state_id.in_(
                select(WorkflowState.id).where(WorkflowState.category.in_(spec.categories))
            )
        )
    assignees: list[ColumnElement[bool]] = []
    if spec.assignee_ids:
        assignees.append(Task.assignee_id.in_(spec.assignee_ids))
    if spec.unassigned:
        assignees.append(Task.assignee_id.is_(None))
    if assignees:
        clauses.append(or_(*assignees))
    if spec.priorities:
        clauses.append(Task.priority.in_(spec.priorities))
    if spec.label_ids:
        clauses.append(
            exists().where(TaskLabel.task_id == Task.id, TaskLabel.label_id.in_(spec.label_ids))
        )
    if spec.cycle_id is not None:
        clauses.append(Task.cycle_id == spec.cycle_id)
    if spec.parent_id is not None:
        clauses.append(Task.parent_id == spec.parent_id)
    if spec.due_before is not None:
        clauses.append(Task.due_date <= spec.due_before)
    if spec.due_after is not None:
        clauses.append(Task.due_date >= spec.due_after)
    clauses.extend(_custom_condition(c) for c in spec.custom)
    return clauses


class TaskRepository(Repository[Task]):
    model = Task

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)

    async def find(self, task_id: uuid.UUID) -> Task | None:
        return await self.find_one(self.base().where(Task.id == task_id))

    async def find_by_identifier(self, key: str, number: int) -> Task | None:
        statement = (
            self.base()
            .join(Project, Project.id == Task.project_id)
            .where(Project.key == key, Task.number == number)
        )
        return await self.find_one(statement)

    async def list_by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[Task]:
        return await self.find_all(self.base().where(Task.id.in_(ids)))

    def searched(self, statement: Select[Any], text: str) -> tuple[Select[Any], Any]:
        """`statement` narrowed to the tasks matching `text` in title, description or
        comments, and the match's score (lower is better, rounded so a cursor holds it
        exactly): `websearch_to_tsquery` on PostgreSQL, FTS5 on SQLite."""
        if self.session.get_bind().dialect.name == "postgresql":
            score = cast(-tsvector_rank(_VECTOR, text), Numeric(16, 8))
            return statement.where(tsvector_match(_VECTOR, text)), score
        matches = fts5_matches(_FTS, "task_id", Task.id.type, text, _FTS_WEIGHTS)
        score = cast(func.round(matches.c.score, 8), Numeric(16, 8))
        return statement.join(matches, matches.c.key == Task.id), score

    async def list_page(
        self,
        spec: TaskFilter,
        order: TaskOrder,
        after: tuple[str, str] | None,
        limit: int,
        *,
        hidden: Collection[uuid.UUID] = (),
    ) -> Sequence[tuple[Task, Any]]:
        """Keyset page: rows after the cursor `(sort value, id)` in the requested order;
        `hidden`: projects the caller may not see."""
        statement: Select[Any] = select(Task).where(*filter_clauses(spec))
        score = None
        if spec.search:
            statement, score = self.searched(statement, spec.search)
        if hidden:
            statement = statement.where(Task.project_id.not_in(list(hidden)))
        column = order_column(order, score)
        statement = statement.add_columns(column).limit(limit)
        if order.descending:
            statement = statement.order_by(column.desc(), Task.id.desc())
        else:
            statement = statement.order_by(column, Task.id)
        if after is not None:
            key = tuple_(column, Task.id)
            value = literal(sort_value(order.field, after[0]), type_=column.type)
            bound = tuple_(value, literal(uuid.UUID(after[1])))
            statement = statement.where(key < bound if order.descending else key > bound)
        return [(row[0], row[1]) for row in (await self.session.execute(statement)).all()]

    async def list_for_states(self, state_ids: Sequence[uuid.UUID]) -> Sequence[Task]:
        statement = self.base().where(Task.state_id.in_(state_ids)).order_by(Task.rank)
        return await self.find_all(statement)

    async def count_in_states(
        self, state_ids: Sequence[uuid.UUID], exclude: uuid.UUID | None = None
    ) -> int:
        statement = select(func.count()).select_from(Task).where(Task.state_id.in_(state_ids))
        if exclude is not None:
            statement = statement.where(Task.id != exclude)
        return int((await self.session.execute(statement)).scalar_one())

    async def last_rank(self, project_id: uuid.UUID) -> str | None:
        statement = select(func.max(Task.rank)).where(Task.project_id == project_id)
        value = (await self.session.execute(statement)).scalar_one_or_none()
        return str(value) if value is not None else None

    async def neighbour_rank(
        self,
        project_id: uuid.UUID,
        rank: str,
        *,
        above: bool,
        state_ids: Sequence[uuid.UUID] | None,
        exclude: uuid.UUID,
    ) -> str | None:
        """The nearest rank above (greater) or below `rank` in the column (or project)."""
        column = func.min(Task.rank) if above else func.max(Task.rank)
        statement = select(column).where(
            Task.project_id == project_id,
            Task.id != exclude,
            Task.rank > rank if above else Task.rank < rank,
        )
        if state_ids is not None:
            statement = statement.where(Task.state_id.in_(state_ids))
        value = (await self.session.execute(statement)).scalar_one_or_none()
        return str(value) if value is not None else None

    async def run_around(
        self, project_id: uuid.UUID, rank: str, size: int
    ) -> tuple[str | None, list[Task], str | None]:
        """`size` tasks on each side of `rank` in project order, and the ranks bounding them."""
        base = self.base().where(Task.project_id == project_id)
        below = list(
            await self.find_all(
                base.where(Task.rank <= rank).order_by(Task.rank.desc()).limit(size + 1)
            )
        )
        above = list(
            await self.find_all(base.where(Task.rank > rank).order_by(Task.rank).limit(size + 1))
        )
        low = below.pop().rank if len(below) > size else None
        high = above.pop().rank if len(above) > size else None
        return low, [*reversed(below), *above], high

    async def ancestors_include(self, start: uuid.UUID, candidate: uuid.UUID) -> bool:
        """Whether `candidate` is `start` or one of its ancestors (recursive CTE)."""
        chain = select(Task.id, Task.parent_id).where(Task.id == start).cte(recursive=True)
        parent = select(Task.id, Task.parent_id).join(chain, Task.id == chain.c.parent_id)
        chain = chain.union_all(parent)
        statement = select(func.count()).select_from(chain).where(chain.c.id == candidate)
        return int((await self.session.execute(statement)).scalar_one()) > 0

    async def children_of(self, parent_ids: Sequence[uuid.UUID]) -> Sequence[Task]:
        statement = self.base().where(Task.parent_id.in_(parent_ids)).order_by(Task.number)
        return await self.find_all(statement)

    async def assigned_to(self, user_ids: Sequence[uuid.UUID]) -> Sequence[Task]:
        statement = (
            self.base()
            .where(Task.assignee_id.in_(user_ids), Task.completed_at.is_(None))
            .order_by(Task.priority_weight, Task.created_at)
        )
        return await self.find_all(statement)

    async def history_of(self, task_ids: Sequence[uuid.UUID]) -> Sequence[TaskHistory]:
        statement = (
            select(TaskHistory)
            .where(TaskHistory.task_id.in_(task_ids))
            .order_by(TaskHistory.at, TaskHistory.id)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def watchers_of(self, task_ids: Sequence[uuid.UUID]) -> Sequence[TaskWatcher]:
        statement = select(TaskWatcher).where(TaskWatcher.task_id.in_(task_ids))
        return (await self.session.execute(statement)).scalars().all()

    async def add_watchers(self, task_id: uuid.UUID, user_ids: Sequence[uuid.UUID]) -> None:
        present = {w.user_id for w in await self.watchers_of([task_id])}
        for user_id in dict.fromkeys(user_ids):
            if user_id not in present:
                self.session.add(TaskWatcher(task_id=task_id, user_id=user_id))

    async def remove_watcher(self, task_id: uuid.UUID, user_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(TaskWatcher).where(
                TaskWatcher.task_id == task_id, TaskWatcher.user_id == user_id
            )
        )

    async def comments_of(self, task_ids: Sequence[uuid.UUID]) -> Sequence[Comment]:
        statement = (
            select(Comment).where(Comment.task_id.in_(task_ids)).order_by(Comment.created_at)
        )
        return (await self.session.execute(statement)).scalars().all()
