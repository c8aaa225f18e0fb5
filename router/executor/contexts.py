"""`@fromContext` values of an entity fetch (`Fetch.context_rewrites`).

Each object at the Flatten path gets its variables from an object above it: a rewrite path
such as `("..", "..", "... on User", "name")` goes two response-path elements up (list
indices count), checks `__typename`, then reads keys (through lists). The first rewrite of a
variable that finds a value wins; none found gives `null`. Objects are then grouped by their
distinct variable values: one `_entities` request per group (Apollo's routers split the
representations the same way), so each request's variables hold for all its representations.
"""

from __future__ import annotations

from typing import Any

import orjson
from graphql import GraphQLSchema

from router.executor.merge import collect_objects_with_paths
from router.plan import Fetch, KeyRenamer

_MISSING = object()


def group_by_context(
    fetch: Fetch,
    paths: tuple[tuple[str, ...], ...],
    data: dict[str, Any],
    schema: GraphQLSchema,
    type_applies: Any,
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(context variables, objects) per distinct set of values, in first-seen order."""
    groups: dict[bytes, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    seen: set[tuple[bytes, int]] = set()  # an object reached by two paths joins its group once
    # every rewrite reads at or above this many levels up: objects sharing that ancestor
    # share their values (computed once per ancestor)
    shared = min(_ups(rewrite) for rewrite in fetch.context_rewrites)
    cache: dict[tuple[str | int, ...], tuple[bytes, dict[str, Any]]] = {}
    for path in paths:
        for obj, at in collect_objects_with_paths(data, path):
            ancestor = tuple(at[: len(at) - shared])
            cached = cache.get(ancestor)
            if cached is None:
                values = _values(fetch, data, at, schema, type_applies)
                cached = cache[ancestor] = (
                    orjson.dumps(values, option=orjson.OPT_SORT_KEYS),
                    values,
                )
            key, values = cached
            if (key, id(obj)) in seen:
                continue
            seen.add((key, id(obj)))
            group = groups.get(key)
            if group is None:
                groups[key] = (values, [obj])
            else:
                group[1].append(obj)
    return list(groups.values())


def _values(
    fetch: Fetch, data: dict[str, Any], at: list[str | int], schema: GraphQLSchema, applies: Any
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for rewrite in fetch.context_rewrites:
        name = rewrite.rename_key_to
        if values.get(name, _MISSING) is not _MISSING:
            continue
        value = _read(data, at, rewrite, schema, applies)
        if value is not _MISSING:
            values[name] = value
    for rewrite in fetch.context_rewrites:
        values.setdefault(rewrite.rename_key_to, None)
    return values


def _ups(rewrite: KeyRenamer) -> int:
    ups = 0
    while ups < len(rewrite.path) and rewrite.path[ups] == "..":
        ups += 1
    return ups


def _read(
    data: dict[str, Any],
    at: list[str | int],
    rewrite: KeyRenamer,
    schema: GraphQLSchema,
    type_applies: Any,
) -> Any:
    ups = _ups(rewrite)
    if ups > len(at):
        return _MISSING
    value: Any = data
    for element in at[: len(at) - ups]:
        try:
            value = value[element]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return _descend(value, rewrite.path[ups:], schema, type_applies)


def _descend(value: Any, rest: tuple[str, ...], schema: GraphQLSchema, type_applies: Any) -> Any:
    if not rest:
        return value
    if value is None:
        return None
    if type(value) is list:
        items = [_descend(item, rest, schema, type_applies) for item in value]
        return _MISSING if any(i is _MISSING for i in items) else items
    if type(value) is not dict:
        return _MISSING
    head = rest[0]
    if head.startswith("... on "):
        if not type_applies(head[7:], value.get("__typename"), schema):
            return _MISSING
        return _descend(value, rest[1:], schema, type_applies)
    if head not in value:
        return _MISSING
    return _descend(value[head], rest[1:], schema, type_applies)
