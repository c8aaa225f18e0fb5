"""GraphQL over HTTP against the running router: methods, media types, error codes."""

from __future__ import annotations

import httpx
import pytest

from tests.router.http.stack import Stack

GQL = "application/graphql-response+json"
QUERY = "{ users { name reviews { body } } }"


async def test_post_merges_two_subgraphs(stack: Stack) -> None:
    response = await stack.post(QUERY)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {
        "data": {
            "users": [
                {"name": "Ada", "reviews": [{"body": "great"}]},
                {"name": "Bob", "reviews": []},
            ]
        }
    }


async def test_graphql_response_media_type_when_accepted(stack: Stack) -> None:
    response = await stack.post("{ me { id } }", headers={"accept": GQL})
    assert response.headers["content-type"].startswith(GQL)
    assert response.json() == {"data": {"me": {"id": "1"}}}


async def test_caller_headers_are_propagated(stack: Stack) -> None:
    await stack.post(QUERY, headers={"authorization": "Bearer t", "cookie": "no"})
    assert stack.reviews_log[-1]["headers"]["authorization"] == "Bearer t"
    assert "cookie" not in stack.reviews_log[-1]["headers"]


@pytest.mark.parametrize(("accept", "status"), [(GQL, 400), ("application/json", 200)])
async def test_parse_error(stack: Stack, accept: str, status: int) -> None:
    response = await stack.post("{ users { ", headers={"accept": accept})
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_validation_error(stack: Stack) -> None:
    response = await stack.post("{ users { nope } }", headers={"accept": GQL})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "nope" in error["message"]


async def test_bad_variables(stack: Stack) -> None:
    query = 'mutation($id: ID!) { rename(id: $id, name: "x") { name } }'
    response = await stack.post(query, variables={"id": None}, headers={"accept": GQL})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_mutation_with_variables(stack: Stack) -> None:
    query = "mutation($id: ID!, $n: String!) { rename(id: $id, name: $n) { name reviews { id } } }"
    response = await stack.post(query, variables={"id": "1", "n": "Zed"})
    assert response.json() == {"data": {"rename": {"name": "Zed", "reviews": [{"id": "r1"}]}}}


async def test_get_query(stack: Stack) -> None:
    response = await stack.router.get("/graphql", params={"query": "{ me { name } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"name": "Ada"}}}


async def test_get_mutation_is_405(stack: Stack) -> None:
    params = {"query": 'mutation { rename(id: "1", name: "x") { name } }'}
    response = await stack.router.get("/graphql", params=params)
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]
    assert stack.accounts_log == []


async def test_request_level_errors(stack: Stack) -> None:
    wrong_type = await stack.router.post(
        "/graphql", content=b"{}", headers={"content-type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    bad_json = await stack.router.post(
        "/graphql", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 400
    no_query = await stack.router.post("/graphql", json={"variables": {}})
    assert no_query.status_code == 400
    put = await stack.router.put("/graphql", json={"query": "{ me { id } }"})
    assert put.status_code == 405


async def test_introspection_is_local(stack: Stack) -> None:
    response = await stack.post("{ __schema { queryType { name } } me { id } }")
    assert response.json() == {
        "data": {"__schema": {"queryType": {"name": "Query"}}, "me": {"id": "1"}}
    }
    response = await stack.post('{ __type(name: "User") { fields { name } } }')
    names = [f["name"] for f in response.json()["data"]["__type"]["fields"]]
    assert names == ["id", "name", "reviews"]


async def test_debug_header_returns_the_plan(stack: Stack) -> None:
    response = await stack.post(QUERY, headers={"x-router-debug-plan": "1"})
    plan = response.json()["extensions"]["queryPlan"]
    assert 'Fetch(service: "accounts")' in plan
    assert "extensions" not in (await stack.post(QUERY)).json()


async def test_health_ready_and_graphiql(stack: Stack) -> None:
    assert (await stack.router.get("/health")).json() == {"status": "UP"}
    ready = await stack.router.get("/ready")
    assert ready.status_code == 200
    page = await stack.router.get("/graphql", headers={"accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "/graphiql/assets/graphiql.min.js" in page.text
    assert "https://" not in page.text  # no CDN
    asset = await stack.router.get("/graphiql/assets/graphiql.min.js")
    assert asset.status_code == 200
    assert asset.headers["content-encoding"] == "gzip"
    assert len(asset.content) > 100_000
    missing = await stack.router.get("/graphiql/assets/../pyproject.toml")
    assert missing.status_code == 404


async def test_unaccepted_media_type_is_406(stack: Stack) -> None:
    response = await stack.post(QUERY, headers={"accept": "text/plain"})
    assert response.status_code == 406


async def test_many_concurrent_requests(stack: Stack) -> None:
    import asyncio

    responses = await asyncio.gather(*(stack.post(QUERY) for _ in range(20)))
    assert all(r.status_code == 200 and "errors" not in r.json() for r in responses)


def test_httpx_is_the_client() -> None:
    assert httpx.__version__
