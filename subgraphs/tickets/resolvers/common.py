"""Resolver plumbing: the caller, ids, filters, cursors, units of work."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.context import TenantScope
from subgraphs.kit.errors import InvalidCursorError
from subgraphs.kit.loaders import Loader
from subgraphs.kit.payloads import UserError, guard
from subgraphs.kit.relay import decode_cursor
from subgraphs.tickets.errors import InvalidInputError
from subgraphs.tickets.loaders import (
    ChangesByTicket,
    ChildrenByTicket,
    CommentsByTicket,
    GroupsById,
    PrioritiesById,
    SlaByTicketId,
    StatusesById,
    TicketsById,
)
from subgraphs.tickets.models import Ticket
from subgraphs.tickets.service.common import Actor
from subgraphs.tickets.service.filters import OrderField, Ordering, TicketFilter
from subgraphs.tickets.types.inputs import OrderDirection, TicketFilterInput, TicketOrder
from subgraphs.tickets.types.tickets import Ctx

T = TypeVar("T")
Work = Callable[[AsyncSession, TenantScope, Actor], Awaitable[T]]


def caller(info: Ctx) -> tuple[TenantScope, Actor]:
    scope = info.context.require_scope()
    return scope, Actor.of(info.context.require_principal())


def parse_id(raw: str | None) -> uuid.UUID | None:
    if raw is None:
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def require_id(raw: str | None, field: str) -> uuid.UUID:
    value = parse_id(raw)
    if value is None:
        raise InvalidInputError(reason=f"{field} is not an id", field=field)
    return value


def ids(raw: list[Any] | None, field: str) -> tuple[uuid.UUID, ...]:
    return tuple(require_id(r, field) for r in raw or [])


async def mutate(info: Ctx, work: Work[T]) -> T | list[UserError]:
    """An authenticated mutation in the request's write session; domain errors become
    `userErrors` and roll the session back (the kit commits on success)."""
    scope, actor = caller(info)

    async def run() -> T:
        return await work(await info.context.sessions.write(), scope, actor)

    return await guard(info.context, run())


async def read(info: Ctx, work: Work[T]) -> T:
    scope, actor = caller(info)
    async with info.context.sessions.read() as session:
        return await work(session, scope, actor)


def to_filter(raw: TicketFilterInput | None) -> TicketFilter:
    if raw is None:
        return TicketFilter()
    return TicketFilter(
        status_keys=tuple(raw.status or ()),
        categories=tuple(c.value for c in raw.category or ()),
        assignee_ids=ids(raw.assignee_id, "assigneeId"),
        unassigned=raw.unassigned,
        requester_ids=ids(raw.requester_id, "requesterId"),
        group_ids=ids(raw.group_id, "groupId"),
        priority_keys=tuple(raw.priority or ()),
        types=tuple(t.value for t in raw.type or ()),
        channels=tuple(c.value for c in raw.channel or ()),
        tags_any=tuple(t.lower() for t in raw.tags_any or ()),
        tags_all=tuple(t.lower() for t in raw.tags_all or ()),
        custom_fields=tuple((c.key, c.value) for c in raw.custom_fields or ()),
        sla_breached=raw.sla_breached,
        created_after=raw.created_after,
        created_before=raw.created_before,
        updated_after=raw.updated_after,
        updated_before=raw.updated_before,
        search=(raw.search or "").strip()[:500] or None,
    )


def to_ordering(raw: TicketOrder | None) -> Ordering:
    if raw is None:
        return Ordering()
    return Ordering(OrderField(raw.field.value), raw.direction is OrderDirection.DESC)


def cursor_key(ordering: Ordering, value: Any, number: int) -> str:
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return f"{text}|{number}"


def parse_cursor(ordering: Ordering, cursor: str | None) -> tuple[Any, int] | None:
    raw = decode_cursor(cursor)
    if raw is None:
        return None
    try:
        value, _, number = raw.rpartition("|")
        if ordering.field in {OrderField.CREATED_AT, OrderField.UPDATED_AT}:
            return datetime.fromisoformat(value), int(number)
        return int(value), int(number)
    except ValueError as exc:
        raise InvalidCursorError(field="after") from exc


async def prime(info: Ctx, session: AsyncSession, ticket: Ticket) -> None:
    """Load what a payload usually selects through the write session: the payload shows the
    uncommitted change (read-your-writes), and needs no second connection while the write
    transaction holds one (with small per-tenant pools, that wait could otherwise deadlock)."""
    await session.flush()
    loaders = info.context.loaders
    for config in (StatusesById, PrioritiesById, GroupsById):
        loader = loaders.get(config)
        for key, value in (await loader.batch(session, [])).items():
            loader.prime(key, value)
    keys: list[tuple[type[Loader[Any, Any]], Any]] = [
        (SlaByTicketId, ticket.id),
        (ChangesByTicket, ticket.id),
        (ChildrenByTicket, ticket.id),
    ]
    for kind, key in keys:
        one = loaders.get(kind)
        one.prime(key, (await one.batch(session, [key])).get(key))
    comments = loaders.get(CommentsByTicket)
    both = [(ticket.id, True), (ticket.id, False)]
    for key, value in (await comments.batch(session, both)).items():  # one query
        comments.prime(key, value)
    loaders.get(TicketsById).prime(ticket.id, ticket)


async def mutate_ticket(info: Ctx, work: Work[Ticket]) -> Ticket | list[UserError]:
    async def primed(session: AsyncSession, scope: TenantScope, actor: Actor) -> Ticket:
        ticket = await work(session, scope, actor)
        await prime(info, session, ticket)
        return ticket

    return await mutate(info, primed)
