"""The client operation: pick it, find its `@skip`/`@include` variables, collect its fields.

Field collection follows the GraphQL spec's CollectFields for one parent type: fragments
whose type condition applies are inlined, `@skip`/`@include` are resolved against a fixed
assignment of the condition variables (the planner plans one branch per assignment).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    VariableNode,
    is_abstract_type,
)

from router.planner.errors import PlanningError

Conditions = Mapping[str, bool]


@dataclass(slots=True)
class CollectedField:
    """All the client's selections of one response key at one object position."""

    key: str
    name: str
    node: FieldNode
    selection_sets: list[SelectionSetNode] = field(default_factory=list)


def select_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        operations = [op for op in operations if op.name is not None and op.name.value == name]
        if not operations:
            raise PlanningError("UNKNOWN_OPERATION", f"no operation named {name!r}")
    if len(operations) != 1:
        raise PlanningError(
            "UNKNOWN_OPERATION",
            "the document has no operation"
            if not operations
            else "the document has several operations: an operation name is required",
        )
    return operations[0]


def fragment_map(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def condition_variables(
    selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> list[str]:
    """Variables used as `if:` of `@skip`/`@include`, in first-use order."""
    found: dict[str, None] = {}
    seen_fragments: set[str] = set()

    def walk(selections: SelectionSetNode | None) -> None:
        for selection in selections.selections if selections else ():
            for directive in selection.directives or ():
                if directive.name.value in {"skip", "include"}:
                    for argument in directive.arguments or ():
                        if isinstance(argument.value, VariableNode):
                            found[argument.value.name.value] = None
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in seen_fragments and name in fragments:
                    seen_fragments.add(name)
                    walk(fragments[name].selection_set)
            else:
                walk(getattr(selection, "selection_set", None))

    walk(selection_set)
    return list(found)


def is_included(directives: Iterable[DirectiveNode] | None, conditions: Conditions) -> bool:
    for directive in directives or ():
        if directive.name.value not in {"skip", "include"}:
            continue
        value = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
        if isinstance(value, BooleanValueNode):
            flag = value.value
        elif isinstance(value, VariableNode) and value.name.value in conditions:
            flag = conditions[value.name.value]
        else:
            continue  # a condition not branched on: planned as included
        if flag == (directive.name.value == "skip"):
            return False
    return True


class FieldCollector:
    """CollectFields over the operation's fragments for one condition assignment."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        conditions: Conditions,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.conditions = conditions

    def applies(self, condition: str | None, type_name: str) -> bool:
        """Does a fragment on `condition` apply to every object of type `type_name`?"""
        if condition is None or condition == type_name:
            return True
        cond_type = self.schema.get_type(condition)
        own_type = self.schema.get_type(type_name)
        if cond_type is None or own_type is None or not is_abstract_type(cond_type):
            return False
        cond_possible = {t.name for t in self.schema.get_possible_types(cond_type)}
        if is_abstract_type(own_type):
            own = {t.name for t in self.schema.get_possible_types(own_type)}
            return own <= cond_possible
        return type_name in cond_possible

    def collect(
        self, type_name: str, selection_sets: Iterable[SelectionSetNode]
    ) -> dict[str, CollectedField]:
        fields: dict[str, CollectedField] = {}
        for selection_set in selection_sets:
            self._collect(type_name, selection_set, fields, set())
        return fields

    def narrows(self, type_name: str, selection_sets: Iterable[SelectionSetNode]) -> bool:
        """Does any included fragment apply to only some objects of `type_name`?"""
        for selection_set in selection_sets:
            for selection in selection_set.selections:
                if not is_included(selection.directives, self.conditions):
                    continue
                if isinstance(selection, FieldNode):
                    continue
                inner, condition = self._fragment(selection)
                if condition is not None and not self.applies(condition, type_name):
                    return True
                if inner is not None and self.narrows(type_name, [inner]):
                    return True
        return False

    def only_narrowing(
        self, type_name: str, selection_sets: Iterable[SelectionSetNode]
    ) -> SelectionSetNode:
        """The fragments of `selection_sets` that apply to only some objects of `type_name`
        (inside fragments that apply to all), without the fields around them."""
        kept: list[SelectionNode] = []
        for selection_set in selection_sets:
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode) or not is_included(
                    selection.directives, self.conditions
                ):
                    continue
                inner, condition = self._fragment(selection)
                if inner is None:
                    continue
                if condition is not None and not self.applies(condition, type_name):
                    kept.append(_inline(condition, inner))
                else:
                    kept.extend(self.only_narrowing(type_name, [inner]).selections)
        return SelectionSetNode(selections=tuple(kept))

    def _fragment(self, selection: SelectionNode) -> tuple[SelectionSetNode | None, str | None]:
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            return selection.selection_set, condition.name.value if condition else None
        if isinstance(selection, FragmentSpreadNode):
            fragment = self.fragments.get(selection.name.value)
            if fragment is None:
                raise PlanningError(
                    "UNKNOWN_OPERATION", f"unknown fragment {selection.name.value!r}"
                )
            return fragment.selection_set, fragment.type_condition.name.value
        return None, None

    def _collect(
        self,
        type_name: str,
        selection_set: SelectionSetNode,
        fields: dict[str, CollectedField],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not is_included(selection.directives, self.conditions):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                collected = fields.get(key)
                if collected is None:
                    collected = fields[key] = CollectedField(key, selection.name.value, selection)
                if selection.selection_set is not None:
                    collected.selection_sets.append(selection.selection_set)
                continue
            if isinstance(selection, FragmentSpreadNode):
                if selection.name.value in visited:
                    continue
                visited = visited | {selection.name.value}
            inner, condition = self._fragment(selection)
            if inner is not None and self.applies(condition, type_name):
                self._collect(type_name, inner, fields, visited)


def _inline(condition: str, selection_set: SelectionSetNode) -> InlineFragmentNode:
    return InlineFragmentNode(
        type_condition=NamedTypeNode(name=NameNode(value=condition)),
        directives=(),
        selection_set=selection_set,
    )
