"""Per-request loaders of the projects subgraph: one repository call per batch, so a list of
N tasks costs the same number of queries as a list of one."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.loaders import Loader
from subgraphs.projects.models import (
    Board,
    Comment,
    CustomField,
    CustomFieldValue,
    Cycle,
    Label,
    Project,
    Task,
    TaskHistory,
    TaskLink,
    TicketLink,
    WorkflowState,
    Worklog,
)
from subgraphs.projects.models import Worklog as WorklogModel
from subgraphs.projects.repository.boards import BoardRepository
from subgraphs.projects.repository.cycles import CycleCounts, CycleRepository
from subgraphs.projects.repository.links import LinkRepository, TicketLinkRepository
from subgraphs.projects.repository.projects import (
    CustomFieldRepository,
    LabelRepository,
    ProjectRepository,
    StateRepository,
)
from subgraphs.projects.repository.tasks import TaskRepository
from subgraphs.projects.repository.time import WorklogRepository

K = TypeVar("K")
V = TypeVar("V")
Id = uuid.UUID


def group(pairs: Iterable[tuple[K, V]]) -> dict[K, list[V]]:
    grouped: dict[K, list[V]] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return grouped


class ProjectsById(Loader[Id, Project]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, Project]:
        return {p.id: p for p in await ProjectRepository(session).list_by_ids(keys)}


class TasksById(Loader[Id, Task]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, Task]:
        return {t.id: t for t in await TaskRepository(session).list_by_ids(keys)}


class StatesById(Loader[Id, WorkflowState]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, WorkflowState]:
        return {s.id: s for s in await StateRepository(session).list_by_ids(keys)}


class StatesByProject(Loader[Id, list[WorkflowState]]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[Id]
    ) -> Mapping[Id, list[WorkflowState]]:
        rows = await StateRepository(session).list_for_projects(keys)
        return group((s.project_id, s) for s in rows)


class LabelsByProject(Loader[Id, list[Label]]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, list[Label]]:
        return group(
            (lb.project_id, lb) for lb in await LabelRepository(session).list_for_projects(keys)
        )


class LabelsByTask(Loader[Id, list[Label]]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, list[Label]]:
        return group(await LabelRepository(session).for_tasks(keys))


class MembersByProject(Loader[Id, list[Id]]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, list[Id]]:
        rows = await ProjectRepository(session).members_of(keys)
        return group((m.project_id, m.user_id) for m in rows)


class BoardsByProject(Loader[Id, list[Board]]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, list[Board]]:
        return group(
            (b.project_id, b) for b in await BoardRepository(session).list_for_projects(keys)
        )


class CyclesById(Loader[Id, Cycle]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, Cycle]:
        return {c.id: c for c in await CycleRepository(session).list_by_ids(keys)}


class CyclesByProject(Loader[Id, list[Cycle]]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, list[Cycle]]:
        return group(
            (c.project_id, c) for c in await CycleRepository(session).list_for_projects(keys)
        )


class CycleProgress(Loader[Id, CycleCounts]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, CycleCounts]:
        return await CycleRepository(session).counts(keys)


class SubtasksByParent(Loader[Id, list[Task]]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, list[Task]]:
        rows = await TaskRepository(session).children_of(keys)
        return group((t.parent_id, t) for t in rows if t.parent_id is not None)


class AssignedByUser(Loader[Id, list[Task]]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, list[Task]]:
        rows = await TaskRepository(session).assigned_to(keys)
        return group((t.assignee_id, t) for t in rows if t.assignee_id is not None)


class CommentsByTask(Loader[Id, list[Comment]]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, list[Comment]]:
        return group((c.task_id, c) for c in await TaskRepository(session).comments_of(keys))


class HistoryByTask(Loader[Id, list[TaskHistory]]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[Id]
    ) -> Mapping[Id, list[TaskHistory]]:
        return group((h.task_id, h) for h in await TaskRepository(session).history_of(keys))


class WatchersByTask(Loader[Id, list[Id]]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, list[Id]]:
        rows = await TaskRepository(session).watchers_of(keys)
        return group((w.task_id, w.user_id) for w in rows)


class LinksByTask(Loader[Id, list[TaskLink]]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, list[TaskLink]]:
        wanted = set(keys)
        found: dict[Id, list[TaskLink]] = defaultdict(list)
        for link in await LinkRepository(session).of_tasks(keys):
            for end in {link.source_id, link.target_id} & wanted:
                found[end].append(link)
        return found


class TicketLinksByTask(Loader[Id, list[TicketLink]]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[Id]
    ) -> Mapping[Id, list[TicketLink]]:
        return group((ln.task_id, ln) for ln in await TicketLinkRepository(session).of_tasks(keys))


class TicketLinksByTicket(Loader[str, list[TicketLink]]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[str]
    ) -> Mapping[str, list[TicketLink]]:
        return group(
            (ln.ticket_id, ln) for ln in await TicketLinkRepository(session).of_tickets(keys)
        )


class SpentByTask(Loader[Id, int]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, int]:
        return await WorklogRepository(session).spent_by(WorklogModel.task_id, keys)


class SpentByProject(Loader[Id, int]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, int]:
        return await WorklogRepository(session).spent_by(WorklogModel.project_id, keys)


class WorklogsByTask(Loader[Id, list[Worklog]]):
    async def batch(self, session: AsyncSession, keys: Sequence[Id]) -> Mapping[Id, list[Worklog]]:
        return group((w.task_id, w) for w in await WorklogRepository(session).of_tasks(keys))


class FieldsByProject(Loader[Id, list[CustomField]]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[Id]
    ) -> Mapping[Id, list[CustomField]]:
        rows = await CustomFieldRepository(session).list_for_projects(keys)
        found: dict[Id, list[CustomField]] = {key: [] for key in keys}
        for field in rows:
            for key in keys if field.project_id is None else [field.project_id]:
                found[key].append(field)
        return found


class FieldValuesByTask(Loader[Id, list[CustomFieldValue]]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[Id]
    ) -> Mapping[Id, list[CustomFieldValue]]:
        rows = await CustomFieldRepository(session).values_for_tasks(keys)
        return group((v.task_id, v) for v in rows)


async def load_list(loader: Loader[Any, list[V]], key: Any) -> list[V]:
    return list(await loader.load(key) or [])
