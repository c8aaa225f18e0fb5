"""Configuration types and mutation payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import strawberry
from strawberry.scalars import JSON

from subgraphs.kit.payloads import UserError
from subgraphs.tickets import models
from subgraphs.tickets.types.inputs import PresenceState
from subgraphs.tickets.types.tickets import (
    Comment,
    FieldKind,
    Ticket,
    TicketGroup,
    TicketPriority,
    TicketStatus,
    User,
)


@strawberry.type(name="TicketCustomField")
class CustomField:
    id: strawberry.ID
    key: str
    name: str
    kind: FieldKind
    options: list[str]
    required: bool

    @classmethod
    def of(cls, row: models.CustomField) -> CustomField:
        return cls(
            id=strawberry.ID(str(row.id)),
            key=row.key,
            name=row.name,
            kind=models.FieldKind(row.kind),
            options=orjson.loads(row.options),
            required=row.required,
        )


@strawberry.type(name="BusinessCalendar")
class BusinessCalendar:
    id: strawberry.ID
    name: str
    timezone: str
    hours: JSON
    holidays: list[str]

    @classmethod
    def of(cls, row: models.Calendar) -> BusinessCalendar:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            timezone=row.timezone,
            hours=orjson.loads(row.hours),
            holidays=orjson.loads(row.holidays),
        )


@strawberry.type(name="SlaPolicy")
class SlaPolicy:
    id: strawberry.ID
    name: str
    position: int
    conditions: JSON
    targets: JSON
    calendar_id: strawberry.ID | None
    warn_before_minutes: int

    @classmethod
    def of(cls, row: models.SlaPolicy) -> SlaPolicy:
        calendar = strawberry.ID(str(row.calendar_id)) if row.calendar_id else None
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            position=row.position,
            conditions=orjson.loads(row.conditions),
            targets=orjson.loads(row.targets),
            calendar_id=calendar,
            warn_before_minutes=row.warn_before_minutes,
        )


@strawberry.type(name="Macro")
class Macro:
    id: strawberry.ID
    name: str
    actions: JSON
    reply: str | None
    reply_public: bool

    @classmethod
    def of(cls, row: models.Macro) -> Macro:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            actions=orjson.loads(row.actions),
            reply=row.reply,
            reply_public=row.reply_public,
        )


@strawberry.type(name="TicketView")
class TicketView:
    id: strawberry.ID
    name: str
    shared: bool
    filter: JSON

    @classmethod
    def of(cls, row: models.View) -> TicketView:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            shared=row.owner_id is None,
            filter=orjson.loads(row.filter),
        )


@strawberry.type(name="TicketPresence", description="Collision detection: who is on a ticket.")
class Presence:
    ticket_id: strawberry.ID
    user: User
    state: PresenceState
    at: datetime


@strawberry.type(name="TicketEvent")
class TicketEvent:
    type: str
    ticket: Ticket | None
    ticket_id: strawberry.ID


@strawberry.type
class TicketPayload:
    ticket: Ticket | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, value: Any) -> TicketPayload:
        if isinstance(value, list):
            return cls(ticket=None, user_errors=value)
        return cls(ticket=Ticket.of(value), user_errors=[])


@strawberry.type
class TicketCommentPayload:
    comment: Comment | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, value: Any) -> TicketCommentPayload:
        if isinstance(value, list):
            return cls(comment=None, user_errors=value)
        return cls(comment=Comment.of(value), user_errors=[])


@strawberry.type
class TicketStatusPayload:
    status: TicketStatus | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, value: Any) -> TicketStatusPayload:
        if isinstance(value, list):
            return cls(status=None, user_errors=value)
        return cls(status=TicketStatus.of(value), user_errors=[])


@strawberry.type
class TicketPriorityPayload:
    priority: TicketPriority | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, value: Any) -> TicketPriorityPayload:
        if isinstance(value, list):
            return cls(priority=None, user_errors=value)
        return cls(priority=TicketPriority.of(value), user_errors=[])


@strawberry.type
class TicketGroupPayload:
    group: TicketGroup | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, value: Any) -> TicketGroupPayload:
        if isinstance(value, list):
            return cls(group=None, user_errors=value)
        return cls(group=TicketGroup.of(value), user_errors=[])


@strawberry.type
class TicketCustomFieldPayload:
    field: CustomField | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, value: Any) -> TicketCustomFieldPayload:
        if isinstance(value, list):
            return cls(field=None, user_errors=value)
        return cls(field=CustomField.of(value), user_errors=[])


@strawberry.type
class BusinessCalendarPayload:
    calendar: BusinessCalendar | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, value: Any) -> BusinessCalendarPayload:
        if isinstance(value, list):
            return cls(calendar=None, user_errors=value)
        return cls(calendar=BusinessCalendar.of(value), user_errors=[])


@strawberry.type
class SlaPolicyPayload:
    policy: SlaPolicy | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, value: Any) -> SlaPolicyPayload:
        if isinstance(value, list):
            return cls(policy=None, user_errors=value)
        return cls(policy=SlaPolicy.of(value), user_errors=[])


@strawberry.type
class MacroPayload:
    macro: Macro | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, value: Any) -> MacroPayload:
        if isinstance(value, list):
            return cls(macro=None, user_errors=value)
        return cls(macro=Macro.of(value), user_errors=[])


@strawberry.type
class TicketViewPayload:
    view: TicketView | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, value: Any) -> TicketViewPayload:
        if isinstance(value, list):
            return cls(view=None, user_errors=value)
        return cls(view=TicketView.of(value), user_errors=[])


CustomFieldPayload = TicketCustomFieldPayload


@strawberry.type
class TicketPresencePayload:
    ok: bool
    user_errors: list[UserError]
