"""Look-ahead for greedy placement: dead ends below a field.

Greedy placement keeps a field in the subgraph already fetching its parent whenever that
subgraph resolves it. That fails when the field's type is a value type (no key to jump
through) that another subgraph extends: `Product.info` is shareable, `Info.b` only exists in
subgraph B, so `product { info { b } }` cannot continue from A at `product.info`. Before
keeping a shareable composite field, the traversal asks `blocked`: would this subgraph meet
a field below it that it neither resolves nor reaches through a key? If so, and another
subgraph resolving the field (reachable through a key of the parent) is not blocked, the
field jumps there with its whole selection.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from graphql import get_named_type, is_abstract_type, is_leaf_type

from router.planner.graph import FieldTree, field_tree, for_type, parse_field_set
from router.planner.operation import CollectedField
from router.planner.routes import find_route

if TYPE_CHECKING:
    from router.planner.groups import Position
    from router.planner.traversal import Traversal

LOOK_AHEAD = 4  # levels below the field


def blocked(
    walk: Traversal,
    graph: str,
    type_name: str,
    fields: Iterable[CollectedField],
    provided: FieldTree | None,
    depth: int = LOOK_AHEAD,
) -> bool:
    """Does `graph`, selecting `fields` on a `type_name` object, meet a field (within `depth`
    levels) that it neither resolves nor reaches through a key?"""
    for collected in fields:
        if collected.name == "__typename":
            continue
        join, sub_provided = walk.local(graph, type_name, collected.name, provided)
        if join is None:
            if not any(
                find_route(walk.caps, graph, type_name, target, entity, provided) is not None
                for target, entity in walk.entities.candidates(graph, type_name, collected.name)
            ):
                return True
            continue
        if depth <= 1 or not collected.selection_sets:
            continue
        child = get_named_type(walk.caps.field_type(type_name, collected.name))
        if is_leaf_type(child) or is_abstract_type(child):
            continue  # abstract selections are explored per type when planned
        if join.provides:
            sub_provided = _merge(sub_provided, field_tree(parse_field_set(join.provides)))
        sub = walk.collector.collect(child.name, collected.selection_sets)
        if blocked(
            walk, graph, child.name, sub.values(), for_type(sub_provided, child.name), depth - 1
        ):
            return True
    return False


def detour(walk: Traversal, position: Position, collected: CollectedField) -> bool:
    """Should a field the current subgraph resolves rather jump to another subgraph, because
    the current one is blocked below it and another is not?"""
    if not collected.selection_sets:
        return False
    service, type_name = position.group.service, position.type_name
    others = [g for g in walk.caps.graphs_resolving(type_name, collected.name) if g != service]
    if not others or not blocked(walk, service, type_name, [collected], position.provided):
        return False
    return any(
        find_route(walk.caps, service, type_name, target, type_name, position.provided) is not None
        and not blocked(walk, target, type_name, [collected], None)
        for target in others
    )


def _merge(a: FieldTree | None, b: FieldTree) -> FieldTree:
    merged: FieldTree = dict(a or {})
    for name, sub in b.items():
        merged[name] = _merge(merged.get(name), sub)
    return merged
