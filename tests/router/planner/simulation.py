"""A simulated federation for differential tests of plans (no executor, no HTTP).

`World` generates deterministic data for every object type of a supergraph. A simulated
subgraph answers an operation only with what the join metadata says it can resolve (its own
fields, provided fields along a `@provides` path, its key fields), answers `_entities` only
through its resolvable keys, and checks that `@requires` inputs arrive in the representation
with the right values. `run_plan` interprets a plan like an executor would (Parallel children
run in reverse order, to expose hidden dependencies) and `shape` cuts the merged data to the
client's selection. The result must equal graphql-core executing the operation against the
API schema over the same data.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLOutputType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    execute_sync,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    parse,
)

from router.plan import (
    Condition,
    Fetch,
    FieldSelection,
    Flatten,
    KeyRenamer,
    Parallel,
    PlanNode,
    QueryPlan,
    Selection,
    Sequence,
    ValueSetter,
)
from router.planner.graph import Capabilities, FieldTree, field_tree, for_type, parse_field_set
from router.planner.operation import FieldCollector, is_included
from router.supergraph import Supergraph
from tests.router.planner import simulation_context as contexts

Obj = dict[str, Any]


class SubgraphRefused(AssertionError):
    """A subgraph was asked for something it cannot resolve."""


def _hash(*parts: object) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


class World:
    """Three objects per object type; fields computed lazily and deterministically."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.schema = supergraph.schema
        self.caps = Capabilities(supergraph)
        self.objects: dict[str, list[Obj]] = {}
        for name, type_ in self.schema.type_map.items():
            if name.startswith("__") or not hasattr(type_, "fields"):
                continue
            if type_.__class__.__name__ != "GraphQLObjectType" or name in self._roots():
                continue
            self.objects[name] = [{"__typename": name, "#": i} for i in range(3)]
        for objects in self.objects.values():
            for obj in objects:
                self._fill(obj)
        self.root: Obj = {"__typename": "Query", "#": 0}
        self._fill(self.root, root=True)

    def _roots(self) -> set[str]:
        return {t.name for t in (self.schema.query_type, self.schema.mutation_type) if t}

    def _fill(self, obj: Obj, root: bool = False) -> None:
        type_name = obj["__typename"]
        type_ = self.schema.get_type(type_name)
        for name, field in getattr(type_, "fields", {}).items():
            obj[name] = self._value(field.type, type_name, name, obj["#"], root)
        if root and self.schema.mutation_type is not None:
            for name, field in self.schema.mutation_type.fields.items():
                obj[name] = self._value(field.type, "Mutation", name, 0, root)

    def _value(self, type_: GraphQLOutputType, owner: str, field: str, i: int, root: bool) -> Any:
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(type_, GraphQLList):
            return [self._value(type_.of_type, owner, field, i * 7 + n, root) for n in range(2)]
        named: GraphQLNamedType = type_
        if is_leaf_type(named):
            return self._leaf(named, owner, field, i)
        candidates = self._concrete(named)
        if is_abstract_type(named):  # only types every owning subgraph can return
            for graph in self.caps.graphs_resolving(owner, field):
                returned = set(self.caps.possible_types(graph, named.name))
                candidates = [c for c in candidates if c in returned] or candidates
        if not candidates:
            return None
        chosen = candidates[_hash(owner, field, i) % len(candidates)]
        objects = self.objects[chosen]
        index = i if root else _hash(owner, field, i, "o") % len(objects)
        return objects[index % len(objects)]

    def _concrete(self, named: GraphQLNamedType) -> list[str]:
        api_named = self.supergraph.api_schema.get_type(named.name)
        if api_named is None:
            return []
        if is_abstract_type(api_named):
            types = self.supergraph.api_schema.get_possible_types(api_named)  # type: ignore[arg-type]
            return sorted(t.name for t in types)
        return [named.name]

    def _leaf(self, named: GraphQLNamedType, owner: str, field: str, i: int) -> Any:
        if isinstance(named, GraphQLEnumType):
            api_enum = self.supergraph.api_schema.get_type(named.name)
            return sorted(getattr(api_enum, "values", named.values))[0]
        if named.name == "Int":
            return _hash(owner, field) % 1000 + i * 1000
        if named.name == "Float":
            return float(_hash(owner, field) % 1000 + i * 1000)
        if named.name == "Boolean":
            return (_hash(owner, field) + i) % 2 == 0
        return f"{owner}.{field}.{i}"

    # ---- the monolith ---------------------------------------------------------------------

    def expected(self, document: DocumentNode, variables: Mapping[str, Any]) -> Any:
        resolver = (
            contexts.monolith_resolver(self.supergraph)
            if contexts.has_contexts(self.supergraph)
            else None
        )
        result = execute_sync(
            self.supergraph.api_schema,
            document,
            root_value=self.root,
            variable_values=dict(variables),
            field_resolver=resolver,
        )
        assert not result.errors, result.errors
        return result.data


