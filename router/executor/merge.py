"""Merging subgraph data into the response tree, and walking `Flatten` paths."""

from __future__ import annotations

from typing import Any

# A path into the response as the client sees it: response keys and list indices.
ResponsePath = list[str | int]


def merge_into(target: dict[str, Any], source: dict[str, Any]) -> None:
    """Deep-merge `source` into `target`: objects merge key by key, lists element by element,
    anything else from `source` wins."""
    for key, value in source.items():
        current = target.get(key)
        if current is None and key not in target:
            target[key] = value
            continue
        if current is None or value is None:
            if key not in target or value is not None:
                target[key] = value
            continue
        if type(current) is dict and type(value) is dict:
            merge_into(current, value)
        elif type(current) is list and type(value) is list and len(current) == len(value):
            _merge_lists(current, value)
        else:
            target[key] = value


def _merge_lists(target: list[Any], source: list[Any]) -> None:
    for index, value in enumerate(source):
        current = target[index]
        if type(current) is dict and type(value) is dict:
            merge_into(current, value)
        elif type(current) is list and type(value) is list and len(current) == len(value):
            _merge_lists(current, value)
        elif current is None:
            target[index] = value


def parse_path_element(element: str) -> tuple[str, frozenset[str] | None]:
    """`key` or `key|[T1,T2]` -> (key, types or None)."""
    if element.endswith("]") and "|[" in element:
        key, _, rest = element.partition("|[")
        return key, frozenset(t.strip() for t in rest[:-1].split(",") if t.strip())
    return element, None


def collect_objects_with_paths(
    root: dict[str, Any], path: tuple[str, ...]
) -> list[tuple[dict[str, Any], ResponsePath]]:
    """Every object found at `path` (response keys, `@` for list elements), with its concrete
    response path. Nulls and missing values are skipped."""
    current: list[tuple[Any, ResponsePath]] = [(root, [])]
    types: frozenset[str] | None = None
    for element in path:
        if element == "@":
            expanded: list[tuple[Any, ResponsePath]] = []
            for value, at in current:
                if type(value) is list:
                    expanded.extend(
                        (item, [*at, i]) for i, item in enumerate(value) if item is not None
                    )
            current = expanded
            continue
        if types is not None:
            current = _keep_types(current, types)
        key, types = parse_path_element(element)
        current = [
            (value[key], [*at, key])
            for value, at in current
            if type(value) is dict and value.get(key) is not None
        ]
    if types is not None:
        current = _keep_types(current, types)
    return [(value, at) for value, at in current if type(value) is dict]


def _keep_types(
    items: list[tuple[Any, ResponsePath]], types: frozenset[str]
) -> list[tuple[Any, ResponsePath]]:
    return [(v, at) for v, at in items if type(v) is not dict or v.get("__typename") in types]


def collect_objects(root: dict[str, Any], path: tuple[str, ...]) -> list[dict[str, Any]]:
    """`collect_objects_with_paths` without the paths (the hot path)."""
    current: list[Any] = [root]
    types: frozenset[str] | None = None
    for element in path:
        if element == "@":
            expanded: list[Any] = []
            for value in current:
                if type(value) is list:
                    expanded.extend(value)
            current = expanded
            continue
        if types is not None:
            current = [v for v in current if type(v) is not dict or v.get("__typename") in types]
        key, types = _parsed(element)
        nxt = []
        for value in current:
            if type(value) is dict:
                found = value.get(key)
                if found is not None:
                    nxt.append(found)
        current = nxt
    if types is not None:
        return [v for v in current if type(v) is dict and v.get("__typename") in types]
    return [v for v in current if type(v) is dict]


_parsed_elements: dict[str, tuple[str, frozenset[str] | None]] = {}


def _parsed(element: str) -> tuple[str, frozenset[str] | None]:
    parsed = _parsed_elements.get(element)
    if parsed is None:
        parsed = _parsed_elements[element] = parse_path_element(element)
    return parsed
