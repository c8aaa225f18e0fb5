"""Automation rules: their shape, validation and CRUD (`tickets:admin`).

A rule: `triggers` (CREATED, UPDATED, COMMENTED, TIME), `conditions` (all must hold),
`any_conditions` (one must hold when given), and `actions`. A condition is
`{field, operator, values, key}`:

| field | operators | values |
| --- | --- | --- |
| STATUS, PRIORITY (keys), CATEGORY, TYPE, CHANNEL | IS, IS_NOT, CHANGED | any of |
| GROUP, ASSIGNEE (ids) | IS, IS_NOT, SET, NOT_SET, CHANGED | any of |
| TAGS | CONTAINS (any of), NOT_CONTAINS (none of), CHANGED | tags |
| SUBJECT, DESCRIPTION | CONTAINS, NOT_CONTAINS (case-insensitive) | any of |
| CUSTOM_FIELD (`key`) | IS, IS_NOT, SET, NOT_SET, CHANGED | normalised text |
| COMMENT_BODY | CONTAINS, NOT_CONTAINS (case-insensitive) | any of |
| COMMENT_PUBLIC | IS | `true` or `false` |
| COMMENT_AUTHOR | IS, IS_NOT | REQUESTER, AGENT |
| HOURS_SINCE_CREATED, _UPDATED, _STATUS_CHANGED | GREATER_THAN, LESS_THAN | one number |
| BUSINESS_HOURS_SINCE_CREATED, _UPDATED, _STATUS_CHANGED | GREATER_THAN, LESS_THAN | one number |

COMMENT_* conditions need the COMMENTED trigger (they hold only in a comment's pass); a TIME
rule needs at least one HOURS_SINCE_* GREATER_THAN among its `conditions` (the scheduled job
looks only at tickets past that age). BUSINESS_HOURS_SINCE_* count business hours of the
ticket's SLA calendar (24x7 without a policy or calendar) and only in TIME-only rules: the
scheduled job loads that calendar; business hours never exceed calendar hours, so the job's
calendar-age preselection stays a superset.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.tickets.errors import InvalidInputError, UnknownReferenceError
from subgraphs.tickets.models import Automation, Channel, Group, StatusCategory, TicketType
from subgraphs.tickets.repository import ConfigRepository
from subgraphs.tickets.service.access import require_configure
from subgraphs.tickets.service.common import Actor

TRIGGERS = frozenset({"CREATED", "UPDATED", "COMMENTED", "TIME"})
SAME = frozenset({"IS", "IS_NOT", "CHANGED"})
# time conditions and the instant each counts from
HOURS = {
    "HOURS_SINCE_CREATED": "created",
    "HOURS_SINCE_UPDATED": "updated",
    "HOURS_SINCE_STATUS_CHANGED": "status",
}
# the same anchors counted in business hours of the ticket's SLA calendar
BUSINESS_HOURS = {f"BUSINESS_{name}": anchor for name, anchor in HOURS.items()}
HOURS.update(BUSINESS_HOURS)
WHO = frozenset({"IS", "IS_NOT", "SET", "NOT_SET", "CHANGED"})
OPERATORS: dict[str, frozenset[str]] = {
    "STATUS": SAME,
    "CATEGORY": SAME,
    "PRIORITY": SAME,
    "TYPE": SAME,
    "CHANNEL": SAME,
    "GROUP": WHO,
    "ASSIGNEE": WHO,
    "TAGS": frozenset({"CONTAINS", "NOT_CONTAINS", "CHANGED"}),
    "SUBJECT": frozenset({"CONTAINS", "NOT_CONTAINS"}),
    "DESCRIPTION": frozenset({"CONTAINS", "NOT_CONTAINS"}),
    "CUSTOM_FIELD": WHO,
    "COMMENT_BODY": frozenset({"CONTAINS", "NOT_CONTAINS"}),
    "COMMENT_PUBLIC": frozenset({"IS"}),
    "COMMENT_AUTHOR": frozenset({"IS", "IS_NOT"}),
    **{f: frozenset({"GREATER_THAN", "LESS_THAN"}) for f in HOURS},
}
COMMENT_FIELDS = frozenset({"COMMENT_BODY", "COMMENT_PUBLIC", "COMMENT_AUTHOR"})
AUTHORS = frozenset({"REQUESTER", "AGENT"})
MAX_HOURS = 24 * 365 * 10
NEEDS_VALUES = frozenset({"IS", "IS_NOT", "CONTAINS", "NOT_CONTAINS", "GREATER_THAN", "LESS_THAN"})
ACTIONS = frozenset(
    {
        "status",
        "priority",
        "type",
        "group_id",
        "assignee_id",
        "add_tags",
        "remove_tags",
        "internal_note",
        "auto_assign",
    }
)
MAX_CONDITIONS = 30


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    values: tuple[str, ...] = ()
    key: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "operator": self.operator, "values": list(self.values)} | (
            {"key": self.key} if self.key else {}
        )

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Condition:
        return cls(raw["field"], raw["operator"], tuple(raw.get("values", ())), raw.get("key"))


@dataclass(frozen=True)
class AutomationInput:
    name: str
    position: int
    triggers: tuple[str, ...] = ("CREATED",)
    conditions: tuple[Condition, ...] = ()
    any_conditions: tuple[Condition, ...] = ()
    actions: dict[str, Any] = field(default_factory=dict)
    active: bool = True


def conditions_of(raw: str) -> list[Condition]:
    return [Condition.of(c) for c in orjson.loads(raw)]


async def _check_condition(config: ConfigRepository, c: Condition, where: str) -> None:
    allowed = OPERATORS.get(c.field)
    if allowed is None or c.operator not in allowed:
        raise InvalidInputError(reason=f"{c.field} does not take {c.operator}", field=where)
    if c.operator in NEEDS_VALUES and not c.values:
        raise InvalidInputError(reason=f"{c.field} {c.operator} needs values", field=where)
    if c.field == "CUSTOM_FIELD" and (
        not c.key or c.key not in {f.key for f in await config.fields()}
    ):
        raise UnknownReferenceError(kind="custom field", value=str(c.key), field=where)
    known: set[str] | None = {
        "STATUS": {s.key for s in await config.statuses()} if c.field == "STATUS" else None,
        "PRIORITY": {p.key for p in await config.priorities()} if c.field == "PRIORITY" else None,
        "CATEGORY": {m.value for m in StatusCategory},
        "TYPE": {m.value for m in TicketType},
        "CHANNEL": {m.value for m in Channel},
    }.get(c.field)
    if known is not None and not set(c.values) <= known:
        unknown = sorted(set(c.values) - known)
        raise UnknownReferenceError(kind=c.field.lower(), value=",".join(unknown), field=where)
    if c.field in {"GROUP", "ASSIGNEE"}:
        for value in c.values:
            _uuid(value, where)
    if c.field == "COMMENT_PUBLIC" and set(c.values) - {"true", "false"}:
        raise InvalidInputError(reason="COMMENT_PUBLIC is `true` or `false`", field=where)
    if c.field == "COMMENT_AUTHOR" and not set(c.values) <= AUTHORS:
        raise InvalidInputError(reason="COMMENT_AUTHOR is REQUESTER or AGENT", field=where)
    if c.field in HOURS:
        hours = _number(c.values[0]) if len(c.values) == 1 else None
        if hours is None or not 0 < hours <= MAX_HOURS:
            raise InvalidInputError(reason=f"{c.field} takes one number of hours", field=where)


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number else None  # NaN is no number


def time_thresholds(conditions: Sequence[Condition]) -> dict[str, float]:
    """The HOURS_SINCE_* GREATER_THAN conditions: the age a ticket needs, per anchor."""
    found: dict[str, float] = {}
    for c in conditions:
        if c.field in HOURS and c.operator == "GREATER_THAN":
            anchor = HOURS[c.field]
            found[anchor] = max(found.get(anchor, 0.0), float(c.values[0]))
    return found


def _check_triggers(data: AutomationInput) -> None:
    every = (*data.conditions, *data.any_conditions)
    if "COMMENTED" not in data.triggers and any(c.field in COMMENT_FIELDS for c in every):
        raise InvalidInputError(
            reason="COMMENT_* conditions need the COMMENTED trigger", field="conditions"
        )
    if set(data.triggers) != {"TIME"} and any(c.field in BUSINESS_HOURS for c in every):
        raise InvalidInputError(
            reason="BUSINESS_HOURS_SINCE_* conditions need TIME as the only trigger",
            field="conditions",
        )
    if set(data.triggers) == {"TIME"} and any(c.operator == "CHANGED" for c in every):
        raise InvalidInputError(reason="CHANGED never holds in a TIME pass", field="conditions")
    if "TIME" in data.triggers and not time_thresholds(data.conditions):
        raise InvalidInputError(
            reason="a TIME rule needs an HOURS_SINCE_* GREATER_THAN condition",
            field="conditions",
        )


def _uuid(value: Any, where: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise InvalidInputError(reason=f"{value!r} is not an id", field=where) from exc


async def _check_actions(config: ConfigRepository, actions: dict[str, Any]) -> dict[str, Any]:
    from subgraphs.tickets.service.tickets import clean_tags

    unknown = set(actions) - ACTIONS
    if unknown:
        raise InvalidInputError(reason=f"unknown actions {sorted(unknown)}", field="actions")
    clean = {k: v for k, v in actions.items() if v is not None or k == "assignee_id"}
    if not clean:
        raise InvalidInputError(reason="an automation needs an action", field="actions")
    if "status" in clean and await config.status_by_key(clean["status"]) is None:
        raise UnknownReferenceError(kind="status", value=clean["status"], field="actions")
    if "priority" in clean and await config.priority_by_key(clean["priority"]) is None:
        raise UnknownReferenceError(kind="priority", value=clean["priority"], field="actions")
    if "type" in clean and clean["type"] not in {m.value for m in TicketType}:
        raise UnknownReferenceError(kind="type", value=clean["type"], field="actions")
    if "group_id" in clean:
        group = _uuid(clean["group_id"], "actions")
        if await config.get(Group, group) is None:
            raise UnknownReferenceError(kind="group", value=str(group), field="actions")
        clean["group_id"] = str(group)
    if clean.get("assignee_id") is not None:
        clean["assignee_id"] = str(_uuid(clean["assignee_id"], "actions"))
    for key in ("add_tags", "remove_tags"):
        if key in clean:
            clean[key] = clean_tags(clean[key])
    note = clean.get("internal_note")
    if note is not None and not (0 < len(str(note).strip()) <= 10_000):
        raise InvalidInputError(reason="internal note must be 1-10000 characters", field="actions")
    return clean


async def _validated(config: ConfigRepository, data: AutomationInput) -> dict[str, Any]:
    name = data.name.strip()
    if not name or len(name) > 120:
        raise InvalidInputError(reason="name must be 1-120 characters", field="name")
    triggers = sorted(set(data.triggers))
    if not triggers or not set(triggers) <= TRIGGERS:
        raise InvalidInputError(
            reason="triggers are CREATED, UPDATED, COMMENTED and/or TIME", field="triggers"
        )
    if len(data.conditions) + len(data.any_conditions) > MAX_CONDITIONS:
        raise InvalidInputError(reason=f"at most {MAX_CONDITIONS} conditions", field="conditions")
    for where, group in (("conditions", data.conditions), ("anyConditions", data.any_conditions)):
        for condition in group:
            await _check_condition(config, condition, where)
    _check_triggers(data)
    return {
        "name": name,
        "position": data.position,
        "active": data.active,
        "triggers": orjson.dumps(triggers).decode(),
        "conditions": orjson.dumps([c.to_json() for c in data.conditions]).decode(),
        "any_conditions": orjson.dumps([c.to_json() for c in data.any_conditions]).decode(),
        "actions": orjson.dumps(await _check_actions(config, data.actions)).decode(),
    }


async def create_automation(
    session: AsyncSession, actor: Actor, data: AutomationInput
) -> Automation:
    require_configure(actor)
    config = ConfigRepository(session)
    row = Automation(id=uuid.uuid4(), updated_by=actor.user_id, **await _validated(config, data))
    config.add(row)
    await config.flush()
    return row


async def update_automation(
    session: AsyncSession, actor: Actor, automation_id: uuid.UUID, data: AutomationInput
) -> Automation:
    """Replaces the rule (name, position, triggers, conditions, actions, active)."""
    require_configure(actor)
    config = ConfigRepository(session)
    row = await config.get(Automation, automation_id)
    if row is None:
        raise UnknownReferenceError(kind="automation", value=str(automation_id), field="id")
    for name, value in (await _validated(config, data)).items():
        setattr(row, name, value)
    row.updated_by = actor.user_id
    await config.flush()
    return row


async def delete_automation(
    session: AsyncSession, actor: Actor, automation_id: uuid.UUID
) -> uuid.UUID:
    require_configure(actor)
    config = ConfigRepository(session)
    row = await config.get(Automation, automation_id)
    if row is None:
        raise UnknownReferenceError(kind="automation", value=str(automation_id), field="id")
    await config.delete(row)
    return automation_id


async def list_automations(session: AsyncSession, actor: Actor) -> Sequence[Automation]:
    require_configure(actor)
    return await ConfigRepository(session).automations()
