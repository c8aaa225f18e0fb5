"""Per-tenant configuration: statuses, priorities, groups, custom fields, calendars, SLA
policies. Changing configuration needs `tickets:admin`."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.tickets.errors import InvalidInputError, UnknownReferenceError
from subgraphs.tickets.models import (
    AutoAssign,
    Calendar,
    CustomField,
    FieldKind,
    Group,
    Priority,
    SlaMetric,
    SlaPolicy,
    Status,
    StatusCategory,
)
from subgraphs.tickets.repository import ConfigRepository
from subgraphs.tickets.service.access import require_configure
from subgraphs.tickets.service.common import Actor
from subgraphs.tickets.sla.calendar import BusinessCalendar, CalendarError, parse_hours

KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def _key(value: str, field: str = "key") -> str:
    if not KEY.match(value):
        raise InvalidInputError(reason=f"{field} must match {KEY.pattern}", field=field)
    return value


def _name(value: str) -> str:
    name = value.strip()
    if not name or len(name) > 120:
        raise InvalidInputError(reason="name must be 1-120 characters", field="name")
    return name


async def create_status(
    session: AsyncSession, actor: Actor, key: str, name: str, category: str, pauses_sla: bool
) -> Status:
    require_configure(actor)
    try:
        kind = StatusCategory(category)
    except ValueError as exc:
        raise InvalidInputError(reason="unknown category", field="category") from exc
    config = ConfigRepository(session)
    if await config.status_by_key(_key(key)) is not None:
        raise InvalidInputError(reason=f"status {key} exists", field="key")
    position = len(await config.statuses())
    status = Status(
        id=uuid.uuid4(),
        key=key,
        name=_name(name),
        category=kind.value,
        pauses_sla=pauses_sla,
        position=position,
        active=True,
    )
    config.add(status)
    return status


async def create_priority(
    session: AsyncSession, actor: Actor, key: str, name: str, rank: int
) -> Priority:
    require_configure(actor)
    config = ConfigRepository(session)
    if await config.priority_by_key(_key(key)) is not None:
        raise InvalidInputError(reason=f"priority {key} exists", field="key")
    priority = Priority(id=uuid.uuid4(), key=key, name=_name(name), rank=rank)
    config.add(priority)
    return priority


async def save_group(
    session: AsyncSession,
    actor: Actor,
    group_id: uuid.UUID | None,
    name: str,
    rule: str | None,
    members: Sequence[tuple[uuid.UUID, int]] | None,
) -> Group:
    """Create or change a group; a None rule or `members` keeps what the group has (a new
    group: MANUAL, no members)."""
    require_configure(actor)
    try:
        auto = AutoAssign(rule) if rule is not None else None
    except ValueError as exc:
        raise InvalidInputError(reason="unknown assignment rule", field="autoAssign") from exc
    if any(capacity < 0 for _, capacity in members or []):
        raise InvalidInputError(reason="capacity must be ≥ 0", field="members")
    config = ConfigRepository(session)
    group = await config.get(Group, group_id) if group_id else None
    if group_id is not None and group is None:
        raise UnknownReferenceError(kind="group", value=str(group_id), field="id")
    if group is None:
        group = Group(
            id=uuid.uuid4(), name=_name(name), auto_assign=AutoAssign.MANUAL.value, cursor=0
        )
        config.add(group)
        await config.flush()
    group.name = _name(name)
    if auto is not None:
        group.auto_assign = auto.value
    if members is not None:
        await config.replace_members(group.id, members)
    return group


async def create_field(
    session: AsyncSession,
    actor: Actor,
    key: str,
    name: str,
    kind: str,
    options: Sequence[str],
    required: bool,
) -> CustomField:
    require_configure(actor)
    try:
        field_kind = FieldKind(kind)
    except ValueError as exc:
        raise InvalidInputError(reason="unknown field kind", field="kind") from exc
    if field_kind is FieldKind.SELECT and not options:
        raise InvalidInputError(reason="a select field needs options", field="options")
    config = ConfigRepository(session)
    if any(f.key == _key(key) for f in await config.fields()):
        raise InvalidInputError(reason=f"field {key} exists", field="key")
    field = CustomField(
        id=uuid.uuid4(),
        key=key,
        name=_name(name),
        kind=field_kind.value,
        options=orjson.dumps(list(options)).decode(),
        required=required,
    )
    config.add(field)
    return field


async def create_calendar(
    session: AsyncSession,
    actor: Actor,
    name: str,
    timezone: str,
    hours: Mapping[str, Sequence[Sequence[str]]],
    holidays: Sequence[str],
) -> Calendar:
    require_configure(actor)
    try:
        days = frozenset(date.fromisoformat(d) for d in holidays)
        BusinessCalendar(timezone, parse_hours(hours), days)
    except (CalendarError, ValueError) as exc:
        raise InvalidInputError(reason=str(exc), field="hours") from exc
    calendar = Calendar(
        id=uuid.uuid4(),
        name=_name(name),
        timezone=timezone,
        hours=orjson.dumps(dict(hours)).decode(),
        holidays=orjson.dumps(sorted(d.isoformat() for d in days)).decode(),
    )
    ConfigRepository(session).add(calendar)
    return calendar


@dataclass(frozen=True)
class PolicyInput:
    name: str
    position: int
    conditions: dict[str, list[str]]
    targets: dict[str, dict[str, float]]  # priority key -> metric -> minutes
    calendar_id: uuid.UUID | None = None
    warn_before_minutes: int = 15


async def create_policy(session: AsyncSession, actor: Actor, data: PolicyInput) -> SlaPolicy:
    require_configure(actor)
    config = ConfigRepository(session)
    allowed = {"priorities", "groups", "channels", "types", "tags"}
    if set(data.conditions) - allowed:
        raise InvalidInputError(reason=f"conditions are {sorted(allowed)}", field="conditions")
    priorities = {p.key for p in await config.priorities()}
    for key, metrics in data.targets.items():
        if key not in priorities:
            raise UnknownReferenceError(kind="priority", value=key, field="targets")
        for metric, minutes in metrics.items():
            if metric not in SlaMetric.__members__ or not 0 < minutes <= 525_600:
                raise InvalidInputError(reason=f"bad target {metric}={minutes}", field="targets")
    if data.calendar_id and await config.get(Calendar, data.calendar_id) is None:
        raise UnknownReferenceError(
            kind="calendar", value=str(data.calendar_id), field="calendarId"
        )
    if not 0 <= data.warn_before_minutes <= 10_080:
        raise InvalidInputError(reason="warnBeforeMinutes 0-10080", field="warnBeforeMinutes")
    policy = SlaPolicy(
        id=uuid.uuid4(),
        name=_name(data.name),
        position=data.position,
        conditions=orjson.dumps(data.conditions).decode(),
        targets=orjson.dumps(data.targets).decode(),
        calendar_id=data.calendar_id,
        warn_before_minutes=data.warn_before_minutes,
    )
    config.add(policy)
    return policy


def targets_of(policy: SlaPolicy) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads(policy.targets)
    return loaded
