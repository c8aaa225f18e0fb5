"""Business-hours calendars: elapsed business time and `start + n business seconds`.

Intervals are wall-clock times in the calendar's zone, turned into UTC instants day by day, so a
09:00-17:00 day lasts 8 hours on both sides of a DST change, and a 00:00-24:00 day on the
change day lasts 23 or 25 real hours (what the clock on the wall says). A wall time that does
not exist (02:30 on a spring-forward night) takes the offset before the gap (`fold=0`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["ALWAYS", "BusinessCalendar", "CalendarError", "parse_hours"]

MAX_DAYS = 3 * 366  # a target further than this is a configuration error
Interval = tuple[time, time | None]  # None end = midnight of the next day


class CalendarError(ValueError):
    """Unknown time zone, or malformed hours."""


def _parse_time(text: str) -> time | None:
    if text in {"24:00", "24:00:00"}:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError as exc:
        raise CalendarError(f"bad time {text!r}") from exc


def parse_hours(raw: Mapping[str, Sequence[Sequence[str]]]) -> dict[int, list[Interval]]:
    """`{"0": [["09:00", "17:00"]]}` (0 = Monday) -> weekday -> sorted intervals."""
    hours: dict[int, list[Interval]] = {}
    for day, spans in raw.items():
        weekday = int(day)
        if not 0 <= weekday <= 6:
            raise CalendarError(f"weekday {day} outside 0-6")
        intervals: list[Interval] = []
        for span in spans:
            if len(span) != 2:
                raise CalendarError("an interval is [start, end]")
            start, end = _parse_time(span[0]), _parse_time(span[1])
            if start is None or (end is not None and end <= start):
                raise CalendarError(f"empty interval {span}")
            intervals.append((start, end))
        hours[weekday] = sorted(intervals, key=lambda i: i[0])
    return hours


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekly hours in `timezone`, minus `holidays` (local dates). `hours=None`: 24x7."""

    timezone: str = "UTC"
    hours: Mapping[int, Sequence[Interval]] | None = None
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarError(f"unknown time zone {self.timezone!r}") from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _spans(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The UTC spans of business time on local date `day`."""
        if day in self.holidays:
            return
        zone = self.zone
        intervals: Sequence[Interval] = (
            [(time(0), None)] if self.hours is None else self.hours.get(day.weekday(), [])
        )
        for start, end in intervals:
            begin = datetime.combine(day, start, zone)
            finish = (
                datetime.combine(day + timedelta(days=1), time(0), zone)
                if end is None
                else datetime.combine(day, end, zone)
            )
            yield begin.astimezone(UTC), finish.astimezone(UTC)

    def _days_from(self, moment: datetime) -> Iterator[date]:
        day = moment.astimezone(self.zone).date() - timedelta(days=1)
        for offset in range(MAX_DAYS):
            yield day + timedelta(days=offset)

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Business time between two instants (0 when `end <= start`)."""
        if end <= start:
            return 0.0
        if self.hours is None and not self.holidays:
            return (end - start).total_seconds()
        total = 0.0
        for day in self._days_from(start):
            for begin, finish in self._spans(day):
                low, high = max(begin, start), min(finish, end)
                if high > low:
                    total += (high - low).total_seconds()
            if datetime.combine(day, time(0), self.zone) > end:
                break
        return total

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant at which `seconds` of business time have passed since `start`."""
        if self.hours is None and not self.holidays:
            return start + timedelta(seconds=seconds)
        left = max(seconds, 0.0)
        for day in self._days_from(start):
            for begin, finish in self._spans(day):
                low = max(begin, start)
                if finish <= low:
                    continue
                available = (finish - low).total_seconds()
                if left <= available:
                    return low + timedelta(seconds=left)
                left -= available
        raise CalendarError("the calendar has no business hours within three years")


ALWAYS = BusinessCalendar()
