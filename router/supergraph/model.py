"""The supergraph model: which subgraph can resolve which type and field, and how.

Plain frozen data read from the `join` directives of a supergraph SDL. Graph names are the
subgraph names (the `name:` argument of `@join__graph`), never the `join__Graph` enum values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import GraphQLSchema

from router.supergraph.links import Feature


@dataclass(frozen=True, slots=True)
class SubgraphInfo:
    """One subgraph: its name (as in `@join__graph(name:)`) and its URL."""

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class JoinType:
    """One `@join__type` application: the type exists in `graph` (with this key, if any)."""

    graph: str
    key: str | None = None
    extension: bool = False
    resolvable: bool = True
    is_interface_object: bool = False


@dataclass(frozen=True, slots=True)
class ContextArgument:
    """One entry of `@join__field(contextArguments:)` (join v0.5, `@fromContext`): argument
    `name` of type `type` takes its value from `selection` (e.g. `{ name }` or
    `... on A { x } ... on B { y }`) applied to the nearest ancestor in the response path whose
    type sets `@context(name: context)`."""

    name: str
    type: str
    context: str
    selection: str


@dataclass(frozen=True, slots=True)
class JoinField:
    """One `@join__field` application. `graph` is None for a bare `@join__field` (a field that
    no subgraph defines on this type, e.g. one contributed through an `@interfaceObject`)."""

    graph: str | None
    requires: str | None = None
    provides: str | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False
    override_label: str | None = None
    context_arguments: tuple[ContextArgument, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldMeta:
    """Join metadata of one field. No `joins` means: defined in every graph of its type."""

    name: str
    joins: tuple[JoinField, ...] = ()


@dataclass(frozen=True, slots=True)
class TypeMeta:
    """Join metadata of one named type (object, interface, union, enum, input, scalar)."""

    name: str
    kind: str
    joins: tuple[JoinType, ...] = ()
    fields: Mapping[str, FieldMeta] = field(default_factory=dict)
    implements: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    union_members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # `@context(name:)` names set on this type (context feature, join v0.5)
    contexts: tuple[str, ...] = ()

    @property
    def graphs(self) -> tuple[str, ...]:
        """Graphs that define this type, in supergraph order, without duplicates."""
        return tuple(dict.fromkeys(join.graph for join in self.joins))

    def keys(self, graph: str) -> tuple[JoinType, ...]:
        """The `@key`s of this type in `graph` (resolvable or not)."""
        return tuple(j for j in self.joins if j.graph == graph and j.key is not None)

    def is_interface_object_in(self, graph: str) -> bool:
        return any(j.graph == graph and j.is_interface_object for j in self.joins)


@dataclass(frozen=True, eq=False)
class Supergraph:
    """A parsed supergraph: the client-facing API schema plus the join metadata.

    `api_schema` is what clients see (no join/link machinery, no `@inaccessible` elements).
    `schema` is the full supergraph schema; the planner reads field types from it because key
    and `@requires` fields may be `@inaccessible`. `graph_order` lists subgraph names in the
    order of the `join__Graph` enum, the planner's deterministic tie-break.
    """

    sdl: str
    api_schema: GraphQLSchema
    schema: GraphQLSchema
    subgraphs: Mapping[str, SubgraphInfo]
    types: Mapping[str, TypeMeta]
    graph_order: tuple[str, ...]
    # linked features by identity URL (router.policies reads @authenticated, @cost, ... with it)
    features: Mapping[str, Feature] = field(default_factory=dict)

    def type_meta(self, name: str) -> TypeMeta | None:
        return self.types.get(name)

    def override_labels(self) -> frozenset[str]:
        """Every progressive `@override` label (`percent(25)`, custom names) in use: the
        router decides per request which are on and passes them to `build_plan`."""
        return frozenset(
            join.override_label
            for meta in self.types.values()
            for field_meta in meta.fields.values()
            for join in field_meta.joins
            if join.override_label is not None
        )
