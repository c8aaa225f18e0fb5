"""The real planner and the real executor against simulated subgraphs (which answer only what
the join metadata lets them resolve, see tests/router/planner/simulation.py): the response
equals graphql-core executing the operation on the API schema over the same data. Covers
plans with merged multi-path fetches, level-by-level schedules and a split `node`."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse, validate
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from router.executor import ExecutionContext, compile_operation, execute_plan
from router.planner import build_plan
from router.supergraph import Supergraph, parse_supergraph
from router.transport.fake import FakeSubgraphClient, Handler
from tests.router.planner.simulation import SimulatedSubgraph, World
from tests.router.planner.test_plan_merging import YARD
from tests.router.planner.test_plan_node import MEDIA, QUERY
from tests.router.planner.test_plan_properties import operations
from tests.router.planner.test_plan_simulated import FIXTURES


def _handler(subgraph: SimulatedSubgraph) -> Handler:
    async def answer(body: dict[str, Any]) -> dict[str, Any]:
        return {"data": subgraph.execute(body["query"], body.get("variables") or {})}

    return answer


async def _execute(supergraph: Supergraph, world: World, query: str) -> dict[str, Any]:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    shape = compile_operation(supergraph.api_schema, operation, fragments)  # type: ignore[arg-type]
    client = FakeSubgraphClient(
        {name: _handler(SimulatedSubgraph(world, name)) for name in supergraph.subgraphs}
    )
    urls = {name: f"http://{name}" for name in supergraph.subgraphs}
    context = ExecutionContext(client, urls, supergraph.api_schema)
    return await execute_plan(build_plan(supergraph, document), shape, {}, context)


BENCH = parse_supergraph((FIXTURES / "bench_supergraph.graphql").read_text())


@pytest.mark.parametrize(
    ("supergraph", "query"),
    [
        (BENCH, (FIXTURES / "bench_query.graphql").read_text()),
        (YARD, "{ items { price } things { score item { price } } }"),
        (YARD, "{ items { price } things { item { price } } gadgets { tags } }"),
        (YARD, "{ items { x: price } things { x: score } }"),
    ],
)
async def test_merged_plans_through_the_executor(supergraph: Supergraph, query: str) -> None:
    world = World(supergraph)
    result = await _execute(supergraph, world, query)
    assert "errors" not in result
    assert result["data"] == world.expected(parse(query), {})


@pytest.mark.parametrize("type_name", ["Doc", "Pic", "Vid"])
async def test_split_node_through_the_executor(type_name: str) -> None:
    world = World(MEDIA)
    world.root["node"] = world.objects[type_name][1]
    result = await _execute(MEDIA, world, QUERY)
    assert "errors" not in result
    assert result["data"] == world.expected(parse(QUERY), {})
    assert result["data"]["node"]["id"] == f"{type_name}.id.1"


@pytest.mark.parametrize("name", ["bench", "yard", "media"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_operations_through_the_executor(name: str, data: st.DataObject) -> None:
    supergraph = {"bench": BENCH, "yard": YARD, "media": MEDIA}[name]
    query = data.draw(operations(supergraph))
    assume("strict" not in query)  # MEDIA's non-null `strict` is not split
    assume(not validate(supergraph.api_schema, parse(query)))
    world = World(supergraph)
    result = asyncio.run(_execute(supergraph, world, query))
    assert "errors" not in result
    assert result["data"] == world.expected(parse(query), {})
