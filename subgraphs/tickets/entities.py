"""Federation entity resolution: always through a loader, and only what the caller may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from subgraphs.tickets.loaders import TicketsById
from subgraphs.tickets.resolvers.common import caller, parse_id
from subgraphs.tickets.service.access import visible

if TYPE_CHECKING:
    from subgraphs.tickets.types.tickets import Ctx, Ticket


async def resolve_ticket_reference(info: Ctx, id: str) -> Ticket | None:
    from subgraphs.tickets.types.tickets import Ticket

    _, actor = caller(info)
    key = parse_id(id)
    if key is None:
        return None
    row = await info.context.loaders.get(TicketsById).load(key)
    return Ticket.of(row) if row is not None and visible(actor, row) else None
