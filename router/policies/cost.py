"""Static cost estimate from `@cost` and `@listSize` (IBM cost spec, as Apollo's demand control).

Per field: argument weights, plus (list size, or 1) x (the field's weight + its selections).
Weights default to 1 for object/interface/union fields, 0 for scalars and enums, 10 for
mutation root fields. A list's size is its largest slicing argument given (`first`, `limit`),
else `@listSize(assumedSize:)`, else the configured default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)

from router.policies.directives import SchemaRules

COST_TOO_EXPENSIVE = "COST_ESTIMATED_TOO_EXPENSIVE"


def estimate(
    schema: GraphQLSchema,
    rules: SchemaRules,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
    default_list_size: int,
) -> int:
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    estimator = _Estimator(schema, rules, fragments, variables or {}, default_list_size)
    return estimator.selections(
        operation.selection_set, root.name, operation.operation is OperationType.MUTATION, ()
    )


class _Estimator:
    def __init__(
        self,
        schema: GraphQLSchema,
        rules: SchemaRules,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        default_list_size: int,
    ) -> None:
        self.schema = schema
        self.rules = rules
        self.fragments = fragments
        self.variables = variables
        self.default_list_size = default_list_size

    def selections(
        self, node: SelectionSetNode, parent: str, mutation_root: bool, seen: tuple[str, ...]
    ) -> int:
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, mutation_root, seen)
            elif isinstance(selection, InlineFragmentNode):
                inner = selection.type_condition.name.value if selection.type_condition else parent
                total += self.selections(selection.selection_set, inner, mutation_root, seen)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in seen:
                    inner = fragment.type_condition.name.value
                    total += self.selections(
                        fragment.selection_set, inner, mutation_root, (*seen, fragment.name.value)
                    )
        return total

    def field(
        self, node: FieldNode, parent: str, mutation_root: bool, seen: tuple[str, ...]
    ) -> int:
        parent_type = self.schema.type_map.get(parent)
        definition = (getattr(parent_type, "fields", None) or {}).get(node.name.value)
        if definition is None:
            return 0
        coordinate = f"{parent}.{node.name.value}"
        named = get_named_type(definition.type)
        weight = self.rules.weights.get(coordinate)
        if weight is None:
            weight = self.rules.weights.get(named.name)
        if weight is None:
            weight = 10 if mutation_root else (1 if is_composite_type(named) else 0)
        for argument in node.arguments or ():
            weight += self.rules.weights.get(f"{coordinate}({argument.name.value})", 0)
        children = 0
        if node.selection_set is not None:
            children = self.selections(node.selection_set, named.name, False, seen)
        size = self.list_size(node, coordinate, definition.type)
        return size * (weight + children)

    def list_size(self, node: FieldNode, coordinate: str, type_: Any) -> int:
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if not isinstance(type_, GraphQLList):
            return 1
        rule = self.rules.list_sizes.get(coordinate)
        slicing = rule.slicing_arguments if rule is not None else ("first", "last", "limit")
        given = [self.argument(node, name) for name in slicing]
        sizes = [v for v in given if v is not None]
        if sizes:
            return max(sizes)
        if rule is not None and rule.assumed_size is not None:
            return rule.assumed_size
        return self.default_list_size

    def argument(self, node: FieldNode, name: str) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                raw = self.variables.get(value.name.value)
                return raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        return None
