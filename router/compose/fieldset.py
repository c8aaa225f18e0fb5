"""Field sets (`@key(fields:)`, `@requires`, `@provides`): parse, walk, normalise."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    FieldNode,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)


@dataclass(frozen=True)
class Selected:
    """One selected field: `name`, whether it has arguments, and its sub-selections.

    `type_condition` is set for fields selected inside `... on T`.
    """

    name: str
    has_args: bool
    children: tuple[Selected, ...]
    type_condition: str | None = None


class FieldSetSyntaxError(ValueError):
    pass


def _walk(selection_set: SelectionSetNode | None, condition: str | None) -> tuple[Selected, ...]:
    found: list[Selected] = []
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, FieldNode):
            children = _walk(node.selection_set, None)
            found.append(Selected(node.name.value, bool(node.arguments), children, condition))
        elif isinstance(node, InlineFragmentNode):
            inner = node.type_condition.name.value if node.type_condition else condition
            found.extend(_walk(node.selection_set, inner))
        else:
            raise FieldSetSyntaxError("named fragments are not allowed in field sets")
    return tuple(found)


def parse_field_set(fields: str) -> tuple[Selected, ...]:
    try:
        document = parse("{" + fields + "}", no_location=True)
    except GraphQLSyntaxError as exc:
        raise FieldSetSyntaxError(exc.message) from exc
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return _walk(operation.selection_set, None)


def used_field_names(fields: str) -> set[tuple[str | None, str]]:
    """Top-level (type condition, field) pairs of a field set; empty when it does not parse."""
    try:
        return {(s.type_condition, s.name) for s in parse_field_set(fields)}
    except FieldSetSyntaxError:
        return set()


def top_level_names(fields: str) -> list[str]:
    """Field names selected at the top level of a field set (fragments' fields included)."""
    try:
        return [s.name for s in parse_field_set(fields)]
    except FieldSetSyntaxError:
        return []
