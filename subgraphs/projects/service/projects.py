"""Projects: create (with default workflow and board), update, archive, members, labels,
workflow states and custom field definitions."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.events import record
from subgraphs.projects.errors import InvalidInputError, ProjectKeyTakenError
from subgraphs.projects.events import ProjectCreated
from subgraphs.projects.models import (
    Board,
    BoardColumn,
    ColumnState,
    CustomField,
    FieldType,
    Label,
    Project,
    ProjectMember,
    ProjectStatus,
    StateCategory,
    WorkflowState,
)
from subgraphs.projects.repository.projects import (
    LabelRepository,
    ProjectRepository,
    StateRepository,
)
from subgraphs.projects.service.common import (
    check_dates,
    clean_text,
    get_open_project,
    get_project,
    now,
)

KEY_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
DEFAULT_STATES: tuple[tuple[str, StateCategory, bool], ...] = (
    # name, category, shown on the default board
    ("Backlog", StateCategory.BACKLOG, True),
    ("Todo", StateCategory.UNSTARTED, True),
    ("In Progress", StateCategory.STARTED, True),
    ("In Review", StateCategory.STARTED, True),
    ("Done", StateCategory.COMPLETED, True),
    ("Cancelled", StateCategory.CANCELLED, False),
)
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True, slots=True)
class ProjectChanges:
    name: str | None = None
    description: str | None = None
    status: ProjectStatus | None = None
    lead_id: uuid.UUID | None = None
    clear_lead: bool = False
    start_date: date | None = None
    target_date: date | None = None
    clear_start_date: bool = False
    clear_target_date: bool = False
    private: bool | None = None


def validate_key(key: str) -> str:
    cleaned = key.strip().upper()
    if not KEY_PATTERN.match(cleaned):
        raise InvalidInputError(
            field="key", what="project key", reason="use 2 to 10 letters or digits, first a letter"
        )
    return cleaned


async def create_project(
    actor: Principal,
    session: AsyncSession,
    *,
    key: str,
    name: str,
    description: str = "",
    lead_id: uuid.UUID | None = None,
    start_date: date | None = None,
    target_date: date | None = None,
    private: bool = False,
) -> Project:
    """A project with the default workflow and board; the creator and the lead are its
    first members (the only ones who see it when it is `private`, besides admins)."""
    key = validate_key(key)
    repository = ProjectRepository(session)
    if await repository.find_by_key(key) is not None:
        raise ProjectKeyTakenError(field="key", key=key)
    check_dates(start_date, target_date, field="targetDate")
    at = now()
    project = repository.add(
        Project(
            id=uuid.uuid4(),
            key=key,
            name=clean_text(name, field="name", what="name", maximum=200),
            description=description,
            status=ProjectStatus.ACTIVE.value,
            lead_id=lead_id,
            start_date=start_date,
            target_date=target_date,
            task_counter=0,
            private=private,
            created_at=at,
            updated_at=at,
        )
    )
    await repository.flush()  # the project row first: PostgreSQL checks foreign keys at once
    session.add(ProjectMember(project_id=project.id, user_id=actor.user_id, added_at=at))
    if lead_id is not None and lead_id != actor.user_id:
        session.add(ProjectMember(project_id=project.id, user_id=lead_id, added_at=at))
    await _seed_workflow(session, project)
    record(
        session,
        ProjectCreated(
            tenant_id=actor.tenant_id, actor=str(actor.user_id), project_id=project.id, key=key
        ),
    )
    return project


async def _seed_workflow(session: AsyncSession, project: Project) -> None:
    board = Board(id=uuid.uuid4(), project_id=project.id, name="Board", created_at=now())
    session.add(board)
    columns: list[tuple[BoardColumn, WorkflowState]] = []
    for position, (name, category, shown) in enumerate(DEFAULT_STATES):
        state = WorkflowState(
            id=uuid.uuid4(),
            project_id=project.id,
            name=name,
            category=category.value,
            position=position,
        )
        session.add(state)
        if shown:
            column = BoardColumn(id=uuid.uuid4(), board_id=board.id, name=name, position=position)
            columns.append((column, state))
    await session.flush()
    for column, _ in columns:
        session.add(column)
    await session.flush()
    for column, state in columns:
        session.add(ColumnState(column_id=column.id, state_id=state.id))


async def update_project(
    actor: Principal, session: AsyncSession, project_id: uuid.UUID, changes: ProjectChanges
) -> Project:
    project = await get_open_project(session, project_id)
    if changes.name is not None:
        project.name = clean_text(changes.name, field="name", what="name", maximum=200)
    if changes.description is not None:
        project.description = changes.description
    if changes.status is not None:
        project.status = changes.status.value
    if changes.clear_lead:
        project.lead_id = None
    elif changes.lead_id is not None:
        project.lead_id = changes.lead_id
        await add_member(actor, session, project_id, changes.lead_id)
    if changes.clear_start_date:
        project.start_date = None
    elif changes.start_date is not None:
        project.start_date = changes.start_date
    if changes.clear_target_date:
        project.target_date = None
    elif changes.target_date is not None:
        project.target_date = changes.target_date
    if changes.private is not None:
        project.private = changes.private
    check_dates(project.start_date, project.target_date, field="targetDate")
    project.updated_at = now()
    return project


async def set_archived(
    actor: Principal, session: AsyncSession, project_id: uuid.UUID, archived: bool
) -> Project:
    project = await get_project(session, project_id)
    project.archived_at = now() if archived else None
    project.updated_at = now()
    return project


async def add_member(
    actor: Principal, session: AsyncSession, project_id: uuid.UUID, user_id: uuid.UUID
) -> Project:
    project = await get_project(session, project_id)
    repository = ProjectRepository(session)
    if await repository.find_member(project_id, user_id) is None:
        session.add(ProjectMember(project_id=project_id, user_id=user_id, added_at=now()))
    return project


async def remove_member(
    actor: Principal, session: AsyncSession, project_id: uuid.UUID, user_id: uuid.UUID
) -> Project:
    project = await get_project(session, project_id)
    await ProjectRepository(session).remove_member(project_id, user_id)
    return project


async def create_label(
    actor: Principal, session: AsyncSession, project_id: uuid.UUID, name: str, color: str | None
) -> Label:
    await get_open_project(session, project_id)
    cleaned = clean_text(name, field="name", what="label", maximum=60)
    if color is not None and not COLOR_PATTERN.match(color):
        raise InvalidInputError(field="color", what="color", reason="use #rrggbb")
    repository = LabelRepository(session)
    existing = await repository.find_by_name(project_id, cleaned)
    if existing is not None:
        return existing
    label = Label(id=uuid.uuid4(), project_id=project_id, name=cleaned, color=color or "#888888")
    return repository.add(label)


async def create_state(
    actor: Principal,
    session: AsyncSession,
    project_id: uuid.UUID,
    name: str,
    category: StateCategory,
) -> WorkflowState:
    await get_open_project(session, project_id)
    states = await StateRepository(session).list_for_projects([project_id])
    cleaned = clean_text(name, field="name", what="state name", maximum=60)
    if cleaned.casefold() in {s.name.casefold() for s in states}:
        raise InvalidInputError(
            field="name", what="state name", reason="the project already has a state so named"
        )
    state = WorkflowState(
        id=uuid.uuid4(),
        project_id=project_id,
        name=cleaned,
        category=category.value,
        position=max((s.position for s in states), default=-1) + 1,
    )
    session.add(state)
    return state


async def create_custom_field(
    actor: Principal,
    session: AsyncSession,
    project_id: uuid.UUID | None,
    name: str,
    type: FieldType,
    options: list[str],
) -> CustomField:
    if project_id is not None:
        await get_open_project(session, project_id)
    cleaned = [o.strip() for o in options if o.strip()]
    if type is FieldType.SELECT and not cleaned:
        raise InvalidInputError(field="options", what="options", reason="a SELECT needs choices")
    field = CustomField(
        id=uuid.uuid4(),
        project_id=project_id,
        name=clean_text(name, field="name", what="field name", maximum=100),
        type=type.value,
        options="\n".join(cleaned),
    )
    session.add(field)
    return field
