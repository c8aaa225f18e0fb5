"""The gateway benchmark's supergraph and query: a printed-plan snapshot.

The snapshot file is rewritten only with UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

import os
from pathlib import Path

from router.plan import Fetch, Flatten, Parallel, PlanNode, Sequence
from router.planner import print_plan
from router.supergraph import parse_supergraph
from tests.router.planner.helpers import plan

HERE = Path(__file__).parent
SNAPSHOT = HERE / "snapshots" / "bench_plan.txt"


def _fetches(node: PlanNode | None) -> list[Fetch]:
    match node:
        case Fetch():
            return [node]
        case Flatten(node=inner):
            return _fetches(inner)
        case Sequence(nodes=nodes) | Parallel(nodes=nodes):
            return [f for child in nodes for f in _fetches(child)]
    return []


def _bench_plan() -> str:
    supergraph = parse_supergraph((HERE / "fixtures" / "bench_supergraph.graphql").read_text())
    built = plan(supergraph, (HERE / "fixtures" / "bench_query.graphql").read_text())
    return print_plan(built)


def test_bench_plan_matches_snapshot() -> None:
    printed = _bench_plan()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(printed + "\n")
    assert printed == SNAPSHOT.read_text().rstrip("\n")


def test_bench_plan_shape() -> None:
    supergraph = parse_supergraph((HERE / "fixtures" / "bench_supergraph.graphql").read_text())
    built = plan(supergraph, (HERE / "fixtures" / "bench_query.graphql").read_text())
    fetches = _fetches(built.node)  # type: ignore[arg-type]
    # users and topProducts; then one reviews fetch for users and products, inventory for
    # topProducts; then one products and one accounts fetch for every path; then inventory
    # for the products found below the roots (Hive's planner also plans 7 fetches)
    assert len(fetches) == 7
    assert sorted({f.id for f in fetches}) == list(range(7))
    assert [f.service_name for f in fetches] == [
        "accounts",
        "products",
        "reviews",
        "inventory",
        "products",
        "accounts",
        "inventory",
    ]
    inventory = [f for f in fetches if f.service_name == "inventory"]
    for fetch in inventory:  # @requires(fields: "price weight") travels in the representation
        assert "shippingEstimate" in fetch.operation
        assert "price" in str(fetch.requires)
        assert "weight" in str(fetch.requires)
    # @provides(fields: "username"): the reviews subgraph answers author.username itself
    accounts_entities = [f for f in fetches if f.service_name == "accounts" and f.requires]
    assert all("username" not in f.operation for f in accounts_entities)
    assert all(f.operation_name and f.operation_name.startswith("TestQuery__") for f in fetches)


def test_bench_plan_merges_paths_level_by_level() -> None:
    supergraph = parse_supergraph((HERE / "fixtures" / "bench_supergraph.graphql").read_text())
    built = plan(supergraph, (HERE / "fixtures" / "bench_query.graphql").read_text())
    assert isinstance(built.node, Sequence)
    levels = [_fetches(level) for level in built.node.nodes]
    assert [[f.service_name for f in level] for level in levels] == [
        ["accounts", "products"],
        ["reviews", "inventory"],
        ["products", "accounts"],
        ["inventory"],
    ]
    flattens = [n for level in built.node.nodes for n in _flattens(level)]
    by_id = {f.node.id: f.paths for f in flattens if isinstance(f.node, Fetch)}
    assert by_id[2] == (("users", "@"), ("topProducts", "@"))  # User and Product, one request
    product_paths = {
        "users.@.reviews.@.product",
        "users.@.reviews.@.product.reviews.@.author.reviews.@.product",
        "topProducts.@.reviews.@.author.reviews.@.product",
    }
    assert {".".join(p) for p in by_id[4]} == product_paths
    assert {".".join(p) for p in by_id[6]} == product_paths


def _flattens(node: PlanNode) -> list[Flatten]:
    match node:
        case Flatten():
            return [node]
        case Sequence(nodes=nodes) | Parallel(nodes=nodes):
            return [f for child in nodes for f in _flattens(child)]
    return []


def test_bench_plan_stats() -> None:
    supergraph = parse_supergraph((HERE / "fixtures" / "bench_supergraph.graphql").read_text())
    built = plan(supergraph, (HERE / "fixtures" / "bench_query.graphql").read_text())
    assert built.stats == {"fetches": 7, "condition_variables": 0}
