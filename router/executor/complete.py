"""The hot path of response shaping: one generated Python function per (selection, type).

For every concrete type a selection can meet, the client fields are turned into straight-line
code (`out = {'id': get('id'), 'name': get('name')}` for nullable leaves, explicit null checks
for non-null ones, calls into the sub-selection functions), the approach of graphql-jit. Field
keys come from a validated document, so they are plain GraphQL names; they are still embedded
with `repr`. A function returns `INVALID` where a non-null position got null, so the nearest
nullable parent becomes null. Paths are not tracked here; `shape.Shaper` re-walks with paths
only when a violation needs reporting.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from router.executor.shape import (
    INVALID,
    LEAF,
    OBJECT,
    PASSTHROUGH,
    TYPENAME,
    FastField,
    SelectionShape,
    TypeShape,
)

ShapeFunction = Callable[[dict[str, Any], str], Any]

# set when a null was absorbed by a nullable parent (rare): the caller then reports it
null_absorbed: ContextVar[bool] = ContextVar("null_absorbed", default=False)


def absorbed() -> Any:
    null_absorbed.set(True)
    return None


def shape_object(src: dict[str, Any], selection: SelectionShape) -> Any:
    typename = selection.static_typename or src.get("__typename")
    if typename is None:
        return None
    function = selection.compiled.get(typename)
    if function is None:
        function = selection.compiled[typename] = generate(selection.fast_fields(typename))
    return function(src, typename)


def complete_list(values: Any, item: TypeShape) -> Any:
    if type(values) is not list:
        return INVALID
    non_null = item.non_null
    selection = item.selection
    if selection is not None:
        out: list[Any] = []
        append = out.append
        static = selection.static_typename
        function = _static_function(selection) if static else None
        for value in values:
            if value is None:
                if non_null:
                    return INVALID
                append(None)
                continue
            if type(value) is not dict:
                shaped = INVALID
            elif function is not None:
                shaped = function(value, static)  # type: ignore[arg-type]
            else:
                shaped = shape_object(value, selection)
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


def _static_function(selection: SelectionShape) -> ShapeFunction:
    typename = selection.static_typename
    assert typename is not None
    function = selection.compiled.get(typename)
    if function is None:
        function = selection.compiled[typename] = generate(selection.fast_fields(typename))
    return function


def generate(fields: tuple[FastField, ...]) -> ShapeFunction:
    """Python source for one (selection, type), compiled with `exec`."""
    env: dict[str, Any] = {
        "INVALID": INVALID,
        "shape_object": shape_object,
        "complete_list": complete_list,
        "absorbed": absorbed,
    }
    head: list[str] = []  # leading simple fields go into the dict literal
    body: list[str] = []
    for index, (key, kind, non_null, sub) in enumerate(fields):
        k = repr(key)
        simple = kind in (TYPENAME, PASSTHROUGH) or (kind == LEAF and not non_null)
        if simple and not body:
            head.append(f"{k}: typename" if kind == TYPENAME else f"{k}: get({k})")
            continue
        if simple:
            value = "typename" if kind == TYPENAME else f"get({k})"
            body.append(f"    out[{k}] = {value}")
            continue
        body.append(f"    v = get({k})")
        null_case = "return INVALID" if non_null else f"out[{k}] = None"
        if kind == LEAF:
            body.append("    if v is None:")
            body.append("        return INVALID")
            body.append(f"    out[{k}] = v")
            continue
        body.append("    if v is None:")
        body.append(f"        {null_case}")
        body.append("    else:")
        name = f"_sub{index}"
        if kind == OBJECT:
            assert isinstance(sub, SelectionShape)
            if sub.static_typename is not None:
                env[name] = _static_function(sub)
                call = f"{name}(v, {sub.static_typename!r})"
            else:
                env[name] = sub
                call = f"shape_object(v, {name})"
            body.append(f"        r = {call} if type(v) is dict else INVALID")
        else:
            env[name] = sub
            body.append(f"        r = complete_list(v, {name})")
        body.append("        if r is INVALID:")
        body.append("            " + ("return INVALID" if non_null else "r = absorbed()"))
        body.append(f"        out[{k}] = r")
    source = "\n".join(
        [
            "def shape(src, typename):",
            "    get = src.get",
            "    out = {" + ", ".join(head) + "}",
            *body,
            "    return out",
        ]
    )
    exec(compile(source, "<router.executor.shape>", "exec"), env)
    function: ShapeFunction = env["shape"]
    return function
