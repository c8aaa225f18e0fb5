"""Security and demand-control directives read from the supergraph, keyed by coordinate.

`read_rules(supergraph)` resolves the local names of `@authenticated`, `@requiresScopes`,
`@policy` (Apollo's authorization specs) and `@cost`/`@listSize` (the cost spec) through the
supergraph's `@link`s and returns, per `Type.field` and per type, what the router enforces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    GraphQLSchema,
    IntValueNode,
    ListValueNode,
    StringValueNode,
    ValueNode,
)

AUTHENTICATED = "https://specs.apollo.dev/authenticated"
REQUIRES_SCOPES = "https://specs.apollo.dev/requiresScopes"
POLICY = "https://specs.apollo.dev/policy"
COST = "https://specs.apollo.dev/cost"


@dataclass(frozen=True, slots=True)
class Access:
    """What reading one field or type needs. `scopes`/`policies`: OR of AND-groups."""

    authenticated: bool = False
    scopes: tuple[frozenset[str], ...] = ()
    policies: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True, slots=True)
class ListSize:
    assumed_size: int | None = None
    slicing_arguments: tuple[str, ...] = ()
    sized_fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SchemaRules:
    access: Mapping[str, Access] = field(default_factory=dict)  # "Type" or "Type.field"
    weights: Mapping[str, int] = field(default_factory=dict)  # "Type", "Type.field", "T.f(arg)"
    list_sizes: Mapping[str, ListSize] = field(default_factory=dict)  # "Type.field"

    @property
    def has_access_rules(self) -> bool:
        return bool(self.access)


def read_rules(supergraph: Any) -> SchemaRules:
    features: Mapping[str, Any] = getattr(supergraph, "features", {}) or {}
    names: dict[str, str] = {}
    for identity, element, key in (
        (AUTHENTICATED, "authenticated", "authenticated"),
        (REQUIRES_SCOPES, "requiresScopes", "scopes"),
        (POLICY, "policy", "policies"),
        (COST, "cost", "cost"),
        (COST, "listSize", "listSize"),
    ):
        feature = features.get(identity)
        if feature is not None:
            names[feature.directive(element)] = key
    if not names:
        return SchemaRules()
    return _collect(supergraph.schema, names)


def _collect(schema: GraphQLSchema, names: dict[str, str]) -> SchemaRules:
    access: dict[str, Access] = {}
    weights: dict[str, int] = {}
    sizes: dict[str, ListSize] = {}
    for type_name, named in schema.type_map.items():
        if type_name.startswith("__"):
            continue
        _read(type_name, _directives(named), names, access, weights, sizes)
        for field_name, definition in (getattr(named, "fields", None) or {}).items():
            coordinate = f"{type_name}.{field_name}"
            _read(coordinate, _directives(definition), names, access, weights, sizes)
            for arg_name, arg in (getattr(definition, "args", None) or {}).items():
                for directive in _directives(arg):
                    if names.get(directive.name.value) == "cost":
                        weight = _int(_arg(directive, "weight"))
                        weights[f"{coordinate}({arg_name})"] = weight or 0
    return SchemaRules(access, weights, sizes)


def _read(
    coordinate: str,
    directives: list[DirectiveNode],
    names: dict[str, str],
    access: dict[str, Access],
    weights: dict[str, int],
    sizes: dict[str, ListSize],
) -> None:
    authenticated = False
    scopes: tuple[frozenset[str], ...] = ()
    policies: tuple[frozenset[str], ...] = ()
    for directive in directives:
        kind = names.get(directive.name.value)
        if kind == "authenticated":
            authenticated = True
        elif kind == "scopes":
            scopes += _groups(_arg(directive, "scopes"))
        elif kind == "policies":
            policies += _groups(_arg(directive, "policies"))
        elif kind == "cost":
            weights[coordinate] = _int(_arg(directive, "weight")) or 0
        elif kind == "listSize":
            sizes[coordinate] = ListSize(
                _int(_arg(directive, "assumedSize")),
                _strings(_arg(directive, "slicingArguments")),
                _strings(_arg(directive, "sizedFields")),
            )
    if authenticated or scopes or policies:
        access[coordinate] = Access(authenticated, scopes, policies)


def _directives(element: Any) -> list[DirectiveNode]:
    nodes = [
        getattr(element, "ast_node", None),
        *(getattr(element, "extension_ast_nodes", ()) or ()),
    ]
    return [d for node in nodes if node is not None for d in (node.directives or ())]


def _arg(directive: DirectiveNode, name: str) -> ValueNode | None:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return argument.value
    return None


def _int(value: ValueNode | None) -> int | None:
    return int(value.value) if isinstance(value, IntValueNode) else None


def _strings(value: ValueNode | None) -> tuple[str, ...]:
    if isinstance(value, StringValueNode):
        return (value.value,)
    if isinstance(value, ListValueNode):
        return tuple(v.value for v in value.values if isinstance(v, StringValueNode))
    return ()


def _groups(value: ValueNode | None) -> tuple[frozenset[str], ...]:
    if not isinstance(value, ListValueNode):
        return ()
    groups = []
    for group in value.values:
        if isinstance(group, ListValueNode | StringValueNode):
            groups.append(frozenset(_strings(group)))
    return tuple(groups)
