"""Reading tickets: filters resolved against the tenant's configuration, visibility applied,
keyset pages, comments and history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.context import TenantScope
from subgraphs.tickets.models import Change, Comment, Ticket, utcnow
from subgraphs.tickets.repository import ConfigRepository, ConversationRepository, TicketRepository
from subgraphs.tickets.service import fields as custom
from subgraphs.tickets.service.access import require_ticket
from subgraphs.tickets.service.common import Actor
from subgraphs.tickets.service.filters import Ordering, ResolvedFilter, TicketFilter

Page = list[tuple[Ticket, Any]]


async def resolve_filter(session: AsyncSession, actor: Actor, spec: TicketFilter) -> ResolvedFilter:
    """Keys -> ids; an unknown key makes the answer empty; requesters see only their own."""
    config = ConfigRepository(session)
    impossible = False
    status_ids: list[uuid.UUID] = []
    if spec.status_keys:
        known = {s.key: s.id for s in await config.statuses()}
        status_ids = [known[k] for k in spec.status_keys if k in known]
        impossible |= not status_ids
    priority_ids: list[uuid.UUID] = []
    if spec.priority_keys:
        known = {p.key: p.id for p in await config.priorities()}
        priority_ids = [known[k] for k in spec.priority_keys if k in known]
        impossible |= not priority_ids
    field_filters: list[tuple[uuid.UUID, str]] = []
    if spec.custom_fields:
        by_key = {f.key: f for f in await config.fields()}
        for key, value in spec.custom_fields:
            field = by_key.get(key)
            if field is None:
                impossible = True
                continue
            field_filters.append((field.id, custom.filter_text(field, value)))
    return ResolvedFilter(
        base=spec,
        status_ids=tuple(status_ids),
        priority_ids=tuple(priority_ids),
        custom_fields=tuple(field_filters),
        only_requester=None if actor.reads_all else actor.user_id,
        impossible=impossible,
    )


async def list_tickets(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    spec: TicketFilter,
    ordering: Ordering,
    after: tuple[Any, int] | None,
    size: int,
    now: datetime | None = None,
) -> Page:
    resolved = await resolve_filter(session, actor, spec)
    repo = TicketRepository(session, scope)
    return await repo.page(resolved, ordering, after, size, now or utcnow())


async def count_tickets(
    session: AsyncSession, scope: TenantScope, actor: Actor, spec: TicketFilter
) -> int:
    resolved = await resolve_filter(session, actor, spec)
    return await TicketRepository(session, scope).count(resolved, utcnow())


async def visible_ids(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    spec: TicketFilter,
    ids: Sequence[uuid.UUID],
) -> set[uuid.UUID]:
    """Which of `ids` match `spec` for this caller (subscriptions filter events with it)."""
    narrowed = replace(spec, ids=tuple(ids))
    page = await list_tickets(session, scope, actor, narrowed, Ordering(), None, len(ids) or 1)
    return {ticket.id for ticket, _ in page}


async def get_ticket(
    session: AsyncSession, scope: TenantScope, actor: Actor, ticket_id: uuid.UUID
) -> Ticket:
    return await require_ticket(session, scope, actor, ticket_id)


async def find_by_number(
    session: AsyncSession, scope: TenantScope, actor: Actor, number: int
) -> Ticket | None:
    ticket = await TicketRepository(session, scope).find_by_number(number)
    if ticket is None or not (actor.reads_all or ticket.requester_id == actor.user_id):
        return None
    return ticket


async def comments(
    session: AsyncSession, actor: Actor, ticket_ids: Sequence[uuid.UUID]
) -> Sequence[Comment]:
    """Internal notes only for agents and viewers, never for requesters."""
    repo = ConversationRepository(session)
    return await repo.comments(ticket_ids, include_internal=actor.reads_all)


async def history(session: AsyncSession, ticket_ids: Sequence[uuid.UUID]) -> Sequence[Change]:
    return await ConversationRepository(session).changes(ticket_ids)
