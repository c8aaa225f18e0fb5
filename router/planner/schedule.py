"""Fetch graph (after `merging.py`) -> plan tree.

Each group is hung under the dependency it must wait for last (its "tree parent"), when its
other dependencies are ancestors of that one; a group needing data from a sibling branch runs
in a later wave of its parent's children. A group becomes
`Sequence(Fetch or Flatten(Fetch), Parallel(children...))`.

Groups merged across branches (one request serving several parent fetches) can make the
dependencies a graph no tree of Sequence/Parallel expresses; then each independent part of
the graph (no dependency between parts) that is not a tree runs level by level:
`Sequence(Parallel(depth 0), Parallel(depth 1), ...)`, depth being the longest chain of
dependencies before a group; the parts run in parallel.
"""

from __future__ import annotations

from collections.abc import Callable

from router.plan import Fetch, Flatten, Parallel, PlanNode, Sequence
from router.planner.errors import PlanningError
from router.planner.groups import FetchGraph, Group
from router.planner.merging import depths


class _NotATree(Exception):
    """The dependencies do not fit a Sequence/Parallel tree."""


def build_nodes(
    graph: FetchGraph, fetch_of: Callable[[Group], Fetch], serial: bool
) -> PlanNode | None:
    _topological(graph)  # reports a dependency cycle
    if _is_tree(graph, serial):
        return _tree(graph, fetch_of, serial)
    # independent parts (no dependency between them) keep their own shape, in parallel
    nodes = []
    for part in _components(graph):
        if _is_tree(part, serial):
            nodes.append(_tree(part, fetch_of, serial))
        else:
            nodes.append(_levels(part, fetch_of))
    return _parallel([n for n in nodes if n is not None]) if nodes else None


def _is_tree(graph: FetchGraph, serial: bool) -> bool:
    try:
        _tree(graph, lambda group: _PLACEHOLDER, serial)  # a dry run: fetch ids stay unused
    except _NotATree:
        return False
    return True


def _components(graph: FetchGraph) -> list[FetchGraph]:
    """The groups split into sets with no dependency between sets, in group order."""
    owner: dict[Group, Group] = {g: g for g in graph.groups}

    def find(group: Group) -> Group:
        while owner[group] is not group:
            owner[group] = owner[owner[group]]
            group = owner[group]
        return group

    for group in graph.groups:
        for dep in group.deps:
            a, b = find(group), find(dep)
            if a is not b:
                owner[max(a, b, key=lambda g: g.index)] = min(a, b, key=lambda g: g.index)
    parts: dict[Group, FetchGraph] = {}
    for group in graph.groups:
        part = parts.setdefault(find(group), FetchGraph())
        part.groups.append(group)
        if group in graph.roots:
            part.roots.append(group)
    return list(parts.values())


_PLACEHOLDER = Fetch("", "")


def _levels(graph: FetchGraph, fetch_of: Callable[[Group], Fetch]) -> PlanNode | None:
    depth = depths(graph)
    stages: dict[int, list[Group]] = {}
    for group in graph.groups:
        stages.setdefault(depth[group], []).append(group)
    return (
        _sequence(
            [
                _parallel([_flatten(g, fetch_of(g)) for g in stages[level]])
                for level in sorted(stages)
            ]
        )
        if stages
        else None
    )


def _flatten(group: Group, fetch: Fetch) -> PlanNode:
    if not group.is_entity:
        return fetch
    return Flatten(group.path, fetch, tuple(group.more_paths))


def _tree(graph: FetchGraph, fetch_of: Callable[[Group], Fetch], serial: bool) -> PlanNode | None:
    tree_parent = _tree_parents(graph)
    children: dict[Group, list[Group]] = {g: [] for g in graph.groups}
    for group in graph.groups:
        parent = tree_parent.get(group)
        if parent is not None:
            children[parent].append(group)

    def node(group: Group) -> PlanNode:
        return _sequence([_flatten(group, fetch_of(group)), *waves(group)])

    def waves(group: Group) -> list[PlanNode]:
        kids = children[group]
        subtree = {kid: _subtree(kid, children) for kid in kids}
        ancestors = _ancestors(group, tree_parent)
        level: dict[Group, int] = {}

        def level_of(kid: Group) -> int:
            if kid not in level:
                level[kid] = 0
                for dep in kid.deps - ancestors:
                    owner = next((k for k in kids if dep in subtree[k]), None)
                    if owner is None or owner is kid:
                        raise _NotATree(f"cannot order {kid!r} after {dep!r}")
                    level[kid] = max(level[kid], level_of(owner) + 1)
            return level[kid]

        stages: dict[int, list[PlanNode]] = {}
        for kid in kids:
            stages.setdefault(level_of(kid), []).append(node(kid))
        return [_parallel(stages[i]) for i in sorted(stages)]

    roots = [node(root) for root in graph.roots]
    if not roots:
        return None
    return _sequence(roots) if serial else _parallel(roots)


def _tree_parents(graph: FetchGraph) -> dict[Group, Group]:
    """Each entity group's tree parent: the dependency whose other dependencies are all its
    ancestors, else the group it jumped from."""
    parents: dict[Group, Group] = {}
    for group in _topological(graph):
        if group.parent is None:
            continue
        chosen, depth = group.parent, -1
        for dep in sorted(group.deps, key=lambda d: d.index):
            ancestors = _ancestors(dep, parents)
            if group.deps <= ancestors and len(ancestors) > depth:
                chosen, depth = dep, len(ancestors)
        parents[group] = chosen
    return parents


def _ancestors(group: Group, parents: dict[Group, Group]) -> set[Group]:
    found = {group}
    while group in parents:
        group = parents[group]
        found.add(group)
    return found


def _subtree(group: Group, children: dict[Group, list[Group]]) -> set[Group]:
    found, stack = set(), [group]
    while stack:
        current = stack.pop()
        found.add(current)
        stack.extend(children[current])
    return found


def _topological(graph: FetchGraph) -> list[Group]:
    done: set[Group] = set()
    order: list[Group] = []

    def visit(group: Group, stack: set[Group]) -> None:
        if group in done:
            return
        if group in stack:
            raise PlanningError("INTERNAL_PLANNING_ERROR", f"dependency cycle at {group!r}")
        stack.add(group)
        for dep in sorted(group.deps, key=lambda d: d.index):
            visit(dep, stack)
        stack.discard(group)
        done.add(group)
        order.append(group)

    for group in graph.groups:
        visit(group, set())
    return order


def _sequence(nodes: list[PlanNode]) -> PlanNode:
    flat: list[PlanNode] = []
    for item in nodes:
        flat.extend(item.nodes if isinstance(item, Sequence) else (item,))
    return flat[0] if len(flat) == 1 else Sequence(tuple(flat))


def _parallel(nodes: list[PlanNode]) -> PlanNode:
    flat: list[PlanNode] = []
    for item in nodes:
        flat.extend(item.nodes if isinstance(item, Parallel) else (item,))
    return flat[0] if len(flat) == 1 else Parallel(tuple(flat))
