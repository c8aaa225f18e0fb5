"""Projects, members, workflow states, labels and custom fields."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.repository import Repository
from subgraphs.projects.models import (
    CustomField,
    CustomFieldValue,
    Label,
    Project,
    ProjectMember,
    TaskLabel,
    WorkflowState,
)


class ProjectRepository(Repository[Project]):
    model = Project

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)

    async def find(self, project_id: uuid.UUID) -> Project | None:
        return await self.find_one(self.base().where(Project.id == project_id))

    async def find_by_key(self, key: str) -> Project | None:
        return await self.find_one(self.base().where(Project.key == key))

    async def lock(self, project_id: uuid.UUID) -> Project | None:
        """The project row, locked until the transaction ends (serialises rank and WIP
        decisions of one project on PostgreSQL; SQLite serialises writers anyway)."""
        statement = self.base().where(Project.id == project_id).with_for_update()
        return await self.find_one(statement)

    async def list_by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[Project]:
        return await self.find_all(self.base().where(Project.id.in_(ids)))

    async def list_page(
        self,
        *,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
        include_archived: bool,
        search: str | None,
        hidden: Collection[uuid.UUID] = (),
    ) -> Sequence[Project]:
        statement = self.base().order_by(Project.created_at, Project.id).limit(limit)
        if hidden:
            statement = statement.where(Project.id.not_in(list(hidden)))
        if after is not None:
            statement = statement.where(
                or_(
                    Project.created_at > after[0],
                    (Project.created_at == after[0]) & (Project.id > after[1]),
                )
            )
        if not include_archived:
            statement = statement.where(Project.archived_at.is_(None))
        if search:
            pattern = f"%{search.lower()}%"
            statement = statement.where(
                or_(func.lower(Project.name).like(pattern), func.lower(Project.key).like(pattern))
            )
        return await self.find_all(statement)

    async def next_number(self, project_id: uuid.UUID) -> int:
        """Race-free per-project task number: one atomic UPDATE ... RETURNING."""
        statement = (
            update(Project)
            .where(Project.id == project_id)
            .values(task_counter=Project.task_counter + 1)
            .returning(Project.task_counter)
        )
        return int((await self.session.execute(statement)).scalar_one())

    async def members_of(self, project_ids: Sequence[uuid.UUID]) -> Sequence[ProjectMember]:
        statement = (
            select(ProjectMember)
            .where(ProjectMember.project_id.in_(project_ids))
            .order_by(ProjectMember.added_at, ProjectMember.user_id)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def find_member(self, project_id: uuid.UUID, user_id: uuid.UUID) -> ProjectMember | None:
        return await self.session.get(ProjectMember, (project_id, user_id))

    async def hidden_from(self, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, set[uuid.UUID]]:
        """Per user: the private projects they are not a member of (one query)."""
        statement = (
            select(Project.id, ProjectMember.user_id)
            .outerjoin(
                ProjectMember,
                (ProjectMember.project_id == Project.id) & ProjectMember.user_id.in_(user_ids),
            )
            .where(Project.private.is_(True))
        )
        private: dict[uuid.UUID, set[uuid.UUID]] = {}
        for project_id, member in (await self.session.execute(statement)).all():
            members = private.setdefault(project_id, set())
            if member is not None:
                members.add(member)
        return {u: {p for p, ms in private.items() if u not in ms} for u in user_ids}

    async def remove_member(self, project_id: uuid.UUID, user_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(ProjectMember).where(
                ProjectMember.project_id == project_id, ProjectMember.user_id == user_id
            )
        )


class StateRepository(Repository[WorkflowState]):
    model = WorkflowState

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)

    async def list_for_projects(self, project_ids: Sequence[uuid.UUID]) -> Sequence[WorkflowState]:
        statement = (
            self.base()
            .where(WorkflowState.project_id.in_(project_ids))
            .order_by(WorkflowState.project_id, WorkflowState.position)
        )
        return await self.find_all(statement)

    async def list_by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[WorkflowState]:
        return await self.find_all(self.base().where(WorkflowState.id.in_(ids)))


class LabelRepository(Repository[Label]):
    model = Label

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)

    async def list_for_projects(self, project_ids: Sequence[uuid.UUID]) -> Sequence[Label]:
        statement = self.base().where(Label.project_id.in_(project_ids)).order_by(Label.name)
        return await self.find_all(statement)

    async def list_by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[Label]:
        return await self.find_all(self.base().where(Label.id.in_(ids)))

    async def find_by_name(self, project_id: uuid.UUID, name: str) -> Label | None:
        return await self.find_one(
            self.base().where(Label.project_id == project_id, Label.name == name)
        )

    async def for_tasks(self, task_ids: Sequence[uuid.UUID]) -> Sequence[tuple[uuid.UUID, Label]]:
        statement = (
            select(TaskLabel.task_id, Label)
            .join(Label, Label.id == TaskLabel.label_id)
            .where(TaskLabel.task_id.in_(task_ids))
            .order_by(Label.name)
        )
        return [(row[0], row[1]) for row in (await self.session.execute(statement)).all()]

    async def set_for_task(self, task_id: uuid.UUID, label_ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(delete(TaskLabel).where(TaskLabel.task_id == task_id))
        for label_id in label_ids:
            self.session.add(TaskLabel(task_id=task_id, label_id=label_id))


class CustomFieldRepository(Repository[CustomField]):
    model = CustomField

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)

    async def find(self, field_id: uuid.UUID) -> CustomField | None:
        return await self.find_one(self.base().where(CustomField.id == field_id))

    async def list_for_projects(self, project_ids: Sequence[uuid.UUID]) -> Sequence[CustomField]:
        statement = (
            self.base()
            .where(or_(CustomField.project_id.in_(project_ids), CustomField.project_id.is_(None)))
            .order_by(CustomField.name)
        )
        return await self.find_all(statement)

    async def values_for_tasks(self, task_ids: Sequence[uuid.UUID]) -> Sequence[CustomFieldValue]:
        statement = select(CustomFieldValue).where(CustomFieldValue.task_id.in_(task_ids))
        return (await self.session.execute(statement)).scalars().all()

    async def find_value(self, task_id: uuid.UUID, field_id: uuid.UUID) -> CustomFieldValue | None:
        return await self.session.get(CustomFieldValue, (task_id, field_id))

    async def delete_value(self, task_id: uuid.UUID, field_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(CustomFieldValue).where(
                CustomFieldValue.task_id == task_id, CustomFieldValue.field_id == field_id
            )
        )
