"""Running automations: in the transaction of the change that triggers them.

After `createTicket` (trigger CREATED), an update (`updateTicket`, `assignTicket` by hand,
`applyMacro`: trigger UPDATED) or a new comment (`addTicketComment`: trigger COMMENTED, the
comment's body, visibility and author readable by COMMENT_* conditions), the tenant's active
rules run once, in `position` order, on the ticket as it is now. A rule whose conditions hold
applies its actions at once, so the next rules see the result (and its changed fields count
for their CHANGED conditions).

Loop safety: one pass per triggering change, each rule at most once in it; the changes
automations make never start another pass. A rule that would undo an earlier one simply runs
after it; nothing can cycle. Closed tickets run no automations.

Audit: every firing writes a history row `automation` = the rule's name, and each field it
changes is a history row with `via = "automation: <name>"` (the person whose change set it off
stays the actor). Actions are applied with agent rights whoever triggered them; an action that
no longer fits (a status transition not allowed from the current status, a status, priority or
group deleted since the rule was saved) is skipped, the others still apply.

TIME rules run from the scheduled job instead (`automation_time.py`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.context import TenantScope
from subgraphs.tickets.models import (
    Automation,
    Group,
    Priority,
    Status,
    StatusCategory,
    Ticket,
    aware,
)
from subgraphs.tickets.repository import ConfigRepository
from subgraphs.tickets.service import assignment
from subgraphs.tickets.service.automation_rules import (
    BUSINESS_HOURS,
    COMMENT_FIELDS,
    HOURS,
    Condition,
    conditions_of,
)
from subgraphs.tickets.service.common import Actor
from subgraphs.tickets.service.history import acting_via, record_change
from subgraphs.tickets.sla.calendar import ALWAYS, BusinessCalendar

HISTORY_FIELD = "automation"


def _lower(values: Iterable[str]) -> list[str]:
    return [v.lower() for v in values]


def _same(actual: Any, wanted: str) -> bool:
    if isinstance(actual, bool):
        return ("true" if actual else "false") == wanted.lower()
    if isinstance(actual, int | float):
        try:
            return float(actual) == float(wanted)
        except ValueError:
            return False
    return str(actual) == wanted


def _history_name(condition: Condition) -> str:
    if condition.field == "CUSTOM_FIELD":
        return f"customFields.{condition.key}"
    return {"CATEGORY": "status"}.get(condition.field, condition.field.lower())


@dataclass(frozen=True, slots=True)
class CommentFacts:
    """The new comment a COMMENTED pass runs for."""

    body: str
    public: bool
    by_requester: bool


def anchors(ticket: Ticket) -> dict[str, datetime]:
    """The instants HOURS_SINCE_* conditions count from."""
    created = aware(ticket.created_at)
    changed = aware(ticket.status_changed_at) if ticket.status_changed_at else created
    return {"created": created, "updated": aware(ticket.updated_at), "status": changed}


class Snapshot:
    """The ticket's fields as conditions read them (and the comment of a COMMENTED pass)."""

    def __init__(
        self,
        ticket: Ticket,
        status: Status | None,
        priority: Priority | None,
        now: datetime,
        comment: CommentFacts | None = None,
        calendar: BusinessCalendar = ALWAYS,
    ) -> None:
        self.scalars: dict[str, str | None] = {
            "STATUS": status.key if status else None,
            "CATEGORY": ticket.category,
            "PRIORITY": priority.key if priority else None,
            "TYPE": ticket.type,
            "CHANNEL": ticket.channel,
            "GROUP": str(ticket.group_id) if ticket.group_id else None,
            "ASSIGNEE": str(ticket.assignee_id) if ticket.assignee_id else None,
        }
        self.tags: list[str] = orjson.loads(ticket.tags)
        self.texts = {"SUBJECT": ticket.subject.lower(), "DESCRIPTION": ticket.description.lower()}
        self.custom: dict[str, Any] = orjson.loads(ticket.custom_fields)
        found = anchors(ticket)
        self.hours = {k: (now - v).total_seconds() / 3600 for k, v in found.items()}
        self._business = (calendar, found, now)
        self.comment = comment

    def holds(self, c: Condition, changed: set[str]) -> bool:
        if c.operator == "CHANGED":
            return _history_name(c) in changed
        if c.field in COMMENT_FIELDS:
            return self._comment_holds(c)
        if c.field in HOURS:
            age, limit = self._age(c.field), float(c.values[0])
            return age > limit if c.operator == "GREATER_THAN" else age < limit
        if c.field == "TAGS":
            found = bool(set(_lower(c.values)) & set(self.tags))
            return found if c.operator == "CONTAINS" else not found
        if c.field in self.texts:
            text = self.texts[c.field]
            found = any(v.lower() in text for v in c.values)
            return found if c.operator == "CONTAINS" else not found
        if c.field == "CUSTOM_FIELD":
            actual = self.custom.get(c.key or "")
        else:
            actual = self.scalars[c.field]
        if c.operator in {"SET", "NOT_SET"}:
            return (actual is not None) == (c.operator == "SET")
        found = actual is not None and any(_same(actual, v) for v in c.values)
        return found if c.operator == "IS" else not found

    def _age(self, field: str) -> float:
        """Hours since the field's anchor: calendar hours, or the calendar's business hours."""
        if field not in BUSINESS_HOURS:
            return self.hours[HOURS[field]]
        calendar, found, now = self._business
        return calendar.business_seconds(found[HOURS[field]], now) / 3600

    def _comment_holds(self, c: Condition) -> bool:
        comment = self.comment
        if comment is None:  # only a comment's pass has one
            return False
        if c.field == "COMMENT_BODY":
            found = any(v.lower() in comment.body.lower() for v in c.values)
            return found if c.operator == "CONTAINS" else not found
        if c.field == "COMMENT_PUBLIC":
            return ("true" if comment.public else "false") in c.values
        found = ("REQUESTER" if comment.by_requester else "AGENT") in c.values
        return found if c.operator == "IS" else not found


