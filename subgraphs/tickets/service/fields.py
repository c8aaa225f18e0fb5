"""Typed custom fields: validation and the normalised text form used for filtering."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import orjson

from subgraphs.tickets.errors import InvalidFieldValueError, UnknownReferenceError
from subgraphs.tickets.models import CustomField, FieldKind

Normalised = tuple[Any, str, float | None]  # (JSON value, text form, number)


def normalise(field: CustomField, value: Any) -> Normalised:
    kind = FieldKind(field.kind)
    if kind is FieldKind.TEXT:
        if not isinstance(value, str) or len(value) > 500:
            raise InvalidFieldValueError(key=field.key, reason="expects text (≤500 characters)")
        return value, value, None
    if kind is FieldKind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidFieldValueError(key=field.key, reason="expects a number")
        if not math.isfinite(float(value)):
            raise InvalidFieldValueError(key=field.key, reason="expects a finite number")
        return value, repr(float(value)), float(value)
    if kind is FieldKind.DATE:
        try:
            parsed = date.fromisoformat(str(value))
        except ValueError as exc:
            raise InvalidFieldValueError(key=field.key, reason="expects YYYY-MM-DD") from exc
        return parsed.isoformat(), parsed.isoformat(), None
    if kind is FieldKind.CHECKBOX:
        if not isinstance(value, bool):
            raise InvalidFieldValueError(key=field.key, reason="expects true or false")
        return value, "true" if value else "false", None
    options: list[str] = orjson.loads(field.options)
    if value not in options:
        raise InvalidFieldValueError(key=field.key, reason=f"expects one of {options}")
    return value, str(value), None


def filter_text(field: CustomField, value: str) -> str:
    """A filter value in the normalised text form (numbers compare as floats)."""
    if field.kind == FieldKind.NUMBER.value:
        try:
            return repr(float(value))
        except ValueError as exc:
            raise InvalidFieldValueError(key=field.key, reason="expects a number") from exc
    if field.kind == FieldKind.CHECKBOX.value:
        return "true" if value.lower() in {"true", "1", "yes"} else "false"
    return value


def validate(
    fields: Sequence[CustomField],
    current: Mapping[str, Any],
    changes: Mapping[str, Any],
    *,
    creating: bool,
) -> tuple[dict[str, Any], list[tuple[Any, str, float | None]]]:
    """Merged values (None removes one) and the rows of `tickets_field_values`."""
    by_key = {f.key: f for f in fields}
    merged = dict(current)
    for key, value in changes.items():
        field = by_key.get(key)
        if field is None:
            raise UnknownReferenceError(kind="custom field", value=key, field="customFields")
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = normalise(field, value)[0]
    if creating:
        missing = [f.key for f in fields if f.required and f.key not in merged]
        if missing:
            raise InvalidFieldValueError(key=missing[0], reason="is required")
    rows = []
    for key, value in merged.items():
        field = by_key.get(key)
        if field is not None:
            _, text, number = normalise(field, value)
            rows.append((field.id, text, number))
    return merged, rows
