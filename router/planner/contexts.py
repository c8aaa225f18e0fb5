"""`@fromContext` arguments (join v0.5 `contextArguments`).

A field whose `@join__field` has `contextArguments` takes some argument values from the
nearest object above it in the response path (the field's own parent object included) whose
type sets `@context(name:)`. The planner:

1. finds that ancestor among the object positions the walk is inside (`Frame`s, innermost
   first). A frame of the exact type (or an interface/union setting the context) ends the
   search; a frame reached through a type condition (`... on T` of an abstract field) may
   not match at run time, so the search goes on and every candidate is kept, nearest first;
2. plans the context selection at each candidate (like a `@requires` field set: possibly a
   jump to another subgraph; those fetches become dependencies);
3. fetches the field through an `_entities` fetch to its subgraph, always, with the argument
   passed as a variable: `greeting(who:$contextualArgument_0)`. The fetch's
   `context_rewrites` say where the executor reads each variable, relative to each object
   (`("..", "..", "... on User", "name")`); it sends one request per distinct set of values.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

from graphql import (
    ArgumentNode,
    FieldNode,
    NameNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_abstract_type,
    is_object_type,
)

from router.plan import KeyRenamer
from router.planner.errors import PlanningError
from router.planner.graph import parse_field_set
from router.planner.groups import Group, Position
from router.planner.operation import CollectedField
from router.planner.routes import find_route
from router.planner.selections import SelectionTree, print_arguments
from router.supergraph import ContextArgument, JoinField

if TYPE_CHECKING:
    from router.planner.traversal import Traversal

VARIABLE_PREFIX = "contextualArgument_"


class Frame(NamedTuple):
    """An object position the walk is inside; `condition` is the type condition of an
    exploded fragment (objects there may be of another type at run time)."""

    position: Position
    condition: str | None = None


def contextual_join(walk: Traversal, type_name: str, name: str) -> JoinField | None:
    """The join of the subgraph resolving this field with `@fromContext` arguments, if any."""
    if name.startswith("__"):
        return None
    meta = walk.caps.supergraph.types.get(type_name)
    field_meta = meta.fields.get(name) if meta is not None else None
    if field_meta is None:
        return None
    for join in field_meta.joins:
        if (
            join.context_arguments
            and join.graph is not None
            and walk.caps.resolves(join.graph, type_name, name) is not None
        ):
            return join
    return None


def plan_contextual(
    walk: Traversal,
    position: Position,
    collected: CollectedField,
    join: JoinField,
    internal: bool,
) -> set[Group]:
    waits: set[Group] = set()
    rewrites: list[KeyRenamer] = []
    arguments = list(collected.node.arguments or ())
    variables: dict[str, str] = {}
    for argument in join.context_arguments:
        variable = f"{VARIABLE_PREFIX}{walk.context_count}"
        walk.context_count += 1
        while variable in walk.client_variables:
            variable = f"{VARIABLE_PREFIX}{walk.context_count}"
            walk.context_count += 1
        found = _read_context(walk, position, argument, variable)
        if not found:
            raise PlanningError(
                "UNSATISFIABLE_SELECTION",
                f"{position.type_name}.{collected.name} at path "
                f"'{'.'.join(position.path)}' needs context {argument.context!r} but no "
                "object above it sets that context",
            )
        for renamer, planned in found:
            rewrites.append(renamer)
            waits |= planned
        variables[variable] = argument.type
        arguments.append(
            ArgumentNode(
                name=NameNode(value=argument.name),
                value=VariableNode(name=NameNode(value=variable)),
            )
        )
    node = FieldNode(
        alias=collected.node.alias,
        name=collected.node.name,
        arguments=tuple(arguments),
        directives=collected.node.directives,
        selection_set=collected.node.selection_set,
    )
    field = replace(collected, node=node)
    service, type_name = position.group.service, position.type_name
    route = find_route(
        walk.caps, service, type_name, join.graph or "", type_name, position.provided
    )
    if route is None:
        raise PlanningError(
            "UNSATISFIABLE_SELECTION",
            f"cannot plan {type_name}.{collected.name} (with @fromContext arguments) at path "
            f"'{'.'.join(position.path)}': no resolvable key of {join.graph!r} is reachable "
            f"from {service!r}",
        )
    for hop in route[:-1]:
        position = walk.entities.enter(position, hop, frozenset(), hop.type_name)
    if join.requires:
        waits |= walk.plan_requires(position, join.requires)
    entity = walk.entities.enter(position, route[-1], frozenset(waits), type_name)
    if join.requires:
        walk.entities.add_requires(entity.group, position, join.requires)
    group = entity.group
    group.context_rewrites.extend(r for r in rewrites if r not in group.context_rewrites)
    group.context_variables.update(variables)
    return {group} | waits | walk.add_field(entity, field, join, internal, None)


def _read_context(
    walk: Traversal, position: Position, argument: ContextArgument, variable: str
) -> list[tuple[KeyRenamer, set[Group]]]:
    selection = parse_field_set(_strip_braces(argument.selection))
    found: list[tuple[KeyRenamer, set[Group]]] = []
    for frame in reversed(walk.frames):
        at = frame.position
        if len(at.path) > len(position.path) or at.path != position.path[: len(at.path)]:
            continue
        if not _sets_context(walk, at.type_name, argument.context):
            continue
        planned = walk.plan_fields(at, walk.collector.collect(at.type_name, [selection]), True)
        keys = _value_keys(walk, at.tree, at.type_name, [selection])
        if keys is None:
            continue
        ups = ("..",) * (len(position.path) - len(at.path))
        condition = (f"... on {frame.condition}",) if frame.condition else ()
        found.append((KeyRenamer((*ups, *condition, *keys), variable), planned))
        if frame.condition is None:
            break
    return found


def _strip_braces(selection: str) -> str:
    text = selection.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    return text


def _sets_context(walk: Traversal, type_name: str, context: str) -> bool:
    types = walk.caps.supergraph.types
    meta = types.get(type_name)
    if meta is not None and context in meta.contexts:
        return True
    named = walk.caps.schema.get_type(type_name)
    if not is_object_type(named):
        return False
    for iface in named.interfaces:
        owner = types.get(iface.name)
        if owner is not None and context in owner.contexts:
            return True
    for meta in types.values():
        if meta.kind == "UNION" and context in meta.contexts:
            union = walk.caps.schema.get_type(meta.name)
            if union is not None and named in walk.caps.schema.get_possible_types(union):  # type: ignore[arg-type]
                return True
    return False


def _value_keys(
    walk: Traversal, tree: SelectionTree, type_name: str, selections: list[SelectionSetNode]
) -> tuple[str, ...] | None:
    """Response keys from the context object down to the selected value, or None when the
    selection selects nothing for this type."""
    fields = walk.collector.collect(type_name, selections)
    chosen = [c for c in fields.values() if c.name != "__typename" or len(fields) == 1]
    if len(chosen) != 1:
        return None
    collected = chosen[0]
    key = tree.internal_key(collected.name, print_arguments(collected.node))
    if collected.name == "__typename" or not collected.selection_sets:
        return (key,)
    entry = tree.fields.get(key)
    if entry is None or entry.tree is None:
        return None
    child = get_named_type(walk.caps.field_type(type_name, collected.name))
    if is_abstract_type(child):
        return None
    rest = _value_keys(walk, entry.tree, child.name, collected.selection_sets)
    return None if rest is None else (key, *rest)
