"""The hot path of response shaping: plain functions over pre-compiled field tuples.

Returns `INVALID` where a non-null position got null, so the nearest nullable parent becomes
null. Paths are not tracked here; `shape.Shaper` re-walks with paths only when a violation
needs reporting.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from router.executor.shape import (
    INVALID,
    LEAF,
    LIST,
    OBJECT,
    TYPENAME,
    SelectionShape,
    TypeShape,
)

# set when a null was absorbed by a nullable parent (rare): the caller then reports it
null_absorbed: ContextVar[bool] = ContextVar("null_absorbed", default=False)


def absorbed() -> Any:
    null_absorbed.set(True)
    return None


def shape_object(src: dict[str, Any], selection: SelectionShape) -> Any:
    typename = selection.static_typename or src.get("__typename")
    if typename is None:
        return None
    fields = selection.fast.get(typename)
    if fields is None:
        fields = selection.fast_fields(typename)
    out: dict[str, Any] = {}
    get = src.get
    for key, kind, non_null, sub in fields:
        if kind == LEAF:
            value = get(key)
            if value is None and non_null:
                return INVALID
            out[key] = value
        elif kind == OBJECT:
            value = get(key)
            if value is None:
                if non_null:
                    return INVALID
                out[key] = None
                continue
            shaped = shape_object(value, sub) if type(value) is dict else INVALID
            if shaped is INVALID:
                if non_null:
                    return INVALID
                shaped = absorbed()
            out[key] = shaped
        elif kind == LIST:
            value = get(key)
            if value is None:
                if non_null:
                    return INVALID
                out[key] = None
                continue
            shaped = complete_list(value, sub)
            if shaped is INVALID:
                if non_null:
                    return INVALID
                shaped = absorbed()
            out[key] = shaped
        elif kind == TYPENAME:
            out[key] = typename
        else:  # PASSTHROUGH: introspection, already shaped
            out[key] = get(key)
    return out


def complete_list(values: Any, item: TypeShape) -> Any:
    if type(values) is not list:
        return INVALID
    non_null = item.non_null
    selection = item.selection
    if selection is not None:
        out: list[Any] = []
        append = out.append
        for value in values:
            if value is None:
                if non_null:
                    return INVALID
                append(None)
                continue
            shaped = shape_object(value, selection) if type(value) is dict else INVALID
            if shaped is INVALID:
                if non_null:
                    return INVALID
                shaped = absorbed()
            append(shaped)
        return out
    inner = item.item
    if inner is None:  # leaves
        if non_null and None in values:
            return INVALID
        return values
    nested: list[Any] = []
    for value in values:
        if value is None:
            if non_null:
                return INVALID
            nested.append(None)
            continue
        shaped = complete_list(value, inner)
        if shaped is INVALID:
            if non_null:
                return INVALID
            shaped = absorbed()
        nested.append(shaped)
    return nested
