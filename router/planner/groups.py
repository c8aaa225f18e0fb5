"""Fetch groups: one future subgraph request each, plus the dependencies between them.

The traversal fills groups; `schedule.py` then merges groups that can share a request and
folds the dependency graph into Sequence/Parallel nodes. A group is either a root group (a
root field query or mutation on one subgraph) or an entity group: an `_entities` request at a
response `path`, fed by representations (`requires`) taken from data its dependencies fetched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from router.plan import FetchRewrite
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

    @property
    def is_entity(self) -> bool:
        return self.parent is not None

    def __repr__(self) -> str:
        return f"Group({self.index}, {self.service}, {'.'.join(self.path)})"


class FetchGraph:
    def __init__(self) -> None:
        self.groups: list[Group] = []
        self.roots: list[Group] = []
        self._children: dict[tuple[int, str, tuple[str, ...], frozenset[int]], Group] = {}

    def new_root(self, service: str) -> Group:
        group = Group(len(self.groups), service, (), None)
        self.groups.append(group)
        self.roots.append(group)
        return group

    def child(
        self, parent: Group, service: str, path: tuple[str, ...], deps: frozenset[Group]
    ) -> Group:
        """The entity group of `parent` for `service` at `path` waiting for `deps`."""
        key = (parent.index, service, path, frozenset(d.index for d in deps))
        group = self._children.get(key)
        if group is None:
            group = Group(len(self.groups), service, path, parent, deps={parent, *deps})
            self.groups.append(group)
            self._children[key] = group
        return group

    def existing_child(self, parent: Group, service: str, path: tuple[str, ...]) -> bool:
        return (parent.index, service, path, frozenset()) in self._children
