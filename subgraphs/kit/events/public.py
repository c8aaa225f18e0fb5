"""Public (webhook) shapes of events: the same field names as the GraphQL subscriptions.

A webhook body is

    {"id", "type", "apiVersion", "occurredAt", "tenantId", "actor", "data"}

and `data` is what a client selecting the matching GraphQL subscription would get, built
only from the event's own payload (no other subgraph's tables are read). Each mapped event
type has a `Shape`: the subgraph whose schema defines the subscription, the subscription field
and a tree of GraphQL response keys -> payload sources:

- `"ticket_id"`       the payload field, as JSON (UUIDs as strings);
- `Ref("assignee_id")`  an entity reference `{"id": ...}` (or null), as federation returns it;
- `Refs("mentioned")`   a list of references;
- `Value(fn)`           a computed leaf (e.g. `type` = the event type without its domain);
- a nested mapping      an object field with its own selection.

`selection(shape)` renders the subscription document that selects exactly those keys; a test
validates every document against the subgraph's schema, so a renamed GraphQL field breaks the
build instead of silently changing webhook bodies. Event types without a subscription
counterpart get their payload with camelCase keys (`camel_data`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from subgraphs.kit.events.types import Event, event_payload

__all__ = [
    "PRIVATE_DOMAINS",
    "SHAPES",
    "WEBHOOK_API_VERSION",
    "Ref",
    "Refs",
    "Shape",
    "Value",
    "camel",
    "public_data",
    "selection",
    "webhook_body",
]

WEBHOOK_API_VERSION = "2026-11-29"
PRIVATE_DOMAINS = frozenset({"jobs"})  # internal plumbing, never sent to tenants' endpoints


@dataclass(frozen=True, slots=True)
class Ref:
    field: str


@dataclass(frozen=True, slots=True)
class Refs:
    field: str


@dataclass(frozen=True, slots=True)
class Value:
    compute: Callable[[Event], Any]
    doc: str = ""


Source = str | Ref | Refs | Value | Mapping[str, "Source"]


@dataclass(frozen=True, slots=True)
class Shape:
    subgraph: str
    subscription: str  # the Subscription field, e.g. "ticketEvents"
    graphql_type: str  # its return type, e.g. "TicketEvent"
    fields: Mapping[str, Source]
    arguments: str = ""  # literal arguments that make the document valid, e.g. '(id: "x")'


def _plain(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value, default=str))


def _resolve(source: Source, event: Event) -> Any:
    if isinstance(source, str):
        return _plain(getattr(event, source))
    if isinstance(source, Ref):
        value = getattr(event, source.field)
        return None if value is None else {"id": str(value)}
    if isinstance(source, Refs):
        return [{"id": str(v)} for v in getattr(event, source.field)]
    if isinstance(source, Value):
        return _plain(source.compute(event))
    return {key: _resolve(inner, event) for key, inner in source.items()}


def _leaf_text(source: Source) -> str:
    if isinstance(source, (Ref, Refs)):
        return " { id }"
    if isinstance(source, (str, Value)):
        return ""
    return " { " + " ".join(f"{k}{_leaf_text(v)}" for k, v in source.items()) + " }"


def selection(shape: Shape) -> str:
    """The subscription document whose response has exactly the keys of `data`."""
    return f"subscription {{ {shape.subscription}{shape.arguments}{_leaf_text(shape.fields)} }}"


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_data(event: Event) -> dict[str, Any]:
    return {camel(k): v for k, v in _plain(event_payload(event)).items()}


def public_data(event: Event) -> dict[str, Any]:
    shape = SHAPES.get(event.event_type)
    if shape is None:
        return camel_data(event)
    return {key: _resolve(source, event) for key, source in shape.fields.items()}


def webhook_body(event: Event) -> dict[str, Any]:
    return {
        "id": str(event.event_id),
        "type": event.event_type,
        "apiVersion": WEBHOOK_API_VERSION,
        "occurredAt": event.occurred_at.isoformat(),
        "tenantId": str(event.tenant_id),
        "actor": event.actor,
        "data": public_data(event),
    }


# ---- the platform's mapping (event type -> subscription shape) ------------------------------


def _short(event: Event) -> str:
    return event.event_type.split(".", 1)[1]


_TICKET_TYPE = Value(_short, "event type without `tickets.`")


def _ticket(**extra: Source) -> Shape:
    ticket: dict[str, Source] = {"id": "ticket_id", **extra}
    fields: dict[str, Source] = {"type": _TICKET_TYPE, "ticketId": "ticket_id", "ticket": ticket}
    return Shape("tickets", "ticketEvents", "TicketEvent", fields)


def _card(kind: str, *, moved: bool = False) -> Shape:
    # no `boardId`: it is the board a client subscribed to, and every board of the project
    # shows the card; a tenant-wide webhook names none (query `task(id)` for its project)
    fields: dict[str, Source] = {
        "kind": Value(lambda _e: kind, kind),
        "taskId": "task_id",
        "actorId": "actor",
    }
    if moved:
        fields.update(stateId="state_id", rank="rank")
    return Shape("projects", "boardUpdated", "BoardEvent", fields, '(boardId: "0")')


_CONVERSATION = ("chat", "conversationUpdated", "Conversation")

SHAPES: dict[str, Shape] = {
    "tickets.ticket_created": _ticket(number="number", requester=Ref("requester_id")),
    "tickets.ticket_updated": _ticket(),
    "tickets.ticket_assigned": _ticket(assignee=Ref("assignee_id")),
    "tickets.comment_added": _ticket(),
    "tickets.csat_requested": _ticket(requester=Ref("requester_id")),
    "tickets.sla_warning": _ticket(),
    "tickets.sla_breached": _ticket(slaBreached=Value(lambda _e: True, "true")),
    "tickets.tickets_merged": Shape(
        "tickets",
        "ticketEvents",
        "TicketEvent",
        {
            "type": _TICKET_TYPE,
            "ticketId": "source_id",
            "ticket": {"id": "source_id", "mergedInto": Ref("target_id")},
        },
    ),
    "projects.task_created": _card("CARD_CREATED"),
    "projects.task_updated": _card("CARD_UPDATED"),
    "projects.task_moved": _card("CARD_MOVED", moved=True),
    "chat.conversation_assigned": Shape(
        *_CONVERSATION, {"id": "conversation_id", "assignee": Ref("assignee_id")}
    ),
    "chat.conversation_escalated": Shape(
        *_CONVERSATION,
        {"id": "conversation_id", "subject": "subject", "ticket": Ref("ticket_id")},
    ),
    "chat.agent_mentioned": Shape(
        "chat",
        "messageAdded",
        "ChatMessage",
        {"id": "message_id", "conversationId": "conversation_id", "mentions": Refs("mentioned")},
        '(conversationId: "0")',
    ),
}
