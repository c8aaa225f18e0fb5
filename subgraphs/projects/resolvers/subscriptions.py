"""`boardUpdated(boardId)`: committed card changes of the board's project.

Visibility is checked when subscribing and again before each event: once the caller may no
longer see the project (removed from a private project, or a project made private), the
stream ends with `BOARD_NOT_FOUND` instead of delivering the event."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from subgraphs.projects.access import still_visible, visible_one
from subgraphs.projects.errors import BoardNotFoundError
from subgraphs.projects.realtime import channel
from subgraphs.projects.repository.boards import BoardRepository
from subgraphs.projects.types.boards import BoardEvent
from subgraphs.projects.types.common import READ, Ctx, maybe_uuid


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def board_updated(
        self, info: Ctx, board_id: strawberry.ID
    ) -> AsyncGenerator[BoardEvent, None]:
        principal = info.context.require_permission(READ)
        key = maybe_uuid(board_id)
        board = None
        if key is not None:
            async with info.context.sessions.read() as session:
                board = await BoardRepository(session).find(key)
        board = await visible_one(info, board)
        if board is None:
            raise BoardNotFoundError(field="boardId")
        feed = info.context.deps.feed
        async for message in feed.subscribe(channel(principal.tenant_id, board.project_id)):
            if not await still_visible(info, board.project_id):
                raise BoardNotFoundError(field="boardId")
            yield BoardEvent(
                kind=message.kind,
                board_id=board_id,
                task_id=strawberry.ID(message.task_id),
                state_id=strawberry.ID(message.state_id) if message.state_id else None,
                rank=message.rank,
                actor_id=strawberry.ID(message.actor_id) if message.actor_id else None,
            )
