"""Inputs of the tickets subgraph: filters, orderings and one `input` per mutation."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from subgraphs.tickets.types.tickets import (
    AutoAssign,
    Channel,
    FieldKind,
    StatusCategory,
    TicketType,
)


@strawberry.enum(name="TicketOrderField")
class TicketOrderField(Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    NUMBER = "NUMBER"
    PRIORITY = "PRIORITY"


@strawberry.enum(name="OrderDirection")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(name="TicketOrder")
class TicketOrder:
    field: TicketOrderField = TicketOrderField.CREATED_AT
    direction: OrderDirection = OrderDirection.DESC


@strawberry.input(name="CustomFieldFilter")
class CustomFieldFilter:
    key: str
    value: str


@strawberry.input(name="TicketFilter", description="Every given condition must hold.")
class TicketFilterInput:
    status: list[str] | None = None
    category: list[StatusCategory] | None = None
    assignee_id: list[strawberry.ID] | None = None
    unassigned: bool | None = None
    requester_id: list[strawberry.ID] | None = None
    group_id: list[strawberry.ID] | None = None
    priority: list[str] | None = None
    type: list[TicketType] | None = None
    channel: list[Channel] | None = None
    tags_any: list[str] | None = None
    tags_all: list[str] | None = None
    custom_fields: list[CustomFieldFilter] | None = None
    sla_breached: bool | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    search: str | None = None


@strawberry.input(name="TicketAttachmentInput")
class AttachmentInput:
    name: str
    url: str
    content_type: str = "application/octet-stream"
    size: int = 0


@strawberry.input
class CreateTicketInput:
    subject: str
    description: str = ""
    requester_id: strawberry.ID | None = None
    assignee_id: strawberry.ID | None = None
    group_id: strawberry.ID | None = None
    priority: str | None = None
    status: str | None = None
    type: TicketType | None = None
    channel: Channel | None = None
    tags: list[str] | None = None
    custom_fields: JSON | None = None
    parent_id: strawberry.ID | None = None


@strawberry.input
class UpdateTicketInput:
    id: strawberry.ID
    subject: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    status: str | None = strawberry.UNSET
    priority: str | None = strawberry.UNSET
    type: TicketType | None = strawberry.UNSET
    group_id: strawberry.ID | None = strawberry.UNSET
    assignee_id: strawberry.ID | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None
    custom_fields: JSON | None = None
    parent_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class AddTicketCommentInput:
    ticket_id: strawberry.ID
    body: str
    public: bool = True
    attachment_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Files of the files subgraph (at most 10)."
    )
    links: list[AttachmentInput] | None = strawberry.field(
        default=None, description="Reference-style attachments (name, url)."
    )
    attachments: list[AttachmentInput] | None = strawberry.field(
        default=None, deprecation_reason="Use `links` (references) or `attachmentIds` (files)."
    )


@strawberry.input
class AssignTicketInput:
    ticket_id: strawberry.ID
    assignee_id: strawberry.ID | None = None
    auto: bool = False


@strawberry.input
class MergeTicketsInput:
    source_id: strawberry.ID
    target_id: strawberry.ID


@strawberry.input
class ApplyMacroInput:
    ticket_id: strawberry.ID
    macro_id: strawberry.ID


@strawberry.input
class RateTicketInput:
    ticket_id: strawberry.ID
    score: int
    comment: str | None = None


@strawberry.input
class CreateTicketStatusInput:
    key: str
    name: str
    category: StatusCategory
    pauses_sla: bool = False


@strawberry.input
class CreateTicketPriorityInput:
    key: str
    name: str
    rank: int


@strawberry.input
class GroupMemberInput:
    user_id: strawberry.ID
    capacity: int = 10


@strawberry.input
class SaveTicketGroupInput:
    id: strawberry.ID | None = None
    name: str
    auto_assign: AutoAssign | None = None
    members: list[GroupMemberInput] | None = None


@strawberry.input
class CreateCustomFieldInput:
    key: str
    name: str
    kind: FieldKind
    options: list[str] | None = None
    required: bool = False


@strawberry.input
class CreateBusinessCalendarInput:
    name: str
    timezone: str
    hours: JSON = strawberry.field(description='{"0": [["09:00", "17:00"]]}, 0 = Monday')
    holidays: list[str] | None = None


@strawberry.input
class CreateSlaPolicyInput:
    name: str
    position: int
    conditions: JSON | None = None
    targets: JSON = strawberry.field(description='{"high": {"FIRST_RESPONSE": 60}} (minutes)')
    calendar_id: strawberry.ID | None = None
    warn_before_minutes: int = 15


@strawberry.input
class CreateMacroInput:
    name: str
    actions: JSON
    reply: str | None = None
    reply_public: bool = True


@strawberry.input
class SaveTicketViewInput:
    name: str
    filter: TicketFilterInput
    shared: bool = False


@strawberry.enum(name="TicketPresenceState")
class PresenceState(Enum):
    VIEWING = "VIEWING"
    REPLYING = "REPLYING"
    LEFT = "LEFT"


@strawberry.input
class SetTicketPresenceInput:
    ticket_id: strawberry.ID
    state: PresenceState
