"""Queries of the projects subgraph (all need `projects:read`)."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from subgraphs.kit.errors import InvalidCursorError
from subgraphs.kit.relay import Connection, connection_from_rows, decode_cursor, page_size
from subgraphs.projects.access import hidden_projects, visible_one, visible_project
from subgraphs.projects.errors import InvalidInputError, ProjectNotFoundError, TaskNotFoundError
from subgraphs.projects.loaders import ProjectsById, TasksById
from subgraphs.projects.repository.boards import BoardRepository, ViewRepository
from subgraphs.projects.repository.projects import ProjectRepository
from subgraphs.projects.repository.time import RollupDimension, WorklogRepository
from subgraphs.projects.resolvers.common import uids
from subgraphs.projects.resolvers.filters import task_query
from subgraphs.projects.resolvers.time import saved_view
from subgraphs.projects.service import views, worklogs
from subgraphs.projects.types.boards import Board
from subgraphs.projects.types.common import READ, Ctx, RollupBy, maybe_uuid
from subgraphs.projects.types.inputs import TaskFilterInput, TaskOrderInput
from subgraphs.projects.types.payloads import SavedView
from subgraphs.projects.types.preload import preload
from subgraphs.projects.types.tasks import Project, Task
from subgraphs.projects.types.time import Timer, TimeRollupRow


def _keyset(cursor: str | None) -> tuple[str, str] | None:
    raw = decode_cursor(cursor)
    if raw is None:
        return None
    value, _, key = raw.rpartition("|")
    if maybe_uuid(key) is None:
        raise InvalidCursorError(field="after")
    return value, key


@strawberry.type
class Query:
    @strawberry.field
    async def project(self, info: Ctx, id: strawberry.ID) -> Project | None:
        info.context.require_permission(READ)
        key = maybe_uuid(id)
        found = await info.context.loaders.get(ProjectsById).load(key) if key else None
        found = await visible_project(info, found)
        return Project.of(found) if found is not None else None

    @strawberry.field
    async def projects(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        include_archived: bool = False,
        search: str | None = None,
    ) -> Connection[Project]:
        info.context.require_permission(READ)
        size, cursor = page_size(first), _keyset(after)
        position = (datetime.fromisoformat(cursor[0]), uuid.UUID(cursor[1])) if cursor else None
        hidden = await hidden_projects(info)
        async with info.context.sessions.read() as session:
            rows = await ProjectRepository(session).list_page(
                after=position,
                limit=size + 1,
                include_archived=include_archived,
                search=(search or "").strip()[:100] or None,
                hidden=hidden,
            )
        nodes = [Project.of(p) for p in rows]
        return connection_from_rows(
            nodes,
            size=size,
            had_cursor=after is not None,
            key=lambda p: f"{p.model.created_at.isoformat()}|{p.id}",
        )

    @strawberry.field
    async def task(self, info: Ctx, id: strawberry.ID) -> Task | None:
        info.context.require_permission(READ)
        key = maybe_uuid(id)
        found = await info.context.loaders.get(TasksById).load(key) if key else None
        found = await visible_one(info, found)
        return Task.of(found) if found is not None else None

    @strawberry.field
    async def tasks(
        self,
        info: Ctx,
        filter: TaskFilterInput | None = None,
        order_by: TaskOrderInput | None = None,
        view_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Task]:
        """Tasks matching typed filters (or a saved view), ordered."""
        principal = info.context.require_permission(READ)
        size, cursor = page_size(first), _keyset(after)
        query = task_query(filter, order_by)
        hidden = await hidden_projects(info)
        async with info.context.sessions.read() as session:
            if view_id is not None:
                view = await views.get_view(
                    principal, session, uids([view_id], InvalidInputError, "viewId")[0]
                )
                query = views.decode_query(view.filters)
            rows = await views.list_tasks(session, query, cursor, size + 1, hidden=hidden)
        values = {task.id: value for task, value in rows}
        preloaded = await preload(info, [task for task, _ in rows], "tasks", "edges", "node")
        nodes = [Task.of(task, preloaded) for task, _ in rows]
        return connection_from_rows(
            nodes,
            size=size,
            had_cursor=after is not None,
            key=lambda t: f"{values[t.model.id]}|{t.id}",
        )

    @strawberry.field
    async def search_tasks(self, info: Ctx, text: str, first: int = 20) -> list[Task]:
        """Full-text search (a word ending with `*` is a prefix); an identifier such as
        OPS-142 matches that task."""
        info.context.require_permission(READ)
        hidden = await hidden_projects(info)
        async with info.context.sessions.read() as session:
            found = await views.search_tasks(session, text, max(1, min(first, 100)), hidden=hidden)
        return [Task.of(t) for t in found]

    @strawberry.field
    async def board(self, info: Ctx, id: strawberry.ID) -> Board | None:
        info.context.require_permission(READ)
        key = maybe_uuid(id)
        if key is None:
            return None
        async with info.context.sessions.read() as session:
            found = await BoardRepository(session).find(key)
        found = await visible_one(info, found)
        return Board.of(found) if found is not None else None

    @strawberry.field
    async def saved_views(self, info: Ctx) -> list[SavedView]:
        principal = info.context.require_permission(READ)
        async with info.context.sessions.read() as session:
            found = await ViewRepository(session).visible_to(principal.user_id)
        return [saved_view(v) for v in found]

    @strawberry.field
    async def time_rollup(
        self,
        info: Ctx,
        by: RollupBy,
        project_ids: list[strawberry.ID] | None = None,
        user_ids: list[strawberry.ID] | None = None,
        task_ids: list[strawberry.ID] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[TimeRollupRow]:
        """Time logged, grouped by task, project, user or period (SQL)."""
        info.context.require_permission(READ)
        hidden = await hidden_projects(info)
        async with info.context.sessions.read() as session:
            rows = await worklogs.rollup(
                session,
                RollupDimension(by.value),
                project_ids=list(uids(project_ids, ProjectNotFoundError, "projectIds")),
                user_ids=list(uids(user_ids, InvalidInputError, "userIds")),
                task_ids=list(uids(task_ids, TaskNotFoundError, "taskIds")),
                since=since,
                until=until,
                hidden=sorted(hidden),
            )
        return [
            TimeRollupRow(key=k, seconds=s, hours=round(s / 3600, 2), worklogs=n)
            for k, s, n in rows
        ]

    @strawberry.field
    async def my_timer(self, info: Ctx) -> Timer | None:
        """The caller's running timer."""
        principal = info.context.require_permission(READ)
        async with info.context.sessions.read() as session:
            found = await WorklogRepository(session).find_timer(principal.user_id)
        if found is not None:
            task = await info.context.loaders.get(TasksById).load(found.task_id)
            found = found if await visible_one(info, task) is not None else None
        return Timer.of(found) if found is not None else None
