"""Boards (columns, lanes, cards), board events and cycles."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from subgraphs.projects import models
from subgraphs.projects.loaders import CycleProgress, StatesById
from subgraphs.projects.service.boards import BoardView, ColumnView, load_board
from subgraphs.projects.types.common import Ctx, Swimlane
from subgraphs.projects.types.preload import Preloaded, preload
from subgraphs.projects.types.tasks import Task, WorkflowState


@strawberry.type(name="BoardColumn")
class BoardColumn:
    id: strawberry.ID
    name: str
    position: int
    wip_limit: int | None
    card_count: int
    cards: list[Task]
    state_ids: strawberry.Private[tuple[object, ...]]

    @classmethod
    def of(cls, view: ColumnView, preloaded: Preloaded | None = None) -> BoardColumn:
        column = view.column
        return cls(
            id=strawberry.ID(str(column.id)),
            name=column.name,
            position=column.position,
            wip_limit=column.wip_limit,
            card_count=len(view.cards),
            cards=[Task.of(t, preloaded) for t in view.cards],
            state_ids=view.state_ids,
        )

    @strawberry.field
    async def states(self, info: Ctx) -> list[WorkflowState]:
        loader = info.context.loaders.get(StatesById)
        found = [await loader.load(s) for s in self.state_ids]  # type: ignore[arg-type]
        return [WorkflowState.of(s) for s in found if s is not None]


@strawberry.type(name="BoardLane", description="A swimlane: the board's columns for one key.")
class BoardLane:
    key: str = strawberry.field(description="Assignee id, priority or label name; empty: none.")
    columns: list[BoardColumn]


@strawberry.type(name="Board")
class Board:
    id: strawberry.ID
    name: str
    swimlane: Swimlane
    project_id: strawberry.ID
    model: strawberry.Private[models.Board]
    view: strawberry.Private[BoardView | None] = None

    @classmethod
    def of(cls, board: models.Board, view: BoardView | None = None) -> Board:
        return cls(
            id=strawberry.ID(str(board.id)),
            name=board.name,
            swimlane=models.Swimlane(board.swimlane),
            project_id=strawberry.ID(str(board.project_id)),
            model=board,
            view=view,
        )

    async def _view(self, info: Ctx) -> BoardView:
        if self.view is None:
            async with info.context.sessions.read() as session:
                self.view = await load_board(session, self.model)
        return self.view

    @strawberry.field
    async def columns(self, info: Ctx) -> list[BoardColumn]:
        view = await self._view(info)
        cards = [t for c in view.columns for t in c.cards]
        preloaded = await preload(info, cards, "columns", "cards")
        return [BoardColumn.of(v, preloaded) for v in view.columns]

    @strawberry.field
    async def lanes(self, info: Ctx) -> list[BoardLane]:
        """Empty when the board has no swimlanes."""
        view = await self._view(info)
        cards = [t for c in view.columns for t in c.cards]
        preloaded = await preload(info, cards, "lanes", "columns", "cards")
        return [
            BoardLane(key=lane.key, columns=[BoardColumn.of(c, preloaded) for c in lane.columns])
            for lane in view.lanes
        ]


@strawberry.type(name="BoardEvent")
class BoardEvent:
    kind: str = strawberry.field(description="CARD_MOVED, CARD_CREATED or CARD_UPDATED.")
    board_id: strawberry.ID
    task_id: strawberry.ID
    state_id: strawberry.ID | None
    rank: str | None
    actor_id: strawberry.ID | None


@strawberry.type(name="CycleProgress")
class CycleProgressView:
    total: int
    completed: int
    started: int
    cancelled: int
    points_total: float
    points_completed: float
    percent_complete: float = strawberry.field(description="Completed tasks / scope, 0..100.")


@strawberry.type(name="Cycle")
class Cycle:
    id: strawberry.ID
    name: str
    starts_on: date
    ends_on: date
    completed_at: datetime | None
    rolled_over_count: int
    project_id: strawberry.ID

    @classmethod
    def of(cls, cycle: models.Cycle) -> Cycle:
        return cls(
            id=strawberry.ID(str(cycle.id)),
            name=cycle.name,
            starts_on=cycle.starts_on,
            ends_on=cycle.ends_on,
            completed_at=models.aware(cycle.completed_at) if cycle.completed_at else None,
            rolled_over_count=cycle.rolled_over,
            project_id=strawberry.ID(str(cycle.project_id)),
        )

    @strawberry.field
    async def progress(self, info: Ctx) -> CycleProgressView:
        """Scope and progress, from one aggregate query."""
        import uuid

        counts = await info.context.loaders.get(CycleProgress).load(uuid.UUID(self.id))
        if counts is None:
            return CycleProgressView(
                total=0,
                completed=0,
                started=0,
                cancelled=0,
                points_total=0,
                points_completed=0,
                percent_complete=0,
            )
        scope = counts.total - counts.cancelled
        percent = round(100 * counts.completed / scope, 1) if scope else 0.0
        return CycleProgressView(
            total=counts.total,
            completed=counts.completed,
            started=counts.started,
            cancelled=counts.cancelled,
            points_total=counts.points_total,
            points_completed=counts.points_completed,
            percent_complete=percent,
        )
