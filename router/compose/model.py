"""The subgraph schema model composition works on, and the typestate wrappers.

`RawSubgraph` is a parsed subgraph with federation directives resolved to their canonical names
(whatever `@link(import:)` renamed them to) and federation machinery (`_service`, `_Entity`, ...)
removed. `ValidatedSubgraph` is one that passed the per-subgraph checks in `validate.py`. Only
`ValidatedSubgraph` values can be merged into a `Supergraph` (see `merge.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    OBJECT = "type"
    INTERFACE = "interface"
    UNION = "union"
    ENUM = "enum"
    INPUT = "input"
    SCALAR = "scalar"


@dataclass
class Applied:
    """What any element may carry: description, @inaccessible, @tag and built-in directives."""

    description: str | None = None
    inaccessible: bool = False
    tags: list[str] = field(default_factory=list)
    deprecated: str | None = None  # the reason; None when not deprecated
    specified_by: str | None = None  # scalars: @specifiedBy(url:)
    one_of: bool = False  # input objects: @oneOf
    authenticated: bool = False
    scopes: list[list[str]] | None = None  # @requiresScopes(scopes:)
    policies: list[list[str]] | None = None  # @policy(policies:)
    cost: int | None = None  # @cost(weight:)
    # @listSize(assumedSize:, slicingArguments:, sizedFields:, requireOneSlicingArgument:)
    list_size: dict[str, Any] | None = None


@dataclass
class ArgDef(Applied):
    name: str = ""
    type: str = ""
    default: str | None = None  # printed GraphQL value
    from_context: str | None = None  # @fromContext(field:), e.g. "$userCtx { name }"


@dataclass
class FieldDef(Applied):
    name: str = ""
    type: str = ""  # printed type reference, e.g. "[Int!]!"
    args: dict[str, ArgDef] = field(default_factory=dict)
    default: str | None = None  # input fields only
    external: bool = False
    declared_external: bool = False  # @external as written, even where composition ignores it
    requires: str | None = None
    provides: str | None = None
    shareable: bool = False
    override: str | None = None
    override_label: str | None = None


@dataclass
class EnumValueDef(Applied):
    name: str = ""


@dataclass(frozen=True)
class Key:
    fields: str
    resolvable: bool = True


@dataclass
class TypeDef(Applied):
    kind: Kind = Kind.OBJECT
    name: str = ""
    fields: dict[str, FieldDef] = field(default_factory=dict)
    interfaces: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    values: dict[str, EnumValueDef] = field(default_factory=dict)
    keys: list[Key] = field(default_factory=list)
    extension: bool = False  # @extends (Federation 1)
    shareable: bool = False
    interface_object: bool = False
    contexts: list[str] = field(default_factory=list)  # @context(name:)


@dataclass(frozen=True)
class RawSubgraph:
    name: str
    url: str
    types: dict[str, TypeDef]
    fed1: bool
    fed_version: tuple[int, int]  # (1, 0) for Federation 1 subgraphs
    used_specs: frozenset[str]  # "inaccessible", "tag" when the subgraph uses them


@dataclass(frozen=True)
class ValidatedSubgraph:
    """A subgraph that passed every per-subgraph check; the only input `merge` accepts."""

    raw: RawSubgraph
    used_in_field_sets: frozenset[
        tuple[str, str]
    ]  # (type, field) named by @key/@requires/@provides

    @property
    def name(self) -> str:
        return self.raw.name

    @property
    def types(self) -> dict[str, TypeDef]:
        return self.raw.types


ROOT_TYPES = ("Query", "Mutation", "Subscription")
BUILTIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})


def named_type(type_ref: str) -> str:
    """`[Foo!]!` -> `Foo`."""
    return type_ref.replace("[", "").replace("]", "").replace("!", "")
