"""The composed model (`Supergraph`) that `printer.py` renders as supergraph SDL.

Join metadata is kept as plain argument dicts in the order the join spec lists them; `graph`
holds the subgraph *name* (the printer turns it into the `join__Graph` enum value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from router.compose.model import Applied, Kind

JoinArgs = dict[str, Any]


@dataclass
class MergedArg(Applied):
    name: str = ""
    type: str = ""
    default: str | None = None


@dataclass
class MergedField(Applied):
    name: str = ""
    type: str = ""
    args: dict[str, MergedArg] = field(default_factory=dict)
    default: str | None = None
    joins: list[JoinArgs] = field(default_factory=list)
    # graph -> interface name, for fields an @interfaceObject adds to an implementation
    via_interface_object: dict[str, str] = field(default_factory=dict)


@dataclass
class MergedEnumValue(Applied):
    name: str = ""
    graphs: list[str] = field(default_factory=list)


@dataclass
class MergedType(Applied):
    kind: Kind = Kind.OBJECT
    name: str = ""
    fields: dict[str, MergedField] = field(default_factory=dict)
    interfaces: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    values: dict[str, MergedEnumValue] = field(default_factory=dict)
    type_joins: list[JoinArgs] = field(default_factory=list)
    implements: list[tuple[str, str]] = field(default_factory=list)  # (graph, interface)
    union_members: list[tuple[str, str]] = field(default_factory=list)  # (graph, member)
    contexts: list[str] = field(default_factory=list)  # "{graph}__{name}" per @context


@dataclass(frozen=True)
class Graph:
    name: str
    url: str
    enum_value: str


@dataclass(frozen=True)
class Supergraph:
    """The merged schema plus join metadata; the last stage before printing."""

    graphs: tuple[Graph, ...]
    types: dict[str, MergedType]
    join_version: str
    used_specs: frozenset[str]

    def graph_enum(self, name: str) -> str:
        return next(g.enum_value for g in self.graphs if g.name == name)
