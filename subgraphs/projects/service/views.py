"""Task queries: the filtered page, saved views and search."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from dataclasses import asdict
from datetime import date
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.principal import Principal
from subgraphs.projects.errors import InvalidInputError, ViewNotFoundError
from subgraphs.projects.filters import (
    CustomFieldCondition,
    TaskFilter,
    TaskOrder,
    TaskOrderField,
    TaskQuery,
)
from subgraphs.projects.models import SavedView, Task
from subgraphs.projects.repository.boards import ViewRepository
from subgraphs.projects.repository.tasks import TaskRepository
from subgraphs.projects.service.common import as_text, clean_text, now

IDENTIFIER = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]{1,9})-(\d{1,9})\s*$")


async def list_tasks(
    session: AsyncSession,
    query: TaskQuery,
    after: tuple[str, str] | None,
    limit: int,
    *,
    hidden: Collection[uuid.UUID] = (),
) -> list[tuple[Task, str]]:
    """A page of tasks and each one's sort value as text (for the cursor), leaving out the
    tasks of `hidden` projects."""
    if query.order.field is TaskOrderField.RELEVANCE and not query.filter.search:
        query = TaskQuery(query.filter)  # a saved view whose search was emptied
    repository = TaskRepository(session)
    rows = await repository.list_page(query.filter, query.order, after, limit, hidden=hidden)
    return [(task, as_text(value) or "") for task, value in rows]


async def search_tasks(
    session: AsyncSession, text: str, limit: int, *, hidden: Collection[uuid.UUID] = ()
) -> list[Task]:
    """`OPS-142` finds that task; anything else is a full-text search of titles,
    descriptions and comments, best match first."""
    cleaned = text.strip()[:200]
    if not cleaned:
        return []
    match = IDENTIFIER.match(cleaned)
    if match is not None:
        found = await TaskRepository(session).find_by_identifier(
            match.group(1).upper(), int(match.group(2))
        )
        if found is not None and found.project_id not in hidden:
            return [found]
    spec = TaskFilter(search=cleaned)
    order = TaskOrder(TaskOrderField.RELEVANCE)
    rows = await TaskRepository(session).list_page(spec, order, None, limit, hidden=hidden)
    return [task for task, _ in rows]


def _encode(query: TaskQuery) -> str:
    return orjson.dumps(asdict(query), default=str).decode()


def _ids(values: list[Any]) -> tuple[uuid.UUID, ...]:
    return tuple(uuid.UUID(str(v)) for v in values)


def decode_query(raw: str) -> TaskQuery:
    data = orjson.loads(raw)
    spec, order = data["filter"], data["order"]
    custom = tuple(
        CustomFieldCondition(uuid.UUID(c["field_id"]), c["equals"], c["min"], c["max"])
        for c in spec["custom"]
    )
    day = date.fromisoformat
    return TaskQuery(
        TaskFilter(
            project_ids=_ids(spec["project_ids"]),
            state_ids=_ids(spec["state_ids"]),
            categories=tuple(spec["categories"]),
            assignee_ids=_ids(spec["assignee_ids"]),
            unassigned=spec["unassigned"],
            priorities=tuple(spec["priorities"]),
            label_ids=_ids(spec["label_ids"]),
            cycle_id=uuid.UUID(spec["cycle_id"]) if spec["cycle_id"] else None,
            parent_id=uuid.UUID(spec["parent_id"]) if spec["parent_id"] else None,
            due_before=day(spec["due_before"]) if spec["due_before"] else None,
            due_after=day(spec["due_after"]) if spec["due_after"] else None,
            search=spec["search"],
            custom=custom,
        ),
        TaskOrder(TaskOrderField(order["field"]), bool(order["descending"])),
    )


async def save_view(
    actor: Principal, session: AsyncSession, name: str, query: TaskQuery, shared: bool
) -> SavedView:
    view = SavedView(
        id=uuid.uuid4(),
        owner_id=actor.user_id,
        name=clean_text(name, field="name", what="view name", maximum=100),
        filters=_encode(query),
        shared=shared,
        created_at=now(),
    )
    session.add(view)
    return view


async def get_view(actor: Principal, session: AsyncSession, view_id: uuid.UUID) -> SavedView:
    view = await ViewRepository(session).find(view_id)
    if view is None or not (view.shared or view.owner_id == actor.user_id):
        raise ViewNotFoundError(field="viewId")
    return view


async def delete_view(actor: Principal, session: AsyncSession, view_id: uuid.UUID) -> uuid.UUID:
    view = await get_view(actor, session, view_id)
    if view.owner_id != actor.user_id:
        raise InvalidInputError(field="id", what="view", reason="only its owner can delete it")
    await ViewRepository(session).delete(view.id)
    return view.id
