"""Office hours of an inbox: `{"mon": [["09:00", "17:30"]], ...}` in the inbox's timezone."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from subgraphs.chat.errors import InvalidChatInputError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_hours(raw: str) -> dict[str, list[tuple[time, time]]]:
    """Validated office hours; an empty text means always open."""
    if not raw.strip():
        return {}
    try:
        data = orjson.loads(raw)
        hours = {
            day: [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in data.get(day, [])]
            for day in DAYS
        }
    except (orjson.JSONDecodeError, ValueError, TypeError, AttributeError) as exc:
        raise InvalidChatInputError(reason="office hours", field="officeHours") from exc
    if set(data) - set(DAYS) or any(a >= b for spans in hours.values() for a, b in spans):
        raise InvalidChatInputError(reason="office hours", field="officeHours")
    return hours


def check_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidChatInputError(reason="unknown timezone", field="timezone") from exc


def is_open(raw: str, timezone: str, moment: datetime) -> bool:
    hours = parse_hours(raw)
    if not hours:
        return True
    local = moment.astimezone(check_timezone(timezone))
    spans = hours[DAYS[local.weekday()]]
    return any(start <= local.time() < end for start, end in spans)
