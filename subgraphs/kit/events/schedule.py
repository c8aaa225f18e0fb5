"""Schedules for cron-style jobs: `Every(seconds)` and 5-field `Cron("*/5 * * * *")`.

A schedule maps a time to its slot (the scheduled instant it falls in); the scheduler runs a
job once per slot, whichever process leads when the slot comes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Cron", "Every", "Schedule"]


class Schedule(Protocol):
    def slot(self, now: datetime) -> datetime | None:
        """The slot `now` falls in, or None when no run is due at `now`."""
        ...


@dataclass(frozen=True, slots=True)
class Every:
    seconds: float

    def slot(self, now: datetime) -> datetime:
        epoch = now.timestamp()
        return datetime.fromtimestamp(epoch - epoch % self.seconds, UTC)


def _field(spec: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in spec.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            start_text, end_text = base.split("-", 1)
            start, end = int(start_text), int(end_text)
        else:
            start = int(base)
            end = high if step_text else start
        if start < low or end > high or step < 1:
            raise ValueError(f"cron field {spec!r} outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True, slots=True)
class Cron:
    """minute hour day-of-month month day-of-week (0 = Sunday), UTC; `*`, `a-b`, `*/n`, `a,b`."""

    expression: str
    _fields: tuple[frozenset[int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = self.expression.split()
        if len(parts) != 5:
            raise ValueError(f"cron needs 5 fields: {self.expression!r}")
        bounds = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)]
        parsed = tuple(_field(p, lo, hi) for p, (lo, hi) in zip(parts, bounds, strict=True))
        object.__setattr__(self, "_fields", parsed)

    def matches(self, when: datetime) -> bool:
        minute, hour, dom, month, dow = self._fields
        return (
            when.minute in minute
            and when.hour in hour
            and when.day in dom
            and when.month in month
            and (when.isoweekday() % 7) in dow
        )

    def slot(self, now: datetime) -> datetime | None:
        minute = now.astimezone(UTC).replace(second=0, microsecond=0)
        return minute if self.matches(minute) else None

    def next_after(self, when: datetime) -> datetime:
        probe = when.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(366 * 24 * 60):
            if self.matches(probe):
                return probe
            probe += timedelta(minutes=1)
        raise ValueError(f"cron {self.expression!r} never matches")
