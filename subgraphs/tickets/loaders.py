"""Per-request loaders of the tickets subgraph: one repository call per batch."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.loaders import Loader
from subgraphs.tickets.models import (
    Calendar,
    Change,
    Comment,
    Group,
    Priority,
    SlaClock,
    Status,
    Ticket,
    utcnow,
)
from subgraphs.tickets.repository import (
    ConfigRepository,
    ConversationRepository,
    SlaRepository,
    TicketRepository,
)
from subgraphs.tickets.service.sla import calendar_of
from subgraphs.tickets.sla.clock import SlaState, state


class TicketsById(Loader[uuid.UUID, Ticket]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, Ticket]:
        return {t.id: t for t in await TicketRepository(session).list_by_ids(keys)}


class _Config(Loader[uuid.UUID, Any]):
    """Small per-tenant tables: one query loads them all."""

    async def rows(self, config: ConfigRepository) -> Sequence[Any]:
        raise NotImplementedError

    async def batch(self, session: AsyncSession, keys: Sequence[uuid.UUID]) -> Mapping[Any, Any]:
        return {row.id: row for row in await self.rows(ConfigRepository(session))}


class StatusesById(_Config):
    async def rows(self, config: ConfigRepository) -> Sequence[Status]:
        return await config.statuses()


class PrioritiesById(_Config):
    async def rows(self, config: ConfigRepository) -> Sequence[Priority]:
        return await config.priorities()


class GroupsById(_Config):
    async def rows(self, config: ConfigRepository) -> Sequence[Group]:
        return await config.groups()


class SlaByTicketId(Loader[uuid.UUID, list[SlaState]]):
    """Live SLA states: clocks of every ticket plus the tenant's calendars, two queries."""

    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, list[SlaState]]:
        found: dict[uuid.UUID, list[SlaClock]] = defaultdict(list)
        for clock in await SlaRepository(session).clocks(keys):
            found[clock.ticket_id].append(clock)
        calendars: dict[uuid.UUID | None, Calendar | None] = {None: None}
        if any(c.calendar_id for clocks in found.values() for c in clocks):
            calendars.update({c.id: c for c in await ConfigRepository(session).calendars()})
        now = utcnow()
        return {
            key: [state(c, now, calendar_of(calendars.get(c.calendar_id))) for c in found[key]]
            for key in keys
        }


class CommentsByTicket(Loader[tuple[uuid.UUID, bool], list[Comment]]):
    """Key: (ticket id, include internal notes)."""

    async def batch(
        self, session: AsyncSession, keys: Sequence[tuple[uuid.UUID, bool]]
    ) -> Mapping[tuple[uuid.UUID, bool], list[Comment]]:
        rows = await ConversationRepository(session).comments(
            [k[0] for k in keys], include_internal=True
        )
        grouped: dict[uuid.UUID, list[Comment]] = defaultdict(list)
        for row in rows:
            grouped[row.ticket_id].append(row)
        return {
            (ticket_id, internal): [c for c in grouped[ticket_id] if internal or c.public]
            for ticket_id, internal in keys
        }


class ChangesByTicket(Loader[uuid.UUID, list[Change]]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, list[Change]]:
        grouped: dict[uuid.UUID, list[Change]] = defaultdict(list)
        for row in await ConversationRepository(session).changes(keys):
            grouped[row.ticket_id].append(row)
        return {key: grouped[key] for key in keys}


class ChildrenByTicket(Loader[uuid.UUID, list[Ticket]]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, list[Ticket]]:
        grouped: dict[uuid.UUID, list[Ticket]] = defaultdict(list)
        for row in await TicketRepository(session).list_children(keys):
            if row.parent_id is not None:
                grouped[row.parent_id].append(row)
        return {key: grouped[key] for key in keys}
