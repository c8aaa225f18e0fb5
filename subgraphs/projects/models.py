"""Tables of the projects subgraph, in each tenant's database (migration branch `projects`).

Relationships are not mapped: every read goes through a repository query or a loader, so
nothing is ever lazily loaded behind a resolver's back.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraphs.kit.models import NAMING
from subgraphs.kit.models import aware as aware  # re-exported for this subgraph
from subgraphs.kit.models import utcnow as utcnow  # re-exported for this subgraph

BigId = BigInteger().with_variant(Integer(), "sqlite")
When = DateTime(timezone=True)
RankString = String(64).with_variant(String(64, collation="C"), "postgresql")


class ProjectsBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ProjectStatus(StrEnum):
    PLANNED = "PLANNED"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class StateCategory(StrEnum):
    BACKLOG = "BACKLOG"
    UNSTARTED = "UNSTARTED"
    STARTED = "STARTED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


CLOSED_CATEGORIES = (StateCategory.COMPLETED.value, StateCategory.CANCELLED.value)


class Priority(StrEnum):
    NONE = "NONE"
    URGENT = "URGENT"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


# sort weight of a priority: urgent first, none last (Linear's order)
PRIORITY_WEIGHT = {"URGENT": 1, "HIGH": 2, "MEDIUM": 3, "LOW": 4, "NONE": 5}


class LinkType(StrEnum):
    BLOCKS = "BLOCKS"
    RELATES = "RELATES"
    DUPLICATES = "DUPLICATES"


class FieldType(StrEnum):
    TEXT = "TEXT"
    NUMBER = "NUMBER"
    DATE = "DATE"
    BOOLEAN = "BOOLEAN"
    SELECT = "SELECT"


class Swimlane(StrEnum):
    NONE = "NONE"
    ASSIGNEE = "ASSIGNEE"
    PRIORITY = "PRIORITY"
    LABEL = "LABEL"


class Project(ProjectsBase):
    __tablename__ = "projects"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    key: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.ACTIVE.value)
    lead_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    start_date: Mapped[date | None] = mapped_column(Date, default=None)
    target_date: Mapped[date | None] = mapped_column(Date, default=None)
    archived_at: Mapped[datetime | None] = mapped_column(When, default=None)
    task_counter: Mapped[int] = mapped_column(Integer, default=0)
    # visible only to its members and the tenant's admins (access.py)
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class ProjectMember(ProjectsBase):
    __tablename__ = "project_members"

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    added_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class WorkflowState(ProjectsBase):
    __tablename__ = "workflow_states"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)


class Label(ProjectsBase):
    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_labels_project_name"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"))
    name: Mapped[str] = mapped_column(String(60))
    color: Mapped[str] = mapped_column(String(7), default="#888888")


class Cycle(ProjectsBase):
    __tablename__ = "cycles"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(When, default=None)
    rolled_over: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class Task(ProjectsBase):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("project_id", "number", name="uq_tasks_project_number"),
        UniqueConstraint("project_id", "rank", name="uq_tasks_project_rank"),
        Index("ix_tasks_assignee", "assignee_id"),
        Index("ix_tasks_parent", "parent_id"),
        Index("ix_tasks_cycle", "cycle_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    state_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflow_states.id"))
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NONE.value)
    priority_weight: Mapped[int] = mapped_column(Integer, default=5)
    estimate_points: Mapped[float | None] = mapped_column(Float, default=None)
    estimated_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    remaining_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    due_date: Mapped[date | None] = mapped_column(Date, default=None)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tasks.id"), default=None)
    cycle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cycles.id"), default=None)
    # board order: a fractional key (ranks.py), compared bytewise on every backend
    rank: Mapped[str] = mapped_column(RankString)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(When, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(When, default=None)
    # comment bodies, for full-text search (PostgreSQL: generated `search_vector`; SQLite:
    # `tasks_fts`, kept by triggers; migration projects_0002)
    search_text: Mapped[str] = mapped_column(Text, default="")


class TaskLabel(ProjectsBase):
    __tablename__ = "task_labels"

    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    label_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("labels.id"), primary_key=True)


class TaskWatcher(ProjectsBase):
    __tablename__ = "task_watchers"

    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)


class TaskHistory(ProjectsBase):
    """One changed field of a task: who, when, from what, to what (values as text)."""

    __tablename__ = "task_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id"), index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text, default=None)
    new_value: Mapped[str | None] = mapped_column(Text, default=None)
    at: Mapped[datetime] = mapped_column(When, default=utcnow)


class Comment(ProjectsBase):
    __tablename__ = "task_comments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id"), index=True)
    author_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    body: Mapped[str] = mapped_column(Text)
    mentions: Mapped[str] = mapped_column(Text, default="")  # space-separated user ids
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class CustomField(ProjectsBase):
    """A typed field; `project_id` None makes it tenant-wide."""

    __tablename__ = "custom_fields"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("projects.id"), default=None)
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(10))
    options: Mapped[str] = mapped_column(Text, default="")  # SELECT choices, newline-separated


class CustomFieldValue(ProjectsBase):
    __tablename__ = "custom_field_values"
    __table_args__ = (Index("ix_custom_field_values_field", "field_id", "value_text"),)

    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    field_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("custom_fields.id"), primary_key=True)
    value_text: Mapped[str | None] = mapped_column(Text, default=None)
    value_number: Mapped[float | None] = mapped_column(Float, default=None)
    value_date: Mapped[date | None] = mapped_column(Date, default=None)
    value_bool: Mapped[bool | None] = mapped_column(Boolean, default=None)


class TaskLink(ProjectsBase):
    """`source type target`: BLOCKS is directed (BLOCKED_BY is its reading from the target)."""

    __tablename__ = "task_links"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "type", name="uq_task_links_ends_type"),
        Index("ix_task_links_target", "target_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id"))
    target_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id"))
    type: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class TicketLink(ProjectsBase):
    """A task linked to a helpdesk ticket (owned by the tickets subgraph; only its id here)."""

    __tablename__ = "task_ticket_links"
    __table_args__ = (Index("ix_task_ticket_links_ticket", "ticket_id"),)

    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class Board(ProjectsBase):
    __tablename__ = "boards"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    swimlane: Mapped[str] = mapped_column(String(10), default=Swimlane.NONE.value)
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class BoardColumn(ProjectsBase):
    __tablename__ = "board_columns"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    board_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("boards.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer)
    wip_limit: Mapped[int | None] = mapped_column(Integer, default=None)


class ColumnState(ProjectsBase):
    """Which workflow states a column shows (a state is in at most one column of a board)."""

    __tablename__ = "board_column_states"

    column_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("board_columns.id"), primary_key=True)
    state_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflow_states.id"), primary_key=True)


class Worklog(ProjectsBase):
    __tablename__ = "worklogs"
    __table_args__ = (
        Index("ix_worklogs_task", "task_id"),
        Index("ix_worklogs_project_started", "project_id", "started_at"),
        Index("ix_worklogs_user_started", "user_id", "started_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    started_at: Mapped[datetime] = mapped_column(When)
    duration_seconds: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class Timer(ProjectsBase):
    """A running timer; the primary key makes it one per user."""

    __tablename__ = "task_timers"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id"))
    started_at: Mapped[datetime] = mapped_column(When)


class SavedView(ProjectsBase):
    __tablename__ = "saved_views"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    name: Mapped[str] = mapped_column(String(100))
    filters: Mapped[str] = mapped_column(Text)  # JSON of TaskQuery (filter + order)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)
