"""Card fields loaded once for a whole list of tasks (the board's 500 cards), so that
`Task.identifier`, `Task.state` and `Task.labels` resolve synchronously.

Each of those fields otherwise awaits a dataloader per card: the SQL is batched either way,
but every awaited field costs graphql-core an asyncio task and a resumption (about half of a
500-card board's execution time). `preload(info, tasks, path)` looks at what the query
selects under `path` and fills a `Preloaded` shared by the tasks with the same queries the
loaders would run (only for the fields selected), so the statement count does not change.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from subgraphs.projects import models
from subgraphs.projects.loaders import LabelsByTask, ProjectsById, StatesById, group
from subgraphs.projects.repository.projects import LabelRepository

if TYPE_CHECKING:
    from subgraphs.projects.types.common import Ctx


@dataclass(frozen=True, slots=True)
class Preloaded:
    """Shared by every task of one list; None: not loaded (resolve through the loaders)."""

    keys: Mapping[uuid.UUID, str] | None = None  # project id -> key
    states: Mapping[uuid.UUID, models.WorkflowState] | None = None
    labels: Mapping[uuid.UUID, list[models.Label]] | None = None  # task id -> labels


def _fields(selections: Sequence[Any]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def requested(info: Ctx, *path: str) -> set[str]:
    """GraphQL names of the fields selected under `path`, starting at the resolved field
    (`requested(info, "columns", "cards")` in `Board.columns`); fragments are followed."""
    level = list(_fields(info.selected_fields))
    for name in path:
        level = [child for f in level if f.name == name for child in _fields(f.selections)]
    return {f.name for f in level}


async def preload(info: Ctx, tasks: Sequence[models.Task], *path: str) -> Preloaded | None:
    """What the query selects of `tasks` (found under `path`), loaded in one go."""
    wanted = requested(info, *path) & {"identifier", "state", "labels"}
    if not tasks or not wanted:
        return None
    loaders = info.context.loaders
    keys = states = labels = None
    if "identifier" in wanted:  # a few distinct keys: one batch through the loaders
        project_ids = list({t.project_id for t in tasks})
        projects = await asyncio.gather(*(loaders.get(ProjectsById).load(p) for p in project_ids))
        keys = {
            i: p.key if p is not None else "?" for i, p in zip(project_ids, projects, strict=True)
        }
    if "state" in wanted:
        state_ids = list({t.state_id for t in tasks})
        found = await asyncio.gather(*(loaders.get(StatesById).load(s) for s in state_ids))
        states = {s.id: s for s in found if s is not None}
    if "labels" in wanted:
        ids = [t.id for t in tasks]
        async with info.context.sessions.read() as session:
            labels = group(await LabelRepository(session).for_tasks(ids))
        loader = loaders.get(LabelsByTask)
        for task_id in ids:  # later reads of these tasks' labels in this request hit the cache
            loader.prime(task_id, labels.get(task_id, []))
    return Preloaded(keys=keys, states=states, labels=labels)
