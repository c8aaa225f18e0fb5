"""Introspection answered locally from the API schema (graphql-core), never by subgraphs."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    execute_sync,
)

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


def has_introspection(operation: OperationDefinitionNode) -> bool:
    return any(
        isinstance(s, FieldNode) and s.name.value in INTROSPECTION_FIELDS
        for s in operation.selection_set.selections
    )


def without_introspection(
    document: DocumentNode, operation: OperationDefinitionNode
) -> DocumentNode:
    selections = operation.selection_set.selections
    kept = tuple(
        s
        for s in selections
        if not (isinstance(s, FieldNode) and s.name.value in ("__schema", "__type"))
    )
    if len(kept) == len(selections):
        return document
    new_operation = replace_node(
        operation, selection_set=replace_node(operation.selection_set, selections=kept)
    )
    definitions = tuple(new_operation if d is operation else d for d in document.definitions)
    new_document: DocumentNode = replace_node(document, definitions=definitions)
    return new_document


def replace_node(node: Any, **changes: Any) -> Any:
    """A copy of a graphql-core AST node with some attributes changed."""
    return dataclasses.replace(node, **changes)


def introspect(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
) -> dict[str, Any]:
    """Answer `__schema`/`__type` locally (graphql-core; other root fields resolve to null)."""
    only = replace_node(
        operation,
        selection_set=SelectionSetNode(
            selections=tuple(
                s
                for s in operation.selection_set.selections
                if isinstance(s, FieldNode) and s.name.value in ("__schema", "__type")
            )
        ),
    )
    doc = replace_node(
        document,
        definitions=tuple(only if d is operation else d for d in document.definitions),
    )
    name = operation.name.value if operation.name else None
    result = execute_sync(schema, doc, variable_values=dict(variables), operation_name=name)
    return dict(result.data or {})
