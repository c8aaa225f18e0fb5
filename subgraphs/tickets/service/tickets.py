"""Create and update tickets: numbering, validation, transitions, history, SLA, events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.context import TenantScope
from subgraphs.kit.events import record
from subgraphs.tickets.errors import (
    InvalidInputError,
    InvalidTransitionError,
    TicketClosedError,
    UnknownReferenceError,
)
from subgraphs.tickets.events import CsatRequested, TicketCreated, TicketUpdated
from subgraphs.tickets.models import (
    Channel,
    Group,
    Priority,
    Status,
    StatusCategory,
    Ticket,
    TicketType,
    utcnow,
)
from subgraphs.tickets.repository import ConfigRepository, TicketRepository
from subgraphs.tickets.service import assignment, sla
from subgraphs.tickets.service import fields as custom
from subgraphs.tickets.service.access import require_agent, require_ticket
from subgraphs.tickets.service.common import Actor
from subgraphs.tickets.service.history import record_change

C = StatusCategory
TRANSITIONS: dict[StatusCategory, frozenset[StatusCategory]] = {
    C.NEW: frozenset({C.NEW, C.OPEN, C.PENDING, C.ON_HOLD, C.SOLVED}),
    C.OPEN: frozenset({C.OPEN, C.PENDING, C.ON_HOLD, C.SOLVED}),
    C.PENDING: frozenset({C.OPEN, C.PENDING, C.ON_HOLD, C.SOLVED}),
    C.ON_HOLD: frozenset({C.OPEN, C.PENDING, C.ON_HOLD, C.SOLVED}),
    C.SOLVED: frozenset({C.OPEN, C.SOLVED, C.CLOSED}),
    C.CLOSED: frozenset(),
}
MAX_TAGS = 50


class Unset:
    """Marks an input field that was not given (None means "clear")."""


UNSET: Any = Unset()


@dataclass(frozen=True)
class NewTicket:
    subject: str
    description: str = ""
    requester_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    priority: str | None = None
    status: str | None = None
    type: str = TicketType.QUESTION.value
    channel: str = Channel.WEB.value
    tags: tuple[str, ...] = ()
    custom_fields: dict[str, Any] = field(default_factory=dict)
    parent_id: uuid.UUID | None = None
    id: uuid.UUID | None = None  # chosen by the caller (a chat escalation names its ticket)


@dataclass(frozen=True)
class TicketChanges:
    subject: Any = UNSET
    description: Any = UNSET
    status: Any = UNSET
    priority: Any = UNSET
    type: Any = UNSET
    group_id: Any = UNSET
    assignee_id: Any = UNSET
    tags: Any = UNSET
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    custom_fields: dict[str, Any] = field(default_factory=dict)
    parent_id: Any = UNSET


def clean_tags(tags: Any) -> list[str]:
    found: list[str] = []
    for raw in tags:
        tag = str(raw).strip().lower()
        if not tag or len(tag) > 100 or any(c.isspace() for c in tag):
            raise InvalidInputError(reason=f"bad tag {raw!r}", field="tags")
        if tag not in found:
            found.append(tag)
    if len(found) > MAX_TAGS:
        raise InvalidInputError(reason=f"at most {MAX_TAGS} tags", field="tags")
    return found


def _subject(raw: str) -> str:
    subject = raw.strip()
    if not subject or len(subject) > 500:
        raise InvalidInputError(reason="subject must be 1-500 characters", field="subject")
    return subject


async def _status(config: ConfigRepository, key: str) -> Status:
    status = await config.status_by_key(key)
    if status is None or not status.active:
        raise UnknownReferenceError(kind="status", value=key, field="status")
    return status


async def _priority(config: ConfigRepository, key: str) -> Priority:
    priority = await config.priority_by_key(key)
    if priority is None:
        raise UnknownReferenceError(kind="priority", value=key, field="priority")
    return priority


async def _group(config: ConfigRepository, group_id: uuid.UUID | None) -> None:
    if group_id is not None and await config.get(Group, group_id) is None:
        raise UnknownReferenceError(kind="group", value=str(group_id), field="groupId")


def _enum(value: str, kind: type[Any], name: str) -> str:
    try:
        return str(kind(value).value)
    except ValueError as exc:
        raise InvalidInputError(reason=f"unknown {name} {value!r}", field=name) from exc


async def _parent(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    parent_id: uuid.UUID | None,
    child: uuid.UUID | None,
) -> None:
    if parent_id is None:
        return
    if parent_id == child:
        raise InvalidInputError(reason="a ticket cannot be its own parent", field="parentId")
    await require_ticket(session, scope, actor, parent_id)


async def create_ticket(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    new: NewTicket,
    now: datetime | None = None,
) -> Ticket:
    """A requester creates for themselves; agents for anyone. Agent-only fields (status,
    priority, tags, group, assignee, parent, requester) are ignored for requesters: priority
    and tags choose SLA policies and route through automations."""
    now = now or utcnow()
    repo = TicketRepository(session, scope)
    number = await repo.next_number()  # first: takes the counter's lock before any read
    config = ConfigRepository(session)
    agent = actor.is_agent
    status = await _status(config, new.status if agent and new.status else "new")
    priority = await _priority(config, (new.priority if agent else None) or "normal")
    group_id = new.group_id if agent else None
    await _group(config, group_id)
    if agent:
        await _parent(session, scope, actor, new.parent_id, None)
    values, rows = custom.validate(await config.fields(), {}, new.custom_fields, creating=True)
    tags = clean_tags(new.tags) if agent else []
    ticket = repo.add(
        Ticket(
            id=new.id or uuid.uuid4(),
            number=number,
            subject=_subject(new.subject),
            description=new.description[:100_000],
            status_id=status.id,
            category=status.category,
            priority_id=priority.id,
            type=_enum(new.type, TicketType, "type"),
            channel=_enum(new.channel, Channel, "channel"),
            requester_id=(new.requester_id or actor.user_id) if agent else actor.user_id,
            group_id=group_id,
            tags=orjson.dumps(tags).decode(),
            custom_fields=orjson.dumps(values).decode(),
            parent_id=new.parent_id if agent else None,
            created_at=now,
            updated_at=now,
        )
    )
    await repo.flush()
    await repo.replace_tags(ticket.id, tags, fresh=True)
    await repo.replace_field_values(ticket.id, rows, fresh=True)
    context = await sla.context_for(session, ticket, priority.key, tags)
    await sla.start(session, ticket, context, now, paused=status.pauses_sla)
    if agent and new.assignee_id is not None:
        await assignment.assign(session, scope, actor, ticket, new.assignee_id, now)
    elif group_id is not None:
        await assignment.auto_assign(session, scope, actor, ticket, now, required=False)
    from subgraphs.tickets.service.automations import run

    created = ["subject", "description", "status", "priority", "type", "group", "tags"]
    if ticket.assignee_id is not None:
        created.append("assignee")
    created += [f"customFields.{key}" for key in values]
    await run(session, scope, actor, ticket, "CREATED", created, now)
    await repo.index_search(ticket)
    record(
        session,
        TicketCreated(
            tenant_id=scope.tenant_id,
            actor=str(actor.user_id),
            ticket_id=ticket.id,
            number=ticket.number,
            requester_id=ticket.requester_id,
        ),
    )
    return ticket


def check_transition(source: Status, target: Status) -> None:
    if C(target.category) not in TRANSITIONS[C(source.category)]:
        raise InvalidTransitionError(source=source.key, target=target.key, field="status")


async def update_ticket(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket_id: uuid.UUID,
    changes: TicketChanges,
    now: datetime | None = None,
) -> Ticket:
    """Apply the changes, then the tenant's automations (trigger UPDATED) on the result."""
    from subgraphs.tickets.service.automations import run  # it applies changes through here

    require_agent(actor)
    now = now or utcnow()
    ticket = await require_ticket(session, scope, actor, ticket_id, lock=True)
    if ticket.category == C.CLOSED.value:
        raise TicketClosedError(number=ticket.number, field="id")
    assignee = ticket.assignee_id
    changed = await apply_changes(session, scope, actor, ticket, changes, now)
    seen = [*changed, "assignee"] if ticket.assignee_id != assignee else list(changed)
    changed += await run(session, scope, actor, ticket, "UPDATED", seen, now)
    return await touch(session, scope, actor, ticket, changed, now)


