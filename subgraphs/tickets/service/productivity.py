"""Productivity: macros, saved views, merging, CSAT."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.errors import ForbiddenError
from subgraphs.kit.context import TenantScope
from subgraphs.kit.events import record
from subgraphs.tickets.errors import (
    CsatNotRequestedError,
    InvalidInputError,
    InvalidMergeError,
    UnknownReferenceError,
)
from subgraphs.tickets.events import TicketsMerged
from subgraphs.tickets.models import Macro, Status, StatusCategory, Ticket, View, utcnow
from subgraphs.tickets.repository import ConfigRepository, ConversationRepository, SlaRepository
from subgraphs.tickets.service.access import require_agent, require_configure, require_ticket
from subgraphs.tickets.service.common import Actor
from subgraphs.tickets.service.conversation import add_comment
from subgraphs.tickets.service.filters import TicketFilter, filter_from_json, filter_to_json
from subgraphs.tickets.service.history import record_change
from subgraphs.tickets.service.tickets import UNSET, TicketChanges, touch, update_ticket

MACRO_ACTIONS = {"status", "priority", "type", "group_id", "assignee_id", "add_tags", "remove_tags"}


@dataclass(frozen=True)
class MacroInput:
    name: str
    actions: dict[str, Any]
    reply: str | None = None
    reply_public: bool = True


async def create_macro(session: AsyncSession, actor: Actor, data: MacroInput) -> Macro:
    require_agent(actor)
    unknown = set(data.actions) - MACRO_ACTIONS
    if unknown:
        raise InvalidInputError(reason=f"unknown macro actions {sorted(unknown)}", field="actions")
    name = data.name.strip()
    if not name or len(name) > 120:
        raise InvalidInputError(reason="name must be 1-120 characters", field="name")
    macro = Macro(
        id=uuid.uuid4(),
        name=name,
        actions=orjson.dumps(data.actions).decode(),
        reply=data.reply,
        reply_public=data.reply_public,
    )
    ConfigRepository(session).add(macro)
    return macro


def _changes(actions: dict[str, Any]) -> TicketChanges:
    def ident(value: Any) -> Any:
        return uuid.UUID(value) if isinstance(value, str) else value

    return TicketChanges(
        status=actions.get("status", UNSET),
        priority=actions.get("priority", UNSET),
        type=actions.get("type", UNSET),
        group_id=ident(actions["group_id"]) if "group_id" in actions else UNSET,
        assignee_id=ident(actions["assignee_id"]) if "assignee_id" in actions else UNSET,
        add_tags=tuple(actions.get("add_tags", ())),
        remove_tags=tuple(actions.get("remove_tags", ())),
    )


async def apply_macro(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket_id: uuid.UUID,
    macro_id: uuid.UUID,
) -> Ticket:
    """Field changes, then the reply: one transaction, one history entry per field."""
    require_agent(actor)
    macro = await ConfigRepository(session).get(Macro, macro_id)
    if macro is None:
        raise UnknownReferenceError(kind="macro", value=str(macro_id), field="macroId")
    now = utcnow()
    ticket = await update_ticket(
        session, scope, actor, ticket_id, _changes(orjson.loads(macro.actions)), now
    )
    if macro.reply:
        await add_comment(
            session,
            scope,
            actor,
            ticket.id,
            macro.reply,
            public=macro.reply_public,
            attachments=[],
            now=now,
        )
    return ticket


async def save_view(
    session: AsyncSession, actor: Actor, name: str, spec: TicketFilter, *, shared: bool
) -> View:
    if shared:
        require_configure(actor)
    elif not actor.reads_all:
        raise ForbiddenError(permission="tickets:read")
    clean = name.strip()
    if not clean or len(clean) > 120:
        raise InvalidInputError(reason="name must be 1-120 characters", field="name")
    view = View(
        id=uuid.uuid4(),
        name=clean,
        owner_id=None if shared else actor.user_id,
        filter=filter_to_json(spec).decode(),
    )
    ConfigRepository(session).add(view)
    return view


async def find_view(session: AsyncSession, actor: Actor, view_id: uuid.UUID) -> View | None:
    view = await ConfigRepository(session).get(View, view_id)
    if view is None or (view.owner_id is not None and view.owner_id != actor.user_id):
        return None
    return view


async def list_views(session: AsyncSession, actor: Actor) -> Sequence[View]:
    return await ConfigRepository(session).views(actor.user_id)


def view_filter(view: View) -> TicketFilter:
    return filter_from_json(view.filter)


async def merge_tickets(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    source_id: uuid.UUID,
    target_id: uuid.UUID,
) -> Ticket:
    """Comments and history move to the target; the source is closed with a link to it."""
    require_agent(actor)
    if source_id == target_id:
        raise InvalidMergeError(reason="a ticket cannot be merged into itself", field="targetId")
    source = await require_ticket(session, scope, actor, source_id, lock=True)
    target = await require_ticket(session, scope, actor, target_id, lock=True)
    for ticket in (source, target):
        if ticket.category == StatusCategory.CLOSED.value or ticket.merged_into_id is not None:
            raise InvalidMergeError(reason=f"#{ticket.number} is closed", field="sourceId")
    now = utcnow()
    await ConversationRepository(session).move(source.id, target.id)
    target.search_text = f"{target.search_text}\n{source.subject}\n{source.search_text}"[-200_000:]
    closed = await ConfigRepository(session).status_by_key("closed")
    if closed is None:
        raise UnknownReferenceError(kind="status", value="closed")
    old = await ConfigRepository(session).get(Status, source.status_id)
    record_change(
        session, source.id, actor.user_id, now, "status", old.key if old else None, closed.key
    )
    record_change(session, source.id, actor.user_id, now, "mergedInto", None, target.number)
    record_change(session, target.id, actor.user_id, now, "mergedFrom", None, source.number)
    source.status_id, source.category = closed.id, closed.category
    source.status_changed_at = now
    source.merged_into_id, source.closed_at = target.id, now
    for clock in await SlaRepository(session).clocks([source.id]):
        clock.fulfilled_at = clock.fulfilled_at or now
        clock.running_since = clock.due_at = clock.warn_at = None
    record(
        session,
        TicketsMerged(
            tenant_id=scope.tenant_id,
            actor=str(actor.user_id),
            source_id=source.id,
            target_id=target.id,
        ),
    )
    await touch(session, scope, actor, source, ["status", "mergedInto"], now)
    return await touch(session, scope, actor, target, ["comments", "mergedFrom"], now)


async def rate_ticket(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket_id: uuid.UUID,
    score: int,
    comment: str | None,
) -> Ticket:
    """CSAT: the requester rates a solved (or closed) ticket once asked, 1-5."""
    ticket = await require_ticket(session, scope, actor, ticket_id, lock=True)
    if ticket.requester_id != actor.user_id or ticket.csat_requested_at is None:
        raise CsatNotRequestedError(field="ticketId")
    if not 1 <= score <= 5:
        raise InvalidInputError(reason="score is 1-5", field="score")
    now = utcnow()
    record_change(session, ticket.id, actor.user_id, now, "csat", ticket.csat_score, score)
    ticket.csat_score, ticket.csat_comment = score, (comment or None)
    return await touch(session, scope, actor, ticket, ["csat"], now)
