"""Merging entity groups: fewer `_entities` requests for the same data.

Two passes run after the traversal:

1. `merge_siblings`: groups of one parent fetch for the same subgraph at the same path are
   merged when neither waits for the other.
2. `merge_levels`: groups for the same subgraph at the same *depth* (the longest chain of
   fetches before them) are merged across parent fetches and across paths, so one request
   serves them (the plan's `Flatten` then lists several paths). At equal depth neither can
   wait for the other, and the merged group waits for nothing later than either did, so no
   fetch is delayed once fetches run level by level. Groups at different depths are never
   merged (the shallower one would wait for the deeper one's inputs).

   At the same path (the same objects), selections and representations simply unite. At
   different paths a merge must not change what any object receives, so it needs, per type
   condition of the `_entities` selection and of `requires`:
   - a type both groups select: the same selection and the same representation fields;
   - two different types that may overlap (an interface and an implementation): no merge;
   - two disjoint types: response keys they share must have the same response shape
     (GraphQL's OverlappingFieldsCanBeMerged), so the merged operation stays valid;
   - no untyped representation fragment (an `@interfaceObject`'s, which applies to every
     object at the path).
"""

from __future__ import annotations

import re

from graphql import is_abstract_type, is_leaf_type

from router.planner.graph import Capabilities
from router.planner.groups import FetchGraph, Group
from router.planner.selections import FieldEntry, SelectionTree


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
                not waits_for(kept, group)
                and not waits_for(group, kept)
                and kept.accepts(group.inputs)
            ):
                merge_groups(graph, kept, group)
                changed = True


def merge_levels(graph: FetchGraph, caps: Capabilities) -> None:
    depth = depths(graph)
    kept_by_bucket: dict[tuple[str, int], list[Group]] = {}
    for group in list(graph.groups):
        if group.parent is None:
            continue
        kept_list = kept_by_bucket.setdefault((group.service, depth[group]), [])
        for kept in kept_list:
            if _mergeable(caps, kept, group):
                merge_groups(graph, kept, group)
                break
        else:
            kept_list.append(group)


def depths(graph: FetchGraph) -> dict[Group, int]:
    """Longest chain of dependencies before each group (roots: 0)."""
    found: dict[Group, int] = {}

    def depth(group: Group) -> int:
        if group not in found:
            found[group] = -1  # cycles are reported by the scheduler
            found[group] = 1 + max((depth(d) for d in group.deps), default=-1)
        return max(found[group], 0)

    for group in graph.groups:
        depth(group)
    return found


def paths_of(group: Group) -> list[tuple[str, ...]]:
    return [group.path, *group.more_paths]


def waits_for(group: Group, other: Group) -> bool:
    stack, seen = list(group.deps), set()
    while stack:
        dep = stack.pop()
        if dep is other:
            return True
        if dep not in seen:
            seen.add(dep)
            stack.extend(dep.deps)
    return False


def merge_groups(graph: FetchGraph, kept: Group, gone: Group) -> None:
    kept.root.merge(gone.root)
    kept.requires.merge(gone.requires)
    kept.deps |= gone.deps - {kept}
    kept.variables |= gone.variables
    kept.inputs.update(gone.inputs)
    kept.input_rewrites.extend(r for r in gone.input_rewrites if r not in kept.input_rewrites)
    kept.context_rewrites.extend(r for r in gone.context_rewrites if r not in kept.context_rewrites)
    kept.context_variables.update(gone.context_variables)
    for path in paths_of(gone):
        if path not in paths_of(kept):
            kept.more_paths.append(path)
    graph.groups.remove(gone)
    for group in graph.groups:
        if gone in group.deps:
            group.deps.discard(gone)
            group.deps.add(kept)
        if group.parent is gone:
            group.parent = kept


def _mergeable(caps: Capabilities, kept: Group, group: Group) -> bool:
    if waits_for(kept, group) or waits_for(group, kept) or not kept.accepts(group.inputs):
        return False
    if set(paths_of(kept)) == set(paths_of(group)):
        return True
    if kept.context_rewrites or group.context_rewrites:
        return False  # context values are read relative to one path
    service = kept.service
    return _same_per_type(caps, service, kept.requires, group.requires, strict_shape=False) and (
        _same_per_type(caps, service, kept.root, group.root, strict_shape=True)
    )


def _same_per_type(
    caps: Capabilities, service: str, a: SelectionTree, b: SelectionTree, strict_shape: bool
) -> bool:
    """Selections of two groups at different paths can share a request (see module doc)."""
    if a.fields or b.fields or "" in a.fragments or "" in b.fragments:
        return False
    for condition_a, tree_a in a.fragments.items():
        for condition_b, tree_b in b.fragments.items():
            if condition_a == condition_b:
                ok = tree_a.text() == tree_b.text()
            else:
                ok = not _overlap(caps, condition_a, condition_b) and (
                    not strict_shape
                    or _same_shape(caps, service, (tree_a, condition_a), (tree_b, condition_b))
                )
            if not ok:
                return False
    return True


def _overlap(caps: Capabilities, a: str, b: str) -> bool:
    return bool(_possible(caps, a) & _possible(caps, b))


def _possible(caps: Capabilities, name: str) -> set[str]:
    named = caps.named(name)
    if is_abstract_type(named):
        return {t.name for t in caps.schema.get_possible_types(named)}
    return {name}


_Flat = dict[str, list[tuple[str, FieldEntry]]]


def _flat(tree: SelectionTree, type_name: str, out: _Flat) -> _Flat:
    for key, entry in tree.fields.items():
        out.setdefault(key, []).append((type_name, entry))
    for condition, inner in tree.fragments.items():
        _flat(inner, condition or type_name, out)
    return out


def _same_shape(
    caps: Capabilities,
    service: str,
    a_at: tuple[SelectionTree, str],
    b_at: tuple[SelectionTree, str],
) -> bool:
    """Can selections `a` (on type `a_type`) and `b` (on `b_type`) sit in one selection set
    of a `service` operation?"""
    (a, a_type), (b, b_type) = a_at, b_at
    b_flat = _flat(b, b_type, {})
    for key, entries in _flat(a, a_type, {}).items():
        for parent_a, entry_a in entries:
            for parent_b, entry_b in b_flat.get(key, ()):
                same_field = (entry_a.name, entry_a.arguments) == (entry_b.name, entry_b.arguments)
                if not same_field and _overlap(caps, parent_a, parent_b):
                    return False
                type_a = _field_type(caps, service, parent_a, entry_a.name)
                type_b = _field_type(caps, service, parent_b, entry_b.name)
                if _WRAPPERS.sub("T", type_a) != _WRAPPERS.sub("T", type_b):
                    return False
                named_a = _WRAPPERS.findall(type_a)[0]
                named_b = _WRAPPERS.findall(type_b)[0]
                if is_leaf_type(caps.named(named_a)) and named_a != named_b:
                    return False
                if (
                    entry_a.tree is not None
                    and entry_b.tree is not None
                    and not _same_shape(
                        caps, service, (entry_a.tree, named_a), (entry_b.tree, named_b)
                    )
                ):
                    return False
    return True


_WRAPPERS = re.compile(r"\w+")


def _field_type(caps: Capabilities, service: str, parent: str, name: str) -> str:
    """The field's type as `service` declares it (`@join__field(type:)`), else the
    supergraph's."""
    if name == "__typename":
        return "String!"
    meta = caps.supergraph.types.get(parent)
    field = meta.fields.get(name) if meta is not None else None
    for join in field.joins if field is not None else ():
        if join.graph == service and join.type:
            return join.type
    return str(caps.field_type(parent, name))
