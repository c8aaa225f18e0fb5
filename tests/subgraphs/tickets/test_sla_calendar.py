"""SLA arithmetic: business hours across weekends, holidays, DST changes, and pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subgraphs.tickets.models import SlaClock
from subgraphs.tickets.sla import clock as clocks
from subgraphs.tickets.sla.calendar import ALWAYS, BusinessCalendar, CalendarError, parse_hours

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = parse_hours({str(d): [["09:00", "17:00"]] for d in range(5)})
OFFICE = BusinessCalendar("Europe/Berlin", WEEKDAYS)
HOURS = 3600


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)


def test_zoneinfo_data_is_present() -> None:
    assert BERLIN.utcoffset(datetime(2026, 7, 1)) == timedelta(hours=2)


def test_friday_afternoon_rolls_over_the_weekend() -> None:
    start = berlin(2026, 3, 6, 16, 0)  # Friday 16:00
    assert OFFICE.add(start, 3 * HOURS) == berlin(2026, 3, 9, 11, 0)  # Monday 11:00
    assert OFFICE.business_seconds(start, berlin(2026, 3, 9, 11, 0)) == 3 * HOURS


def test_outside_hours_starts_at_next_opening() -> None:
    assert OFFICE.add(berlin(2026, 3, 7, 12, 0), HOURS) == berlin(2026, 3, 9, 10, 0)
    assert OFFICE.add(berlin(2026, 3, 9, 7, 0), 0) == berlin(2026, 3, 9, 9, 0)


def test_holidays_are_skipped() -> None:
    calendar = BusinessCalendar("Europe/Berlin", WEEKDAYS, frozenset({date(2026, 12, 25)}))
    start = berlin(2026, 12, 24, 16, 0)  # Thursday; Friday 25th is a holiday
    assert calendar.add(start, 2 * HOURS) == berlin(2026, 12, 28, 10, 0)
    assert calendar.business_seconds(start, berlin(2026, 12, 28, 10, 0)) == 2 * HOURS


def test_spring_forward_keeps_business_hours() -> None:
    # DST starts Sunday 29 March 2026: Friday is UTC+1, Monday UTC+2
    start = berlin(2026, 3, 27, 16, 0)
    due = OFFICE.add(start, 4 * HOURS)
    assert due == berlin(2026, 3, 30, 12, 0)
    assert due == datetime(2026, 3, 30, 10, 0, tzinfo=UTC)


def test_fall_back_keeps_business_hours() -> None:
    start = berlin(2026, 10, 23, 16, 0)  # Friday UTC+2; Monday 26 Oct is UTC+1
    assert OFFICE.add(start, 2 * HOURS) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def test_round_the_clock_calendar_counts_real_hours_over_dst() -> None:
    always_berlin = BusinessCalendar(
        "Europe/Berlin", parse_hours({str(d): [["00:00", "24:00"]] for d in range(7)})
    )
    start = berlin(2026, 3, 28, 12, 0)
    assert always_berlin.add(start, 24 * HOURS) == start + timedelta(hours=24)
    start = berlin(2026, 10, 24, 12, 0)
    assert always_berlin.business_seconds(start, start + timedelta(hours=30)) == 30 * HOURS
    assert ALWAYS.add(start, 60) == start + timedelta(minutes=1)


def test_bad_calendars_are_refused() -> None:
    with pytest.raises(CalendarError):
        BusinessCalendar("Mars/Olympus")
    with pytest.raises(CalendarError):
        parse_hours({"0": [["17:00", "09:00"]]})
    with pytest.raises(CalendarError):
        BusinessCalendar("UTC", {}).add(datetime(2026, 1, 1, tzinfo=UTC), 1)


@settings(max_examples=150, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    seconds=st.integers(min_value=0, max_value=200 * HOURS),
)
def test_add_and_business_seconds_agree(start: datetime, seconds: int) -> None:
    moment = start.replace(tzinfo=UTC)
    due = OFFICE.add(moment, seconds)
    assert abs(OFFICE.business_seconds(moment, due) - seconds) < 1e-3
    assert due >= moment


def _clock(target: int) -> SlaClock:
    return SlaClock(
        ticket_id=None, metric="RESOLUTION", cycle=1, target_seconds=target, consumed=0.0
    )


def test_pause_keeps_consumed_time_and_moves_the_due_date() -> None:
    clock = _clock(8 * HOURS)
    start = berlin(2026, 3, 27, 9, 0)  # Friday before the DST change
    clocks.restart(clock, start, OFFICE, 15 * 60, paused=False)
    assert clock.due_at == berlin(2026, 3, 27, 17, 0)
    clocks.pause(clock, berlin(2026, 3, 27, 11, 0), OFFICE)  # 2h consumed
    state = clocks.state(clock, berlin(2026, 4, 3, 12, 0), OFFICE)
    assert state.paused
    assert state.remaining_seconds == 6 * HOURS
    assert not state.breached
    clocks.resume(clock, berlin(2026, 3, 30, 9, 0), OFFICE, 15 * 60)  # Monday, UTC+2
    assert clock.due_at == berlin(2026, 3, 30, 15, 0)
    assert clock.warn_at == berlin(2026, 3, 30, 14, 45)
    late = clocks.state(clock, berlin(2026, 3, 30, 16, 0), OFFICE)
    assert late.breached
    assert late.remaining_seconds == -HOURS
    clocks.fulfil(clock, berlin(2026, 3, 30, 16, 0), OFFICE)
    assert clock.breached_at is not None
    done = clocks.state(clock, berlin(2026, 4, 30, 16, 0), OFFICE)
    assert done.breached
    assert not done.paused
    assert done.remaining_seconds == -HOURS


def test_retarget_keeps_consumed_time() -> None:
    clock = _clock(4 * HOURS)
    clocks.restart(clock, berlin(2026, 3, 9, 9, 0), OFFICE, 0, paused=False)
    clocks.retarget(clock, 2 * HOURS, berlin(2026, 3, 9, 10, 0), OFFICE, 0)
    assert clock.due_at == berlin(2026, 3, 9, 11, 0)
