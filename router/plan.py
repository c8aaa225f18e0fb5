"""Query plans: frozen, printable data shared by the planner and the executor.

The planner (`router.planner`) builds these values; the executor (`router.executor`) interprets
them. This module imports nothing from either. The vocabulary follows Apollo Federation's query
plans so a plan printed by us reads like one printed by any federation router:

    QueryPlan
      └─ PlanNode = Fetch | Flatten | Sequence | Parallel | Condition
      └─ Subscription (primary Fetch + rest)  for subscription operations

A `Fetch` either queries a subgraph's root fields (`requires` is empty) or resolves entities
through `_entities(representations:)`; then `requires` is the selection, applied to each object
found at the enclosing `Flatten` path, that builds one representation per object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias


class OperationKind(StrEnum):
    QUERY = "query"
    MUTATION = "mutation"
    SUBSCRIPTION = "subscription"


# ---- selections used to build entity representations ("requires") ---------------------------


@dataclass(frozen=True, slots=True)
class FieldSelection:
    """A field copied from the parent object into a representation (aliases never apply)."""

    name: str
    selections: tuple[Selection, ...] = ()


@dataclass(frozen=True, slots=True)
class InlineFragmentSelection:
    """Selections applied only when the object's `__typename` is `type_condition`
    (or, for an abstract condition, one of its possible types)."""

    type_condition: str | None
    selections: tuple[Selection, ...]


Selection: TypeAlias = FieldSelection | InlineFragmentSelection


# ---- rewrites ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValueSetter:
    """Set the value at `path` (keys; `... on T` entries restrict by type) to `value`.

    Used, for example, to rename `__typename` of an `@interfaceObject` representation."""

    path: tuple[str, ...]
    value: str


@dataclass(frozen=True, slots=True)
class KeyRenamer:
    """Rename the key at `path` (last element) to `rename_key_to`."""

    path: tuple[str, ...]
    rename_key_to: str


FetchRewrite: TypeAlias = ValueSetter | KeyRenamer


# ---- plan nodes ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fetch:
    """One request to one subgraph.

    `operation` is the exact GraphQL document sent. `variable_usages` are the client variables it
    forwards (entity fetches add `$representations` themselves). `id` is unique within a plan and
    stable, so printed plans and metrics can refer to it."""

    service_name: str
    operation: str
    operation_kind: OperationKind = OperationKind.QUERY
    variable_usages: tuple[str, ...] = ()
    requires: tuple[Selection, ...] = ()
    operation_name: str | None = None
    input_rewrites: tuple[FetchRewrite, ...] = ()
    output_rewrites: tuple[FetchRewrite, ...] = ()
    id: int = 0
    # `@fromContext` arguments: `KeyRenamer(("..", "..", "... on User", "name"), "ctx_0")`
    # reads variable `$ctx_0` for each object at the Flatten path: ".." goes one response-path
    # element up (list levels count), `... on T` requires that `__typename`, then keys. Several
    # renamers for one variable are tried in order (the first value found wins). The executor
    # sends one request per distinct set of values.
    context_rewrites: tuple[KeyRenamer, ...] = ()

    @property
    def is_entity_fetch(self) -> bool:
        return bool(self.requires)


@dataclass(frozen=True, slots=True)
class Flatten:
    """Run `node` on every object found at `path` of the response so far.

    Path elements are response keys; `@` walks into every element of a list. A key may carry a
    type condition as `key|[Type1,Type2]`, keeping only objects of those types. `more_paths`
    (usually empty) are further paths whose objects join the same `_entities` request: the
    planner merged jumps to one subgraph from several places into one fetch."""

    path: tuple[str, ...]
    node: PlanNode
    more_paths: tuple[tuple[str, ...], ...] = ()

    @property
    def paths(self) -> tuple[tuple[str, ...], ...]:
        return (self.path, *self.more_paths)


@dataclass(frozen=True, slots=True)
class Sequence:
    """Run children one after the other (each may depend on the data of those before)."""

    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class Parallel:
    """Run children concurrently; none depends on another."""

    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class Condition:
    """Branch on a boolean variable (from `@skip`/`@include` with a variable)."""

    variable: str
    if_clause: PlanNode | None
    else_clause: PlanNode | None


PlanNode: TypeAlias = Fetch | Flatten | Sequence | Parallel | Condition


@dataclass(frozen=True, slots=True)
class Subscription:
    """A subscription: `primary` opens the event stream on the owning subgraph; `rest` runs for
    every event to resolve the fields other subgraphs own."""

    primary: Fetch
    rest: PlanNode | None = None


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """The whole plan for one operation. `node` is None when nothing needs fetching (for
    example an operation selecting only `__typename`)."""

    node: PlanNode | Subscription | None
    operation_kind: OperationKind = OperationKind.QUERY
    # statistics the planner may report (evaluated candidate plans, ...)
    stats: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
