"""Derive the client-facing API schema from a supergraph document.

Removed: every directive and type owned by a linked feature (`link`, `join`, `inaccessible`,
`tag`, ...), every element marked `@inaccessible` (types, fields, arguments, enum values,
input fields), arguments carrying `@fromContext` (a supergraph normally drops them), what only
refers to removed types, and the federation plumbing (`_Any`,
`_Entity`, `_Service`, `_entities`, `_service`) should a supergraph carry it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from graphql import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NamedTypeNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    TypeNode,
    build_ast_schema,
)

from router.supergraph.errors import SupergraphError
from router.supergraph.links import CONTEXT, INACCESSIBLE, Feature

FEDERATION_TYPES = frozenset({"_Any", "_Entity", "_Service", "_FieldSet", "FieldSet"})
FEDERATION_FIELDS = frozenset({"_entities", "_service"})
N = TypeVar("N")


def feature_owned_names(
    document: DocumentNode, features: dict[str, Feature]
) -> tuple[set[str], set[str]]:
    """(directive names, type names) defined by the linked features."""
    directives: set[str] = set()
    types: set[str] = set()
    for definition in document.definitions:
        if isinstance(definition, DirectiveDefinitionNode):
            name = definition.name.value
            if any(f.owns_directive(name) for f in features.values()):
                directives.add(name)
        elif isinstance(definition, TypeDefinitionNode):
            name = definition.name.value
            if any(f.owns_type(name) for f in features.values()):
                types.add(name)
    for feature in features.values():
        directives.add(feature.prefix)
    return directives, types


def build_api_schema(document: DocumentNode, features: dict[str, Feature]) -> GraphQLSchema:
    owned_directives, owned_types = feature_owned_names(document, features)
    inaccessible_feature = features.get(INACCESSIBLE)
    context_feature = features.get(CONTEXT)
    hidden = set()
    if inaccessible_feature is not None:
        hidden.add(inaccessible_feature.directive("inaccessible"))
    if context_feature is not None:  # a contextual argument, if a supergraph kept one
        hidden.add(context_feature.directive("fromContext"))
    remover = _Remover(owned_directives, hidden, owned_types | FEDERATION_TYPES)
    definitions = remover.filter_document(document)
    try:
        return build_ast_schema(DocumentNode(definitions=tuple(definitions)))
    except (GraphQLError, TypeError) as exc:
        raise SupergraphError("INVALID_SUPERGRAPH", f"cannot build the API schema: {exc}") from exc


class _Remover:
    def __init__(self, owned_directives: set[str], hidden: set[str], removed: set[str]) -> None:
        self.owned_directives = owned_directives
        self.hidden = hidden
        self.removed = set(removed)

    def is_hidden(self, node: Any) -> bool:
        return any(d.name.value in self.hidden for d in getattr(node, "directives", None) or ())

    def filter_document(self, document: DocumentNode) -> list[DefinitionNode]:
        for definition in document.definitions:
            if isinstance(definition, TypeDefinitionNode | TypeExtensionNode) and self.is_hidden(
                definition
            ):
                self.removed.add(definition.name.value)
        # removing a type can empty another one (all its fields returned the removed type)
        while True:
            before = len(self.removed)
            definitions = [d for d in map(self.definition, document.definitions) if d is not None]
            if len(self.removed) == before:
                return definitions

    def definition(self, node: DefinitionNode) -> DefinitionNode | None:
        if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
            operations = tuple(
                op for op in node.operation_types or () if op.type.name.value not in self.removed
            )
            return replace(node, directives=(), operation_types=operations)
        if isinstance(node, DirectiveDefinitionNode):
            if node.name.value in self.owned_directives:
                return None
            return replace(node, arguments=self.values(node.arguments))
        if isinstance(node, TypeDefinitionNode | TypeExtensionNode):
            kept: DefinitionNode | None = self.type_definition(node)
            return kept
        return node

    def type_definition(self, node: Any) -> Any:
        name = node.name.value
        if name in self.removed:
            return None
        changes: dict[str, Any] = {"directives": self.directives(node.directives)}
        if hasattr(node, "interfaces"):
            changes["interfaces"] = self.named(node.interfaces)
        if hasattr(node, "types"):
            changes["types"] = self.named(node.types)
        if hasattr(node, "values"):
            changes["values"] = self.keep(
                node.values, lambda v: replace(v, directives=self.directives(v.directives))
            )
        if hasattr(node, "fields"):
            changes["fields"] = self.fields(name, node.fields)
        emptied = any(
            key in changes and not changes[key] and getattr(node, key)
            for key in ("fields", "types", "values")
        )
        if emptied:
            self.removed.add(name)
            return None
        return replace(node, **changes)

    def fields(self, type_name: str, fields: Sequence[Any] | None) -> tuple[Any, ...]:
        def one(field: Any) -> Any:
            if field.name.value in FEDERATION_FIELDS or _named(field.type) in self.removed:
                return None
            changes: dict[str, Any] = {"directives": self.directives(field.directives)}
            if hasattr(field, "arguments"):
                changes["arguments"] = self.values(field.arguments)
            return replace(field, **changes)

        return self.keep(fields, one)

    def values(self, values: Sequence[Any] | None) -> tuple[Any, ...]:
        def one(value: Any) -> Any:
            if _named(value.type) in self.removed:
                return None
            return replace(value, directives=self.directives(value.directives))

        return self.keep(values, one)

    def keep(self, nodes: Sequence[N] | None, change: Callable[[N], N | None]) -> tuple[N, ...]:
        kept = (change(node) for node in nodes or () if not self.is_hidden(node))
        return tuple(node for node in kept if node is not None)

    def named(self, nodes: Sequence[NamedTypeNode] | None) -> tuple[NamedTypeNode, ...]:
        return tuple(n for n in nodes or () if n.name.value not in self.removed)

    def directives(self, nodes: Sequence[DirectiveNode] | None) -> tuple[DirectiveNode, ...]:
        return tuple(
            d
            for d in nodes or ()
            if d.name.value not in self.owned_directives and d.name.value not in self.hidden
        )


def _named(node: TypeNode) -> str:
    while not isinstance(node, NamedTypeNode):
        node = node.type  # type: ignore[attr-defined]
    return node.name.value