async def apply_changes(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket: Ticket,
    changes: TicketChanges,
    now: datetime,
) -> list[str]:
    """Field changes on a locked, open ticket: history, SLA, assignment; the changed names."""
    config = ConfigRepository(session)
    changed: list[str] = []

    def note(name: str, old: Any, new: Any) -> None:
        if record_change(session, ticket.id, actor.user_id, now, name, old, new):
            changed.append(name)

    if changes.subject is not UNSET:
        subject = _subject(changes.subject)
        note("subject", ticket.subject, subject)
        ticket.subject = subject
    if changes.description is not UNSET:
        note("description", ticket.description, changes.description)
        ticket.description = str(changes.description or "")[:100_000]
    if changes.type is not UNSET:
        kind = _enum(changes.type, TicketType, "type")
        note("type", ticket.type, kind)
        ticket.type = kind
    if changes.parent_id is not UNSET:
        await _parent(session, scope, actor, changes.parent_id, ticket.id)
        note("parent", ticket.parent_id, changes.parent_id)
        ticket.parent_id = changes.parent_id
    await _update_tags(session, ticket, changes, note)
    await _update_fields(session, ticket, config, changes, note)
    priority = await config.get(Priority, ticket.priority_id)
    assert priority is not None
    if changes.priority is not UNSET:
        new_priority = await _priority(config, changes.priority)
        note("priority", priority.key, new_priority.key)
        ticket.priority_id, priority = new_priority.id, new_priority
    if changes.group_id is not UNSET:
        await _group(config, changes.group_id)
        note("group", ticket.group_id, changes.group_id)
        ticket.group_id = changes.group_id
    retarget = {"priority", "group", "type", "tags"} & set(changed)
    context = await sla.context_for(session, ticket, priority.key, orjson.loads(ticket.tags))
    if retarget:
        await sla.retarget(session, ticket, context, now)
    if changes.status is not UNSET:
        await _transition(session, scope, actor, ticket, changes.status, context, now, note)
    if changes.assignee_id is not UNSET:
        if changes.assignee_id is None:
            await assignment.unassign(session, scope, actor, ticket, now)
        else:
            await assignment.assign(session, scope, actor, ticket, changes.assignee_id, now)
    elif "group" in changed and ticket.group_id is not None:
        await assignment.auto_assign(session, scope, actor, ticket, now, required=False)
    return changed


