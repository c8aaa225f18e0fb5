"""Task dependencies and links to helpdesk tickets."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.repository import Repository
from subgraphs.projects.models import LinkType, TaskLink, TicketLink

_LINKS_LOCK = 7_301_009  # pg_advisory_xact_lock key: serialises cycle checks of BLOCKS links


class LinkRepository(Repository[TaskLink]):
    model = TaskLink

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)

    async def lock(self) -> None:
        """Two concurrent links could together close a cycle each check alone would miss."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(text(f"SELECT pg_advisory_xact_lock({_LINKS_LOCK})"))

    async def find(self, link_id: uuid.UUID) -> TaskLink | None:
        return await self.find_one(self.base().where(TaskLink.id == link_id))

    async def find_same(self, source: uuid.UUID, target: uuid.UUID, kind: str) -> TaskLink | None:
        statement = self.base().where(
            TaskLink.source_id == source, TaskLink.target_id == target, TaskLink.type == kind
        )
        return await self.find_one(statement)

    async def of_tasks(self, task_ids: Sequence[uuid.UUID]) -> Sequence[TaskLink]:
        statement = (
            self.base()
            .where(or_(TaskLink.source_id.in_(task_ids), TaskLink.target_id.in_(task_ids)))
            .order_by(TaskLink.created_at)
        )
        return await self.find_all(statement)

    async def blocks_path(self, start: uuid.UUID, goal: uuid.UUID) -> bool:
        """Whether `start` reaches `goal` along BLOCKS links (recursive CTE, one query)."""
        blocks = LinkType.BLOCKS.value
        reach = (
            select(TaskLink.target_id.label("id"))
            .where(TaskLink.source_id == start, TaskLink.type == blocks)
            .cte(recursive=True)
        )
        step = select(TaskLink.target_id).join(reach, TaskLink.source_id == reach.c.id)
        reach = reach.union(step.where(TaskLink.type == blocks))
        statement = select(func.count()).select_from(reach).where(reach.c.id == goal)
        return int((await self.session.execute(statement)).scalar_one()) > 0

    async def delete(self, link_id: uuid.UUID) -> None:
        await self.session.execute(delete(TaskLink).where(TaskLink.id == link_id))


class TicketLinkRepository(Repository[TicketLink]):
    model = TicketLink

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)

    async def find(self, task_id: uuid.UUID, ticket_id: str) -> TicketLink | None:
        return await self.session.get(TicketLink, (task_id, ticket_id))

    async def of_tasks(self, task_ids: Sequence[uuid.UUID]) -> Sequence[TicketLink]:
        statement = (
            self.base().where(TicketLink.task_id.in_(task_ids)).order_by(TicketLink.created_at)
        )
        return await self.find_all(statement)

    async def of_tickets(self, ticket_ids: Sequence[str]) -> Sequence[TicketLink]:
        statement = (
            self.base().where(TicketLink.ticket_id.in_(ticket_ids)).order_by(TicketLink.created_at)
        )
        return await self.find_all(statement)

    async def delete(self, task_id: uuid.UUID, ticket_id: str) -> None:
        await self.session.execute(
            delete(TicketLink).where(
                TicketLink.task_id == task_id, TicketLink.ticket_id == ticket_id
            )
        )
