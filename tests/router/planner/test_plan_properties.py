"""Property tests: random valid operations over the test supergraphs always plan, and the
plan fetches every field the client asked for (at its response path)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from graphql import (
    FieldNode,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_object_type,
    parse,
    validate,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from router.plan import (
    Condition,
    Fetch,
    FieldSelection,
    Flatten,
    Parallel,
    PlanNode,
    Selection,
    Sequence,
)
from router.planner import build_plan
from router.supergraph import Supergraph, parse_supergraph
from tests.router.planner.test_plan_abstract import LIBRARY
from tests.router.planner.test_plan_requires import STORE

BENCH = parse_supergraph(
    (Path(__file__).parent / "fixtures" / "bench_supergraph.graphql").read_text()
)
LITERALS = {"ID": '"1"', "String": '"x"', "Int": "1", "Boolean": "true"}


def _selection(draw: st.DrawFn, schema: GraphQLSchema, type_: GraphQLNamedType, depth: int) -> str:
    fields = getattr(type_, "fields", {})
    names = sorted(
        n for n, f in fields.items() if depth > 0 or is_leaf_type(get_named_type(f.type))
    )
    if not names:
        return "__typename"
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    parts = []
    if draw(st.booleans()):
        parts.append("__typename")
    for i, name in enumerate(chosen):
        field = fields[name]
        alias = f"k{i}_{name}: " if draw(st.integers(0, 3)) == 0 else ""
        args = [
            f"{arg_name}: {LITERALS.get(get_named_type(arg.type).name, '1')}"
            for arg_name, arg in field.args.items()
            if isinstance(arg.type, GraphQLNonNull)
        ]
        text = alias + name + (f"({', '.join(args)})" if args else "")
        child = get_named_type(field.type)
        if not is_leaf_type(child):
            text += " { " + _selection(draw, schema, child, depth - 1) + " }"
        parts.append(text)
    if is_abstract_type(type_) and depth > 0:
        for possible in schema.get_possible_types(type_):  # type: ignore[arg-type]
            if draw(st.booleans()):
                inner = _selection(draw, schema, possible, depth - 1)
                parts.append(f"... on {possible.name} {{ {inner} }}")
    elif is_object_type(type_) and draw(st.integers(0, 4)) == 0:
        parts = [f"... on {type_.name} {{ {' '.join(parts)} }}"]
    return " ".join(parts)


@st.composite
def operations(draw: st.DrawFn, supergraph: Supergraph) -> str:
    schema = supergraph.api_schema
    assert schema.query_type is not None
    return "{ " + _selection(draw, schema, schema.query_type, 4) + " }"


def _client_paths(selection: SelectionSetNode, prefix: tuple[str, ...]) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for node in selection.selections:
        if isinstance(node, FieldNode):
            path = (*prefix, node.alias.value if node.alias else node.name.value)
            if node.selection_set is None:
                if node.name.value != "__typename" or prefix:
                    found.add(path)
                if node.alias and node.name.value == "__typename":
                    found.add((*prefix, "__typename"))
            else:
                found |= _client_paths(node.selection_set, path)
        elif isinstance(node, InlineFragmentNode):
            found |= _client_paths(node.selection_set, prefix)
    return found


def _fetched_paths(node: PlanNode | None, flatten: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    match node:
        case Fetch(operation=operation):
            definition = parse(operation).definitions[0]
            assert isinstance(definition, OperationDefinitionNode)
            selection = definition.selection_set
            if flatten:
                first = selection.selections[0]
                assert isinstance(first, FieldNode)
                assert first.selection_set is not None
                selection = first.selection_set
            return _client_paths(selection, tuple(p for p in flatten if p != "@"))
        case Flatten(node=inner):
            return set().union(*(_fetched_paths(inner, path) for path in node.paths))
        case Sequence(nodes=nodes) | Parallel(nodes=nodes):
            return set().union(*(_fetched_paths(n) for n in nodes))
        case Condition():
            raise AssertionError("no conditions expected")
    return set()


def _requires_paths(
    selections: tuple[Selection, ...], prefix: tuple[str, ...]
) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for selection in selections:
        if isinstance(selection, FieldSelection):
            path = (*prefix, selection.name)
            if selection.selections:
                found |= _requires_paths(selection.selections, path)
            else:
                found.add(path)
        else:
            found |= _requires_paths(selection.selections, prefix)
    return found


def _check_inputs_fetched_before(
    node: PlanNode | None, before: set[tuple[str, ...]]
) -> set[tuple[str, ...]]:
    """Every representation input of an entity fetch was fetched by a fetch that finished
    before it (an earlier Sequence step); returns what is known after `node`."""
    match node:
        case Flatten(node=Fetch(requires=requires) as fetch):
            # a merged fetch has one `... on T` per type; the paths do not say which type is
            # where: every path must satisfy some fragment, every fragment some path
            satisfied = {
                (i, j)
                for i, path in enumerate(node.paths)
                for j, fragment in enumerate(requires)
                if _requires_paths((fragment,), tuple(p for p in path if p != "@")) <= before
            }
            for i in range(len(node.paths)):
                assert any(at == i for at, _ in satisfied), f"fetch {fetch.id}: inputs missing"
            for j in range(len(requires)):
                assert any(f == j for _, f in satisfied), f"fetch {fetch.id}: inputs missing"
            return before | _fetched_paths(node)
        case Fetch():
            return before | _fetched_paths(node)
        case Sequence(nodes=nodes):
            for child in nodes:
                before = _check_inputs_fetched_before(child, before)
            return before
        case Parallel(nodes=nodes):
            return before.union(*(_check_inputs_fetched_before(n, before) for n in nodes))
    return before


def _fetch_ids(node: PlanNode | None) -> list[int]:
    match node:
        case Fetch(id=fetch_id):
            return [fetch_id]
        case Flatten(node=inner):
            return _fetch_ids(inner)
        case Sequence(nodes=nodes) | Parallel(nodes=nodes):
            return [i for n in nodes for i in _fetch_ids(n)]
    return []


def _check(supergraph: Supergraph, query: str) -> None:
    document = parse(query)
    assume(not validate(supergraph.api_schema, document))
    built = build_plan(supergraph, document)
    assert built == build_plan(supergraph, document)  # deterministic
    node = built.node
    assert not isinstance(node, Condition)
    ids = _fetch_ids(node)  # type: ignore[arg-type]
    assert sorted(ids) == list(range(len(ids)))
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    wanted = _client_paths(operation.selection_set, ())
    assert wanted <= _fetched_paths(node)  # type: ignore[arg-type]
    _check_inputs_fetched_before(node, set())  # type: ignore[arg-type]


COMPOSED = sorted((Path(__file__).parent / "fixtures").glob("composed_*.graphql"))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.data())
def test_random_bench_operations_fetch_every_field(data: st.DataObject) -> None:
    _check(BENCH, data.draw(operations(BENCH)))


@SETTINGS
@given(st.data())
def test_random_abstract_operations_fetch_every_field(data: st.DataObject) -> None:
    _check(LIBRARY, data.draw(operations(LIBRARY)))


@SETTINGS
@given(st.data())
def test_random_requires_operations_fetch_every_field(data: st.DataObject) -> None:
    _check(STORE, data.draw(operations(STORE)))


@pytest.mark.parametrize("path", COMPOSED, ids=lambda p: p.stem.removeprefix("composed_"))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_operations_on_composed_supergraphs(path: Path, data: st.DataObject) -> None:
    """Supergraphs our composition wrote for its fixtures (tests/router/compose/fixtures)."""
    supergraph = _composed(path)
    query = data.draw(operations(supergraph))
    _check(supergraph, query)


@functools.cache
def _composed(path: Path) -> Supergraph:
    return parse_supergraph(path.read_text())
