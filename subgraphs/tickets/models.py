"""Tables of the tickets subgraph, in each tenant's database (branch `tickets`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraphs.kit.models import NAMING
from subgraphs.kit.models import aware as aware  # re-exported for this subgraph
from subgraphs.kit.models import utcnow as utcnow  # re-exported for this subgraph

When = DateTime(timezone=True)


class TicketsBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class StatusCategory(StrEnum):
    NEW = "NEW"
    OPEN = "OPEN"
    PENDING = "PENDING"
    ON_HOLD = "ON_HOLD"
    SOLVED = "SOLVED"
    CLOSED = "CLOSED"


class Channel(StrEnum):
    EMAIL = "EMAIL"
    CHAT = "CHAT"
    WEB = "WEB"
    API = "API"


class TicketType(StrEnum):
    QUESTION = "QUESTION"
    INCIDENT = "INCIDENT"
    PROBLEM = "PROBLEM"
    TASK = "TASK"


class FieldKind(StrEnum):
    TEXT = "TEXT"
    NUMBER = "NUMBER"
    DATE = "DATE"
    SELECT = "SELECT"
    CHECKBOX = "CHECKBOX"


class AutoAssign(StrEnum):
    MANUAL = "MANUAL"
    ROUND_ROBIN = "ROUND_ROBIN"
    LEAST_LOADED = "LEAST_LOADED"


class SlaMetric(StrEnum):
    FIRST_RESPONSE = "FIRST_RESPONSE"
    NEXT_RESPONSE = "NEXT_RESPONSE"
    PERIODIC_UPDATE = "PERIODIC_UPDATE"
    RESOLUTION = "RESOLUTION"


class Counter(TicketsBase):
    """`UPDATE ... SET value = value + 1 RETURNING value`: the row lock makes numbers race-free."""

    __tablename__ = "tickets_counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Status(TicketsBase):
    __tablename__ = "tickets_statuses"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20))
    pauses_sla: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Priority(TicketsBase):
    __tablename__ = "tickets_priorities"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    rank: Mapped[int] = mapped_column(Integer)  # higher is more urgent


class Group(TicketsBase):
    __tablename__ = "tickets_groups"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    auto_assign: Mapped[str] = mapped_column(String(20), default=AutoAssign.MANUAL.value)
    # the lock row of auto-assignment: bumped with UPDATE ... RETURNING in the transaction
    cursor: Mapped[int] = mapped_column(Integer, default=0)


class GroupMember(TicketsBase):
    __tablename__ = "tickets_group_members"
    group_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer, default=10)
    position: Mapped[int] = mapped_column(Integer, default=0)


class CustomField(TicketsBase):
    __tablename__ = "tickets_custom_fields"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    options: Mapped[str] = mapped_column(Text, default="[]")  # JSON list for SELECT
    required: Mapped[bool] = mapped_column(Boolean, default=False)


class Ticket(TicketsBase):
    __tablename__ = "tickets_tickets"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    subject: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    status_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    category: Mapped[str] = mapped_column(String(20), index=True)  # denormalised from status
    priority_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    type: Mapped[str] = mapped_column(String(20), default=TicketType.QUESTION.value)
    channel: Mapped[str] = mapped_column(String(20), default=Channel.WEB.value)
    requester_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True, default=None)
    group_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True, default=None)
    tags: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, mirrored in tickets_tags
    custom_fields: Mapped[str] = mapped_column(Text, default="{}")  # JSON, mirrored in values
    sla_policy_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    sla_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True, default=None)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    search_text: Mapped[str] = mapped_column(Text, default="")  # public comments, for search
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(When, default=utcnow, index=True)
    # when the status last changed (None: since creation); time-based automations read it
    status_changed_at: Mapped[datetime | None] = mapped_column(When, default=None)
    first_responded_at: Mapped[datetime | None] = mapped_column(When, default=None)
    solved_at: Mapped[datetime | None] = mapped_column(When, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(When, default=None)
    csat_score: Mapped[int | None] = mapped_column(Integer, default=None)
    csat_comment: Mapped[str | None] = mapped_column(Text, default=None)
    csat_requested_at: Mapped[datetime | None] = mapped_column(When, default=None)


class TicketTag(TicketsBase):
    __tablename__ = "tickets_tags"
    ticket_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class FieldValue(TicketsBase):
    __tablename__ = "tickets_field_values"
    ticket_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    field_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    value: Mapped[str] = mapped_column(String(500), index=True)  # normalised text form
    number: Mapped[float | None] = mapped_column(Float, default=None)


class Comment(TicketsBase):
    __tablename__ = "tickets_comments"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    ticket_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    body: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    attachments: Mapped[str] = mapped_column(Text, default="[]")  # references, served as links
    file_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON ids of the files subgraph
    mentions: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class Change(TicketsBase):
    """One field change: who, when, old -> new (also assignments and merges)."""

    __tablename__ = "tickets_changes"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    ticket_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    at: Mapped[datetime] = mapped_column(When, default=utcnow)
    field: Mapped[str] = mapped_column(String(80))
    old: Mapped[str | None] = mapped_column(Text, default=None)
    new: Mapped[str | None] = mapped_column(Text, default=None)
    via: Mapped[str | None] = mapped_column(String(160), default=None)  # "automation: <name>"


class Calendar(TicketsBase):
    __tablename__ = "tickets_calendars"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    hours: Mapped[str] = mapped_column(Text)  # JSON {"0": [["09:00","17:00"]], ...} 0 = Monday
    holidays: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of ISO dates


class SlaPolicy(TicketsBase):
    __tablename__ = "tickets_sla_policies"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)
    conditions: Mapped[str] = mapped_column(Text, default="{}")
    targets: Mapped[str] = mapped_column(Text)  # JSON {priority key: {metric: minutes}}
    calendar_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    warn_before_minutes: Mapped[int] = mapped_column(Integer, default=15)


class SlaClock(TicketsBase):
    """The live clock of one SLA metric of one ticket.

    Business seconds consumed before `running_since` are in `consumed`; a paused clock has
    `running_since` None. `due_at` is the breach instant while running.
    """

    __tablename__ = "tickets_sla_clocks"
    ticket_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    metric: Mapped[str] = mapped_column(String(30), primary_key=True)
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    target_seconds: Mapped[int] = mapped_column(Integer)
    consumed: Mapped[float] = mapped_column(Float, default=0.0)
    running_since: Mapped[datetime | None] = mapped_column(When, default=None)
    due_at: Mapped[datetime | None] = mapped_column(When, default=None, index=True)
    warn_at: Mapped[datetime | None] = mapped_column(When, default=None, index=True)
    fulfilled_at: Mapped[datetime | None] = mapped_column(When, default=None)
    breached_at: Mapped[datetime | None] = mapped_column(When, default=None)
    calendar_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)


class SlaEmission(TicketsBase):
    """What the SLA job emitted: one row per (ticket, metric, cycle, kind), never twice."""

    __tablename__ = "tickets_sla_emissions"
    __table_args__ = (UniqueConstraint("ticket_id", "metric", "cycle", "kind"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    ticket_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    metric: Mapped[str] = mapped_column(String(30))
    cycle: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # WARNING | BREACH
    at: Mapped[datetime] = mapped_column(When, default=utcnow)


class Macro(TicketsBase):
    __tablename__ = "tickets_macros"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(120))
    actions: Mapped[str] = mapped_column(Text)  # JSON {status, priority, assignee, group, tags...}
    reply: Mapped[str | None] = mapped_column(Text, default=None)
    reply_public: Mapped[bool] = mapped_column(Boolean, default=True)


class View(TicketsBase):
    __tablename__ = "tickets_views"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(120))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)  # None = shared
    filter: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class Automation(TicketsBase):
    """A trigger: on create and/or update, when the conditions hold, apply the actions."""

    __tablename__ = "tickets_automations"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    triggers: Mapped[str] = mapped_column(Text, default='["CREATED"]')  # CREATED, UPDATED
    conditions: Mapped[str] = mapped_column(Text, default="[]")  # all must hold
    any_conditions: Mapped[str] = mapped_column(Text, default="[]")  # one must hold, if any
    actions: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)
    # who saved the rule last: time-based firings act on their behalf (no person triggers them)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)


class AutomationFiring(TicketsBase):
    """A time-based rule fired on a ticket in a condition window (never twice in one).

    `window_key` names the instants the rule's time conditions count from (creation, last update,
    last status change), so a new window opens only when one of them moves.
    """

    __tablename__ = "tickets_automation_firings"
    automation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    ticket_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, index=True)
    window_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(When, default=utcnow)
