"""Events of the projects subgraph, recorded in the outbox in the transaction of the change.

`TaskMoved`, `TaskCreated` and `TaskUpdated` also drive `boardUpdated` (see realtime.py):
the kit's hub hands committed events to the board feed, so subscribers never see a move that
was rolled back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from subgraphs.kit.events import Event, register


@register
@dataclass(frozen=True, kw_only=True)
class ProjectCreated(Event):
    event_type: ClassVar[str] = "projects.project_created"
    domain: ClassVar[str] = "projects"
    description: ClassVar[str] = "A project was created."
    project_id: uuid.UUID
    key: str


@register
@dataclass(frozen=True, kw_only=True)
class TaskCreated(Event):
    event_type: ClassVar[str] = "projects.task_created"
    domain: ClassVar[str] = "projects"
    description: ClassVar[str] = "A task was created."
    project_id: uuid.UUID
    task_id: uuid.UUID
    identifier: str


@register
@dataclass(frozen=True, kw_only=True)
class TaskUpdated(Event):
    event_type: ClassVar[str] = "projects.task_updated"
    domain: ClassVar[str] = "projects"
    description: ClassVar[str] = "Fields of a task changed (names in `fields`)."
    project_id: uuid.UUID
    task_id: uuid.UUID
    fields: tuple[str, ...]


@register
@dataclass(frozen=True, kw_only=True)
class TaskMoved(Event):
    event_type: ClassVar[str] = "projects.task_moved"
    domain: ClassVar[str] = "projects"
    description: ClassVar[str] = "A card moved on a board (state and/or rank)."
    project_id: uuid.UUID
    task_id: uuid.UUID
    state_id: uuid.UUID
    rank: str


@register
@dataclass(frozen=True, kw_only=True)
class TaskCommented(Event):
    event_type: ClassVar[str] = "projects.task_commented"
    domain: ClassVar[str] = "projects"
    description: ClassVar[str] = "A comment was added; `mentioned` lists @mentioned users."
    task_id: uuid.UUID
    comment_id: uuid.UUID
    mentioned: tuple[str, ...]


@register
@dataclass(frozen=True, kw_only=True)
class WorklogAdded(Event):
    event_type: ClassVar[str] = "projects.worklog_added"
    domain: ClassVar[str] = "projects"
    description: ClassVar[str] = "Time was logged on a task."
    task_id: uuid.UUID
    worklog_id: uuid.UUID
    user_id: uuid.UUID
    duration_seconds: int


@register
@dataclass(frozen=True, kw_only=True)
class CycleCompleted(Event):
    event_type: ClassVar[str] = "projects.cycle_completed"
    domain: ClassVar[str] = "projects"
    description: ClassVar[str] = "A cycle ended; unfinished tasks rolled over to the next one."
    cycle_id: uuid.UUID
    next_cycle_id: uuid.UUID | None
    rolled_over: int
