"""Domain events of the tickets subgraph (recorded in the outbox with the change)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from subgraphs.kit.events import Event, register

DOMAIN = "tickets"


@register
@dataclass(frozen=True, kw_only=True)
class TicketCreated(Event):
    event_type: ClassVar[str] = "tickets.ticket_created"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = "A ticket was created."
    ticket_id: uuid.UUID
    number: int
    requester_id: uuid.UUID


@register
@dataclass(frozen=True, kw_only=True)
class TicketUpdated(Event):
    event_type: ClassVar[str] = "tickets.ticket_updated"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = "Fields of a ticket changed."
    ticket_id: uuid.UUID
    fields: tuple[str, ...]


@register
@dataclass(frozen=True, kw_only=True)
class TicketAssigned(Event):
    event_type: ClassVar[str] = "tickets.ticket_assigned"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = "A ticket was assigned (manually or automatically)."
    ticket_id: uuid.UUID
    assignee_id: uuid.UUID | None
    previous_assignee_id: uuid.UUID | None
    rule: str


@register
@dataclass(frozen=True, kw_only=True)
class CommentAdded(Event):
    event_type: ClassVar[str] = "tickets.comment_added"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = "A public reply or an internal note was added."
    ticket_id: uuid.UUID
    comment_id: uuid.UUID
    public: bool
    mentions: tuple[str, ...]


@register
@dataclass(frozen=True, kw_only=True)
class TicketsMerged(Event):
    event_type: ClassVar[str] = "tickets.tickets_merged"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = "A ticket was merged into another and closed."
    source_id: uuid.UUID
    target_id: uuid.UUID


@register
@dataclass(frozen=True, kw_only=True)
class CsatRequested(Event):
    event_type: ClassVar[str] = "tickets.csat_requested"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = "A solved ticket asks its requester for a satisfaction rating."
    ticket_id: uuid.UUID
    requester_id: uuid.UUID


@register
@dataclass(frozen=True, kw_only=True)
class SlaWarning(Event):
    event_type: ClassVar[str] = "tickets.sla_warning"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = "An SLA target of a ticket will be breached soon."
    ticket_id: uuid.UUID
    metric: str
    cycle: int
    due_at: str


@register
@dataclass(frozen=True, kw_only=True)
class SlaBreached(Event):
    event_type: ClassVar[str] = "tickets.sla_breached"
    domain: ClassVar[str] = DOMAIN
    description: ClassVar[str] = "An SLA target of a ticket was breached."
    ticket_id: uuid.UUID
    metric: str
    cycle: int
    due_at: str
