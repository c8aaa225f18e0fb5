"""`@fromContext` through the real executor: subgraph `b` resolves `Item.greeting(who:)` only
from the variable the router passes; the value is `User.name` of the user above each item,
which subgraph `c` resolves. The response equals a monolith's answer (computed here from the
same data), and representations are split into one request per distinct context value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, build_schema, graphql_sync, parse

from router.compose import compose
from router.executor import ExecutionContext, compile_operation, execute_plan
from router.planner import build_plan
from router.supergraph import Supergraph, parse_supergraph
from router.transport.fake import FakeSubgraphClient
from tests.router.compose.compose_fixtures import load_fixture
from tests.router.planner.simulation import SimulatedSubgraph, World
from tests.router.planner.test_plan_context import FRIENDS, INTERFACE, UNION

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


# ---- our composition end to end: union context, conditional and nested selection ---------

A_SDL = """
type Query { teams: [Team!]! people: [Person!]! }
type Team { id: ID! title: String! docs: [Doc!]! }
type Person { id: ID! profile: Profile! docs: [Doc!]! }
type Profile { nick: String! }
type Doc { id: ID! }
"""
B_SDL = """
scalar _Any
union _Entity = Doc
type Query { _entities(representations: [_Any!]!): [_Entity]! }
type Doc { id: ID! label(prefix: String, suffix: String): String! }
"""
TEAMS = [
    {"__typename": "Team", "id": "t1", "title": "Core", "docs": [{"id": "d1"}, {"id": "d2"}]},
    {"__typename": "Team", "id": "t2", "title": "Ops", "docs": [{"id": "d2"}]},
]
PEOPLE = [{"__typename": "Person", "id": "p1", "profile": {"nick": "ada"}, "docs": [{"id": "d1"}]}]


def _graphql_handler(sdl: str, root: dict[str, Any], resolvers: dict[str, Any]) -> Any:
    schema = build_schema(sdl)
    for coordinate, resolve in resolvers.items():
        type_name, field_name = coordinate.split(".")
        schema.type_map[type_name].fields[field_name].resolve = resolve  # type: ignore[union-attr]

    async def answer(body: dict[str, Any]) -> dict[str, Any]:
        result = graphql_sync(schema, body["query"], root, variable_values=body.get("variables"))
        assert result.errors is None, result.errors
        return {"data": result.data}

    return answer


def _label(
    doc: dict[str, Any], _info: Any, prefix: str | None = None, suffix: str | None = None
) -> str:
    return f"{prefix}:{doc['id']}{suffix or ''}"


async def test_union_context_with_our_composition() -> None:
    sources = load_fixture("context_union")
    composed = compose(sources)
    assert composed.supergraph_sdl is not None
    supergraph = parse_supergraph(composed.supergraph_sdl)
    a_root = {
        "teams": [{**t, "docs": [{"__typename": "Doc", **d} for d in t["docs"]]} for t in TEAMS],
        "people": [{**p, "docs": [{"__typename": "Doc", **d} for d in p["docs"]]} for p in PEOPLE],
    }
    b_root = {"_entities": lambda _info, representations: representations}
    client = FakeSubgraphClient(
        {
            "a": _graphql_handler(A_SDL, a_root, {}),
            "b": _graphql_handler(B_SDL, b_root, {"Doc.label": _label}),
        }
    )
    query = '{ teams { docs { label(suffix: "!") } } people { id docs { id label } } }'
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    shape = compile_operation(supergraph.api_schema, operation, {})
    urls = {name: f"http://{name}" for name in supergraph.subgraphs}
    context = ExecutionContext(client, urls, supergraph.api_schema)
    result = await execute_plan(build_plan(supergraph, document), shape, {}, context)

    monolith = {
        "teams": [
            {"docs": [{"label": f"{t['title']}:{d['id']}!"} for d in t["docs"]]} for t in TEAMS
        ],
        "people": [
            {
                "id": p["id"],
                "docs": [
                    {"id": d["id"], "label": f"{p['profile']['nick']}:{d['id']}"} for d in p["docs"]
                ],
            }
            for p in PEOPLE
        ],
    }
    assert result.get("errors") is None, result
    assert result["data"] == monolith
    # d2 under two teams with different titles: two requests for the team path, one for people
    assert len(client.for_service("b")) == 3


# ---- the real executor against the simulated subgraphs (tests/router/planner/simulation.py)


@pytest.mark.parametrize(
    ("supergraph", "query"),
    [
        (SUPERGRAPH, "{ users { id items { id greeting(x: 1) } } }"),
        (FRIENDS, "{ me { posts { title } friends { name posts { title } } } }"),
        (FRIENDS, "{ me { friends { friends { posts { id title } } } } }"),
        (UNION, '{ teams { docs { label(suffix: "!") } } people { id docs { id label } } }'),
        (INTERFACE, "{ owners { __typename docs { label } } }"),
        (INTERFACE, "{ owners { id ... on Team { docs { id label } } } }"),
    ],
)
async def test_simulated_subgraphs_give_the_monolith_result(
    supergraph: Supergraph, query: str
) -> None:
    world = World(supergraph)
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    shape = compile_operation(supergraph.api_schema, operation, {})
    client = FakeSubgraphClient(
        {name: _simulated(SimulatedSubgraph(world, name)) for name in supergraph.subgraphs}
    )
    urls = {name: f"http://{name}" for name in supergraph.subgraphs}
    context = ExecutionContext(client, urls, supergraph.api_schema)
    result = await execute_plan(build_plan(supergraph, document), shape, {}, context)

    assert result.get("errors") is None, result
    assert result["data"] == world.expected(document, {})


def _simulated(subgraph: SimulatedSubgraph) -> Any:
    async def answer(body: dict[str, Any]) -> dict[str, Any]:
        return {"data": subgraph.execute(body["query"], body.get("variables") or {})}

    return answer
