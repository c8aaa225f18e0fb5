"""Differential tests: executing a plan against simulated subgraphs gives the same data as
executing the operation against the API schema over the same data (see simulation.py)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from graphql import parse, validate
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from router.planner import build_plan
from router.supergraph import Supergraph, parse_supergraph
from tests.router.planner.simulation import World, run_plan, shape
from tests.router.planner.test_plan_abstract import LIBRARY
from tests.router.planner.test_plan_basics import SHOP
from tests.router.planner.test_plan_entities import BANK, HIDDEN_KEY
from tests.router.planner.test_plan_properties import operations
from tests.router.planner.test_plan_requires import DUTIES, SHELVES, STORE

FIXTURES = Path(__file__).parent / "fixtures"


def check(supergraph: Supergraph, query: str, variables: dict[str, Any] | None = None) -> None:
    document = parse(query)
    assert not validate(supergraph.api_schema, document)
    world = _world(supergraph)
    plan = build_plan(supergraph, document)
    merged = run_plan(world, plan, variables or {})
    assert shape(world, document, merged, variables or {}) == world.expected(
        document, variables or {}
    )


@functools.cache
def _world(supergraph: Supergraph) -> World:
    return World(supergraph)


@functools.cache
def _supergraph(path: Path) -> Supergraph:
    return parse_supergraph(path.read_text())


def test_bench_query_gives_the_monolith_result() -> None:
    bench = _supergraph(FIXTURES / "bench_supergraph.graphql")
    check(bench, (FIXTURES / "bench_query.graphql").read_text())


@pytest.mark.parametrize(
    ("supergraph", "query"),
    [
        (STORE, "{ topProducts { stock delivery } reviews { product { stock delivery } } }"),
        (DUTIES, '{ products { tax duty stock price(currency: "EUR") } }'),
        (SHELVES, "{ shelves { id weight items { id } } }"),
        (BANK, "{ users { id: name email score } accounts { balance number } }"),
        (HIDDEN_KEY, "{ things { name } }"),
        (LIBRARY, "{ accounts { name score } topAccounts { __typename score name } }"),
        (LIBRARY, "{ topAccounts { score ... on Admin { level } } search { title } }"),
        (SHOP, 'mutation { a: login(name: "x") { name purchases { title } } logout }'),
    ],
)
def test_selected_plans_give_the_monolith_result(supergraph: Supergraph, query: str) -> None:
    check(supergraph, query)


def test_conditions_follow_the_variables() -> None:
    query = "query ($v: Boolean!) { topProducts { upc delivery @include(if: $v) } }"
    for value in (True, False):
        check(STORE, query, {"v": value})


SUPERGRAPHS = {
    "bench": lambda: _supergraph(FIXTURES / "bench_supergraph.graphql"),
    "store": lambda: STORE,
    "library": lambda: LIBRARY,
    "shelves": lambda: SHELVES,
    "duties": lambda: DUTIES,
    **{
        p.stem.removeprefix("composed_"): functools.partial(_supergraph, p)
        for p in sorted(FIXTURES.glob("composed_*.graphql"))
    },
}


@pytest.mark.parametrize("name", sorted(SUPERGRAPHS))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_operations_give_the_monolith_result(name: str, data: st.DataObject) -> None:
    supergraph = SUPERGRAPHS[name]()
    query = data.draw(operations(supergraph))
    assume(not validate(supergraph.api_schema, parse(query)))
    check(supergraph, query)
