"""`@fromContext` in the simulated federation (`simulation.py`).

Contextual fields answer `"{stored value}|{argument}={JSON of the value}"`, so a wrong, missing
or mixed-up context value shows in the data. The monolith (graphql-core on the API schema)
computes the argument itself: it walks up from the field's parent object (included) to the
nearest object whose type, an interface of it, or a union containing it sets the context, and
applies the context selection there. A simulated subgraph computes the same text from the
argument the router sent (and refuses the field without it). `group_by_context` does what an
executor does with `Fetch.context_rewrites`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
    ValueNode,
    is_abstract_type,
    value_from_ast_untyped,
)

from router.plan import Fetch, KeyRenamer
from router.planner.graph import parse_field_set
from router.supergraph import ContextArgument, JoinField, Supergraph

Obj = dict[str, Any]
_UP = "#up"
_MISSING = object()


def contextual_join(supergraph: Supergraph, type_name: str, field: str) -> JoinField | None:
    meta = supergraph.types.get(type_name)
    field_meta = meta.fields.get(field) if meta is not None else None
    for join in field_meta.joins if field_meta is not None else ():
        if join.context_arguments:
            return join
    return None


def answer(stored: Any, arguments: Mapping[str, Any]) -> str:
    parts = [f"{name}={json.dumps(arguments.get(name))}" for name in sorted(arguments)]
    return "|".join([str(stored), *parts])


def has_contexts(supergraph: Supergraph) -> bool:
    return any(meta.contexts for meta in supergraph.types.values())


# ---- the monolith ------------------------------------------------------------------------


def monolith_resolver(supergraph: Supergraph) -> Callable[..., Any]:
    """A graphql-core field resolver that links every object to its parent (`#up`) and
    answers contextual fields from the nearest ancestor setting the context."""

    def resolve(source: Any, info: GraphQLResolveInfo, **_args: Any) -> Any:
        value = source.get(info.field_name) if isinstance(source, dict) else None
        join = contextual_join(supergraph, info.parent_type.name, info.field_name)
        if join is not None:
            values = {
                a.name: _from_ancestors(supergraph, source, a) for a in join.context_arguments
            }
            return answer(value, values)
        return _linked(value, source)

    return resolve


def _linked(value: Any, parent: Obj) -> Any:
    if isinstance(value, list):
        return [_linked(v, parent) for v in value]
    if isinstance(value, dict):
        return {**value, _UP: parent}
    return value


def sets_context(supergraph: Supergraph, type_name: str, context: str) -> bool:
    schema = supergraph.schema
    named = schema.get_type(type_name)
    names = {type_name} | {i.name for i in getattr(named, "interfaces", ())}
    for meta in supergraph.types.values():
        union = schema.get_type(meta.name)
        if meta.kind == "UNION" and named in schema.get_possible_types(union):  # type: ignore[arg-type]
            names.add(meta.name)
    return any(context in getattr(supergraph.types.get(n), "contexts", ()) for n in names)


def _from_ancestors(supergraph: Supergraph, source: Any, argument: ContextArgument) -> Any:
    current = source
    while isinstance(current, dict):
        typename = current.get("__typename", "")
        if sets_context(supergraph, typename, argument.context):
            text = argument.selection.strip()
            if text.startswith("{") and text.endswith("}"):
                text = text[1:-1]
            value = _pick(supergraph, current, parse_field_set(text))
            if value is not _MISSING:
                return value
        current = current.get(_UP)
    return None


def _pick(supergraph: Supergraph, obj: Any, selection: SelectionSetNode) -> Any:
    if obj is None:
        return None
    if isinstance(obj, list):
        return [_pick(supergraph, o, selection) for o in obj]
    for node in selection.selections:
        if isinstance(node, InlineFragmentNode):
            assert node.type_condition is not None
            if _type_applies(supergraph, node.type_condition.name.value, obj["__typename"]):
                return _pick(supergraph, obj, node.selection_set)
        elif isinstance(node, FieldNode):
            value = obj[node.name.value]
            if node.selection_set is None:
                return value
            return _pick(supergraph, value, node.selection_set)
    return _MISSING


def _type_applies(supergraph: Supergraph, condition: str, typename: str) -> bool:
    if condition == typename:
        return True
    condition_type = supergraph.schema.get_type(condition)
    if condition_type is None or not is_abstract_type(condition_type):
        return False
    possible = supergraph.schema.get_possible_types(condition_type)  # type: ignore[arg-type]
    return typename in {t.name for t in possible}


# ---- a subgraph answering a contextual field ---------------------------------------------


def subgraph_answer(
    join: JoinField, stored: Any, node: FieldNode, variables: Mapping[str, Any]
) -> str:
    given: dict[str, ValueNode] = {a.name.value: a.value for a in node.arguments or ()}
    values: dict[str, Any] = {}
    for argument in join.context_arguments:
        if argument.name not in given:
            raise AssertionError(f"{node.name.value} asked without its context {argument.name}")
        values[argument.name] = value_from_ast_untyped(given[argument.name], dict(variables))
    return answer(stored, values)


# ---- an executor's grouping --------------------------------------------------------------


def group_by_context(
    supergraph: Supergraph, response: Obj, fetch: Fetch, paths: tuple[tuple[str, ...], ...]
) -> list[tuple[dict[str, Any], list[Obj]]]:
    groups: dict[str, tuple[dict[str, Any], list[Obj]]] = {}
    for path in paths:
        for obj, at in _at_with_paths(response, list(path), []):
            values: dict[str, Any] = {}
            for rewrite in fetch.context_rewrites:
                if rewrite.rename_key_to not in values:
                    found = _read(supergraph, response, at, rewrite)
                    if found is not _MISSING:
                        values[rewrite.rename_key_to] = found
            for rewrite in fetch.context_rewrites:
                values.setdefault(rewrite.rename_key_to, None)
            key = json.dumps(values, sort_keys=True)
            groups.setdefault(key, (values, []))[1].append(obj)
    return list(groups.values())


def _at_with_paths(value: Any, path: list[str], at: list[Any]) -> list[tuple[Obj, list[Any]]]:
    if not path:
        return [(value, at)] if isinstance(value, dict) else []
    if value is None:
        return []
    head, rest = path[0], path[1:]
    if head == "@":
        return [
            found
            for i, item in enumerate(value or ())
            for found in _at_with_paths(item, rest, [*at, i])
        ]
    if not isinstance(value, dict) or head not in value:
        return []
    return _at_with_paths(value[head], rest, [*at, head])


def _read(supergraph: Supergraph, response: Obj, at: list[Any], rewrite: KeyRenamer) -> Any:
    ups = sum(1 for element in rewrite.path if element == "..")
    value: Any = response
    for element in at[: len(at) - ups]:
        value = value[element]
    return _descend(supergraph, value, list(rewrite.path[ups:]))


def _descend(supergraph: Supergraph, value: Any, rest: list[str]) -> Any:
    if not rest or value is None:
        return value
    if isinstance(value, list):
        return [_descend(supergraph, v, rest) for v in value]
    head = rest[0]
    if head.startswith("... on "):
        if not _type_applies(supergraph, head.removeprefix("... on "), value["__typename"]):
            return _MISSING
        return _descend(supergraph, value, rest[1:])
    if head not in value:
        return _MISSING
    return _descend(supergraph, value[head], rest[1:])
