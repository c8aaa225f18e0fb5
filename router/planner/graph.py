"""What each subgraph can do, read from the supergraph's join metadata.

`Capabilities` answers the planner's questions: can graph G resolve field T.f (and with which
`@requires`/`@provides`)? Which keys of T can G resolve, and can graph S provide a key's
fields? Which concrete types can G return for an abstract type? Field sets (`key:`,
`requires:`, `provides:`) are parsed once and cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from graphql import (
    FieldNode,
    GraphQLNamedType,
    GraphQLOutputType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_composite_type,
    is_interface_type,
    is_union_type,
    parse,
)
from graphql import GraphQLError as _GraphQLError

from router.planner.errors import PlanningError
from router.supergraph import JoinField, Supergraph

# a provided (`@provides`) or key field set as a tree: field name (or `... on T`) -> subtree
FieldTree = dict[str, "FieldTree"]
_LOCAL = JoinField(graph=None)


@dataclass(frozen=True, slots=True)
class Key:
    graph: str
    type_name: str
    fields: str


@cache
def parse_field_set(text: str) -> SelectionSetNode:
    try:
        operation = parse("{" + text + "}", no_location=True).definitions[0]
    except _GraphQLError as exc:
        raise PlanningError("INTERNAL_PLANNING_ERROR", f"bad field set {text!r}: {exc}") from exc
    return operation.selection_set  # type: ignore[attr-defined,no-any-return]


def field_tree(selection_set: SelectionSetNode | None) -> FieldTree:
    """A field set as a name tree. Fields under `... on T` go under the key `... on T`;
    untyped inline fragments are flattened into their parent."""
    tree: FieldTree = {}
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            sub = field_tree(selection.selection_set)
            tree.setdefault(selection.name.value, {}).update(sub)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            target = tree.setdefault(f"... on {condition.name.value}", {}) if condition else tree
            for name, sub in field_tree(selection.selection_set).items():
                target.setdefault(name, {}).update(sub)
    return tree


def for_type(tree: FieldTree | None, type_name: str) -> FieldTree | None:
    """The part of a provided tree that applies to objects of `type_name`."""
    if tree is None:
        return None
    typed = tree.get(f"... on {type_name}")
    if typed is None:
        return tree
    merged: FieldTree = {k: v for k, v in tree.items() if not k.startswith("... on ")}
    for name, sub in typed.items():
        merged.setdefault(name, {}).update(sub)
    return merged


class Capabilities:
    def __init__(
        self, supergraph: Supergraph, override_labels: frozenset[str] = frozenset()
    ) -> None:
        self.supergraph = supergraph
        self.override_labels = override_labels
        self.schema = supergraph.schema
        self.api = supergraph.api_schema
        self.order = {name: i for i, name in enumerate(supergraph.graph_order)}

    def named(self, name: str) -> GraphQLNamedType:
        found = self.schema.get_type(name)
        if found is None:
            raise PlanningError("UNKNOWN_FIELD", f"type {name!r} is not in the supergraph")
        return found

    def field_type(self, type_name: str, field_name: str) -> GraphQLOutputType:
        fields = getattr(self.named(type_name), "fields", None) or {}
        definition = fields.get(field_name)
        if definition is None:
            raise PlanningError("UNKNOWN_FIELD", f"{type_name}.{field_name} is not defined")
        return definition.type  # type: ignore[no-any-return]

    def is_composite(self, type_name: str, field_name: str) -> bool:
        return is_composite_type(get_named_type(self.field_type(type_name, field_name)))

    def has_type(self, graph: str, type_name: str) -> bool:
        meta = self.supergraph.types.get(type_name)
        return meta is None or not meta.joins or graph in meta.graphs

    def resolves(self, graph: str, type_name: str, field_name: str) -> JoinField | None:
        """The join info if `graph` resolves `type_name.field_name` itself (not external, not
        overridden, not on the inactive side of a progressive override), else None."""
        if field_name == "__typename":
            return _LOCAL
        meta = self.supergraph.types.get(type_name)
        if meta is None:
            return _LOCAL
        if meta.joins and graph not in meta.graphs:
            return None
        field = meta.fields.get(field_name)
        if field is None:
            return None
        if not field.joins:
            return _LOCAL
        for join in field.joins:
            if join.graph != graph:
                continue
            if join.external or join.used_overridden:
                return None
            if join.override_label is not None:
                # progressive override: with the label on, the overriding graph resolves the
                # field; with it off, the graph it overrides keeps it
                active = join.override_label in self.override_labels
                if active != (join.override is not None):
                    return None
            return join
        return None

    def graphs_resolving(self, type_name: str, field_name: str) -> list[str]:
        return [g for g in self.supergraph.graph_order if self.resolves(g, type_name, field_name)]

    def keys(self, graph: str, type_name: str) -> list[Key]:
        """Resolvable keys of `type_name` in `graph`, in declaration order."""
        meta = self.supergraph.types.get(type_name)
        if meta is None:
            return []
        return [
            Key(graph, type_name, join.key)
            for join in meta.keys(graph)
            if join.resolvable and join.key is not None
        ]

    def own_key_fields(self, graph: str, type_name: str) -> set[str]:
        meta = self.supergraph.types.get(type_name)
        found: set[str] = set()
        for join in meta.keys(graph) if meta else ():
            found.update(field_tree(parse_field_set(join.key or "")))
        return found

    def can_provide(
        self, graph: str, type_name: str, fields: FieldTree, provided: FieldTree | None
    ) -> bool:
        """Can `graph` select all of `fields` on an object of `type_name` by itself?"""
        own_keys = self.own_key_fields(graph, type_name)
        for name, sub in fields.items():
            local = self.resolves(graph, type_name, name) is not None or name in own_keys
            if not local and (provided is None or name not in provided):
                return False
            if sub:
                child = get_named_type(self.field_type(type_name, name)).name
                if not self.can_provide(graph, child, sub, (provided or {}).get(name)):
                    return False
        return True

    def possible_types(self, graph: str, abstract: str) -> list[str]:
        """Concrete API types `graph` can return for the abstract type `abstract`."""
        api_type = self.api.get_type(abstract) or self.named(abstract)
        if not is_abstract_type(api_type):
            return [abstract]
        candidates = [t.name for t in self.api.get_possible_types(api_type)]
        meta = self.supergraph.types.get(abstract)
        found = []
        for name in candidates:
            if not self.has_type(graph, name):
                continue
            if (
                meta is not None
                and is_union_type(api_type)
                and meta.union_members
                and name not in meta.union_members.get(graph, ())
            ):
                continue
            if is_interface_type(api_type):
                own = self.supergraph.types.get(name)
                if (
                    own is not None
                    and own.implements
                    and abstract not in own.implements.get(graph, ())
                ):
                    continue
            found.append(name)
        return found

    def is_interface_object(self, graph: str, type_name: str) -> bool:
        meta = self.supergraph.types.get(type_name)
        return meta is not None and meta.is_interface_object_in(graph)

    def interface_objects_for(self, type_name: str, field_name: str) -> list[tuple[str, str]]:
        """(graph, interface) pairs where an `@interfaceObject` interface of `type_name`
        resolves `field_name`."""
        own = self.api.get_type(type_name) or self.named(type_name)
        found = []
        for interface in getattr(own, "interfaces", ()):
            for graph in self.supergraph.graph_order:
                if self.is_interface_object(graph, interface.name) and self.resolves(
                    graph, interface.name, field_name
                ):
                    found.append((graph, interface.name))
        return found
