"""Time-based automations (Zendesk's "automations"): rules with the TIME trigger, evaluated by
the scheduled job on open tickets old enough for them.

A TIME rule has at least one `HOURS_SINCE_CREATED|UPDATED|STATUS_CHANGED GREATER_THAN n`
condition; the job selects open, unmerged tickets past those ages in SQL, then checks every
condition on each ticket (locked) and fires the rules that hold, in `position` order, each at
most once per ticket per **condition window**. The window is the set of instants the rule's
time conditions count from (creation, last update, last status change): "pending for 48 hours"
fires once per stay in the status, "no update for 24 hours" once per quiet spell, "created more
than 7 days ago" once per ticket. A firing is a `tickets_automation_firings` row written in the
same transaction as its changes; the window the firing itself opens (its own update moves the
ticket's `updated_at`) is recorded as used too, so a rule never re-arms itself. A re-run, a
restart or a concurrent run (primary-key collision, one rolls back) fires nothing twice.

The actions act on behalf of the admin who saved the rule last (`updated_by`), with agent
rights; history rows say `via: "automation: <name>"`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.ids import TenantId
from subgraphs.kit.scope import TenantScope
from subgraphs.tickets.models import Automation, AutomationFiring, Priority, Ticket
from subgraphs.tickets.repository import AutomationRepository, ConfigRepository, TicketRepository
from subgraphs.tickets.service.automation_rules import (
    BUSINESS_HOURS,
    HOURS,
    conditions_of,
    time_thresholds,
)
from subgraphs.tickets.service.automations import anchors, fire, is_closed, matches, snapshot
from subgraphs.tickets.service.common import Actor
from subgraphs.tickets.service.sla import context_for
from subgraphs.tickets.sla.calendar import ALWAYS, BusinessCalendar

BATCH = 200
NOBODY = uuid.UUID(int=0)


@dataclass(frozen=True, slots=True)
class TimeRunResult:
    examined: int
    fired: int
    next_after: int | None  # more candidates after this ticket number, or None: done


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%f")


def window_of(rule: Automation, ticket: Ticket) -> str:
    every = (*conditions_of(rule.conditions), *conditions_of(rule.any_conditions))
    used = sorted({HOURS[c.field] for c in every if c.field in HOURS})
    found = anchors(ticket)
    return ";".join(f"{k}={_stamp(found[k])}" for k in used)


def _uses_business_hours(rules: list[Automation]) -> bool:
    return any(
        c.field in BUSINESS_HOURS
        for r in rules
        for c in (*conditions_of(r.conditions), *conditions_of(r.any_conditions))
    )


async def calendar_for(session: AsyncSession, ticket: Ticket) -> BusinessCalendar:
    """The business calendar of the ticket's SLA policy (24x7 without one)."""
    priority = await ConfigRepository(session).get(Priority, ticket.priority_id)
    key = priority.key if priority else "normal"
    return (await context_for(session, ticket, key, orjson.loads(ticket.tags))).calendar


async def time_rules(session: AsyncSession) -> list[Automation]:
    rules = await ConfigRepository(session).automations(active_only=True)
    return [r for r in rules if "TIME" in orjson.loads(r.triggers)]


async def run_time_automations(
    session: AsyncSession, tenant_id: TenantId, now: datetime, after: int = 0, limit: int = BATCH
) -> TimeRunResult:
    """One batch: candidates with numbers after `after`; call again with `next_after`."""
    rules = await time_rules(session)
    if not rules:
        return TimeRunResult(0, 0, None)
    repo = AutomationRepository(session)
    found: dict[uuid.UUID, Ticket] = {}
    cut: int | None = None
    for rule in rules:
        thresholds = time_thresholds(conditions_of(rule.conditions))
        page = await repo.aged_tickets(thresholds, now, after, limit)
        found.update((t.id, t) for t in page)
        if len(page) == limit:  # this rule may have more: only up to its last one is known
            cut = page[-1].number if cut is None else min(cut, page[-1].number)
    tickets = sorted(
        (t for t in found.values() if cut is None or t.number <= cut), key=lambda t: t.number
    )
    done = await repo.fired([r.id for r in rules], [t.id for t in tickets])
    scope = TenantScope(tenant_id=tenant_id, slug="")
    fired = 0
    config = ConfigRepository(session)
    business = _uses_business_hours(rules)
    for ticket in tickets:
        calendar = await calendar_for(session, ticket) if business else ALWAYS
        if await _due(config, rules, ticket, done, now, calendar):  # checked again under lock
            fired += await _pass(session, scope, repo, rules, ticket.id, done, now)
    return TimeRunResult(len(tickets), fired, cut)


async def _due(
    config: ConfigRepository,
    rules: list[Automation],
    ticket: Ticket,
    done: set[tuple[uuid.UUID, uuid.UUID, str]],
    now: datetime,
    calendar: BusinessCalendar,
) -> bool:
    """Whether a rule not yet fired in its window holds (read without a lock)."""
    for rule in rules:
        if (rule.id, ticket.id, window_of(rule, ticket)) in done:
            continue
        if matches(rule, await snapshot(config, ticket, now, calendar=calendar), set()):
            return True
    return False


async def _pass(
    session: AsyncSession,
    scope: TenantScope,
    repo: AutomationRepository,
    rules: list[Automation],
    ticket_id: uuid.UUID,
    done: set[tuple[uuid.UUID, uuid.UUID, str]],
    now: datetime,
) -> int:
    from subgraphs.tickets.service.tickets import touch

    ticket = await TicketRepository(session, scope).find_for_update(ticket_id)
    if ticket is None:
        return 0
    config = ConfigRepository(session)
    calendar = await calendar_for(session, ticket) if _uses_business_hours(rules) else ALWAYS
    fired: list[tuple[Automation, Actor]] = []
    made: list[str] = []
    for rule in rules:
        window = window_of(rule, ticket)
        if is_closed(ticket) or (rule.id, ticket.id, window) in done:
            continue
        if not matches(rule, await snapshot(config, ticket, now, calendar=calendar), set()):
            continue
        _mark(repo, done, rule, ticket, window, now)
        actor = Actor(rule.updated_by or NOBODY, is_agent=True, reads_all=True, configures=False)
        made += [f for f in await fire(session, scope, actor, ticket, rule, now) if f not in made]
        fired.append((rule, actor))
    if not fired:
        return 0
    await touch(session, scope, fired[-1][1], ticket, made, now)
    for rule, _ in fired:  # the window this pass opened is used up too
        window = window_of(rule, ticket)
        if (rule.id, ticket.id, window) not in done:
            _mark(repo, done, rule, ticket, window, now)
    return len(fired)


def _mark(
    repo: AutomationRepository,
    done: set[tuple[uuid.UUID, uuid.UUID, str]],
    rule: Automation,
    ticket: Ticket,
    window: str,
    now: datetime,
) -> None:
    repo.add_firing(
        AutomationFiring(automation_id=rule.id, ticket_id=ticket.id, window_key=window, at=now)
    )
    done.add((rule.id, ticket.id, window))
