"""SLA clocks: start, pause, resume, fulfil, and the live state of one metric.

A clock keeps the business seconds `consumed` before its last resume and `running_since`
(None while paused), so pausing never loses time and a restart of the process changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from subgraphs.tickets.models import SlaClock, aware
from subgraphs.tickets.sla.calendar import BusinessCalendar

__all__ = ["SlaState", "fulfil", "pause", "restart", "resume", "retarget", "state"]


@dataclass(frozen=True, slots=True)
class SlaState:
    metric: str
    cycle: int
    target_seconds: int
    target_at: datetime | None  # breach instant while running
    remaining_seconds: float  # business seconds, negative once breached
    breached: bool
    paused: bool
    fulfilled_at: datetime | None


def _schedule(clock: SlaClock, calendar: BusinessCalendar, warn_seconds: int) -> None:
    if clock.running_since is None or clock.fulfilled_at is not None:
        clock.due_at = clock.warn_at = None
        return
    since = aware(clock.running_since)
    left = clock.target_seconds - clock.consumed
    clock.due_at = calendar.add(since, left)
    clock.warn_at = calendar.add(since, max(left - warn_seconds, 0.0))


def restart(
    clock: SlaClock, now: datetime, calendar: BusinessCalendar, warn: int, *, paused: bool
) -> None:
    """Begin (or begin again, a new cycle) counting from `now`."""
    clock.consumed = 0.0
    clock.fulfilled_at = clock.breached_at = None
    clock.running_since = None if paused else now
    _schedule(clock, calendar, warn)


def pause(clock: SlaClock, now: datetime, calendar: BusinessCalendar) -> None:
    if clock.running_since is None or clock.fulfilled_at is not None:
        return
    clock.consumed += calendar.business_seconds(aware(clock.running_since), now)
    clock.running_since = None
    clock.due_at = clock.warn_at = None


def resume(clock: SlaClock, now: datetime, calendar: BusinessCalendar, warn: int) -> None:
    if clock.running_since is not None or clock.fulfilled_at is not None:
        return
    clock.running_since = now
    _schedule(clock, calendar, warn)


def retarget(
    clock: SlaClock, target_seconds: int, now: datetime, calendar: BusinessCalendar, warn: int
) -> None:
    """A new target (the priority changed); time already consumed still counts."""
    clock.target_seconds = target_seconds
    if clock.running_since is not None and clock.fulfilled_at is None:
        clock.consumed += calendar.business_seconds(aware(clock.running_since), now)
        clock.running_since = now
    _schedule(clock, calendar, warn)


def fulfil(clock: SlaClock, now: datetime, calendar: BusinessCalendar) -> None:
    if clock.fulfilled_at is not None:
        return
    pause(clock, now, calendar)
    if clock.consumed > clock.target_seconds and clock.breached_at is None:
        clock.breached_at = now
    clock.fulfilled_at = now


def state(clock: SlaClock, now: datetime, calendar: BusinessCalendar) -> SlaState:
    consumed = clock.consumed
    if clock.running_since is not None and clock.fulfilled_at is None:
        consumed += calendar.business_seconds(aware(clock.running_since), now)
    remaining = clock.target_seconds - consumed
    return SlaState(
        metric=clock.metric,
        cycle=clock.cycle,
        target_seconds=clock.target_seconds,
        target_at=aware(clock.due_at) if clock.due_at is not None else None,
        remaining_seconds=remaining,
        breached=clock.breached_at is not None or remaining < 0,
        paused=clock.running_since is None and clock.fulfilled_at is None,
        fulfilled_at=aware(clock.fulfilled_at) if clock.fulfilled_at is not None else None,
    )
