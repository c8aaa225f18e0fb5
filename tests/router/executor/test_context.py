"""`@fromContext` through the real executor: subgraph `b` resolves `Item.greeting(who:)` only
from the variable the router passes; the value is `User.name` of the user above each item,
which subgraph `c` resolves. The response equals a monolith's answer (computed here from the
same data), and representations are split into one request per distinct context value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse

from router.executor import ExecutionContext, compile_operation, execute_plan
from router.planner import build_plan
from router.supergraph import parse_supergraph
from router.transport.fake import FakeSubgraphClient

SUPERGRAPH = parse_supergraph(
    (Path(__file__).parents[1] / "planner" / "fixtures" / "context_guild.graphql").read_text()
)
USERS = [
    {"id": "u1", "name": "Ada", "items": ["i1", "i2"]},
    {"id": "u2", "name": "Bob", "items": ["i2", "i3"]},  # i2 under two users
    {"id": "u3", "name": "Ada", "items": ["i4"]},  # same context value as u1
]
NAMES = {u["id"]: u["name"] for u in USERS}


async def _a(body: dict[str, Any]) -> dict[str, Any]:
    assert "users" in body["query"]
    users = [
        {
            "__typename": "User",
            "id": u["id"],
            "items": [{"__typename": "Item", "id": i} for i in u["items"]],
        }
        for u in USERS
    ]
    return {"data": {"users": users}}


async def _c(body: dict[str, Any]) -> dict[str, Any]:
    reps = body["variables"]["representations"]
    return {"data": {"_entities": [{"name": NAMES[r["id"]]} for r in reps]}}


async def _b(body: dict[str, Any]) -> dict[str, Any]:
    variables = body["variables"]
    assert "contextualArgument_0" in variables
    who = variables["contextualArgument_0"]
    entities = [{"greeting": f"hello {who} from {r['id']}"} for r in variables["representations"]]
    return {"data": {"_entities": entities}}


async def test_context_values_reach_the_subgraph_per_ancestor() -> None:
    query = "{ users { id items { id greeting(x: 1) } } }"
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    shape = compile_operation(SUPERGRAPH.api_schema, operation, {})
    client = FakeSubgraphClient({"a": _a, "b": _b, "c": _c})
    urls = {name: f"http://{name}" for name in SUPERGRAPH.subgraphs}
    context = ExecutionContext(client, urls, SUPERGRAPH.api_schema)
    result = await execute_plan(build_plan(SUPERGRAPH, document), shape, {}, context)
    monolith = {
        "users": [
            {
                "id": u["id"],
                "items": [{"id": i, "greeting": f"hello {u['name']} from {i}"} for i in u["items"]],
            }
            for u in USERS
        ]
    }
    assert result.get("errors") is None
    assert result["data"] == monolith
    b_requests = client.for_service("b")
    # two distinct names (Ada twice): two requests, each representation once per request
    assert sorted(r.body["variables"]["contextualArgument_0"] for r in b_requests) == ["Ada", "Bob"]
    ada = next(r for r in b_requests if r.body["variables"]["contextualArgument_0"] == "Ada")
    assert [r["id"] for r in ada.body["variables"]["representations"]] == ["i1", "i2", "i4"]
