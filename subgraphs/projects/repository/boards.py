"""Boards, their columns and the states each column shows; saved views."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.repository import Repository
from subgraphs.projects.models import Board, BoardColumn, ColumnState, SavedView


class BoardRepository(Repository[Board]):
    model = Board

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)

    async def find(self, board_id: uuid.UUID) -> Board | None:
        return await self.find_one(self.base().where(Board.id == board_id))

    async def list_by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[Board]:
        return await self.find_all(self.base().where(Board.id.in_(ids)))

    async def list_for_projects(self, project_ids: Sequence[uuid.UUID]) -> Sequence[Board]:
        statement = self.base().where(Board.project_id.in_(project_ids)).order_by(Board.created_at)
        return await self.find_all(statement)

    async def columns_of(self, board_ids: Sequence[uuid.UUID]) -> Sequence[BoardColumn]:
        statement = (
            select(BoardColumn)
            .where(BoardColumn.board_id.in_(board_ids))
            .order_by(BoardColumn.board_id, BoardColumn.position)
        )
        return (await self.session.execute(statement)).scalars().all()

    async def find_column(self, column_id: uuid.UUID) -> BoardColumn | None:
        return await self.session.get(BoardColumn, column_id)

    async def states_of(self, column_ids: Sequence[uuid.UUID]) -> Sequence[ColumnState]:
        statement = select(ColumnState).where(ColumnState.column_id.in_(column_ids))
        return (await self.session.execute(statement)).scalars().all()

    async def set_column_states(self, column_id: uuid.UUID, state_ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(delete(ColumnState).where(ColumnState.column_id == column_id))
        for state_id in state_ids:
            self.session.add(ColumnState(column_id=column_id, state_id=state_id))


class ViewRepository(Repository[SavedView]):
    model = SavedView

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)

    async def find(self, view_id: uuid.UUID) -> SavedView | None:
        return await self.find_one(self.base().where(SavedView.id == view_id))

    async def visible_to(self, user_id: uuid.UUID) -> Sequence[SavedView]:
        statement = (
            self.base()
            .where((SavedView.owner_id == user_id) | SavedView.shared.is_(True))
            .order_by(SavedView.name)
        )
        return await self.find_all(statement)

    async def delete(self, view_id: uuid.UUID) -> None:
        await self.session.execute(delete(SavedView).where(SavedView.id == view_id))
