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
        if element.startswith("@"):
            if types is None:
                types = parse_path_element(element)[1]
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
    for key, types, lists in _steps(path):
        found: list[Any] = []
        if lists == 1:
            extend = found.extend
            for value in current:
                if type(value) is dict:
                    items = value.get(key)
                    if type(items) is list:
                        extend(items)
        else:
            append = found.append
            for value in current:
                if type(value) is dict:
                    item = value.get(key)
                    if item is not None:
                        append(item)
            for _ in range(lists):
                found = [i for items in found if type(items) is list for i in items]
        if types is not None:
            found = [v for v in found if type(v) is dict and v.get("__typename") in types]
        current = found
    return [v for v in current if type(v) is dict]


# (key, type condition, number of `@` after it)
_Step = tuple[str, frozenset[str] | None, int]
_compiled_paths: dict[tuple[str, ...], tuple[_Step, ...]] = {}


def _steps(path: tuple[str, ...]) -> tuple[_Step, ...]:
    steps = _compiled_paths.get(path)
    if steps is None:
        built: list[_Step] = []
        for element in path:
            key, types = parse_path_element(element)
            if key == "@" and built:  # `@`, or `@|[T]`: a list, keeping only T objects
                previous, previous_types, lists = built[-1]
                built[-1] = (previous, types or previous_types, lists + 1)
            else:
                built.append((key, types, 0))
        if len(_compiled_paths) > 10_000:
            _compiled_paths.clear()
        steps = _compiled_paths[path] = tuple(built)
    return steps


_parsed_elements: dict[str, tuple[str, frozenset[str] | None]] = {}


def _parsed(element: str) -> tuple[str, frozenset[str] | None]:
    parsed = _parsed_elements.get(element)
    if parsed is None:
        parsed = _parsed_elements[element] = parse_path_element(element)
    return parsed
