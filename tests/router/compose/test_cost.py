"""`@cost` / `@listSize` (Federation 2.9) reach the supergraph, so the router's demand control
(`router.policies`) sees the subgraphs' costs. Merge rules (as The Guild's, which the
cross-check fixture `fixtures/cost_list_size` compares): the highest weight wins; `@listSize`
takes the largest `assumedSize`, every slicing argument and sized field, and
`requireOneSlicingArgument` only when every subgraph requires it."""

from __future__ import annotations

from compose_fixtures import load_fixture
from graphql import OperationDefinitionNode, parse

from router.compose import compose
from router.policies.cost import estimate
from router.policies.directives import ListSize, read_rules
from router.supergraph import Supergraph, parse_supergraph


def _supergraph() -> tuple[str, Supergraph]:
    result = compose(load_fixture("cost_list_size"))
    assert result.errors == ()
    assert result.supergraph_sdl is not None
    return result.supergraph_sdl, parse_supergraph(result.supergraph_sdl)


def test_costs_and_list_sizes_are_written_and_linked() -> None:
    sdl, _ = _supergraph()
    assert '@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])' in sdl
    assert "name: String! @cost(weight: 8)" in sdl  # 7 in a, 8 in b: the highest


def test_the_router_reads_our_costs() -> None:
    _, supergraph = _supergraph()
    rules = read_rules(supergraph)
    assert rules.weights["User"] == 4
    assert rules.weights["User.name"] == 8
    assert rules.weights["Query.search(q)"] == 3
    assert rules.weights["Filter.x"] == 5
    assert rules.weights["Level"] == 9
    assert rules.weights["Big"] == 11
    assert rules.list_sizes["Query.users"] == ListSize(20, ("first", "last"), ())
    assert rules.list_sizes["User.conn"] == ListSize(None, ("first",), ("edges",))


def test_demand_control_estimates_with_our_costs() -> None:
    _, supergraph = _supergraph()
    rules = read_rules(supergraph)
    document = parse("{ users(first: 3) { name } }")
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    cheap = estimate(supergraph.api_schema, rules, operation, {}, None, 10)
    document = parse("{ users { name } }")  # no slicing argument: assumedSize 20
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    assumed = estimate(supergraph.api_schema, rules, operation, {}, None, 10)
    # per user the same cost; 3 users with `first: 3`, the merged assumedSize (20) without
    assert cheap > 0
    assert assumed * 3 == cheap * 20
