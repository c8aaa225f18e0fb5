"""Executor over hand-built plans and a fake transport."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, build_schema, parse

from router.executor import ExecutionContext, compile_operation, execute_plan
from router.plan import (
    Condition,
    Fetch,
    FieldSelection,
    Flatten,
    InlineFragmentSelection,
    Parallel,
    QueryPlan,
    Sequence,
)
from router.transport import FailureKind, SubgraphFailure
from router.transport.fake import FakeSubgraphClient, static

SDL = """
type Query { users: [User] me: User! topProducts(first: Int = 5): [Product] node(id: ID!): Node }
interface Node { id: ID! }
type User implements Node { id: ID! name: String username: String reviews: [Review!] }
type Review implements Node { id: ID! body: String! author: User product: Product }
type Product { upc: String! name: String price: Int inStock: Boolean }
"""
SCHEMA = build_schema(SDL)
URLS = {name: f"http://{name}" for name in ("accounts", "reviews", "products", "inventory")}

USER_KEY = (InlineFragmentSelection("User", (FieldSelection("__typename"), FieldSelection("id"))),)


def run(
    plan: QueryPlan,
    query: str,
    client: FakeSubgraphClient,
    variables: dict[str, Any] | None = None,
    schema: GraphQLSchema = SCHEMA,
) -> Any:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    shape = compile_operation(schema, operation, fragments)  # type: ignore[arg-type]
    context = ExecutionContext(client, URLS, schema, headers=(("authorization", "Bearer a"),))
    return execute_plan(plan, shape, variables or {}, context)


def users_fetch() -> Fetch:
    return Fetch("accounts", "{ users { __typename id name } }")


def reviews_fetch(selection: str = "reviews { body }") -> Flatten:
    operation = (
        "query($representations: [_Any!]!) { _entities(representations: $representations) "
        f"{{ ... on User {{ {selection} }} }} }}"
    )
    return Flatten(("users", "@"), Fetch("reviews", operation, requires=USER_KEY))


USERS = {
    "data": {
        "users": [
            {"__typename": "User", "id": "1", "name": "Ada"},
            {"__typename": "User", "id": "2", "name": "Bob"},
            {"__typename": "User", "id": "1", "name": "Ada"},
        ]
    }
}


async def entities_echo(body: dict[str, Any]) -> dict[str, Any]:
    reps = body["variables"]["representations"]
    return {"data": {"_entities": [{"reviews": [{"body": f"by {r['id']}"}]} for r in reps]}}


async def test_merges_entity_results_in_client_order_with_aliases() -> None:
    client = FakeSubgraphClient({"accounts": static(USERS), "reviews": entities_echo})
    plan = QueryPlan(Sequence((users_fetch(), reviews_fetch())))
    result = await run(plan, "{ users { reviews { body } n: name id } }", client)
    assert result == {
        "data": {
            "users": [
                {"reviews": [{"body": "by 1"}], "n": None, "id": "1"},
                {"reviews": [{"body": "by 2"}], "n": None, "id": "2"},
                {"reviews": [{"body": "by 1"}], "n": None, "id": "1"},
            ]
        }
    }
    assert list(result["data"]["users"][0]) == ["reviews", "n", "id"]


async def test_identical_representations_are_sent_once_and_fanned_back() -> None:
    client = FakeSubgraphClient({"accounts": static(USERS), "reviews": entities_echo})
    plan = QueryPlan(Sequence((users_fetch(), reviews_fetch())))
    result = await run(plan, "{ users { id reviews { body } } }", client)
    (request,) = client.for_service("reviews")
    assert request.body["variables"]["representations"] == [
        {"__typename": "User", "id": "1"},
        {"__typename": "User", "id": "2"},
    ]
    assert [u["reviews"][0]["body"] for u in result["data"]["users"]] == ["by 1", "by 2", "by 1"]
    assert request.request.headers == (("authorization", "Bearer a"),)


async def test_non_null_violation_propagates_to_nearest_nullable_parent() -> None:
    bad = {"data": {"_entities": [{"reviews": [{"body": None}]}, {"reviews": []}]}}
    client = FakeSubgraphClient({"accounts": static(USERS), "reviews": static(bad)})
    plan = QueryPlan(Sequence((users_fetch(), reviews_fetch())))
    result = await run(plan, "{ users { id reviews { body } } }", client)
    # body is String!, reviews is [Review!]: the null reaches the nullable `reviews` list
    assert result["data"]["users"][0] == {"id": "1", "reviews": None}
    assert result["data"]["users"][1] == {"id": "2", "reviews": []}
    assert result["errors"][0]["path"] == ["users", 0, "reviews", 0, "body"]
    assert result["errors"][0]["extensions"]["code"] == "NON_NULL_VIOLATION"


async def test_null_at_non_null_root_field_nulls_data() -> None:
    client = FakeSubgraphClient({"accounts": static({"data": {"me": None}})})
    plan = QueryPlan(Fetch("accounts", "{ me { id } }"))
    result = await run(plan, "{ me { id } }", client)
    assert result["data"] is None
    assert result["errors"][0]["path"] == ["me"]


async def test_entity_errors_are_repathed_to_client_paths() -> None:
    answer = {
        "data": {"_entities": [{"reviews": None}, {"reviews": [{"body": "x"}]}]},
        "errors": [{"message": "boom", "path": ["_entities", 0, "reviews"]}],
    }
    client = FakeSubgraphClient({"accounts": static(USERS), "reviews": static(answer)})
    plan = QueryPlan(Sequence((users_fetch(), reviews_fetch())))
    result = await run(plan, "{ users { reviews { body } } }", client)
    paths = [e["path"] for e in result["errors"]]
    assert paths == [["users", 0, "reviews"], ["users", 2, "reviews"]]
    assert result["errors"][0]["extensions"] == {
        "code": "DOWNSTREAM_SERVICE_ERROR",
        "service": "reviews",
    }


async def test_failing_subgraph_gives_partial_data_and_located_error() -> None:
    async def down(_: dict[str, Any]) -> SubgraphFailure:
        return SubgraphFailure(FailureKind.CONNECT, "connection refused")

    client = FakeSubgraphClient({"accounts": static(USERS), "reviews": down})
    plan = QueryPlan(Sequence((users_fetch(), reviews_fetch())))
    result = await run(plan, "{ users { name reviews { body } } }", client)
    assert result["data"]["users"][1] == {"name": "Bob", "reviews": None}
    (error,) = result["errors"]
    assert error["extensions"] == {"code": "SUBGRAPH_REQUEST_FAILED", "service": "reviews"}
    assert error["path"] == ["users"]


async def test_failing_root_fetch_keeps_other_parallel_branches() -> None:
    async def down(_: dict[str, Any]) -> SubgraphFailure:
        return SubgraphFailure(FailureKind.TIMEOUT, "timed out")

    products = {"data": {"topProducts": [{"upc": "1", "name": "Chair"}]}}
    client = FakeSubgraphClient({"accounts": down, "products": static(products)})
    plan = QueryPlan(Parallel((users_fetch(), Fetch("products", "{ topProducts { upc name } }"))))
    result = await run(plan, "{ users { id } topProducts { name } }", client)
    assert result["data"] == {"users": None, "topProducts": [{"name": "Chair"}]}
    assert result["errors"][0]["extensions"]["service"] == "accounts"


async def test_requires_skips_objects_of_other_types() -> None:
    nodes = {"data": {"node": {"__typename": "Review", "id": "9", "body": "b"}}}
    client = FakeSubgraphClient({"reviews": static(nodes), "accounts": static(USERS)})
    plan = QueryPlan(
        Sequence(
            (
                Fetch("reviews", '{ node(id: "9") { __typename id ... on Review { body } } }'),
                Flatten(("node",), Fetch("accounts", "{ _entities }", requires=USER_KEY)),
            )
        )
    )
    query = '{ node(id: "9") { __typename id ... on User { name } ... on Review { body } } }'
    result = await run(plan, query, client)
    assert result == {"data": {"node": {"__typename": "Review", "id": "9", "body": "b"}}}
    assert client.for_service("accounts") == []


async def test_fragments_skip_include_and_condition_nodes() -> None:
    users = {"data": {"users": [{"__typename": "User", "id": "1", "name": "Ada"}]}}
    client = FakeSubgraphClient({"accounts": static(users), "reviews": entities_echo})
    plan = QueryPlan(Sequence((users_fetch(), Condition("withReviews", reviews_fetch(), None))))
    query = """
      query($withReviews: Boolean!, $noName: Boolean!) {
        users { ...U  reviews @include(if: $withReviews) { body } __typename }
      }
      fragment U on User { id name @skip(if: $noName) }
    """
    on = await run(plan, query, client, {"withReviews": True, "noName": True})
    assert on["data"]["users"] == [{"id": "1", "reviews": [{"body": "by 1"}], "__typename": "User"}]
    off = await run(plan, query, client, {"withReviews": False, "noName": False})
    assert off["data"]["users"] == [{"id": "1", "name": "Ada", "__typename": "User"}]
    assert len(client.for_service("reviews")) == 1


async def test_variables_are_forwarded_only_when_used() -> None:
    client = FakeSubgraphClient({"products": static({"data": {"topProducts": []}})})
    plan = QueryPlan(
        Fetch(
            "products",
            "query($n: Int) { topProducts(first: $n) { upc } }",
            variable_usages=("n",),
        )
    )
    result = await run(
        plan, "query($n: Int, $x: Int) { topProducts(first: $n) { upc } }", client, {"n": 2, "x": 1}
    )
    assert result == {"data": {"topProducts": []}}
    assert client.requests[0].body["variables"] == {"n": 2}


@pytest.mark.parametrize("raw", [b"not json", b"[1]"])
async def test_invalid_subgraph_body_is_an_error_not_a_crash(raw: bytes) -> None:
    from router.transport import SubgraphRequest, SubgraphResponse

    class Broken(FakeSubgraphClient):
        async def execute(self, request: SubgraphRequest) -> SubgraphResponse:
            return SubgraphResponse(raw=raw)

    result = await run(QueryPlan(users_fetch()), "{ users { id } }", Broken())
    assert result["data"] == {"users": None}
    assert result["errors"][0]["extensions"]["code"] == "SUBREQUEST_MALFORMED_RESPONSE"


async def test_unhashable_and_nested_keys_and_typed_paths() -> None:
    nodes = {
        "data": {
            "grid": [
                [{"__typename": "User", "id": "1", "tags": ["a"], "org": {"id": "o"}}],
                [None, {"__typename": "Review", "id": "2"}],
                [{"__typename": "User", "id": "1", "tags": ["a"], "org": {"id": "o"}}],
            ]
        }
    }
    flat_list_key = (
        InlineFragmentSelection(
            "User",
            (FieldSelection("__typename"), FieldSelection("id"), FieldSelection("tags")),
        ),
    )
    nested_key = (
        InlineFragmentSelection(
            "User",
            (FieldSelection("__typename"), FieldSelection("org", (FieldSelection("id"),))),
        ),
    )

    async def echo(body: dict[str, Any]) -> dict[str, Any]:
        reps = body["variables"]["representations"]
        return {"data": {"_entities": [{"name": f"n{len(reps)}"} for _ in reps]}}

    client = FakeSubgraphClient({"accounts": static(nodes), "reviews": echo, "products": echo})
    plan = QueryPlan(
        Sequence(
            (
                Fetch("accounts", "{ grid }"),
                Parallel(
                    (
                        Flatten(
                            ("grid", "@", "@|[User]"),
                            Fetch("reviews", "{}", requires=flat_list_key),
                        ),
                        Flatten(
                            ("grid|[Nope]", "@", "@"), Fetch("products", "{}", requires=nested_key)
                        ),
                    )
                ),
            )
        )
    )
    schema = build_schema(SDL + " extend type Query { grid: [[Node]] }")
    query = "{ grid { __typename id ... on User { name } } }"
    result = await run(plan, query, client, schema=schema)
    assert "errors" not in result, result
    assert result["data"]["grid"][0] == [{"__typename": "User", "id": "1", "name": "n1"}]
    assert result["data"]["grid"][1] == [None, {"__typename": "Review", "id": "2"}]
    (request,) = client.for_service("reviews")
    assert request.body["variables"]["representations"] == [
        {"__typename": "User", "id": "1", "tags": ["a"]}
    ]
    assert client.for_service("products") == []  # no object matched the path's type condition


async def test_flatten_with_several_paths_sends_one_request() -> None:
    # `users` and `me` both hold User 1: one representation, the answer reaches both places;
    # an entity error is re-pathed to every place its object sits
    data = {
        "data": {
            "users": [{"__typename": "User", "id": "1"}, {"__typename": "User", "id": "2"}],
            "me": {"__typename": "User", "id": "1"},
        }
    }
    answer = {
        "data": {"_entities": [{"name": "Ada"}, {"name": None}]},
        "errors": [{"message": "hidden", "path": ["_entities", 1, "name"]}],
    }
    client = FakeSubgraphClient({"reviews": static(data), "accounts": static(answer)})
    operation = (
        "query($representations: [_Any!]!) { _entities(representations: $representations) "
        "{ ... on User { name } } }"
    )
    names = Flatten(("users", "@"), Fetch("accounts", operation, requires=USER_KEY), (("me",),))
    plan = QueryPlan(
        Sequence((Fetch("reviews", "{ users { __typename id } me { __typename id } }"), names))
    )
    result = await run(plan, "{ users { name } me { name } }", client)
    (request,) = client.for_service("accounts")
    assert request.body["variables"]["representations"] == [
        {"__typename": "User", "id": "1"},
        {"__typename": "User", "id": "2"},
    ]
    assert result["data"] == {"users": [{"name": "Ada"}, {"name": None}], "me": {"name": "Ada"}}
    assert [e["path"] for e in result["errors"]] == [["users", 1, "name"]]


async def test_failed_multi_path_fetch_reports_the_common_prefix() -> None:
    async def down(_: dict[str, Any]) -> SubgraphFailure:
        return SubgraphFailure(FailureKind.CONNECT, "connection refused")

    author = {"__typename": "User", "id": "2"}
    users = [{"__typename": "User", "id": "1", "reviews": [{"body": "b", "author": author}]}]
    client = FakeSubgraphClient({"reviews": static({"data": {"users": users}}), "accounts": down})
    operation = (
        "query($representations: [_Any!]!) { _entities(representations: $representations) "
        "{ ... on User { name } } }"
    )
    paths = (("users", "@", "reviews", "@", "author"),)
    names = Flatten(("users", "@"), Fetch("accounts", operation, requires=USER_KEY), paths)
    root = Fetch("reviews", "{ users { __typename id reviews { body author { __typename id } } } }")
    plan = QueryPlan(Sequence((root, names)))
    result = await run(plan, "{ users { name reviews { body author { name } } } }", client)
    assert result["data"] == {
        "users": [{"name": None, "reviews": [{"body": "b", "author": {"name": None}}]}]
    }
    (error,) = result["errors"]
    assert error["path"] == ["users"]


@pytest.mark.parametrize("owner_first", [True, False])
async def test_split_node_answers_merge_non_null_wins(owner_first: bool) -> None:
    # the planner fetches a shared `node` from every subgraph that may own the id; the ones
    # that do not own it answer null, which must not erase the owner's object
    owner = {"data": {"node": {"__typename": "User", "id": "u1", "name": "Ada"}}}
    other = {"data": {"node": None}}
    client = FakeSubgraphClient({"accounts": static(owner), "reviews": static(other)})
    fetches = (
        Fetch("accounts", '{ node(id: "u1") { __typename ... on User { id name } } }'),
        Fetch("reviews", '{ node(id: "u1") { __typename ... on Review { id body } } }'),
    )
    plan = QueryPlan(Parallel(fetches if owner_first else fetches[::-1]))
    query = '{ node(id: "u1") { id ... on User { name } ... on Review { body } } }'
    result = await run(plan, query, client)
    assert result == {"data": {"node": {"id": "u1", "name": "Ada"}}}
