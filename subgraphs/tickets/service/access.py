"""Loading a ticket for a caller: another tenant's id, a missing id and a ticket the caller
may not see all raise the same TicketNotFoundError."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.errors import ForbiddenError
from subgraphs.kit.context import TenantScope
from subgraphs.tickets.errors import TicketNotFoundError
from subgraphs.tickets.models import Ticket
from subgraphs.tickets.repository import TicketRepository
from subgraphs.tickets.service.common import CONFIGURE, READ_ALL, WRITE, Actor


def visible(actor: Actor, ticket: Ticket) -> bool:
    return actor.reads_all or ticket.requester_id == actor.user_id


async def require_ticket(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket_id: uuid.UUID,
    *,
    lock: bool = False,
) -> Ticket:
    repo = TicketRepository(session, scope)
    ticket = await (repo.find_for_update(ticket_id) if lock else repo.find(ticket_id))
    if ticket is None or not visible(actor, ticket):
        raise TicketNotFoundError(field="id")
    return ticket


def require_agent(actor: Actor) -> None:
    if not actor.is_agent:
        raise ForbiddenError(permission=WRITE)


def require_reader(actor: Actor) -> None:
    """Agents and viewers: helpdesk internals (SLA policies, calendars) are not for requesters."""
    if not actor.reads_all:
        raise ForbiddenError(permission=READ_ALL)


def require_configure(actor: Actor) -> None:
    if not actor.configures:
        raise ForbiddenError(permission=CONFIGURE)
