"""Compare supergraphs by meaning: the API schema, and the join metadata as sets.

Two composers may print a supergraph in different orders and spacing; these helpers reduce a
supergraph SDL to what a router reads from it, so tests compare our output with The Guild's.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    InputObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    TypeDefinitionNode,
    build_ast_schema,
    parse,
    print_ast,
    print_schema,
)
from graphql.utilities import lexicographic_sort_schema, value_from_ast_untyped

_KEEP_DIRECTIVES = frozenset({"deprecated", "specifiedBy", "oneOf"})
_DEFAULTS = {
    "extension": False,
    "resolvable": True,
    "isInterfaceObject": False,
    "external": False,
    "usedOverridden": False,
}
_FIELD_SETS = frozenset({"key", "requires", "provides"})
Facts = dict[str, Any]


def normalise_field_set(fields: str) -> str:
    selection = parse("{" + fields + "}").definitions[0]
    return " ".join(print_ast(selection).split())[2:-2]


def _inaccessible(node: Any) -> bool:
    return any(d.name.value == "inaccessible" for d in getattr(node, "directives", None) or ())


def _strip(node: Any) -> Any:
    """A copy of `node` without machinery directives and without @inaccessible children."""
    updates: dict[str, Any] = {}
    if getattr(node, "directives", None) is not None:
        updates["directives"] = tuple(
            d for d in node.directives if d.name.value in _KEEP_DIRECTIVES
        )
    for attr in ("fields", "arguments", "values"):
        children = getattr(node, attr, None)
        if children is not None:
            updates[attr] = tuple(_strip(c) for c in children if not _inaccessible(c))
    return dataclasses.replace(node, **updates)


def api_schema(supergraph_sdl: str) -> str:
    """The client-facing schema, printed sorted, from a supergraph SDL."""
    document = parse(supergraph_sdl)
    kept = [
        _strip(d)
        for d in document.definitions
        if isinstance(d, TypeDefinitionNode)
        and not d.name.value.startswith(("join__", "link__"))
        and not _inaccessible(d)
    ]
    schema = build_ast_schema(DocumentNode(definitions=tuple(kept)))
    return print_schema(lexicographic_sort_schema(schema))


def _args(directive: Any, graphs: dict[str, str]) -> tuple[tuple[str, Any], ...]:
    args: dict[str, Any] = {}
    for arg in directive.arguments or ():
        name = arg.name.value
        value = value_from_ast_untyped(arg.value)
        if name == "graph":
            value = graphs.get(value, value)
        elif name in _FIELD_SETS:
            value = normalise_field_set(value)
        if isinstance(value, list):
            value = repr(value)
        if name in _DEFAULTS and value == _DEFAULTS[name]:
            continue
        args[name] = value
    return tuple(sorted(args.items()))


def _directives(node: Any, name: str, graphs: dict[str, str]) -> list[tuple[Any, ...]]:
    return sorted(
        (_args(d, graphs) for d in node.directives or () if d.name.value == name), key=repr
    )


def _marks(node: Any, graphs: dict[str, str]) -> list[tuple[Any, ...]]:
    marks = [
        (name, *args)
        for name in (
            "tag",
            "authenticated",
            "requiresScopes",
            "policy",
            "context",
            "cost",
            "listSize",
        )
        for args in _directives(node, name, graphs)
    ]
    if _inaccessible(node):
        marks.append(("inaccessible",))
    return marks


def _graphs(document: DocumentNode) -> dict[str, str]:
    """join__Graph enum value -> subgraph name (and its URL after a space)."""
    for definition in document.definitions:
        if (
            isinstance(definition, EnumTypeDefinitionNode)
            and definition.name.value == "join__Graph"
        ):
            return {
                v.name.value: " ".join(
                    str(value_from_ast_untyped(a.value)) for a in d.arguments or ()
                )
                for v in definition.values or ()
                for d in v.directives or ()
                if d.name.value == "join__graph"
            }
    return {}


def _links(document: DocumentNode) -> list[tuple[Any, ...]]:
    """The features linked on the schema (url and purpose)."""
    return sorted(
        _args(d, {})
        for definition in document.definitions
        if isinstance(definition, SchemaDefinitionNode)
        for d in definition.directives or ()
        if d.name.value == "link"
    )


def join_metadata(supergraph_sdl: str) -> Facts:
    """Per coordinate: the sorted join directive arguments, plus @inaccessible, @tag, the
    security directives (@authenticated, @requiresScopes, @policy), @context, @cost (also on
    arguments) and @listSize; the linked features; the definitions of the context and cost
    features (and join v0.5's input and scalar) as printed."""
    document = parse(supergraph_sdl)
    graphs = _graphs(document)
    facts: Facts = {"graphs": sorted(graphs.values()), "links": _links(document)}
    facts["context and cost definitions"] = sorted(
        " ".join(print_ast(d).split())
        for d in document.definitions
        if isinstance(
            d, DirectiveDefinitionNode | ScalarTypeDefinitionNode | InputObjectTypeDefinitionNode
        )
        and d.name.value.startswith(
            ("context", "join__ContextArgument", "join__FieldValue", "cost", "listSize")
        )
    )
    for definition in document.definitions:
        if isinstance(definition, DirectiveDefinitionNode | SchemaDefinitionNode):
            continue
        if not isinstance(definition, TypeDefinitionNode):
            continue
        name = definition.name.value
        if name.startswith(("join__", "link__")):
            continue
        for directive in ("join__type", "join__implements", "join__unionMember"):
            facts[f"{name} @{directive}"] = _directives(definition, directive, graphs)
        facts[f"{name} @inaccessible/@tag"] = _marks(definition, graphs)
        children: list[Any] = list(getattr(definition, "fields", None) or ())
        children += list(getattr(definition, "values", None) or ())
        for child in children:
            coordinate = f"{name}.{child.name.value}"
            for directive in ("join__field", "join__enumValue"):
                found = _directives(child, directive, graphs)
                if found:
                    facts[f"{coordinate} @{directive}"] = found
            marks = _marks(child, graphs)
            for arg in getattr(child, "arguments", None) or ():
                if _inaccessible(arg):
                    marks.append((f"({arg.name.value}:) inaccessible",))
                for args in _directives(arg, "cost", graphs):
                    marks.append((f"({arg.name.value}:) cost", *args))
            if marks:
                facts[f"{coordinate} @inaccessible/@tag"] = marks
    return facts
