# mypy: disable-error-code="untyped-decorator"
# (strawberry decorators called with a description are untyped for mypy)
"""Queries of the tickets subgraph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import strawberry

from subgraphs.kit.relay import Connection, connection_from_rows, page_size
from subgraphs.tickets.errors import TicketNotFoundError
from subgraphs.tickets.repository import ConfigRepository
from subgraphs.tickets.resolvers.automations import AutomationQueries
from subgraphs.tickets.resolvers.common import (
    caller,
    cursor_key,
    parse_cursor,
    parse_id,
    read,
    to_filter,
    to_ordering,
)
from subgraphs.tickets.service import productivity, queries
from subgraphs.tickets.service.access import require_agent, require_reader
from subgraphs.tickets.service.filters import TicketFilter
from subgraphs.tickets.types.config import (
    BusinessCalendar,
    CustomField,
    Macro,
    SlaPolicy,
    TicketView,
)
from subgraphs.tickets.types.inputs import TicketFilterInput, TicketOrder
from subgraphs.tickets.types.tickets import (
    Ctx,
    Ticket,
    TicketGroup,
    TicketPriority,
    TicketStatus,
)


async def _view_filter(info: Ctx, view_id: strawberry.ID | None) -> TicketFilter | None:
    key = parse_id(view_id)
    if view_id is None:
        return None
    if key is None:
        return TicketFilter(status_keys=("\x00",))  # an unknown view: nothing matches

    async def work(session: Any, scope: Any, actor: Any) -> TicketFilter:
        view = await productivity.find_view(session, actor, key)
        if view is None:
            return TicketFilter(status_keys=("\x00",))
        return productivity.view_filter(view)

    return await read(info, work)


async def ticket_connection(
    info: Ctx,
    spec: TicketFilter,
    order: TicketOrder | None,
    first: int | None,
    after: str | None,
) -> Connection[Ticket]:
    ordering = to_ordering(order)
    key = parse_cursor(ordering, after)
    size = page_size(first)

    async def work(session: Any, scope: Any, actor: Any) -> Any:
        return await queries.list_tickets(session, scope, actor, spec, ordering, key, size)

    rows = await read(info, work)
    cursors = {row.id: cursor_key(ordering, value, row.number) for row, value in rows}
    return connection_from_rows(
        [Ticket.of(row) for row, _ in rows],
        size=size,
        key=lambda ticket: cursors[ticket.row.id],
        had_cursor=bool(key),
    )


async def user_tickets(
    info: Ctx, user_id: strawberry.ID, role: str, first: int | None, after: str | None
) -> Connection[Ticket]:
    key = parse_id(user_id)
    spec = (
        TicketFilter(status_keys=("\x00",))
        if key is None
        else (
            TicketFilter(assignee_ids=(key,))
            if role == "assignee"
            else TicketFilter(requester_ids=(key,))
        )
    )
    return await ticket_connection(info, spec, None, first, after)


def _config(loader: str, mapper: Any, *, readers_only: bool = False) -> Any:
    async def resolve(info: Ctx) -> list[Any]:
        async def work(session: Any, scope: Any, actor: Any) -> Sequence[Any]:
            if readers_only:
                require_reader(actor)
            rows: Sequence[Any] = await getattr(ConfigRepository(session), loader)()
            return rows

        return [mapper(row) for row in await read(info, work)]

    return resolve


@strawberry.type
class Query(AutomationQueries):
    @strawberry.field(description="A ticket by id; null when unknown or not visible.")
    async def ticket(self, info: Ctx, id: strawberry.ID) -> Ticket | None:
        key = parse_id(id)
        if key is None:
            caller(info)
            return None

        async def work(session: Any, scope: Any, actor: Any) -> Any:
            try:
                return await queries.get_ticket(session, scope, actor, key)
            except TicketNotFoundError:
                return None

        row = await read(info, work)
        return Ticket.of(row) if row is not None else None

    @strawberry.field(description="A ticket by its human number (1042 for #1042).")
    async def ticket_by_number(self, info: Ctx, number: int) -> Ticket | None:
        async def work(session: Any, scope: Any, actor: Any) -> Any:
            return await queries.find_by_number(session, scope, actor, number)

        row = await read(info, work)
        return Ticket.of(row) if row is not None else None

    @strawberry.field(description="Tickets matching a filter (or a saved view), paginated.")
    async def tickets(
        self,
        info: Ctx,
        filter: TicketFilterInput | None = None,
        order_by: TicketOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        view_id: strawberry.ID | None = None,
    ) -> Connection[Ticket]:
        spec = await _view_filter(info, view_id) or to_filter(filter)
        if view_id is not None and filter is not None:
            extra = to_filter(filter)
            spec = replace(spec, search=extra.search or spec.search)
        return await ticket_connection(info, spec, order_by, first, after)

    @strawberry.field(description="How many tickets match (a view's count).")
    async def ticket_count(
        self,
        info: Ctx,
        filter: TicketFilterInput | None = None,
        view_id: strawberry.ID | None = None,
    ) -> int:
        spec = await _view_filter(info, view_id) or to_filter(filter)

        async def work(session: Any, scope: Any, actor: Any) -> int:
            return await queries.count_tickets(session, scope, actor, spec)

        return await read(info, work)

    ticket_statuses: list[TicketStatus] = strawberry.field(
        resolver=_config("statuses", TicketStatus.of)
    )
    ticket_priorities: list[TicketPriority] = strawberry.field(
        resolver=_config("priorities", TicketPriority.of)
    )
    ticket_groups: list[TicketGroup] = strawberry.field(resolver=_config("groups", TicketGroup.of))
    ticket_custom_fields: list[CustomField] = strawberry.field(
        resolver=_config("fields", CustomField.of)
    )
    business_calendars: list[BusinessCalendar] = strawberry.field(
        resolver=_config("calendars", BusinessCalendar.of, readers_only=True),
        description="Business-hours calendars (agents and viewers).",
    )
    sla_policies: list[SlaPolicy] = strawberry.field(
        resolver=_config("policies", SlaPolicy.of, readers_only=True),
        description="SLA policies in evaluation order (agents and viewers).",
    )

    @strawberry.field(description="Macros (agents).")
    async def macros(self, info: Ctx) -> list[Macro]:
        async def work(session: Any, scope: Any, actor: Any) -> Any:
            require_agent(actor)
            return await ConfigRepository(session).macros()

        return [Macro.of(m) for m in await read(info, work)]

    @strawberry.field(description="Shared views and the caller's personal views.")
    async def ticket_views(self, info: Ctx) -> list[TicketView]:
        async def work(session: Any, scope: Any, actor: Any) -> Any:
            return await productivity.list_views(session, actor)

        return [TicketView.of(v) for v in await read(info, work)]
