"""Fetch groups: one future subgraph request each, plus the dependencies between them.

The traversal fills groups; `schedule.py` then merges groups that can share a request and
folds the dependency graph into Sequence/Parallel nodes. A group is either a root group (a
root field query or mutation on one subgraph) or an entity group: an `_entities` request at a
response `path`, fed by representations (`requires`) taken from data its dependencies fetched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from router.plan import FetchRewrite, KeyRenamer
from router.planner.graph import FieldTree
from router.planner.selections import SelectionTree


class Position(NamedTuple):
    """Where the traversal stands: a selection tree of `group` for objects of `type_name` at
    response `path`. `provided` lists fields `@provides` makes local along this path;
    `entity_root` marks the `... on T` selection right under `_entities`."""

    group: Group
    tree: SelectionTree
    type_name: str
    path: tuple[str, ...]
    provided: FieldTree | None = None
    entity_root: bool = False


@dataclass(eq=False)
class Group:
    index: int
    service: str
    path: tuple[str, ...]
    parent: Group | None
    root: SelectionTree = field(default_factory=SelectionTree)
    requires: SelectionTree = field(default_factory=SelectionTree)
    deps: set[Group] = field(default_factory=set)
    variables: set[str] = field(default_factory=set)
    input_rewrites: list[FetchRewrite] = field(default_factory=list)
    # type name -> position in the parent group where this entity's key was selected
    origins: dict[str, Position] = field(default_factory=dict)
    # (type condition, representation field) -> response key it is read from
    inputs: dict[tuple[str, str], str] = field(default_factory=dict)
    # further paths served by the same request (groups merged across paths, `merging.py`)
    more_paths: list[tuple[str, ...]] = field(default_factory=list)
    # `@fromContext` arguments: where each variable is read, and variable -> GraphQL type
    context_rewrites: list[KeyRenamer] = field(default_factory=list)
    context_variables: dict[str, str] = field(default_factory=dict)

    def accepts(self, inputs: Mapping[tuple[str, str], str]) -> bool:
        """Can these representation inputs join this group's without a clash? (The same
        field required with other arguments is read from another response key.)"""
        return all(self.inputs.get(name, key) == key for name, key in inputs.items())

    @property
    def is_entity(self) -> bool:
        return self.parent is not None

    def __repr__(self) -> str:
        return f"Group({self.index}, {self.service}, {'.'.join(self.path)})"


class FetchGraph:
    def __init__(self) -> None:
        self.groups: list[Group] = []
        self.roots: list[Group] = []
        self._children: dict[tuple[int, str, tuple[str, ...], frozenset[int], int], Group] = {}

    def new_root(self, service: str) -> Group:
        group = Group(len(self.groups), service, (), None)
        self.groups.append(group)
        self.roots.append(group)
        return group

    def child(
        self,
        parent: Group,
        service: str,
        path: tuple[str, ...],
        deps: frozenset[Group],
        inputs: Mapping[tuple[str, str], str],
    ) -> Group:
        """The entity group of `parent` for `service` at `path` waiting for `deps` whose
        representation can take `inputs`."""
        variant = 0
        while True:
            key = (parent.index, service, path, frozenset(d.index for d in deps), variant)
            group = self._children.get(key)
            if group is None:
                group = Group(len(self.groups), service, path, parent, deps={parent, *deps})
                self.groups.append(group)
                self._children[key] = group
            if group.accepts(inputs):
                group.inputs.update(inputs)
                return group
            variant += 1

    def existing_child(self, parent: Group, service: str, path: tuple[str, ...]) -> bool:
        return (parent.index, service, path, frozenset(), 0) in self._children
