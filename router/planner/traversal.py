"""The walk: client selections -> fields placed in fetch groups.

Greedy, in one pass. At each object position the current subgraph keeps every field it can
resolve itself (a `@shareable` field never leaves the subgraph that is already fetching its
parent, and `@provides` makes provided external fields local along that path). Every other
field jumps to another subgraph through an entity key (`entities.py`). Abstract positions stay
abstract when the subgraph resolves every selected field for every possible type, and are
exploded into `... on T` fragments otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from graphql import (
    FieldNode,
    ListValueNode,
    NameNode,
    ObjectValueNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
)

from router.planner.contexts import Frame, contextual_join, plan_contextual
from router.planner.entities import EntityJumps
from router.planner.errors import PlanningError
from router.planner.graph import Capabilities, FieldTree, field_tree, for_type, parse_field_set
from router.planner.groups import FetchGraph, Group, Position
from router.planner.operation import CollectedField, FieldCollector
from router.planner.reach import detour
from router.planner.selections import print_arguments
from router.planner.splits import split_root
from router.supergraph import JoinField


class Traversal:
    """One planning pass over an operation; entity jumps are delegated to `EntityJumps`."""

    def __init__(self, caps: Capabilities, collector: FieldCollector, graph: FetchGraph) -> None:
        self.caps = caps
        self.collector = collector
        self.graph = graph
        self.entities = EntityJumps(self)
        self.frames: list[Frame] = []  # object positions the walk is inside (`contexts.py`)
        self.context_count = 0
        self.client_variables: frozenset[str] = frozenset()  # generated names avoid these

    # ---- roots ---------------------------------------------------------------------------

    def plan_root(
        self,
        root_type: str,
        fields: Mapping[str, CollectedField],
        serial: bool,
        split: bool = False,
    ) -> None:
        """Place root fields. Queries: one group per subgraph (run in parallel); with `split`,
        a shared abstract field may be fetched from several (`splits.py`). Mutations:
        consecutive fields of one subgraph share a group, groups run in order."""
        by_service: dict[str, Group] = {}
        last: Group | None = None
        for collected in fields.values():
            if collected.name.startswith("__"):
                continue  # __typename is static, __schema/__type are answered by the router
            candidates = self.caps.graphs_resolving(root_type, collected.name)
            if not candidates:
                raise PlanningError(
                    "UNSATISFIABLE_SELECTION",
                    f"no subgraph resolves root field {root_type}.{collected.name}",
                )
            if serial:
                if last is None or last.service not in candidates:
                    last = self.graph.new_root(
                        self._best_root(root_type, collected, candidates, {})
                    )
                parts = [(last.service, collected)]
            else:
                service = self._best_root(root_type, collected, candidates, by_service)
                parts = [(service, collected)]
                if split:
                    parts = split_root(self, root_type, collected, candidates, service)
            for service, part in parts:
                group = last if serial and last is not None else by_service.get(service)
                if group is None:
                    group = by_service[service] = self.graph.new_root(service)
                position = Position(group, group.root, root_type, ())
                self.register(position, [part])
                join = self.caps.resolves(group.service, root_type, part.name)
                assert join is not None
                self.add_field(position, part, join, False, None)

    def _best_root(
        self,
        root_type: str,
        collected: CollectedField,
        candidates: list[str],
        used: Mapping[str, Group],
    ) -> str:
        def score(graph: str) -> tuple[int, int, int]:
            misses = self.misses(graph, root_type, [collected], None, 3)
            return (misses, 0 if graph in used else 1, self.caps.order[graph])

        return min(candidates, key=score)

    def misses(
        self,
        graph: str,
        type_name: str,
        fields: Iterable[CollectedField],
        provided: FieldTree | None,
        depth: int,
    ) -> int:
        """How many of `fields` (and their sub-fields, `depth` levels) `graph` cannot resolve
        without a jump; a cheap estimate used to choose between subgraphs."""
        count = 0
        for collected in fields:
            local, sub_provided = self.local(graph, type_name, collected.name, provided)
            if local is None:
                count += 1
                continue
            if depth <= 1 or not collected.selection_sets or collected.name == "__typename":
                continue
            child = get_named_type(self.caps.field_type(type_name, collected.name))
            if is_abstract_type(child):
                count += self._abstract_misses(graph, child.name, collected.selection_sets)
                continue
            sub = self.collector.collect(child.name, collected.selection_sets)
            count += self.misses(graph, child.name, sub.values(), sub_provided, depth - 1)
        return count

    def _abstract_misses(
        self, graph: str, abstract: str, selection_sets: list[SelectionSetNode]
    ) -> int:
        """Concrete types the client selects specifically that `graph` cannot return."""
        api_type = self.caps.api.get_type(abstract)
        if api_type is None:
            return 0
        returned = set(self.caps.possible_types(graph, abstract))
        shared = set(self.collector.collect(abstract, selection_sets))
        missed = [
            candidate.name
            for candidate in self.caps.api.get_possible_types(api_type)  # type: ignore[arg-type]
            if candidate.name not in returned
            and set(self.collector.collect(candidate.name, selection_sets)) - shared
        ]
        return len(missed)

    # ---- local fields --------------------------------------------------------------------

    def local(
        self, graph: str, type_name: str, name: str, provided: FieldTree | None
    ) -> tuple[JoinField | None, FieldTree | None]:
        """(join, provided subtree) when `graph` resolves the field at this position."""
        sub = provided.get(name) if provided is not None else None
        if name == "__typename" and self.caps.is_interface_object(graph, type_name):
            return None, None  # an @interfaceObject subgraph does not know the real type
        join = self.caps.resolves(graph, type_name, name)
        if join is not None:
            return join, sub
        if provided is not None and name in provided:
            return JoinField(graph=graph), sub
        if name in self.caps.own_key_fields(graph, type_name):
            return JoinField(graph=graph), sub
        return None, None

    def register(self, position: Position, fields: Iterable[CollectedField]) -> None:
        for collected in fields:
            arguments = print_arguments(collected.node)
            position.tree.reserved[collected.key] = (collected.name, arguments)

    def arguments(self, group: Group, node: FieldNode) -> str:
        for argument in node.arguments or ():
            group.variables.update(_variables(argument.value))
        return print_arguments(node)

    def add_field(
        self,
        position: Position,
        collected: CollectedField,
        join: JoinField,
        internal: bool,
        provided: FieldTree | None,
    ) -> set[Group]:
        """Select the field in the position's subgraph and plan its sub-selection."""
        if collected.name == "__typename":
            key = position.tree.internal_key(collected.name) if internal else collected.key
            position.tree.add_field(key, collected.name)
            return set()
        field_type = self.caps.field_type(position.type_name, collected.name)
        named = get_named_type(field_type)
        composite = not is_leaf_type(named)
        arguments = self.arguments(position.group, collected.node)
        key = position.tree.internal_key(collected.name, arguments) if internal else collected.key
        entry = position.tree.add_field(key, collected.name, arguments, composite)
        if not composite or entry.tree is None:
            return set()
        if join.provides:
            provided = _merge_trees(provided, field_tree(parse_field_set(join.provides)))
        path = (*position.path, entry.response_key, *("@",) * _list_depth(field_type))
        child = Position(position.group, entry.tree, named.name, path, provided)
        return self.plan_selection(child, collected.selection_sets, internal)

    def plan_selection(
        self, position: Position, selection_sets: list[SelectionSetNode], internal: bool
    ) -> set[Group]:
        self.frames.append(Frame(position))
        try:
            return self._plan_selection(position, selection_sets, internal)
        finally:
            self.frames.pop()

    def _plan_selection(
        self, position: Position, selection_sets: list[SelectionSetNode], internal: bool
    ) -> set[Group]:
        named = self.caps.named(position.type_name)
        service = position.group.service
        position = position._replace(provided=for_type(position.provided, named.name))
        self.frames[-1] = Frame(position)
        if not is_abstract_type(named):
            fields = self.collector.collect(named.name, selection_sets)
            return self.plan_fields(position, fields, internal)
        if self.caps.is_interface_object(service, named.name):
            fields = self.collector.collect(named.name, selection_sets)
            found = self.plan_fields(position, fields, internal)
            # the subgraph answers the interface's name: the concrete type (which the response
            # needs for an abstract field) comes from a subgraph that has the real interface
            found |= self.plan_fields(position, {"__typename": _TYPENAME}, internal=True)
            narrowed = self.collector.only_narrowing(named.name, selection_sets)
            if narrowed.selections:
                found |= self.narrow_elsewhere(position, narrowed, internal)
            return found
        position.tree.add_internal("__typename")
        possible = self.caps.possible_types(service, named.name)
        fields = self.collector.collect(named.name, selection_sets)
        if not self.collector.narrows(named.name, selection_sets) and self.stays_abstract(
            position, fields.values(), possible
        ):
            return self.plan_fields(position, fields, internal)
        touched: set[Group] = set()
        for type_name in possible:
            fields = self.collector.collect(type_name, selection_sets)
            if all(c.key == "__typename" == c.name for c in fields.values()):
                continue
            fragment = Position(
                position.group,
                position.tree.fragment(type_name),
                type_name,
                position.path,
                for_type(position.provided, type_name),
            )
            self.frames.append(Frame(fragment, type_name))
            try:
                touched |= self.plan_fields(fragment, fields, internal)
            finally:
                self.frames.pop()
        return touched

    def stays_abstract(
        self, position: Position, fields: Iterable[CollectedField], possible: list[str]
    ) -> bool:
        service, abstract = position.group.service, position.type_name
        for collected in fields:
            if collected.name == "__typename":
                continue
            if any(contextual_join(self, t, collected.name) for t in (abstract, *possible)):
                return False
            join, _ = self.local(service, abstract, collected.name, position.provided)
            if join is None or join.requires:
                return False
            for type_name in possible:
                join, _ = self.local(service, type_name, collected.name, position.provided)
                if join is None or join.requires:
                    return False
        return True

    def plan_fields(
        self, position: Position, fields: Mapping[str, CollectedField], internal: bool
    ) -> set[Group]:
        """Plan `fields` on the object at `position`; returns the other groups it used."""
        if not internal:
            self.register(position, fields.values())
        touched: set[Group] = set()
        pending: list[tuple[CollectedField, JoinField | None]] = []
        service = position.group.service
        for collected in fields.values():
            contextual = contextual_join(self, position.type_name, collected.name)
            if contextual is not None:
                touched |= plan_contextual(self, position, collected, contextual, internal)
                continue
            join, provided = self.local(
                service, position.type_name, collected.name, position.provided
            )
            if join is not None and not join.requires and not detour(self, position, collected):
                touched |= self.add_field(position, collected, join, internal, provided)
            else:
                pending.append((collected, None if join and not join.requires else join))
        siblings = [collected for collected, _ in pending]
        for collected, join in pending:
            if join is not None:
                touched |= self.requires_here(position, collected, join, internal)
            else:
                touched |= self.jump(position, collected, internal, siblings)
        return touched

    def plan_requires(self, position: Position, requires: str) -> set[Group]:
        fields = self.collector.collect(position.type_name, [parse_field_set(requires)])
        return self.plan_fields(position, fields, internal=True)

    def jump(
        self,
        position: Position,
        collected: CollectedField,
        internal: bool,
        siblings: list[CollectedField],
    ) -> set[Group]:
        return self.entities.jump(position, collected, internal, siblings)

    def requires_here(
        self, position: Position, collected: CollectedField, join: JoinField, internal: bool
    ) -> set[Group]:
        return self.entities.requires_here(position, collected, join, internal)

    def narrow_elsewhere(
        self, position: Position, narrowed: SelectionSetNode, internal: bool
    ) -> set[Group]:
        return self.entities.narrow_elsewhere(position, narrowed, internal)


_TYPENAME = CollectedField("__typename", "__typename", FieldNode(name=NameNode(value="__typename")))


def _variables(value: ValueNode) -> set[str]:
    if isinstance(value, VariableNode):
        return {value.name.value}
    if isinstance(value, ListValueNode):
        return set().union(*(_variables(v) for v in value.values))
    if isinstance(value, ObjectValueNode):
        return set().union(*(_variables(f.value) for f in value.fields))
    return set()


def _list_depth(field_type: object) -> int:
    depth = 0
    current = get_nullable_type(field_type)  # type: ignore[call-overload]
    while is_list_type(current):
        depth += 1
        current = get_nullable_type(current.of_type)
    return depth


def _merge_trees(a: FieldTree | None, b: FieldTree) -> FieldTree:
    merged: FieldTree = dict(a or {})
    for name, sub in b.items():
        merged[name] = _merge_trees(merged.get(name), sub)
    return merged
