"""A simplified satisfiability check: every field must be resolvable wherever its type is reached.

Apollo validates every query path against the subgraphs. This walks (type, subgraph) states
from the root fields instead: at each state, a field the current subgraph cannot resolve must
be reachable by moving to another subgraph through a resolvable `@key` whose top-level fields
the current subgraph resolves. A field with no way in is a SATISFIABILITY_ERROR, reported with
an example query. `@provides` is followed; `@requires` conditions are not modelled.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from router.compose.fieldset import (
    FieldSetSyntaxError,
    Selected,
    parse_field_set,
    top_level_names,
)
from router.compose.model import ROOT_TYPES, Kind, named_type
from router.compose.result import CompositionError
from router.compose.supergraph import MergedField, MergedType, Supergraph

_COMPOSITE = (Kind.OBJECT, Kind.INTERFACE, Kind.UNION)


@dataclass(frozen=True)
class _State:
    """A type reached by `path`, with every subgraph that may be resolving it at that point."""

    type_name: str
    graphs: frozenset[str]
    path: tuple[str, ...]
    # (graph, selection) that a parent field's @provides makes resolvable here
    provided: frozenset[tuple[str, Selected]] = frozenset()


def _parse(fields: str) -> tuple[Selected, ...]:
    try:
        return parse_field_set(fields)
    except FieldSetSyntaxError:
        return ()


def _type_graphs(tdef: MergedType) -> list[str]:
    return list(dict.fromkeys(str(j["graph"]) for j in tdef.type_joins))


def _is_interface_object(tdef: MergedType, graph: str) -> bool:
    return any(j["graph"] == graph and j.get("isInterfaceObject") for j in tdef.type_joins)


@dataclass
class _Walk:
    supergraph: Supergraph
    # progressive @override: check once with every label off and once with every label on
    labels_on: bool
    errors: dict[str, CompositionError] = field(default_factory=dict)
    seen: set[tuple[str, frozenset[str], frozenset[tuple[str, Selected]]]] = field(
        default_factory=set
    )
    queue: deque[_State] = field(default_factory=deque)

    def resolvable_graphs(self, tdef: MergedType, fdef: MergedField) -> list[str]:
        if not fdef.joins:
            return _type_graphs(tdef)
        if fdef.via_interface_object:
            return []
        return [
            str(j["graph"])
            for j in fdef.joins
            if "graph" in j
            and not j.get("external")
            and not (j.get("usedOverridden") and "overrideLabel" not in j)
            and not ("overrideLabel" in j and ("override" in j) != self.labels_on)
        ]

    def keys_into(self, tdef: MergedType, target: str) -> list[str]:
        return [
            str(j["key"])
            for j in tdef.type_joins
            if j["graph"] == target and "key" in j and j.get("resolvable", True)
        ]

    def can_enter(self, tdef: MergedType, key_owner: MergedType, src: str, dst: str) -> bool:
        """Can `src` build a representation of `tdef` for one of `key_owner`'s keys in `dst`?"""
        for key in self.keys_into(key_owner, dst):
            names = top_level_names(key)
            fields = [tdef.fields.get(n) for n in names]
            if all(f is not None and src in self.resolvable_graphs(tdef, f) for f in fields):
                return True
        return False

    def requires_met(self, tdef: MergedType, fdef: MergedField, graph: str) -> bool:
        """`graph` can fetch the top-level fields its @requires names, from itself or by key."""
        join = next((j for j in fdef.joins if j.get("graph") == graph and "requires" in j), None)
        if join is None:
            return True
        for name in top_level_names(str(join["requires"])):
            required = tdef.fields.get(name)
            if required is None:
                continue
            owners = self.resolvable_graphs(tdef, required)
            if graph not in owners and not any(
                self.can_enter(tdef, tdef, graph, owner) for owner in owners
            ):
                return False
        return True

    def push(
        self,
        type_name: str,
        graphs: set[str],
        path: tuple[str, ...],
        provided: frozenset[tuple[str, Selected]] = frozenset(),
    ) -> None:
        target = self.supergraph.types.get(type_name)
        if target is None or target.kind not in _COMPOSITE or not graphs:
            return
        abstract = target.kind is not Kind.OBJECT
        provided = frozenset(
            (g, sel)
            for g, sel in provided
            if g in graphs and (abstract or sel.type_condition in (None, type_name))
        )
        key = (type_name, frozenset(graphs), provided)
        if key not in self.seen:
            self.seen.add(key)
            self.queue.append(_State(type_name, frozenset(graphs), path, provided))

    def visit(self, state: _State) -> None:
        tdef = self.supergraph.types[state.type_name]
        if tdef.kind is Kind.UNION:
            for member in tdef.members:
                graphs = {g for g, m in tdef.union_members if m == member and g in state.graphs}
                self.push(member, graphs, (*state.path, f"... on {member}"), state.provided)
            return
        graphs = set(state.graphs)
        if tdef.kind is Kind.INTERFACE:
            objects = {g for g in graphs if _is_interface_object(tdef, g)}
            real = graphs - objects
            real |= {
                g2
                for g2 in _type_graphs(tdef)
                if not _is_interface_object(tdef, g2)
                and any(self.can_enter(tdef, tdef, g, g2) for g in objects)
            }
            for impl in self.supergraph.types.values():
                impl_graphs = {g for g in real if (g, tdef.name) in impl.implements}
                path = (*state.path, f"... on {impl.name}")
                self.push(impl.name, impl_graphs, path, state.provided)
            if not objects:
                return
            graphs = objects
        for fdef in tdef.fields.values():
            self.visit_field(state, graphs, tdef, fdef)

    def visit_field(
        self, state: _State, graphs: set[str], tdef: MergedType, fdef: MergedField
    ) -> None:
        path = (*state.path, fdef.name)
        target = named_type(fdef.type)
        resolvable = [
            g for g in self.resolvable_graphs(tdef, fdef) if self.requires_met(tdef, fdef, g)
        ]
        mine = [(g, sel) for g, sel in state.provided if sel.name == fdef.name]
        direct = graphs.intersection(resolvable) | {g for g, _ in mine if g in graphs}
        if direct:
            provided = {(g, child) for g, sel in mine for child in sel.children}
            for join in fdef.joins:
                if join.get("graph") in direct and "provides" in join:
                    selections = _parse(str(join["provides"]))
                    provided.update((str(join["graph"]), sel) for sel in selections)
            self.push(target, direct, path, frozenset(provided))
            return
        entries = {g2 for g2 in resolvable for g in graphs if self.can_enter(tdef, tdef, g, g2)}
        for g2, interface in fdef.via_interface_object.items():
            owner = self.supergraph.types[interface]
            if any(self.can_enter(tdef, owner, g, g2) for g in graphs):
                entries.add(g2)
        if entries:
            self.push(target, entries, path)
        else:
            self.report(state, tdef, fdef, path)

    def report(
        self, state: _State, tdef: MergedType, fdef: MergedField, path: tuple[str, ...]
    ) -> None:
        coordinate = f"{tdef.name}.{fdef.name}"
        if coordinate in self.errors:
            return
        query = "{ " + " { ".join(path) + " }" * len(path)
        self.errors[coordinate] = CompositionError(
            "SATISFIABILITY_ERROR",
            f"The following supergraph API query:\n{query}\ncannot be satisfied by the "
            f'subgraphs because:\n- from subgraph "{sorted(state.graphs)[0]}": cannot find field '
            f'"{coordinate}" and cannot move to a subgraph that resolves it through a @key.',
            sorted(state.graphs)[0],
            coordinate,
        )


def check_satisfiability(supergraph: Supergraph) -> list[CompositionError]:
    errors: dict[str, CompositionError] = {}
    for labels_on in (False, True):
        for error in _walk(supergraph, labels_on):
            errors.setdefault(error.coordinate or "", error)
    return list(errors.values())


def _walk(supergraph: Supergraph, labels_on: bool) -> list[CompositionError]:
    walk = _Walk(supergraph, labels_on)
    for root in ROOT_TYPES:
        tdef = supergraph.types.get(root)
        if tdef is None:
            continue
        for fdef in tdef.fields.values():
            graphs = set(walk.resolvable_graphs(tdef, fdef))
            walk.push(named_type(fdef.type), graphs, (fdef.name,))
    while walk.queue:
        walk.visit(walk.queue.popleft())
    return list(walk.errors.values())