class SimulatedSubgraph:
    def __init__(self, world: World, name: str) -> None:
        self.world = world
        self.caps = world.caps
        self.name = name
        self.variables: Mapping[str, Any] = {}

    def execute(self, operation: str, variables: Mapping[str, Any]) -> Obj:
        self.variables = variables
        definition = parse(operation).definitions[0]
        assert isinstance(definition, OperationDefinitionNode)
        first = definition.selection_set.selections[0]
        if isinstance(first, FieldNode) and first.name.value == "_entities":
            assert first.selection_set is not None
            reps = variables["representations"]
            return {"_entities": [self._entity(r, first.selection_set) for r in reps]}
        root_type = "Mutation" if definition.operation.value == "mutation" else "Query"
        return self._select(self.world.root, root_type, definition.selection_set, None, None)

    def view_type(self, obj: Obj) -> str:
        """The type this subgraph knows the object as (an @interfaceObject for others)."""
        concrete = obj["__typename"]
        if self.caps.has_type(self.name, concrete):
            return str(concrete)
        for interface in getattr(self.world.schema.get_type(concrete), "interfaces", ()):
            if self.caps.is_interface_object(self.name, interface.name):
                return str(interface.name)
        raise SubgraphRefused(f"{self.name} cannot return a {concrete}")

    def _entity(self, rep: Obj, selection: SelectionSetNode) -> Obj:
        typename = rep["__typename"]
        keys = self.caps.keys(self.name, typename)
        candidates = [
            obj
            for type_name, objects in self.world.objects.items()
            if type_name == typename
            or typename
            in {i.name for i in getattr(self.world.schema.get_type(type_name), "interfaces", ())}
            for obj in objects
        ]
        for key in keys:
            fields = parse_field_set(key.fields)
            if not all(isinstance(s, FieldNode) and s.name.value in rep for s in fields.selections):
                continue
            for obj in candidates:
                if _project(obj, fields, self.world) == {
                    k: rep[k] for k in _project(obj, fields, self.world)
                }:
                    return self._select(obj, self.view_type(obj), selection, None, rep)
        raise SubgraphRefused(f"{self.name} has no resolvable key of {typename} matching {rep}")

    def _select(
        self,
        obj: Obj,
        type_name: str,
        selection: SelectionSetNode,
        provided: FieldTree | None,
        rep: Obj | None,
    ) -> Obj:
        out: Obj = {}
        for node in selection.selections:
            if isinstance(node, InlineFragmentNode):
                assert node.type_condition is not None
                if _applies(self.world, node.type_condition.name.value, obj, type_name):
                    inner = node.type_condition.name.value
                    own = inner if self.caps.has_type(self.name, inner) else type_name
                    _merge(out, self._select(obj, own, node.selection_set, provided, rep))
                continue
            assert isinstance(node, FieldNode)
            key = node.alias.value if node.alias else node.name.value
            out[key] = self._field(obj, type_name, node, provided, rep)
        return out

    def _field(
        self,
        obj: Obj,
        type_name: str,
        node: FieldNode,
        provided: FieldTree | None,
        rep: Obj | None,
    ) -> Any:
        name = node.name.value
        if name == "__typename":
            return self.view_type(obj) if type_name != "Query" else type_name
        join = self.caps.resolves(self.name, type_name, name)
        local = name in (provided or {}) or name in self.caps.own_key_fields(self.name, type_name)
        if join is None and not local:
            raise SubgraphRefused(f"{self.name} cannot resolve {type_name}.{name}")
        if join is not None and join.requires:
            if rep is None:
                raise SubgraphRefused(f"{type_name}.{name} needs its @requires inputs")
            required = parse_field_set(join.requires)
            want = _project(obj, required, self.world)
            got = {k: _without_typename(rep.get(k)) for k in want}
            if want != got:
                raise SubgraphRefused(f"{type_name}.{name}: required {want}, got {got}")
        value = obj[name]
        if join is not None and join.context_arguments:
            return contexts.subgraph_answer(join, value, node, self.variables)
        if node.selection_set is None:
            return value
        if (
            type_name in self.world._roots()
            and len(self.caps.graphs_resolving(type_name, name)) > 1
        ):
            value = self._own(value)  # a shared root field (`node`): null for foreign objects
        sub = (provided or {}).get(name)
        if join is not None and join.provides:
            sub = {**(sub or {}), **field_tree(parse_field_set(join.provides))}
        return self._children(value, node.selection_set, sub)

    def _own(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._own(v) for v in value]
        try:
            return None if value is None else self.view_type(value) and value
        except SubgraphRefused:
            return None

    def _children(self, value: Any, selection: SelectionSetNode, provided: FieldTree | None) -> Any:
        if value is None:
            return None
        if isinstance(value, list):
            return [self._children(v, selection, provided) for v in value]
        own = self.view_type(value)
        return self._select(value, own, selection, for_type(provided, value["__typename"]), None)