async def touch(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket: Ticket,
    changed: list[str],
    now: datetime,
) -> Ticket:
    ticket.updated_at = now
    await TicketRepository(session, scope).index_search(ticket)
    if changed:
        record(
            session,
            TicketUpdated(
                tenant_id=scope.tenant_id,
                actor=str(actor.user_id),
                ticket_id=ticket.id,
                fields=tuple(changed),
            ),
        )
    return ticket


async def _update_tags(
    session: AsyncSession, ticket: Ticket, changes: TicketChanges, note: Any
) -> None:
    current: list[str] = orjson.loads(ticket.tags)
    tags = clean_tags(changes.tags) if changes.tags is not UNSET else list(current)
    tags = clean_tags([*tags, *changes.add_tags])
    removed = set(clean_tags(changes.remove_tags))
    tags = [t for t in tags if t not in removed]
    if tags != current:
        note("tags", current, tags)
        ticket.tags = orjson.dumps(tags).decode()
        await TicketRepository(session).replace_tags(ticket.id, tags)


async def _update_fields(
    session: AsyncSession,
    ticket: Ticket,
    config: ConfigRepository,
    changes: TicketChanges,
    note: Any,
) -> None:
    if not changes.custom_fields:
        return
    current: dict[str, Any] = orjson.loads(ticket.custom_fields)
    merged, rows = custom.validate(
        await config.fields(), current, changes.custom_fields, creating=False
    )
    for key in sorted(set(current) | set(merged)):
        note(f"customFields.{key}", current.get(key), merged.get(key))
    ticket.custom_fields = orjson.dumps(merged).decode()
    await TicketRepository(session).replace_field_values(ticket.id, rows)


async def _transition(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket: Ticket,
    key: str,
    context: sla.SlaContext,
    now: datetime,
    note: Any,
) -> None:
    config = ConfigRepository(session)
    source = await config.get(Status, ticket.status_id)
    assert source is not None
    target = await _status(config, key)
    if target.id == source.id:
        return
    check_transition(source, target)
    note("status", source.key, target.key)
    ticket.status_id, ticket.category = target.id, target.category
    ticket.status_changed_at = now
    await sla.status_changed(
        session,
        ticket,
        context,
        now,
        old=(source.category, source.pauses_sla),
        new=(target.category, target.pauses_sla),
    )
    if target.category == C.SOLVED.value:
        ticket.solved_at = now
        if ticket.csat_score is None:
            ticket.csat_requested_at = now
            record(
                session,
                CsatRequested(
                    tenant_id=scope.tenant_id,
                    actor=str(actor.user_id),
                    ticket_id=ticket.id,
                    requester_id=ticket.requester_id,
                ),
            )
    elif target.category == C.CLOSED.value:
        ticket.closed_at = now
    elif source.category == C.SOLVED.value:
        ticket.solved_at = None
