"""One `Fetch`: build the request (representations for entity fetches, deduplicated), send it,
merge the answer into the response tree and re-path the subgraph's errors to client paths."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence
from operator import itemgetter
from typing import Any, Protocol

import orjson
from graphql import GraphQLObjectType, GraphQLSchema, is_abstract_type

from router.executor.context import (
    DOWNSTREAM_SERVICE_ERROR,
    INVALID_RESPONSE,
    SUBGRAPH_REQUEST_FAILED,
    ExecutionState,
)
from router.executor.contexts import group_by_context
from router.executor.merge import (
    ResponsePath,
    collect_objects,
    collect_objects_with_paths,
    merge_into,
)
from router.executor.rewrites import apply_rewrites
from router.plan import Fetch, FieldSelection, InlineFragmentSelection, OperationKind, Selection
from router.transport import SubgraphRequest


async def run_root_fetch(fetch: Fetch, state: ExecutionState) -> None:
    variables = _forwarded(fetch, state)
    body = await _send(fetch, variables, state, [])
    if body is None:
        return
    data = body.get("data")
    if type(data) is dict:
        if fetch.output_rewrites:
            apply_rewrites(data, fetch.output_rewrites)
        merge_into(state.data, data)
    for error in _errors(body):
        _add_subgraph_error(state, fetch, error, error.get("path"))


async def run_entity_fetch(
    fetch: Fetch, paths: tuple[tuple[str, ...], ...], state: ExecutionState
) -> None:
    """One `_entities` request for the objects at every path of `paths` (a `Flatten`'s); with
    `@fromContext` arguments, one per distinct set of context values (`contexts.py`)."""
    if fetch.context_rewrites:
        groups = group_by_context(fetch, paths, state.data, state.context.schema, _type_applies)
        await asyncio.gather(
            *(_entities(fetch, paths, objects, state, values) for values, objects in groups)
        )
        return
    if len(paths) == 1:
        objects = collect_objects(state.data, paths[0])
    else:
        objects = [obj for path in paths for obj in collect_objects(state.data, path)]
    await _entities(fetch, paths, objects, state, None)


async def _entities(
    fetch: Fetch,
    paths: tuple[tuple[str, ...], ...],
    objects: list[dict[str, Any]],
    state: ExecutionState,
    context_values: dict[str, Any] | None,
) -> None:
    extract = representation_extractor(fetch.requires, state.context.schema)
    representations: list[dict[str, Any]] = []
    targets: list[list[dict[str, Any]]] = []
    index_of: dict[Hashable, int] = {}
    rewrites = fetch.input_rewrites
    build = extract.build
    for obj, key in _keyed_objects(extract, objects):
        try:
            index = index_of.get(key)
        except TypeError:  # list or object key values: compare by their JSON
            key = orjson.dumps(build(obj))
            index = index_of.get(key)
        if index is not None:
            targets[index].append(obj)
            continue
        representation = build(obj)
        if rewrites:
            apply_rewrites(representation, rewrites)
        index_of[key] = len(representations)
        representations.append(representation)
        targets.append([obj])
    if not representations:
        return
    prefix = _common_prefix(paths)
    variables = _forwarded(fetch, state)
    variables["representations"] = representations
    if context_values:
        variables.update(context_values)
    body = await _send(fetch, variables, state, prefix)
    if body is None:
        return
    data = body.get("data")
    entities = data.get("_entities") if type(data) is dict else None
    if type(entities) is list:
        for index, entity in enumerate(entities[: len(targets)]):
            if type(entity) is not dict:
                continue
            if fetch.output_rewrites:
                apply_rewrites(entity, fetch.output_rewrites)
            for obj in targets[index]:
                if entity.keys().isdisjoint(obj):
                    obj.update(entity)  # the common case: only new fields
                else:
                    merge_into(obj, entity)
    errors = _errors(body)
    if errors:
        found = {
            id(obj): at
            for path in paths
            for obj, at in collect_objects_with_paths(state.data, path)
        }
        located = [[found.get(id(obj), []) for obj in group] for group in targets]
        for error in errors:
            _repath_entity_error(state, fetch, error, located, prefix)


def _keyed_objects(
    extract: Extractor, objects: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], Hashable]]:
    """(object, representation key) for the objects that get a representation."""
    if type(extract) is FlatExtractor and len(extract.getters) == 1:
        # the common case, one entity type: no per-object method call
        ((typename, getter),) = extract.getters.items()
        keyed: list[tuple[dict[str, Any], Hashable]] = []
        for obj in objects:
            if obj.get("__typename") == typename:
                try:
                    keyed.append((obj, (typename, getter(obj))))
                except KeyError:
                    continue  # a key field is missing: the fetch that brings it failed
        return keyed
    key_of = extract.key
    return [(obj, key) for obj in objects if (key := key_of(obj)) is not None]


class Extractor(Protocol):
    """Builds representations: `key(obj)` identifies the representation of `obj` (None: skip
    the object), `build(obj)` makes it (called once per distinct key)."""

    def key(self, obj: dict[str, Any]) -> Hashable | None: ...

    def build(self, obj: dict[str, Any]) -> dict[str, Any]: ...


_extractors: dict[tuple[int, int], tuple[object, object, Extractor]] = {}


def representation_extractor(requires: tuple[Selection, ...], schema: GraphQLSchema) -> Extractor:
    """The `Extractor` for `requires`, compiled once per plan node. Flat keys
    (`... on T { __typename id }`) take a fast path."""
    cache_key = (id(requires), id(schema))
    cached = _extractors.get(cache_key)
    if cached is not None and cached[0] is requires and cached[1] is schema:
        return cached[2]
    if len(_extractors) > 10_000:
        _extractors.clear()
    flat = _flat_fields(requires, schema)
    extractor: Extractor = FlatExtractor(flat) if flat else GenericExtractor(requires, schema)
    _extractors[cache_key] = (requires, schema, extractor)
    return extractor


def _flat_fields(
    requires: tuple[Selection, ...], schema: GraphQLSchema
) -> dict[str, tuple[str, ...]] | None:
    """typename -> field names when `requires` is only fragments of leaf fields."""
    flat: dict[str, tuple[str, ...]] = {}
    for selection in requires:
        if not isinstance(selection, InlineFragmentSelection) or not selection.type_condition:
            return None
        names = []
        for inner in selection.selections:
            if not isinstance(inner, FieldSelection) or inner.selections:
                return None
            names.append(inner.name)
        condition = schema.get_type(selection.type_condition)
        if is_abstract_type(condition):
            types = [t.name for t in schema.get_possible_types(condition)]
        else:
            types = [selection.type_condition]
        for typename in types:
            if typename in flat:
                return None
            flat[typename] = tuple(names)
    return flat


class FlatExtractor:
    __slots__ = ("flat", "getters")

    def __init__(self, flat: dict[str, tuple[str, ...]]) -> None:
        self.flat = flat
        self.getters = {typename: itemgetter(*names) for typename, names in flat.items()}

    def key(self, obj: dict[str, Any]) -> Hashable | None:
        """The key values (with the type name); may be unhashable, see `run_entity_fetch`."""
        typename = obj.get("__typename")
        getter = self.getters.get(typename)  # type: ignore[arg-type]
        if getter is None:
            return None
        try:
            return (typename, getter(obj))
        except KeyError:
            return None  # a key field is missing: the fetch that brings it failed

    def build(self, obj: dict[str, Any]) -> dict[str, Any]:
        return {name: obj[name] for name in self.flat[obj["__typename"]]}


class GenericExtractor:
    __slots__ = ("requires", "schema")

    def __init__(self, requires: tuple[Selection, ...], schema: GraphQLSchema) -> None:
        self.requires = requires
        self.schema = schema

    def key(self, obj: dict[str, Any]) -> Hashable | None:
        representation = build_representation(obj, self.requires, self.schema)
        return None if representation is None else orjson.dumps(representation)

    def build(self, obj: dict[str, Any]) -> dict[str, Any]:
        return build_representation(obj, self.requires, self.schema) or {}


def build_representation(
    obj: dict[str, Any], requires: Sequence[Selection], schema: GraphQLSchema
) -> dict[str, Any] | None:
    """Apply `requires` to one object; None when its type matches no fragment or a required
    field is missing (its fetch failed)."""
    out: dict[str, Any] = {}
    matched = _select(obj, requires, schema, out)
    if not matched:
        return None
    return out


def _select(
    obj: dict[str, Any], selections: Sequence[Selection], schema: GraphQLSchema, out: dict[str, Any]
) -> bool:
    """Fill `out`; False when nothing applies or a required field is missing."""
    matched_any = False
    for selection in selections:
        if isinstance(selection, FieldSelection):
            if selection.name not in obj:
                return False
            value = obj[selection.name]
            if selection.selections and value is not None:
                value = _select_value(value, selection.selections, schema)
                if value is _MISSING:
                    return False
            out[selection.name] = value
            matched_any = True
        elif isinstance(selection, InlineFragmentSelection):
            condition = selection.type_condition
            if condition is None or _type_applies(condition, obj.get("__typename"), schema):
                if not _select(obj, selection.selections, schema, out):
                    return False
                matched_any = True
    return matched_any


_MISSING = object()


def _select_value(value: Any, selections: Sequence[Selection], schema: GraphQLSchema) -> Any:
    if type(value) is list:
        items = [_select_value(v, selections, schema) if v is not None else None for v in value]
        return _MISSING if any(i is _MISSING for i in items) else items
    if type(value) is dict:
        nested: dict[str, Any] = {}
        return nested if _select(value, selections, schema, nested) else _MISSING
    return value


def _type_applies(condition: str, typename: Any, schema: GraphQLSchema) -> bool:
    if condition == typename:
        return True
    if not isinstance(typename, str):
        return False
    condition_type = schema.get_type(condition)
    object_type = schema.get_type(typename)
    if not is_abstract_type(condition_type) or not isinstance(object_type, GraphQLObjectType):
        return False
    return schema.is_sub_type(condition_type, object_type)


def _forwarded(fetch: Fetch, state: ExecutionState) -> dict[str, Any]:
    variables = state.variables
    return {name: variables[name] for name in fetch.variable_usages if name in variables}


async def _send(
    fetch: Fetch, variables: dict[str, Any], state: ExecutionState, error_path: ResponsePath
) -> dict[str, Any] | None:
    context = state.context
    url = context.subgraph_urls.get(fetch.service_name)
    service = fetch.service_name
    if url is None:
        _add_error(state, f"Unknown subgraph '{service}'.", SUBGRAPH_REQUEST_FAILED, service, [])
        return None
    payload: dict[str, Any] = {"query": fetch.operation, "variables": variables}
    if fetch.operation_name:
        payload["operationName"] = fetch.operation_name
    request = SubgraphRequest(
        service_name=service,
        url=url,
        body=orjson.dumps(payload),
        headers=context.headers,
        # never share a mutation, even if a plan forgot to mark its kind
        is_mutation=fetch.operation_kind is OperationKind.MUTATION
        or fetch.operation.lstrip().startswith("mutation"),
    )
    response = await context.client.execute(request)
    if response.failure is not None:
        message = f"HTTP fetch failed from '{service}': {response.failure.message}"
        _add_error(state, message, SUBGRAPH_REQUEST_FAILED, service, error_path)
        return None
    try:
        return response.decode()
    except ValueError:
        message = f"Invalid GraphQL response from '{service}'."
        _add_error(state, message, INVALID_RESPONSE, service, error_path)
        return None


def _errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    errors = body.get("errors")
    if type(errors) is not list:
        return []
    return [e for e in errors if type(e) is dict]


def _flatten_prefix(path: tuple[str, ...]) -> ResponsePath:
    prefix: ResponsePath = []
    for element in path:
        if element.startswith("@"):
            break
        prefix.append(element.partition("|")[0])
    return prefix


def _common_prefix(paths: tuple[tuple[str, ...], ...]) -> ResponsePath:
    """The response path all of a Flatten's paths share (where a failed fetch's error goes)."""
    prefixes = [_flatten_prefix(path) for path in paths]
    common = prefixes[0]
    for other in prefixes[1:]:
        size = 0
        while size < min(len(common), len(other)) and common[size] == other[size]:
            size += 1
        common = common[:size]
    return common


def _repath_entity_error(
    state: ExecutionState,
    fetch: Fetch,
    error: dict[str, Any],
    targets: list[list[ResponsePath]],
    prefix: ResponsePath,
) -> None:
    path = error.get("path")
    if type(path) is list and len(path) >= 2 and path[0] == "_entities":
        index = path[1]
        if type(index) is int and 0 <= index < len(targets):
            for at in targets[index]:
                _add_subgraph_error(state, fetch, error, [*at, *path[2:]])
            return
    _add_subgraph_error(state, fetch, error, prefix or None)


def _add_subgraph_error(
    state: ExecutionState, fetch: Fetch, error: dict[str, Any], path: Any
) -> None:
    out: dict[str, Any] = {"message": str(error.get("message", "Subgraph error"))}
    # subgraph `locations` point into the subgraph query, not the client's: dropped
    if path:
        out["path"] = path
    extensions = dict(error.get("extensions") or {})
    extensions.setdefault("code", DOWNSTREAM_SERVICE_ERROR)
    extensions["service"] = fetch.service_name
    out["extensions"] = extensions
    state.errors.append(out)


def _add_error(
    state: ExecutionState, message: str, code: str, service: str, path: ResponsePath
) -> None:
    error: dict[str, Any] = {"message": message}
    if path:
        error["path"] = path
    error["extensions"] = {"code": code, "service": service}
    state.errors.append(error)
