"""Task, Project and the federation stubs they reference (User, Ticket)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from subgraphs.projects import models
from subgraphs.projects.access import visible, visible_one, visible_project
from subgraphs.projects.loaders import (
    AssignedByUser,
    CommentsByTask,
    CyclesById,
    FieldsByProject,
    FieldValuesByTask,
    HistoryByTask,
    LabelsByProject,
    LabelsByTask,
    LinksByTask,
    MembersByProject,
    ProjectsById,
    SpentByProject,
    SpentByTask,
    StatesById,
    StatesByProject,
    SubtasksByParent,
    TasksById,
    TicketLinksByTask,
    TicketLinksByTicket,
    WatchersByTask,
    WorklogsByTask,
    load_list,
)
from subgraphs.projects.service.links import relation_from
from subgraphs.projects.types.common import (
    READ,
    Ctx,
    FieldType,
    Priority,
    ProjectStatus,
    StateCategory,
    TaskRelationType,
    hours,
    maybe_uuid,
)
from subgraphs.projects.types.preload import Preloaded

if TYPE_CHECKING:
    from subgraphs.projects.types.boards import Board, Cycle
    from subgraphs.projects.types.time import Worklog

BoardRef = Annotated["Board", strawberry.lazy("subgraphs.projects.types.boards")]
CycleRef = Annotated["Cycle", strawberry.lazy("subgraphs.projects.types.boards")]
WorklogRef = Annotated["Worklog", strawberry.lazy("subgraphs.projects.types.time")]


def user(user_id: uuid.UUID | None) -> User | None:
    return User(id=strawberry.ID(str(user_id))) if user_id is not None else None


@strawberry.federation.type(name="User", keys=["id"])
class User:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> User:
        return cls(id=id)

    @strawberry.field
    async def assigned_tasks(self, info: Ctx, first: int = 50) -> list[Task]:
        """Open tasks assigned to this user, most urgent first."""
        info.context.require_permission(READ)
        key = maybe_uuid(self.id)
        if key is None:
            return []
        tasks = await visible(info, await load_list(info.context.loaders.get(AssignedByUser), key))
        return [Task.of(t) for t in tasks[: max(0, min(first, 200))]]


@strawberry.federation.type(name="Ticket", keys=["id"])
class Ticket:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> Ticket:
        return cls(id=id)

    @strawberry.field
    async def linked_tasks(self, info: Ctx) -> list[Task]:
        """Engineering tasks linked to this ticket."""
        info.context.require_permission(READ)
        links = await load_list(info.context.loaders.get(TicketLinksByTicket), str(self.id))
        loader = info.context.loaders.get(TasksById)
        found = await asyncio.gather(*(loader.load(link.task_id) for link in links))
        return [Task.of(t) for t in await visible(info, (t for t in found if t is not None))]


@strawberry.type(name="WorkflowState")
class WorkflowState:
    id: strawberry.ID
    name: str
    category: StateCategory
    position: int

    @classmethod
    def of(cls, state: models.WorkflowState) -> WorkflowState:
        return cls(
            id=strawberry.ID(str(state.id)),
            name=state.name,
            category=models.StateCategory(state.category),
            position=state.position,
        )


@strawberry.type(name="ProjectLabel")
class Label:
    id: strawberry.ID
    name: str
    color: str

    @classmethod
    def of(cls, label: models.Label) -> Label:
        return cls(id=strawberry.ID(str(label.id)), name=label.name, color=label.color)


@strawberry.type(name="TaskCustomField")
class CustomField:
    id: strawberry.ID
    name: str
    type: FieldType
    options: list[str]
    project_wide: bool = strawberry.field(description="False: defined for the whole tenant.")

    @classmethod
    def of(cls, field: models.CustomField) -> CustomField:
        return cls(
            id=strawberry.ID(str(field.id)),
            name=field.name,
            type=models.FieldType(field.type),
            options=[o for o in field.options.split("\n") if o],
            project_wide=field.project_id is not None,
        )


@strawberry.type(name="TaskCustomFieldValue")
class CustomFieldValue:
    field_id: strawberry.ID
    value: str | None


@strawberry.type(name="TaskComment")
class Comment:
    id: strawberry.ID
    body: str = strawberry.field(description="Markdown.")
    created_at: datetime
    author: User | None
    mentions: list[User]

    @classmethod
    def of(cls, comment: models.Comment) -> Comment:
        mentioned = [uuid.UUID(m) for m in comment.mentions.split()]
        return cls(
            id=strawberry.ID(str(comment.id)),
            body=comment.body,
            created_at=models.aware(comment.created_at),
            author=user(comment.author_id),
            mentions=[u for u in map(user, mentioned) if u is not None],
        )


@strawberry.type(name="TaskHistoryEntry")
class HistoryEntry:
    field: str
    old_value: str | None
    new_value: str | None
    at: datetime
    actor: User | None

    @classmethod
    def of(cls, entry: models.TaskHistory) -> HistoryEntry:
        return cls(
            field=entry.field,
            old_value=entry.old_value,
            new_value=entry.new_value,
            at=models.aware(entry.at),
            actor=user(entry.actor_id),
        )


@strawberry.type(name="TaskRelation", description="A dependency as read from this task.")
class TaskRelation:
    id: strawberry.ID
    type: TaskRelationType
    task_id: strawberry.ID

    @strawberry.field
    async def task(self, info: Ctx) -> Task | None:
        found = await info.context.loaders.get(TasksById).load(uuid.UUID(self.task_id))
        found = await visible_one(info, found)
        return Task.of(found) if found is not None else None


@strawberry.federation.type(name="Task", keys=["id"])
class Task:
    id: strawberry.ID
    number: int
    title: str
    description: str = strawberry.field(description="Markdown.")
    priority: Priority
    estimate_points: float | None
    due_date: date | None
    rank: str = strawberry.field(description="Board order key (lexicographic).")
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    # plain values rather than resolvers: a resolver costs per card, even a sync one
    assignee: User | None
    created_by: User | None
    estimated_hours: float | None
    remaining_hours: float | None
    model: strawberry.Private[models.Task]
    preloaded: strawberry.Private[Preloaded | None] = None

    @classmethod
    def of(cls, task: models.Task, preloaded: Preloaded | None = None) -> Task:
        return cls(
            id=strawberry.ID(str(task.id)),
            number=task.number,
            title=task.title,
            description=task.description,
            priority=models.Priority(task.priority),
            estimate_points=task.estimate_points,
            due_date=task.due_date,
            rank=task.rank,
            created_at=models.aware(task.created_at),
            updated_at=models.aware(task.updated_at),
            completed_at=models.aware(task.completed_at) if task.completed_at else None,
            assignee=user(task.assignee_id),
            created_by=user(task.created_by),
            estimated_hours=hours(task.estimated_seconds),
            remaining_hours=hours(task.remaining_seconds),
            model=task,
            preloaded=preloaded,
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> Task | None:
        info.context.require_permission(READ)
        key = maybe_uuid(id)
        found = await info.context.loaders.get(TasksById).load(key) if key else None
        found = await visible_one(info, found)
        return cls.of(found) if found is not None else None

    # identifier, state and labels: plain values when the list preloaded them (types/preload.py)
    @strawberry.field(graphql_type=str, description="Project key and number, such as OPS-142.")  # type: ignore[untyped-decorator]
    def identifier(self, info: Ctx) -> str | Awaitable[str]:
        keys = self.preloaded.keys if self.preloaded is not None else None
        if keys is not None and self.model.project_id in keys:
            return f"{keys[self.model.project_id]}-{self.number}"
        return self._identifier(info)

    async def _identifier(self, info: Ctx) -> str:
        project = await info.context.loaders.get(ProjectsById).load(self.model.project_id)
        return f"{project.key if project else '?'}-{self.number}"

    @strawberry.field
    async def project(self, info: Ctx) -> Project | None:
        found = await info.context.loaders.get(ProjectsById).load(self.model.project_id)
        return Project.of(found) if found is not None else None

    @strawberry.field(graphql_type=WorkflowState | None)  # type: ignore[untyped-decorator]
    def state(self, info: Ctx) -> WorkflowState | Awaitable[WorkflowState | None] | None:
        states = self.preloaded.states if self.preloaded is not None else None
        if states is not None and self.model.state_id in states:
            return WorkflowState.of(states[self.model.state_id])
        return self._state(info)

    async def _state(self, info: Ctx) -> WorkflowState | None:
        found = await info.context.loaders.get(StatesById).load(self.model.state_id)
        return WorkflowState.of(found) if found is not None else None

    @strawberry.field
    async def time_spent_seconds(self, info: Ctx) -> int:
        return await info.context.loaders.get(SpentByTask).load(self.model.id) or 0

    @strawberry.field(graphql_type=list[Label])  # type: ignore[untyped-decorator]
    def labels(self, info: Ctx) -> list[Label] | Awaitable[list[Label]]:
        labels = self.preloaded.labels if self.preloaded is not None else None
        if labels is not None:
            return [Label.of(lb) for lb in labels.get(self.model.id, ())]
        return self._labels(info)

    async def _labels(self, info: Ctx) -> list[Label]:
        found = await load_list(info.context.loaders.get(LabelsByTask), self.model.id)
        return [Label.of(lb) for lb in found]

    @strawberry.field
    async def parent(self, info: Ctx) -> Task | None:
        if self.model.parent_id is None:
            return None
        found = await info.context.loaders.get(TasksById).load(self.model.parent_id)
        found = await visible_one(info, found)
        return Task.of(found) if found is not None else None

    @strawberry.field
    async def subtasks(self, info: Ctx) -> list[Task]:
        found = await load_list(info.context.loaders.get(SubtasksByParent), self.model.id)
        return [Task.of(t) for t in await visible(info, found)]

    @strawberry.field
    async def cycle(self, info: Ctx) -> CycleRef | None:
        from subgraphs.projects.types.boards import Cycle

        if self.model.cycle_id is None:
            return None
        found = await info.context.loaders.get(CyclesById).load(self.model.cycle_id)
        return Cycle.of(found) if found is not None else None

    @strawberry.field
    async def custom_fields(self, info: Ctx) -> list[CustomFieldValue]:
        found = await load_list(info.context.loaders.get(FieldValuesByTask), self.model.id)
        return [
            CustomFieldValue(field_id=strawberry.ID(str(v.field_id)), value=v.value_text)
            for v in found
        ]

    @strawberry.field
    async def watchers(self, info: Ctx) -> list[User]:
        found = await load_list(info.context.loaders.get(WatchersByTask), self.model.id)
        return [User(id=strawberry.ID(str(w))) for w in found]

    @strawberry.field
    async def comments(self, info: Ctx) -> list[Comment]:
        found = await load_list(info.context.loaders.get(CommentsByTask), self.model.id)
        return [Comment.of(c) for c in found]

    @strawberry.field
    async def history(self, info: Ctx) -> list[HistoryEntry]:
        """Every field change, oldest first."""
        found = await load_list(info.context.loaders.get(HistoryByTask), self.model.id)
        return [HistoryEntry.of(h) for h in found]

    @strawberry.field
    async def relations(self, info: Ctx) -> list[TaskRelation]:
        """Dependencies, shown on both of their tasks."""
        found = await load_list(info.context.loaders.get(LinksByTask), self.model.id)
        views = [(link, *relation_from(link, self.model.id)) for link in found]
        if views:  # a link to a task of a project the caller may not see is not shown
            loader = info.context.loaders.get(TasksById)
            others = await asyncio.gather(*(loader.load(other) for _, _, other in views))
            shown = {t.id for t in await visible(info, (t for t in others if t is not None))}
            views = [v for v in views if v[2] in shown]
        return [
            TaskRelation(
                id=strawberry.ID(str(link.id)), type=kind, task_id=strawberry.ID(str(other))
            )
            for link, kind, other in views
        ]

    @strawberry.field
    async def linked_tickets(self, info: Ctx) -> list[Ticket]:
        found = await load_list(info.context.loaders.get(TicketLinksByTask), self.model.id)
        return [Ticket(id=strawberry.ID(link.ticket_id)) for link in found]

    @strawberry.field
    async def worklogs(self, info: Ctx) -> list[WorklogRef]:
        from subgraphs.projects.types.time import Worklog

        found = await load_list(info.context.loaders.get(WorklogsByTask), self.model.id)
        return [Worklog.of(w) for w in found]


@strawberry.federation.type(name="Project", keys=["id"])
class Project:
    id: strawberry.ID
    key: str
    name: str
    description: str
    status: ProjectStatus
    start_date: date | None
    target_date: date | None
    archived: bool
    private: bool = strawberry.field(
        description="Visible only to its members and the tenant's admins; hidden from others."
    )
    created_at: datetime
    model: strawberry.Private[models.Project]

    @classmethod
    def of(cls, project: models.Project) -> Project:
        return cls(
            id=strawberry.ID(str(project.id)),
            key=project.key,
            name=project.name,
            description=project.description,
            status=models.ProjectStatus(project.status),
            start_date=project.start_date,
            target_date=project.target_date,
            archived=project.archived_at is not None,
            private=project.private,
            created_at=models.aware(project.created_at),
            model=project,
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> Project | None:
        info.context.require_permission(READ)
        key = maybe_uuid(id)
        found = await info.context.loaders.get(ProjectsById).load(key) if key else None
        found = await visible_project(info, found)
        return cls.of(found) if found is not None else None

    @strawberry.field
    def lead(self) -> User | None:
        return user(self.model.lead_id)

    @strawberry.field
    async def members(self, info: Ctx) -> list[User]:
        found = await load_list(info.context.loaders.get(MembersByProject), self.model.id)
        return [User(id=strawberry.ID(str(m))) for m in found]

    @strawberry.field
    async def states(self, info: Ctx) -> list[WorkflowState]:
        found = await load_list(info.context.loaders.get(StatesByProject), self.model.id)
        return [WorkflowState.of(s) for s in found]

    @strawberry.field
    async def labels(self, info: Ctx) -> list[Label]:
        found = await load_list(info.context.loaders.get(LabelsByProject), self.model.id)
        return [Label.of(lb) for lb in found]

    @strawberry.field
    async def custom_fields(self, info: Ctx) -> list[CustomField]:
        found = await load_list(info.context.loaders.get(FieldsByProject), self.model.id)
        return [CustomField.of(f) for f in found]

    @strawberry.field
    async def boards(self, info: Ctx) -> list[BoardRef]:
        from subgraphs.projects.loaders import BoardsByProject
        from subgraphs.projects.types.boards import Board

        found = await load_list(info.context.loaders.get(BoardsByProject), self.model.id)
        return [Board.of(b) for b in found]

    @strawberry.field
    async def cycles(self, info: Ctx) -> list[CycleRef]:
        from subgraphs.projects.loaders import CyclesByProject
        from subgraphs.projects.types.boards import Cycle

        found = await load_list(info.context.loaders.get(CyclesByProject), self.model.id)
        return [Cycle.of(c) for c in found]

    @strawberry.field
    async def time_spent_seconds(self, info: Ctx) -> int:
        return await info.context.loaders.get(SpentByProject).load(self.model.id) or 0
