"""SLA use cases: choose a policy, run the clocks of a ticket as it changes, live state."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.tickets.models import (
    Calendar,
    SlaClock,
    SlaMetric,
    SlaPolicy,
    StatusCategory,
    Ticket,
)
from subgraphs.tickets.repository import ConfigRepository, SlaRepository
from subgraphs.tickets.sla import clock as clocks
from subgraphs.tickets.sla.calendar import ALWAYS, BusinessCalendar, parse_hours

DONE = {StatusCategory.SOLVED.value, StatusCategory.CLOSED.value}


def calendar_of(row: Calendar | None) -> BusinessCalendar:
    if row is None:
        return ALWAYS
    holidays = frozenset(date.fromisoformat(d) for d in orjson.loads(row.holidays))
    return BusinessCalendar(row.timezone, parse_hours(orjson.loads(row.hours)), holidays)


def matches(policy: SlaPolicy, ticket: Ticket, priority_key: str, tags: Iterable[str]) -> bool:
    """Every condition present must hold; an empty condition set matches every ticket."""
    conditions: dict[str, list[str]] = orjson.loads(policy.conditions)
    facts: dict[str, set[str]] = {
        "priorities": {priority_key},
        "groups": {str(ticket.group_id)} if ticket.group_id else set(),
        "channels": {ticket.channel},
        "types": {ticket.type},
        "tags": set(tags),
    }
    return all(
        not wanted or facts.get(name, set()) & set(wanted) for name, wanted in conditions.items()
    )


@dataclass
class SlaContext:
    """The chosen policy of one ticket and its calendar (loaded once per use case)."""

    policy: SlaPolicy | None
    calendar: BusinessCalendar
    targets: dict[str, int]  # metric -> seconds, for the ticket's priority

    @property
    def calendar_id(self) -> uuid.UUID | None:
        return self.policy.calendar_id if self.policy else None

    @property
    def warn(self) -> int:
        return (self.policy.warn_before_minutes if self.policy else 0) * 60


async def context_for(
    session: AsyncSession, ticket: Ticket, priority_key: str, tags: Sequence[str]
) -> SlaContext:
    config = ConfigRepository(session)
    policy = next(
        (p for p in await config.policies() if matches(p, ticket, priority_key, tags)), None
    )
    if policy is None:
        return SlaContext(None, ALWAYS, {})
    raw: dict[str, dict[str, Any]] = orjson.loads(policy.targets)
    targets = {m: int(float(v) * 60) for m, v in raw.get(priority_key, {}).items()}
    calendar_row = await config.get(Calendar, policy.calendar_id) if policy.calendar_id else None
    return SlaContext(policy, calendar_of(calendar_row), targets)


async def start(
    session: AsyncSession, ticket: Ticket, sla: SlaContext, now: datetime, *, paused: bool
) -> None:
    """A new ticket: first response and resolution start counting."""
    ticket.sla_policy_id = sla.policy.id if sla.policy else None
    repo = SlaRepository(session)
    for metric in (SlaMetric.FIRST_RESPONSE, SlaMetric.RESOLUTION):
        target = sla.targets.get(metric.value)
        if target is None:
            continue
        clock = SlaClock(
            ticket_id=ticket.id,
            metric=metric.value,
            cycle=1,
            target_seconds=target,
            consumed=0.0,
            calendar_id=sla.calendar_id,
        )
        clocks.restart(clock, now, sla.calendar, sla.warn, paused=paused)
        repo.add(clock)


async def _clocks(session: AsyncSession, ticket_id: uuid.UUID) -> dict[str, SlaClock]:
    return {c.metric: c for c in await SlaRepository(session).clocks([ticket_id])}


async def retarget(session: AsyncSession, ticket: Ticket, sla: SlaContext, now: datetime) -> None:
    """Priority, group, type or tags changed: re-choose the policy; consumed time stays."""
    ticket.sla_policy_id = sla.policy.id if sla.policy else None
    for metric, clock in (await _clocks(session, ticket.id)).items():
        target = sla.targets.get(metric)
        if target is not None:
            clock.calendar_id = sla.calendar_id
            clocks.retarget(clock, target, now, sla.calendar, sla.warn)


async def status_changed(
    session: AsyncSession,
    ticket: Ticket,
    sla: SlaContext,
    now: datetime,
    *,
    old: tuple[str, bool],
    new: tuple[str, bool],
) -> None:
    """`old`/`new` are (category, pausesSla) of the statuses."""
    found = await _clocks(session, ticket.id)
    calendar = sla.calendar
    if new[0] in DONE:
        for clock in found.values():
            if clock.metric == SlaMetric.RESOLUTION.value:
                clocks.fulfil(clock, now, calendar)
            else:  # nothing is owed on a solved ticket
                clocks.pause(clock, now, calendar)
                clock.fulfilled_at = clock.fulfilled_at or now
        return
    if old[0] in DONE:  # reopened: resolution owes the rest of its time
        resolution = found.get(SlaMetric.RESOLUTION.value)
        if resolution is not None:
            resolution.fulfilled_at = None
    for clock in found.values():
        if new[1]:
            clocks.pause(clock, now, calendar)
        else:
            clocks.resume(clock, now, calendar, sla.warn)


async def replied(
    session: AsyncSession,
    ticket: Ticket,
    sla: SlaContext,
    now: datetime,
    *,
    by_agent: bool,
    paused: bool,
) -> None:
    """A public reply: an agent's fulfils the response metrics and restarts periodic update;
    a requester's (after the first response) starts a next-response cycle."""
    found = await _clocks(session, ticket.id)
    repo = SlaRepository(session)
    if by_agent:
        for metric in (SlaMetric.FIRST_RESPONSE, SlaMetric.NEXT_RESPONSE):
            clock = found.get(metric.value)
            if clock is not None:
                clocks.fulfil(clock, now, sla.calendar)
        _cycle(repo, found, ticket, sla, now, SlaMetric.PERIODIC_UPDATE, paused=paused)
        return
    if ticket.first_responded_at is None:
        return
    current = found.get(SlaMetric.NEXT_RESPONSE.value)
    if current is None or current.fulfilled_at is not None:
        _cycle(repo, found, ticket, sla, now, SlaMetric.NEXT_RESPONSE, paused=paused)


def _cycle(
    repo: SlaRepository,
    found: dict[str, SlaClock],
    ticket: Ticket,
    sla: SlaContext,
    now: datetime,
    metric: SlaMetric,
    *,
    paused: bool,
) -> None:
    target = sla.targets.get(metric.value)
    if target is None:
        return
    clock = found.get(metric.value)
    if clock is None:
        clock = SlaClock(
            ticket_id=ticket.id, metric=metric.value, cycle=0, target_seconds=target, consumed=0.0
        )
        repo.add(clock)
    clock.calendar_id = sla.calendar_id
    clock.cycle += 1
    clock.target_seconds = target
    clocks.restart(clock, now, sla.calendar, sla.warn, paused=paused)
