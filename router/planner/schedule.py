"""Fetch graph -> plan tree.

First, entity groups of one parent for the same subgraph at the same path are merged when
neither waits for the other (fewer requests). Then each group is hung under the dependency it
must wait for last (its "tree parent"), when its other dependencies are ancestors of that one;
a group needing data from a sibling branch runs in a later wave of its parent's children.
A group becomes `Sequence(Fetch or Flatten(Fetch), Parallel(children...))`.
"""

from __future__ import annotations

from collections.abc import Callable

from router.plan import Fetch, Flatten, Parallel, PlanNode, Sequence
from router.planner.errors import PlanningError
from router.planner.groups import FetchGraph, Group


def merge_siblings(graph: FetchGraph) -> None:
    changed = True
    while changed:
        changed = False
        buckets: dict[tuple[int, str, tuple[str, ...]], Group] = {}
        for group in list(graph.groups):
            if group.parent is None:
                continue
            bucket = (group.parent.index, group.service, group.path)
            kept = buckets.get(bucket)
            if kept is None:
                buckets[bucket] = group
            elif (
                not _waits_for(kept, group)
                and not _waits_for(group, kept)
                and kept.accepts(group.inputs)
            ):
                _merge(graph, kept, group)
                changed = True


def _waits_for(group: Group, other: Group) -> bool:
    stack, seen = list(group.deps), set()
    while stack:
        dep = stack.pop()
        if dep is other:
            return True
        if dep not in seen:
            seen.add(dep)
            stack.extend(dep.deps)
    return False


def _merge(graph: FetchGraph, kept: Group, gone: Group) -> None:
    kept.root.merge(gone.root)
    kept.requires.merge(gone.requires)
    kept.deps |= gone.deps - {kept}
    kept.variables |= gone.variables
    kept.inputs.update(gone.inputs)
    kept.input_rewrites.extend(r for r in gone.input_rewrites if r not in kept.input_rewrites)
    graph.groups.remove(gone)
    for group in graph.groups:
        if gone in group.deps:
            group.deps.discard(gone)
            group.deps.add(kept)
        if group.parent is gone:
            group.parent = kept


def build_nodes(
    graph: FetchGraph, fetch_of: Callable[[Group], Fetch], serial: bool
) -> PlanNode | None:
    tree_parent = _tree_parents(graph)
    children: dict[Group, list[Group]] = {g: [] for g in graph.groups}
    for group in graph.groups:
        parent = tree_parent.get(group)
        if parent is not None:
            children[parent].append(group)

    def node(group: Group) -> PlanNode:
        fetch: PlanNode = fetch_of(group)
        if group.is_entity:
            fetch = Flatten(group.path, fetch)
        return _sequence([fetch, *waves(group)])

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
                        raise PlanningError(
                            "INTERNAL_PLANNING_ERROR", f"cannot order {kid!r} after {dep!r}"
                        )
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
