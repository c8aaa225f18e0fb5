"""GraphQL shape of automations: typed conditions and actions, payloads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import orjson
import strawberry

from subgraphs.kit.payloads import UserError
from subgraphs.tickets import models
from subgraphs.tickets.types.tickets import TicketType


@strawberry.enum(name="TicketAutomationTrigger")
class AutomationTrigger(Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    COMMENTED = strawberry.enum_value(
        "COMMENTED", description="A public reply or internal note was added (COMMENT_* fields)."
    )
    TIME = strawberry.enum_value(
        "TIME",
        description="The scheduled job, on open tickets past an HOURS_SINCE_* GREATER_THAN "
        "condition; once per ticket per condition window.",
    )


@strawberry.enum(name="TicketAutomationField")
class AutomationField(Enum):
    STATUS = "STATUS"
    CATEGORY = "CATEGORY"
    PRIORITY = "PRIORITY"
    TYPE = "TYPE"
    CHANNEL = "CHANNEL"
    GROUP = "GROUP"
    ASSIGNEE = "ASSIGNEE"
    TAGS = "TAGS"
    SUBJECT = "SUBJECT"
    DESCRIPTION = "DESCRIPTION"
    CUSTOM_FIELD = "CUSTOM_FIELD"
    COMMENT_BODY = "COMMENT_BODY"
    COMMENT_PUBLIC = strawberry.enum_value("COMMENT_PUBLIC", description="`true` or `false`.")
    COMMENT_AUTHOR = strawberry.enum_value("COMMENT_AUTHOR", description="REQUESTER or AGENT.")
    HOURS_SINCE_CREATED = "HOURS_SINCE_CREATED"
    HOURS_SINCE_UPDATED = "HOURS_SINCE_UPDATED"
    HOURS_SINCE_STATUS_CHANGED = strawberry.enum_value(
        "HOURS_SINCE_STATUS_CHANGED", description="Hours in the current status."
    )
    BUSINESS_HOURS_SINCE_CREATED = strawberry.enum_value(
        "BUSINESS_HOURS_SINCE_CREATED",
        description="Business hours of the ticket's SLA calendar; TIME-only rules.",
    )
    BUSINESS_HOURS_SINCE_UPDATED = strawberry.enum_value(
        "BUSINESS_HOURS_SINCE_UPDATED",
        description="Business hours of the ticket's SLA calendar; TIME-only rules.",
    )
    BUSINESS_HOURS_SINCE_STATUS_CHANGED = strawberry.enum_value(
        "BUSINESS_HOURS_SINCE_STATUS_CHANGED",
        description="Business hours in the current status; TIME-only rules.",
    )


@strawberry.enum(name="TicketAutomationOperator")
class AutomationOperator(Enum):
    IS = "IS"
    IS_NOT = "IS_NOT"
    CONTAINS = "CONTAINS"
    NOT_CONTAINS = "NOT_CONTAINS"
    SET = "SET"
    NOT_SET = "NOT_SET"
    CHANGED = "CHANGED"
    GREATER_THAN = "GREATER_THAN"
    LESS_THAN = "LESS_THAN"


@strawberry.input(name="TicketAutomationConditionInput")
class ConditionInput:
    field: AutomationField
    operator: AutomationOperator
    values: list[str] | None = None
    key: str | None = strawberry.field(default=None, description="The custom field's key.")


@strawberry.input(name="TicketAutomationActionsInput")
class ActionsInput:
    status: str | None = None
    priority: str | None = None
    type: TicketType | None = None
    group_id: strawberry.ID | None = None
    assignee_id: strawberry.ID | None = None
    unassign: bool = False
    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None
    internal_note: str | None = None
    auto_assign: bool = strawberry.field(
        default=False, description="Assign by the group's rule (round-robin / least-loaded)."
    )


@strawberry.input
class SaveTicketAutomationInput:
    id: strawberry.ID | None = strawberry.field(default=None, description="Null creates.")
    name: str
    position: int = 0
    active: bool = True
    triggers: list[AutomationTrigger] = strawberry.field(
        default_factory=lambda: [AutomationTrigger.CREATED]
    )
    conditions: list[ConditionInput] | None = None
    any_conditions: list[ConditionInput] | None = None
    actions: ActionsInput


@strawberry.input
class DeleteTicketAutomationInput:
    id: strawberry.ID


@strawberry.type(name="TicketAutomationCondition")
class Condition:
    field: AutomationField
    operator: AutomationOperator
    values: list[str]
    key: str | None


@strawberry.type(name="TicketAutomationActions")
class Actions:
    status: str | None
    priority: str | None
    type: str | None
    group_id: strawberry.ID | None
    assignee_id: strawberry.ID | None
    unassign: bool
    add_tags: list[str]
    remove_tags: list[str]
    internal_note: str | None
    auto_assign: bool

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Actions:
        def ident(key: str) -> strawberry.ID | None:
            return strawberry.ID(raw[key]) if raw.get(key) else None

        return cls(
            status=raw.get("status"),
            priority=raw.get("priority"),
            type=raw.get("type"),
            group_id=ident("group_id"),
            assignee_id=ident("assignee_id"),
            unassign="assignee_id" in raw and raw["assignee_id"] is None,
            add_tags=raw.get("add_tags", []),
            remove_tags=raw.get("remove_tags", []),
            internal_note=raw.get("internal_note"),
            auto_assign=bool(raw.get("auto_assign")),
        )


def _conditions(raw: str) -> list[Condition]:
    return [
        Condition(
            field=AutomationField(c["field"]),
            operator=AutomationOperator(c["operator"]),
            values=c.get("values", []),
            key=c.get("key"),
        )
        for c in orjson.loads(raw)
    ]


@strawberry.type(name="TicketAutomation", description="A trigger: when, if, then.")
class Automation:
    id: strawberry.ID
    name: str
    position: int
    active: bool
    triggers: list[AutomationTrigger]
    conditions: list[Condition]
    any_conditions: list[Condition]
    actions: Actions
    created_at: datetime

    @classmethod
    def of(cls, row: models.Automation) -> Automation:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            position=row.position,
            active=row.active,
            triggers=[AutomationTrigger(t) for t in orjson.loads(row.triggers)],
            conditions=_conditions(row.conditions),
            any_conditions=_conditions(row.any_conditions),
            actions=Actions.of(orjson.loads(row.actions)),
            created_at=models.aware(row.created_at),
        )


@strawberry.type
class TicketAutomationPayload:
    automation: Automation | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, value: Any) -> TicketAutomationPayload:
        if isinstance(value, list):
            return cls(automation=None, user_errors=value)
        return cls(automation=Automation.of(value), user_errors=[])


@strawberry.type
class DeleteTicketAutomationPayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, value: Any) -> DeleteTicketAutomationPayload:
        if isinstance(value, list):
            return cls(deleted_id=None, user_errors=value)
        return cls(deleted_id=strawberry.ID(str(value)), user_errors=[])
