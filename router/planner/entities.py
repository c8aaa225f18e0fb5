"""Entity jumps: fields the current subgraph cannot resolve go to an `_entities` fetch.

`enter` selects `__typename` and the key in the current group, records the same selection as
the new group's `requires`, and returns the `... on T` position under `_entities`. A field
with `@requires` first plans its required fields at the position the key came from; the
groups those land in become dependencies of the jump's group, so the representation is
complete before the fetch runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from graphql import FieldNode, InlineFragmentNode, SelectionSetNode

from router.plan import KeyRenamer, ValueSetter
from router.planner.errors import PlanningError
from router.planner.graph import Key, parse_field_set
from router.planner.groups import Group, Position
from router.planner.operation import CollectedField
from router.planner.reach import blocked
from router.planner.routes import find_route
from router.planner.selections import SelectionTree, print_arguments
from router.supergraph import JoinField

if TYPE_CHECKING:
    from router.planner.traversal import Traversal


class EntityJumps:
    """The jumps of one traversal (`walk`), which calls back into it for fields."""

    def __init__(self, walk: Traversal) -> None:
        self.walk = walk

    def jump(
        self,
        position: Position,
        collected: CollectedField,
        internal: bool,
        siblings: list[CollectedField],
    ) -> set[Group]:
        service, type_name = position.group.service, position.type_name
        options: list[tuple[tuple[int, int, int, int, int], list[Key], str]] = []
        for target, entity_type in self.candidates(service, type_name, collected.name):
            route = find_route(
                self.walk.caps, service, type_name, target, entity_type, position.provided
            )
            if route is None:
                continue
            existing = self.walk.graph.existing_child(position.group, target, position.path)
            covered = sum(
                1 for s in siblings if self.walk.caps.resolves(target, entity_type, s.name)
            )
            dead_end = collected.selection_sets and blocked(
                self.walk, target, entity_type, [collected], None
            )
            rank = (
                1 if dead_end else 0,
                0 if existing else 1,
                -covered,
                len(route),
                self.walk.caps.order[target],
            )
            options.append((rank, route, entity_type))
        if not options:
            raise PlanningError(
                "UNSATISFIABLE_SELECTION",
                f"cannot plan {type_name}.{collected.name} at path "
                f"'{'.'.join(position.path) or '(root)'}' from subgraph {service!r}: no other "
                "subgraph resolves it through a key this one can provide",
            )
        _, route, entity_type = min(options, key=lambda option: option[0])
        for hop in route[:-1]:
            position = self.enter(position, hop, frozenset(), hop.type_name)
        key = route[-1]
        join = self.walk.caps.resolves(key.graph, entity_type, collected.name)
        if join is None:  # `__typename` from a subgraph that knows the real type
            join = JoinField(graph=key.graph)
        return self.field_in_entity(position, key, collected, join, internal, entity_type)

    def candidates(self, service: str, type_name: str, name: str) -> list[tuple[str, str]]:
        """(subgraph, type to jump as) pairs that could resolve the field for `service`."""
        if name == "__typename":  # at an @interfaceObject position: ask the interface's owners
            return [
                (graph, type_name)
                for graph in self.walk.caps.supergraph.graph_order
                if graph != service
                and self.walk.caps.has_type(graph, type_name)
                and not self.walk.caps.is_interface_object(graph, type_name)
            ]
        found = [
            (g, type_name) for g in self.walk.caps.graphs_resolving(type_name, name) if g != service
        ]
        return found or self.walk.caps.interface_objects_for(type_name, name)

    def narrow_elsewhere(
        self, position: Position, narrowed: SelectionSetNode, internal: bool
    ) -> set[Group]:
        """At an `@interfaceObject` position, fragments on concrete types are planned in a
        subgraph that has the real interface (an entity interface there)."""
        service, interface = position.group.service, position.type_name
        for target in self.walk.caps.supergraph.graph_order:
            if target == service or self.walk.caps.is_interface_object(target, interface):
                continue
            route = find_route(
                self.walk.caps, service, interface, target, interface, position.provided
            )
            if route is not None:
                entity = self.enter(position, route[0], frozenset(), interface)
                return {entity.group} | self.walk.plan_selection(entity, [narrowed], internal)
        raise PlanningError(
            "UNSATISFIABLE_SELECTION",
            f"no subgraph resolves the concrete types of {interface} at path "
            f"'{'.'.join(position.path)}' for subgraph {service!r}",
        )

    def requires_here(
        self, position: Position, collected: CollectedField, join: JoinField, internal: bool
    ) -> set[Group]:
        """The current subgraph resolves the field but needs `@requires` inputs."""
        group, type_name = position.group, position.type_name
        origin = group.origins.get(type_name) if position.entity_root else None
        if origin is None:  # not at an entity root: jump to this same subgraph
            route = find_route(
                self.walk.caps,
                group.service,
                type_name,
                group.service,
                type_name,
                position.provided,
            )
            if route is None:
                raise PlanningError(
                    "UNSATISFIABLE_SELECTION",
                    f"{type_name}.{collected.name} has @requires in {group.service!r} but "
                    "that subgraph has no resolvable key to fetch it through",
                )
            return self.field_in_entity(position, route[0], collected, join, internal, type_name)
        waits = self.walk.plan_requires(origin, join.requires or "")
        inputs = _inputs(origin, join.requires or "")
        if waits <= group.deps and group.accepts(inputs):
            group.inputs.update(inputs)
            self.add_requires(group, origin, join.requires or "")
            return waits | self.walk.add_field(position, collected, join, internal, None)
        route = find_route(
            self.walk.caps,
            origin.group.service,
            origin.type_name,
            group.service,
            type_name,
            origin.provided,
        )
        if route is None:
            raise PlanningError("INTERNAL_PLANNING_ERROR", f"lost the key of {type_name}")
        entity = self.enter(origin, route[-1], frozenset(waits), type_name, inputs)
        self.add_requires(entity.group, origin, join.requires or "")
        return {entity.group} | waits | self.walk.add_field(entity, collected, join, internal, None)

    def field_in_entity(
        self,
        position: Position,
        key: Key,
        collected: CollectedField,
        join: JoinField,
        internal: bool,
        entity_type: str,
    ) -> set[Group]:
        waits: set[Group] = set()
        if join.requires:
            waits = self.walk.plan_requires(position, join.requires)
        inputs = _inputs(position, join.requires or "")
        entity = self.enter(position, key, frozenset(waits), entity_type, inputs)
        if join.requires:
            self.add_requires(entity.group, position, join.requires)
        return {entity.group} | waits | self.walk.add_field(entity, collected, join, internal, None)

    def enter(
        self,
        position: Position,
        key: Key,
        waits: frozenset[Group],
        entity_type: str,
        inputs: Mapping[tuple[str, str], str] | None = None,
    ) -> Position:
        """Jump from `position` to `key.graph`; returns the position under `_entities`."""
        position.tree.add_internal("__typename")
        self.walk.plan_requires(position, key.fields)  # key fields are local: checked by route
        all_inputs = {**_inputs(position, key.fields), **(inputs or {})}
        group = self.walk.graph.child(position.group, key.graph, position.path, waits, all_inputs)
        condition = position.type_name
        self.add_requires(group, position, "__typename " + key.fields)
        if entity_type != condition:  # an @interfaceObject: it knows the interface's name only
            setter = ValueSetter((f"... on {condition}", "__typename"), entity_type)
            if setter not in group.input_rewrites:
                group.input_rewrites.append(setter)
        group.origins.setdefault(entity_type, position)
        tree = group.root.fragment(entity_type)
        tree.reserved.update(position.tree.reserved)
        return Position(group, tree, entity_type, position.path, None, entity_root=True)

    def add_requires(self, group: Group, origin: Position, fields: str) -> None:
        """Copy a field set into `group.requires` under `... on T` (T: the origin's type), using
        the response keys the fields got in the origin's selection (renamed back by input
        rewrites). Objects an @interfaceObject subgraph returned carry the interface's name as
        `__typename`, so their representation is taken without a type condition."""
        condition = origin.type_name
        prefix: tuple[str, ...]
        if self.walk.caps.is_interface_object(origin.group.service, condition):
            target, prefix = group.requires.fragment(""), ()
        else:
            target, prefix = group.requires.fragment(condition), (f"... on {condition}",)
        self._copy(group, parse_field_set(fields), target, origin.tree, prefix)

    def _copy(
        self,
        group: Group,
        fields: SelectionSetNode,
        target: SelectionTree,
        source: SelectionTree | None,
        prefix: tuple[str, ...],
    ) -> None:
        for selection in fields.selections:
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                name = condition.name.value if condition else None
                inner_target = target.fragment(name) if name else target
                inner_source = source.fragments.get(name, source) if source and name else source
                inner_prefix = (*prefix, f"... on {name}") if name else prefix
                self._copy(group, selection.selection_set, inner_target, inner_source, inner_prefix)
                continue
            if not isinstance(selection, FieldNode):
                continue
            name = selection.name.value
            arguments = print_arguments(selection)
            key = source.internal_key(name, arguments) if source is not None else name
            entry = target.add_field(key, key, "", selection.selection_set is not None)
            if selection.selection_set is not None and entry.tree is not None:
                if any(
                    isinstance(s, InlineFragmentNode) for s in selection.selection_set.selections
                ):
                    entry.tree.add_field("__typename", "__typename")  # subgraph types the value
                found = source.fields.get(key) if source is not None else None
                inner = found.tree if found is not None else None
                self._copy(group, selection.selection_set, entry.tree, inner, (*prefix, key))
            if key != name:
                renamer = KeyRenamer((*prefix, key), name)
                if renamer not in group.input_rewrites:
                    group.input_rewrites.append(renamer)


def _inputs(origin: Position, fields: str) -> dict[tuple[str, str], str]:
    """Top-level representation fields of a field set -> the response keys they are read
    from at `origin` (after the field set was planned there)."""
    found: dict[tuple[str, str], str] = {}
    for selection in parse_field_set(fields).selections if fields else ():
        if isinstance(selection, FieldNode):
            name = selection.name.value
            key = origin.tree.internal_key(name, print_arguments(selection))
            found[(origin.type_name, name)] = key
    return found
