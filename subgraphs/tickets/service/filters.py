"""Typed ticket filters and orderings (plain data, built by resolvers, read by repositories)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class OrderField(StrEnum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    NUMBER = "NUMBER"
    PRIORITY = "PRIORITY"


@dataclass(frozen=True, slots=True)
class Ordering:
    field: OrderField = OrderField.CREATED_AT
    descending: bool = True


@dataclass(frozen=True, slots=True)
class TicketFilter:
    status_keys: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    assignee_ids: tuple[uuid.UUID, ...] = ()
    unassigned: bool | None = None
    requester_ids: tuple[uuid.UUID, ...] = ()
    group_ids: tuple[uuid.UUID, ...] = ()
    priority_keys: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    tags_any: tuple[str, ...] = ()
    tags_all: tuple[str, ...] = ()
    custom_fields: tuple[tuple[str, str], ...] = ()  # (field key, value)
    sla_breached: bool | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    search: str | None = None
    ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class ResolvedFilter:
    """A filter with keys resolved to ids, and the caller's visibility applied."""

    base: TicketFilter
    status_ids: tuple[uuid.UUID, ...] = ()
    priority_ids: tuple[uuid.UUID, ...] = ()
    custom_fields: tuple[tuple[uuid.UUID, str], ...] = ()
    only_requester: uuid.UUID | None = None
    impossible: bool = False  # an unknown key: the answer is empty
    extra: dict[str, object] = field(default_factory=dict)


_UUID_LISTS = {"assignee_ids", "requester_ids", "group_ids", "ids"}
_DATES = {"created_after", "created_before", "updated_after", "updated_before"}


def filter_to_json(spec: TicketFilter) -> bytes:
    import dataclasses

    import orjson

    return orjson.dumps(dataclasses.asdict(spec))


def filter_from_json(raw: str | bytes) -> TicketFilter:
    import orjson

    data = orjson.loads(raw)
    values: dict[str, object] = {}
    for name, value in data.items():
        if name not in TicketFilter.__dataclass_fields__ or value is None:
            continue
        if name in _UUID_LISTS:
            values[name] = tuple(uuid.UUID(v) for v in value)
        elif name in _DATES:
            values[name] = datetime.fromisoformat(value)
        elif name == "custom_fields":
            values[name] = tuple((str(k), str(v)) for k, v in value)
        elif isinstance(value, list):
            values[name] = tuple(value)
        else:
            values[name] = value
    return TicketFilter(**values)  # type: ignore[arg-type]