def _without_typename(value: Any) -> Any:
    if isinstance(value, list):
        return [_without_typename(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_typename(v) for k, v in value.items() if k != "__typename"}
    return value


def _applies(world: World, condition: str, obj: Obj, view: str) -> bool:
    concrete = obj["__typename"]
    if condition in {concrete, view}:
        return True
    cond_type = world.schema.get_type(condition)
    if cond_type is None or not is_abstract_type(cond_type):
        return False
    return concrete in {t.name for t in world.schema.get_possible_types(cond_type)}  # type: ignore[arg-type]


def _project(obj: Any, fields: SelectionSetNode, world: World) -> Any:
    if obj is None:
        return None
    if isinstance(obj, list):
        return [_project(o, fields, world) for o in obj]
    out: Obj = {}
    for node in fields.selections:
        if isinstance(node, InlineFragmentNode):
            assert node.type_condition is not None
            if _applies(world, node.type_condition.name.value, obj, obj["__typename"]):
                out.update(_project(obj, node.selection_set, world))
        elif isinstance(node, FieldNode):
            value = obj[node.name.value]
            sub = node.selection_set
            out[node.name.value] = _project(value, sub, world) if sub else value
    return out


def _merge(target: Obj, source: Obj) -> None:
    """Deep merge; a null never replaces a value (fetches of a split `node` answer null for
    objects they do not own)."""
    for key, value in source.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            for index, (mine, theirs) in enumerate(zip(current, value, strict=True)):
                if isinstance(mine, dict) and isinstance(theirs, dict):
                    _merge(mine, theirs)
                elif mine is None:
                    current[index] = theirs
        elif value is not None or key not in target:
            target[key] = value


world_interfaces: dict[str, set[str]] = {}
world_supergraph: list[Supergraph] = []  # the supergraph `run_plan` runs over


# ---- the executor ------------------------------------------------------------------------


def run_plan(world: World, plan: QueryPlan, variables: Mapping[str, Any]) -> Obj:
    world_interfaces.clear()
    world_supergraph[:] = [world.supergraph]
    for name, type_ in world.schema.type_map.items():
        if is_abstract_type(type_):
            possible = world.schema.get_possible_types(type_)  # type: ignore[arg-type]
            world_interfaces[name] = {t.name for t in possible}
    subgraphs = {name: SimulatedSubgraph(world, name) for name in world.supergraph.subgraphs}
    response: Obj = {}
    if plan.node is not None:
        assert not hasattr(plan.node, "primary"), "subscriptions are not simulated"
        _run(plan.node, response, subgraphs, variables)  # type: ignore[arg-type]
    return response


def _run(
    node: PlanNode,
    response: Obj,
    subgraphs: Mapping[str, SimulatedSubgraph],
    variables: Mapping[str, Any],
) -> None:
    match node:
        case Fetch(service_name=service, operation=operation):
            used = {v: variables[v] for v in node.variable_usages if v in variables}
            _merge(response, subgraphs[service].execute(operation, used))
        case Flatten(node=Fetch() as fetch) if fetch.context_rewrites:
            groups = contexts.group_by_context(world_supergraph[0], response, fetch, node.paths)
            for values, targets in groups:
                _entities(fetch, targets, subgraphs, {**variables, **values}, values)
        case Flatten(node=Fetch() as fetch):
            targets = [
                o for path in node.paths for o in _at(response, list(path)) if isinstance(o, dict)
            ]
            _entities(fetch, targets, subgraphs, variables, {})
        case Sequence(nodes=nodes):
            for child in nodes:
                _run(child, response, subgraphs, variables)
        case Parallel(nodes=nodes):
            for child in reversed(nodes):
                _run(child, response, subgraphs, variables)
        case Condition(variable=variable, if_clause=if_clause, else_clause=else_clause):
            chosen = if_clause if variables[variable] else else_clause
            if chosen is not None:
                _run(chosen, response, subgraphs, variables)
        case _:
            raise AssertionError(f"unexpected plan node {node!r}")


def _entities(
    fetch: Fetch,
    targets: list[Obj],
    subgraphs: Mapping[str, SimulatedSubgraph],
    variables: Mapping[str, Any],
    context_values: Mapping[str, Any],
) -> None:
    pairs = [(o, _representation(o, fetch.requires)) for o in targets]
    pairs = [(o, r) for o, r in pairs if r is not None]
    if not pairs:
        return
    reps = [r for _, r in pairs]
    for rep in reps:
        _rewrite(rep, fetch.input_rewrites)
    used = {v: variables[v] for v in fetch.variable_usages if v in variables}
    data = subgraphs[fetch.service_name].execute(
        fetch.operation, {**used, **context_values, "representations": reps}
    )
    for (obj, _), result in zip(pairs, data["_entities"], strict=True):
        _merge(obj, result)


def _at(value: Any, path: list[str]) -> list[Any]:
    if not path:
        return [value]
    if value is None:
        return []
    head, rest = path[0], path[1:]
    if head == "@":
        return [found for item in value or () for found in _at(item, rest)]
    if not isinstance(value, dict) or head not in value:
        return []
    return _at(value[head], rest)


def _representation(obj: Obj, requires: tuple[Selection, ...]) -> Obj | None:
    rep: Obj = {}
    matched = False
    for selection in requires:
        if isinstance(selection, FieldSelection):
            rep[selection.name] = _copy(obj.get(selection.name), selection.selections)
            matched = True
        elif selection.type_condition in (None, obj.get("__typename")) or obj.get(
            "__typename"
        ) in world_interfaces.get(selection.type_condition or "", set()):
            inner = _representation(obj, selection.selections)
            if inner is not None:
                rep.update(inner)
                matched = True
    return rep if matched else None


def _copy(value: Any, selections: tuple[Selection, ...]) -> Any:
    if not selections or value is None:
        return value
    if isinstance(value, list):
        return [_copy(v, selections) for v in value]
    return _representation(value, selections) or {}


def _rewrite(rep: Obj, rewrites: tuple[ValueSetter | KeyRenamer, ...]) -> None:
    for rewrite in rewrites:
        _apply_rewrite(rep, list(rewrite.path), rewrite)


def _apply_rewrite(value: Any, path: list[str], rewrite: ValueSetter | KeyRenamer) -> None:
    if isinstance(value, list):
        for item in value:
            _apply_rewrite(item, path, rewrite)
        return
    if not isinstance(value, dict) or not path:
        return
    head, rest = path[0], path[1:]
    if head.startswith("... on "):
        if value.get("__typename") == head.removeprefix("... on "):
            _apply_rewrite(value, rest, rewrite)
        return
    if rest:
        _apply_rewrite(value.get(head), rest, rewrite)
    elif isinstance(rewrite, ValueSetter):
        value[head] = rewrite.value
    elif head in value:
        value[rewrite.rename_key_to] = value.pop(head)


# ---- shaping -----------------------------------------------------------------------------


def shape(world: World, document: DocumentNode, data: Obj, variables: Mapping[str, Any]) -> Any:
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    conditions = {k: bool(v) for k, v in variables.items() if isinstance(v, bool)}
    collector = FieldCollector(world.supergraph.api_schema, fragments, conditions)
    root = "Mutation" if operation.operation.value == "mutation" else "Query"
    return _shape_object(world, collector, data, root, [operation.selection_set], static=True)


def _shape_object(
    world: World,
    collector: FieldCollector,
    data: Obj,
    type_name: str,
    selection_sets: list[SelectionSetNode],
    static: bool,
) -> Obj:
    if not static:  # an executor needs the concrete type of every abstract value
        assert data.get("__typename") in world_interfaces.get(type_name, ()), data
    runtime = type_name if static else data["__typename"]
    out: Obj = {}
    for collected in collector.collect(runtime, selection_sets).values():
        if not is_included(collected.node.directives, collector.conditions):
            continue
        if collected.name == "__typename":
            out[collected.key] = runtime
            continue
        assert collected.key in data, f"{collected.key} missing from {sorted(data)}"
        field_type = world.schema.get_type(runtime).fields[collected.name].type  # type: ignore[union-attr]
        out[collected.key] = _shape_value(
            world, collector, data[collected.key], field_type, collected.selection_sets
        )
    return out


def _shape_value(
    world: World,
    collector: FieldCollector,
    value: Any,
    field_type: GraphQLOutputType,
    selection_sets: list[SelectionSetNode],
) -> Any:
    if value is None or not selection_sets:
        return value
    if isinstance(value, list):
        inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
        item_type = inner.of_type if isinstance(inner, GraphQLList) else inner
        return [_shape_value(world, collector, v, item_type, selection_sets) for v in value]
    named = get_named_type(field_type)
    static = not is_abstract_type(named)
    return _shape_object(world, collector, value, named.name, selection_sets, static)
