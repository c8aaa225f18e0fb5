"""Typed domain events: frozen dataclasses, a registry by `event_type`, and the envelope.

    @register
    @dataclass(frozen=True, kw_only=True)
    class TicketAssigned(Event):
        event_type: ClassVar[str] = "tickets.ticket_assigned"
        domain: ClassVar[str] = "tickets"
        version: ClassVar[int] = 1
        ticket_id: uuid.UUID
        assignee_id: uuid.UUID

The envelope (`to_envelope`) is the JSON every transport carries: the outbox row, the stream
entry and the webhook body. Payload fields typed `TenantId` must name the envelope's tenant;
`from_envelope` refuses anything else (`ForgedEventError`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

import orjson

from subgraphs.kit.ids import TenantId

__all__ = [
    "ENVELOPE_FIELDS",
    "EVENT_TYPES",
    "Event",
    "EventDecodeError",
    "ForgedEventError",
    "event_payload",
    "from_envelope",
    "register",
    "to_envelope",
]

E = TypeVar("E", bound="Event")
ENVELOPE_FIELDS = ("tenant_id", "event_id", "occurred_at", "actor")
EVENT_TYPES: dict[str, type[Event]] = {}


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every domain event; subclasses add payload fields and set the class vars."""

    event_type: ClassVar[str] = ""
    domain: ClassVar[str] = ""
    version: ClassVar[int] = 1
    description: ClassVar[str] = ""

    tenant_id: TenantId
    actor: str | None = None
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime = field(default_factory=_now)


class EventDecodeError(ValueError):
    """A stream entry or outbox row that is not a valid envelope of a registered type."""


class ForgedEventError(EventDecodeError):
    """The envelope's tenant and the event's tenant references disagree."""


def register(cls: type[E]) -> type[E]:
    """Class decorator: make an event type known by its `event_type`."""
    if not cls.event_type or not cls.domain:
        raise TypeError(f"{cls.__name__} needs event_type and domain")
    known = EVENT_TYPES.get(cls.event_type)
    if known is not None and known is not cls:
        raise TypeError(f"event type {cls.event_type} registered twice")
    EVENT_TYPES[cls.event_type] = cls
    return cls


def event_payload(event: Event) -> dict[str, Any]:
    return {
        f.name: getattr(event, f.name)
        for f in dataclasses.fields(event)
        if f.name not in ENVELOPE_FIELDS
    }


def _plain(value: Any) -> str:
    # driver UUID types (asyncpg's) and other str-able values
    return str(value)


def to_envelope(event: Event) -> dict[str, Any]:
    return {
        "id": str(event.event_id),
        "type": event.event_type,
        "version": event.version,
        "tenantId": str(event.tenant_id),
        "occurredAt": event.occurred_at.isoformat(),
        "actor": event.actor,
        "data": orjson.loads(orjson.dumps(event_payload(event), default=_plain)),
    }


def dumps(envelope: dict[str, Any]) -> str:
    return orjson.dumps(envelope).decode()


def _converter(hint: Any) -> Callable[[Any], Any]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        convert = _converter(inner[0]) if len(inner) == 1 else (lambda v: v)
        return lambda v: None if v is None else convert(v)
    if hint is TenantId or hint is uuid.UUID:
        return lambda v: uuid.UUID(str(v))
    if hint is datetime:
        return lambda v: datetime.fromisoformat(str(v))
    if origin is tuple:
        return tuple
    return lambda v: v


_HINTS: dict[str, dict[str, Any]] = {}
_TENANT_FIELDS: dict[str, list[str]] = {}


def _hints(cls: type[Event]) -> dict[str, Any]:
    found = _HINTS.get(cls.event_type)
    if found is None:
        found = _HINTS[cls.event_type] = typing.get_type_hints(cls)
    return found


def _tenant_fields(cls: type[Event]) -> list[str]:
    found = _TENANT_FIELDS.get(cls.event_type)
    if found is None:
        found = _TENANT_FIELDS[cls.event_type] = _find_tenant_fields(cls)
    return found


def _find_tenant_fields(cls: type[Event]) -> list[str]:
    hints = _hints(cls)
    return [
        name
        for name, hint in hints.items()
        if name not in ENVELOPE_FIELDS and TenantId in (hint, *typing.get_args(hint))
    ]


def from_envelope(envelope: dict[str, Any]) -> Event:
    """The typed event of an envelope; raises EventDecodeError / ForgedEventError."""
    try:
        cls = EVENT_TYPES[envelope["type"]]
        tenant_id = TenantId(uuid.UUID(str(envelope["tenantId"])))
        data = dict(envelope["data"])
        hints = _hints(cls)
        payload = {name: _converter(hints[name])(value) for name, value in data.items()}
        for name in _tenant_fields(cls):
            if payload.get(name) is not None and payload[name] != tenant_id:
                raise ForgedEventError(f"{cls.event_type}.{name} names another tenant")
        return cls(
            tenant_id=tenant_id,
            event_id=uuid.UUID(str(envelope["id"])),
            occurred_at=datetime.fromisoformat(str(envelope["occurredAt"])),
            actor=envelope.get("actor"),
            **payload,
        )
    except ForgedEventError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EventDecodeError(f"not a valid event envelope: {exc!r}") from exc
