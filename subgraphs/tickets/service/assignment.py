"""Assignment: manual, round-robin and least-loaded with per-agent capacity.

Auto-assignment first bumps the group's cursor row (`UPDATE ... RETURNING`): on PostgreSQL
that row lock, on SQLite the database write lock, serialises concurrent assignments of one
group until commit, so two tickets never see the same free capacity.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.context import TenantScope
from subgraphs.kit.events import record
from subgraphs.tickets.errors import NoAgentAvailableError, UnknownReferenceError
from subgraphs.tickets.events import TicketAssigned
from subgraphs.tickets.models import AutoAssign, Group, GroupMember, Ticket
from subgraphs.tickets.repository import ConfigRepository, TicketRepository
from subgraphs.tickets.service.common import Actor
from subgraphs.tickets.service.history import record_change


def _set(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket: Ticket,
    assignee: uuid.UUID | None,
    now: datetime,
    rule: str,
) -> None:
    previous = ticket.assignee_id
    if previous == assignee:
        return
    record_change(session, ticket.id, actor.user_id, now, "assignee", previous, assignee)
    ticket.assignee_id = assignee
    ticket.updated_at = now
    record(
        session,
        TicketAssigned(
            tenant_id=scope.tenant_id,
            actor=str(actor.user_id),
            ticket_id=ticket.id,
            assignee_id=assignee,
            previous_assignee_id=previous,
            rule=rule,
        ),
    )


async def assign(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket: Ticket,
    assignee: uuid.UUID,
    now: datetime,
) -> None:
    _set(session, scope, actor, ticket, assignee, now, AutoAssign.MANUAL.value)


async def unassign(
    session: AsyncSession, scope: TenantScope, actor: Actor, ticket: Ticket, now: datetime
) -> None:
    _set(session, scope, actor, ticket, None, now, AutoAssign.MANUAL.value)


def round_robin(
    members: Sequence[GroupMember], load: dict[uuid.UUID, int], cursor: int
) -> GroupMember | None:
    """The next member after the cursor with free capacity."""
    count = len(members)
    for step in range(count):
        member = members[(cursor - 1 + step) % count]
        if load.get(member.user_id, 0) < member.capacity:
            return member
    return None


def least_loaded(members: Sequence[GroupMember], load: dict[uuid.UUID, int]) -> GroupMember | None:
    free = [m for m in members if load.get(m.user_id, 0) < m.capacity]
    if not free:
        return None
    return min(free, key=lambda m: (load.get(m.user_id, 0) / max(m.capacity, 1), m.position))


async def auto_assign(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket: Ticket,
    now: datetime,
    *,
    required: bool,
) -> uuid.UUID | None:
    """Assign by the group's rule; `required` raises when nobody has capacity."""
    if ticket.group_id is None:
        raise UnknownReferenceError(kind="group", value="none", field="groupId")
    config = ConfigRepository(session)
    group = await config.get(Group, ticket.group_id)
    if group is None:
        raise UnknownReferenceError(kind="group", value=str(ticket.group_id), field="groupId")
    rule = AutoAssign(group.auto_assign)
    if rule is AutoAssign.MANUAL and not required:
        return None
    cursor = await config.lock_group(group.id)  # the lock, before reading any load
    members = await config.members(group.id)
    load = await TicketRepository(session, scope).open_load([m.user_id for m in members])
    if ticket.assignee_id is not None and ticket.assignee_id in load:
        load[ticket.assignee_id] -= 1  # reassigning: its own ticket does not count
    chosen = (
        round_robin(members, load, cursor or 1)
        if rule is AutoAssign.ROUND_ROBIN
        else least_loaded(members, load)
    )
    if chosen is None:
        if required:
            raise NoAgentAvailableError(field="groupId")
        return None
    _set(session, scope, actor, ticket, chosen.user_id, now, rule.value)
    return chosen.user_id