def matches(rule: Automation, snapshot: Snapshot, changed: set[str]) -> bool:
    every = conditions_of(rule.conditions)
    some = conditions_of(rule.any_conditions)
    if not all(snapshot.holds(c, changed) for c in every):
        return False
    return not some or any(snapshot.holds(c, changed) for c in some)


async def snapshot(
    config: ConfigRepository,
    ticket: Ticket,
    now: datetime,
    comment: CommentFacts | None = None,
    calendar: BusinessCalendar = ALWAYS,
) -> Snapshot:
    status = await config.get(Status, ticket.status_id)
    priority = await config.get(Priority, ticket.priority_id)
    return Snapshot(ticket, status, priority, now, comment, calendar)


def is_closed(ticket: Ticket) -> bool:
    return ticket.category == StatusCategory.CLOSED.value or ticket.merged_into_id is not None


async def run(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket: Ticket,
    trigger: str,
    changed: list[str],
    now: datetime,
    comment: CommentFacts | None = None,
) -> list[str]:
    """One ordered pass of the active rules; returns the fields the automations changed."""
    if not changed:
        return []
    config = ConfigRepository(session)
    rules = await config.automations(active_only=True)
    seen, made = set(changed), []
    for rule in rules:
        if trigger not in orjson.loads(rule.triggers):
            continue
        if is_closed(ticket) or not matches(
            rule, await snapshot(config, ticket, now, comment), seen
        ):
            continue
        fields = await fire(session, scope, actor, ticket, rule, now)
        seen.update(fields)
        made += [f for f in fields if f not in made]
    return made


async def fire(
    session: AsyncSession,
    scope: TenantScope,
    actor: Actor,
    ticket: Ticket,
    rule: Automation,
    now: datetime,
) -> list[str]:
    from subgraphs.tickets.service.conversation import add_internal_note
    from subgraphs.tickets.service.tickets import apply_changes

    agent = Actor(user_id=actor.user_id, is_agent=True, reads_all=True, configures=False)
    actions: dict[str, Any] = orjson.loads(rule.actions)
    with acting_via(f"automation: {rule.name}"):
        record_change(session, ticket.id, actor.user_id, now, HISTORY_FIELD, None, rule.name)
        if actions.get("internal_note"):
            await add_internal_note(session, scope, agent, ticket, actions["internal_note"], now)
        changes = await _changes(ConfigRepository(session), ticket, actions)
        fields = await apply_changes(session, scope, agent, ticket, changes, now)
        if actions.get("auto_assign") and ticket.group_id is not None:
            before = ticket.assignee_id
            await assignment.auto_assign(session, scope, agent, ticket, now, required=False)
            if ticket.assignee_id != before:
                fields.append("assignee")
    return fields


async def _changes(config: ConfigRepository, ticket: Ticket, actions: dict[str, Any]) -> Any:
    """The rule's field actions that still fit the ticket (see the module's docstring)."""
    from subgraphs.tickets.service.tickets import TRANSITIONS, UNSET, TicketChanges

    status: Any = UNSET
    if "status" in actions:
        target = await config.status_by_key(actions["status"])
        allowed = TRANSITIONS[StatusCategory(ticket.category)]
        if target is not None and target.active and StatusCategory(target.category) in allowed:
            status = target.key
    priority: Any = UNSET
    if "priority" in actions and await config.priority_by_key(actions["priority"]) is not None:
        priority = actions["priority"]
    group: Any = UNSET
    if "group_id" in actions:
        key = uuid.UUID(actions["group_id"])
        group = key if await config.get(Group, key) is not None else UNSET
    assignee: Any = UNSET
    if "assignee_id" in actions:
        raw = actions["assignee_id"]
        assignee = uuid.UUID(raw) if raw else None
    return TicketChanges(
        status=status,
        priority=priority,
        type=actions.get("type", UNSET),
        group_id=group,
        assignee_id=assignee,
        add_tags=tuple(actions.get("add_tags", ())),
        remove_tags=tuple(actions.get("remove_tags", ())),
    )
