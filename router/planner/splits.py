"""Shared abstract root fields split across subgraphs (Relay `node(id:)`).

A query root field of an abstract type that several subgraphs resolve (`node(id: ID!): Node`)
goes to one of them (`Traversal._best_root`, preferring the one that returns the concrete
types the operation selects specifically) when that subgraph's field can return every
possible type. Otherwise the id may name an object only another subgraph knows, so the field
is fetched from several subgraphs in parallel, and the executor merges their answers:

- each possible concrete type is assigned to one subgraph: the chosen root subgraph when its
  field can return that type, else the first subgraph (supergraph order) whose field can;
  every subgraph assigned a type is fetched;
- every fetch selects the fields common to the abstract type and leaves out the fragments
  on types assigned to another subgraph;
- the answers merge with "non-null wins": a subgraph answers `null` for an id it does not
  own, so the object comes from the subgraph that owns the id (two objects, for an id of a
  type both subgraphs know, are deep-merged).

Only fields whose value (list element, for a list) is nullable are split: a non-null field
cannot answer `null` for an id another subgraph owns.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNonNull,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_list_type,
)

from router.planner.operation import CollectedField

if TYPE_CHECKING:
    from router.planner.traversal import Traversal


def split_root(
    walk: Traversal, root_type: str, collected: CollectedField, candidates: list[str], best: str
) -> list[tuple[str, CollectedField]]:
    """(subgraph, the field as that subgraph fetches it), `best` first; one entry when the
    field is not split."""
    unsplit = [(best, collected)]
    field_type = walk.caps.field_type(root_type, collected.name)
    if len(candidates) < 2 or not _nullable_value(field_type):
        return unsplit
    abstract = get_named_type(field_type)
    api_type = walk.caps.api.get_type(abstract.name)
    if api_type is None or not is_abstract_type(api_type):
        return unsplit
    possible = [t.name for t in walk.caps.api.get_possible_types(api_type)]
    returned = {g: set(walk.caps.possible_types(g, abstract.name)) for g in candidates}
    owner: dict[str, str] = {}
    for type_name in possible:
        if type_name in returned[best]:
            owner[type_name] = best
            continue
        found = next((g for g in candidates if type_name in returned[g]), None)
        if found is not None:
            owner[type_name] = found
    services = [best, *(g for g in candidates if g != best and g in owner.values())]
    if len(services) == 1:
        return unsplit
    fragments = walk.collector.fragments
    parts = []
    for service in services:
        dropped = {t for t, g in owner.items() if g != service}
        selection_sets = [_without(s, dropped, fragments) for s in collected.selection_sets]
        parts.append(
            (service, CollectedField(collected.key, collected.name, collected.node, selection_sets))
        )
    return parts


def _nullable_value(field_type: object) -> bool:
    if isinstance(field_type, GraphQLNonNull):
        inner = get_nullable_type(field_type)
        return is_list_type(inner) and _nullable_value(inner.of_type)
    if is_list_type(field_type):
        return _nullable_value(field_type.of_type)
    return True


def _without(
    selection_set: SelectionSetNode,
    dropped: Collection[str],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> SelectionSetNode:
    """`selection_set` without fragments on the `dropped` types (spreads of other fragments
    are inlined, so fragments nested in them are filtered too)."""
    kept: list[SelectionNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            kept.append(selection)
            continue
        if isinstance(selection, InlineFragmentNode):
            condition, inner = selection.type_condition, selection.selection_set
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is None:
                kept.append(selection)  # reported by the collector
                continue
            condition, inner = fragment.type_condition, fragment.selection_set
        else:
            continue
        if condition is not None and condition.name.value in dropped:
            continue
        kept.append(
            InlineFragmentNode(
                type_condition=condition,
                directives=selection.directives,
                selection_set=_without(inner, dropped, fragments),
            )
        )
    return SelectionSetNode(selections=tuple(kept))
