"""WIP limits: a card may enter a column only while the column is below its limit."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.projects.errors import WipLimitExceededError
from subgraphs.projects.repository.boards import BoardRepository
from subgraphs.projects.repository.tasks import TaskRepository


async def check_wip(
    session: AsyncSession, project_id: uuid.UUID, state_id: uuid.UUID, task_id: uuid.UUID | None
) -> None:
    """Refuse when a limited column of any board of the project that shows `state_id` is
    full. Call with the project row locked, so two moves cannot both take the last slot."""
    boards = BoardRepository(session)
    project_boards = await boards.list_for_projects([project_id])
    columns = [c for c in await boards.columns_of([b.id for b in project_boards]) if c.wip_limit]
    if not columns:
        return
    mapping = await boards.states_of([c.id for c in columns])
    tasks = TaskRepository(session)
    for column in columns:
        states = [m.state_id for m in mapping if m.column_id == column.id]
        if state_id not in states:
            continue
        limit = column.wip_limit or 0
        if await tasks.count_in_states(states, exclude=task_id) >= limit:
            raise WipLimitExceededError(field="toColumnId", column=column.name, limit=limit)
