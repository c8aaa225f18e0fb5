"""Kanban boards: columns mapped to states, WIP limits, swimlanes and card moves.

A move writes the card's rank (and state) only. The rank is a fractional key between the
card's new neighbours, computed under the project's row lock, so concurrent moves of one
project are serialised and every move sees the ranks the previous one committed: the order
stays a total order without duplicates. Keys that grew past `MAX_RANK_LENGTH` trigger a
respacing of the few cards around the move, never of the whole column.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.events import record
from subgraphs.projects.access import may_see_project_id
from subgraphs.projects.errors import (
    BoardNotFoundError,
    ColumnNotFoundError,
    InvalidInputError,
    StateNotFoundError,
    TaskNotFoundError,
)
from subgraphs.projects.events import TaskMoved
from subgraphs.projects.models import (
    CLOSED_CATEGORIES,
    Board,
    BoardColumn,
    Label,
    Swimlane,
    Task,
)
from subgraphs.projects.ranks import MAX_RANK_LENGTH, keys_between, rank_between
from subgraphs.projects.repository.boards import BoardRepository
from subgraphs.projects.repository.projects import (
    LabelRepository,
    StateRepository,
)
from subgraphs.projects.repository.tasks import TaskRepository
from subgraphs.projects.service.common import (
    clean_text,
    get_open_project,
    get_task,
    now,
    record_changes,
)
from subgraphs.projects.service.wip import check_wip

ABOVE_ALL = "~"  # sorts after every rank digit
REBALANCE_RADIUS = 8


@dataclass(frozen=True, slots=True)
class ColumnView:
    column: BoardColumn
    state_ids: tuple[uuid.UUID, ...]
    cards: list[Task]


@dataclass(frozen=True, slots=True)
class LaneView:
    key: str
    columns: list[ColumnView]


@dataclass(frozen=True, slots=True)
class BoardView:
    board: Board
    columns: list[ColumnView]
    lanes: list[LaneView] = field(default_factory=list)


async def get_board(session: AsyncSession, board_id: uuid.UUID) -> Board:
    board = await BoardRepository(session).find(board_id)
    if board is None or not await may_see_project_id(session, board.project_id):
        raise BoardNotFoundError(field="boardId")
    return board


async def _column(session: AsyncSession, board: Board, column_id: uuid.UUID) -> BoardColumn:
    column = await BoardRepository(session).find_column(column_id)
    if column is None or column.board_id != board.id:
        raise ColumnNotFoundError(field="toColumnId")
    return column


async def _check_states(
    session: AsyncSession, project_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> None:
    found = await StateRepository(session).list_by_ids(list(ids))
    if len({s.id for s in found if s.project_id == project_id}) != len(set(ids)):
        raise StateNotFoundError(field="stateIds")


def _wip(limit: int | None) -> int | None:
    if limit is not None and not 1 <= limit <= 10_000:
        raise InvalidInputError(field="wipLimit", what="WIP limit", reason="use 1 to 10000")
    return limit


async def create_board(
    actor: Principal, session: AsyncSession, project_id: uuid.UUID, name: str, swimlane: Swimlane
) -> Board:
    await get_open_project(session, project_id)
    board = Board(
        id=uuid.uuid4(),
        project_id=project_id,
        name=clean_text(name, field="name", what="board name", maximum=100),
        swimlane=swimlane.value,
        created_at=now(),
    )
    session.add(board)
    return board


async def update_board(
    actor: Principal,
    session: AsyncSession,
    board_id: uuid.UUID,
    name: str | None,
    swimlane: Swimlane | None,
) -> Board:
    board = await get_board(session, board_id)
    if name is not None:
        board.name = clean_text(name, field="name", what="board name", maximum=100)
    if swimlane is not None:
        board.swimlane = swimlane.value
    return board


async def add_column(
    actor: Principal,
    session: AsyncSession,
    board_id: uuid.UUID,
    name: str,
    state_ids: Sequence[uuid.UUID],
    wip_limit: int | None,
) -> BoardColumn:
    board = await get_board(session, board_id)
    await _check_states(session, board.project_id, state_ids)
    columns = await BoardRepository(session).columns_of([board.id])
    column = BoardColumn(
        id=uuid.uuid4(),
        board_id=board.id,
        name=clean_text(name, field="name", what="column name", maximum=60),
        position=max((c.position for c in columns), default=-1) + 1,
        wip_limit=_wip(wip_limit),
    )
    session.add(column)
    await session.flush()
    await BoardRepository(session).set_column_states(column.id, state_ids)
    return column


async def update_column(
    actor: Principal,
    session: AsyncSession,
    column_id: uuid.UUID,
    *,
    name: str | None,
    wip_limit: int | None,
    clear_wip_limit: bool,
    state_ids: Sequence[uuid.UUID] | None,
) -> BoardColumn:
    repository = BoardRepository(session)
    column = await repository.find_column(column_id)
    board = await repository.find(column.board_id) if column is not None else None
    if column is None or board is None or not await may_see_project_id(session, board.project_id):
        raise ColumnNotFoundError(field="id")
    if name is not None:
        column.name = clean_text(name, field="name", what="column name", maximum=60)
    if clear_wip_limit:
        column.wip_limit = None
    elif wip_limit is not None:
        column.wip_limit = _wip(wip_limit)
    if state_ids is not None:
        await _check_states(session, board.project_id, state_ids)
        await repository.set_column_states(column.id, state_ids)
    return column


async def load_board(session: AsyncSession, board: Board) -> BoardView:
    """Columns with their cards in rank order (one query for all cards), and lanes."""
    repository = BoardRepository(session)
    columns = await repository.columns_of([board.id])
    mapping = await repository.states_of([c.id for c in columns])
    states_by_column: dict[uuid.UUID, list[uuid.UUID]] = {c.id: [] for c in columns}
    column_of_state: dict[uuid.UUID, uuid.UUID] = {}
    for item in mapping:
        states_by_column[item.column_id].append(item.state_id)
        column_of_state[item.state_id] = item.column_id
    tasks = await TaskRepository(session).list_for_states(list(column_of_state))
    cards: dict[uuid.UUID, list[Task]] = {c.id: [] for c in columns}
    for task in tasks:
        cards[column_of_state[task.state_id]].append(task)
    views = [ColumnView(c, tuple(states_by_column[c.id]), cards[c.id]) for c in columns]
    lanes = await _lanes(session, Swimlane(board.swimlane), views, tasks)
    return BoardView(board, views, lanes)


async def _lanes(
    session: AsyncSession, swimlane: Swimlane, views: list[ColumnView], tasks: Sequence[Task]
) -> list[LaneView]:
    if swimlane is Swimlane.NONE:
        return []
    keys: dict[uuid.UUID, list[str]] = {}
    if swimlane is Swimlane.LABEL:
        labels: dict[uuid.UUID, list[Label]] = {}
        for task_id, label in await LabelRepository(session).for_tasks([t.id for t in tasks]):
            labels.setdefault(task_id, []).append(label)
        keys = {t.id: [lb.name for lb in labels.get(t.id, [])] or [""] for t in tasks}
    elif swimlane is Swimlane.ASSIGNEE:
        keys = {t.id: [str(t.assignee_id) if t.assignee_id else ""] for t in tasks}
    else:
        keys = {t.id: [t.priority] for t in tasks}
    lane_keys = sorted({k for ks in keys.values() for k in ks}, key=lambda k: (k == "", k))
    return [
        LaneView(
            key=lane,
            columns=[
                ColumnView(v.column, v.state_ids, [t for t in v.cards if lane in keys[t.id]])
                for v in views
            ],
        )
        for lane in lane_keys
    ]


async def move_card(
    actor: Principal,
    session: AsyncSession,
    board_id: uuid.UUID,
    task_id: uuid.UUID,
    to_column_id: uuid.UUID,
    after_task_id: uuid.UUID | None = None,
    before_task_id: uuid.UUID | None = None,
) -> Task:
    board = await get_board(session, board_id)
    await get_open_project(session, board.project_id, lock=True)  # serialises the project
    task = await get_task(session, task_id)
    if task.project_id != board.project_id:
        raise TaskNotFoundError(field="taskId")
    column = await _column(session, board, to_column_id)
    column_states = [m.state_id for m in await BoardRepository(session).states_of([column.id])]
    if not column_states:
        raise ColumnNotFoundError(field="toColumnId")
    state_id = task.state_id
    if state_id not in column_states:
        states = sorted(
            await StateRepository(session).list_by_ids(column_states), key=lambda s: s.position
        )
        state = states[0]
        await check_wip(session, board.project_id, state.id, task.id)
        state_id = state.id
        task.completed_at = now() if state.category in CLOSED_CATEGORIES else None
    rank = await _rank_for(session, task, column_states, after_task_id, before_task_id)
    record_changes(session, task, actor, [("state", task.state_id, state_id)])
    task.state_id = state_id
    task.updated_at = now()
    if len(rank) > MAX_RANK_LENGTH:
        await _respace(session, task, rank)
    else:
        task.rank = rank
    await session.flush()
    record(
        session,
        TaskMoved(
            tenant_id=actor.tenant_id,
            actor=str(actor.user_id),
            project_id=task.project_id,
            task_id=task.id,
            state_id=state_id,
            rank=task.rank,
        ),
    )
    return task


async def _anchor(session: AsyncSession, task: Task, anchor_id: uuid.UUID, field: str) -> Task:
    anchor = await TaskRepository(session).find(anchor_id)
    if anchor is None or anchor.project_id != task.project_id or anchor.id == task.id:
        raise TaskNotFoundError(field=field)
    return anchor


async def _rank_for(
    session: AsyncSession,
    task: Task,
    column_states: Sequence[uuid.UUID],
    after_id: uuid.UUID | None,
    before_id: uuid.UUID | None,
) -> str:
    """A fresh rank at the requested place, from the ranks as they are now (a stale client
    view of the neighbours cannot produce a duplicate: the key sits between the anchor and
    its current global neighbour, and ranks are unique per project)."""
    tasks = TaskRepository(session)
    project_id = task.project_id
    if after_id is not None:
        low: str | None = (await _anchor(session, task, after_id, "afterTaskId")).rank
    elif before_id is not None:
        before = (await _anchor(session, task, before_id, "beforeTaskId")).rank
        below = await tasks.neighbour_rank(
            project_id, before, above=False, state_ids=None, exclude=task.id
        )
        return rank_between(below, before)
    else:  # end of the column
        low = await tasks.neighbour_rank(
            project_id, ABOVE_ALL, above=False, state_ids=column_states, exclude=task.id
        )
    high = await tasks.neighbour_rank(
        project_id, low or "", above=True, state_ids=None, exclude=task.id
    )
    return rank_between(low, high)


async def _respace(session: AsyncSession, task: Task, rank: str) -> None:
    """Give the few cards around `rank` evenly spread short keys (two phases, so the unique
    (project, rank) constraint never sees a transient duplicate)."""
    low, run, high = await TaskRepository(session).run_around(
        task.project_id, rank, REBALANCE_RADIUS
    )
    ordered = [t for t in run if t.id != task.id and t.rank < rank]
    ordered += [task, *[t for t in run if t.id != task.id and t.rank > rank]]
    for index, item in enumerate(ordered):
        item.rank = f"{ABOVE_ALL}{index:04d}{uuid.uuid4().hex[:8]}"
    await session.flush()
    for item, key in zip(ordered, keys_between(low, high, len(ordered)), strict=True):
        item.rank = key
