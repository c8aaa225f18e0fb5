"""graphql-cop's 13 checks (dolevf/graphql-cop, rewritten as pytest: the PyPI name is a
placeholder), plus depth and recursion bombs, large bodies, directive overloading, circular
fragments and the CSRF matrix, against the router over real HTTP in the production profile."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from policystack import Stack, policy_stack

JSON = {"content-type": "application/json"}
PREFLIGHT = {"apollo-require-preflight": "true"}


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    async with policy_stack(tmp_path_factory.mktemp("cop"), {}, profile="production") as s:
        yield s


def codes(response: httpx.Response) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in response.json().get("errors", [])]


def executed(response: httpx.Response) -> bool:
    body: dict[str, Any] = response.json()
    return bool(body.get("data"))


# ---- the 13 graphql-cop checks -------------------------------------------------------------


async def test_alias_overloading(stack: Stack) -> None:
    query = "query cop { " + " ".join(f"alias{i}:__typename" for i in range(101)) + " }"
    response = await stack.post(query)
    assert not executed(response)
    assert codes(response) == ["MAX_ALIASES_LIMIT"]


async def test_array_batching(stack: Stack) -> None:
    response = await stack.client.post("/graphql", json=[{"query": "{ hello }"}] * 10)
    assert response.status_code == 400
    assert not isinstance(response.json(), list)


async def test_field_duplication(stack: Stack) -> None:
    response = await stack.post("query cop { " + "__typename " * 500 + "}")
    assert not executed(response)
    assert codes(response) == ["MAX_ROOT_FIELDS_LIMIT"]
    nested = await stack.post("query cop { me { " + "__typename " * 500 + "} }")
    assert not executed(nested)
    assert codes(nested) == ["MAX_FIELDS_LIMIT"]


async def test_directive_overloading(stack: Stack) -> None:
    response = await stack.post("query cop { __typename " + "@aa" * 10 + " }")
    assert not executed(response)
    assert len(response.json()["errors"]) < 10
    huge = await stack.post("query cop { __typename " + "@aa" * 10_000 + " }")
    assert not executed(huge)
    assert len(huge.json()["errors"]) <= 21


async def test_circular_introspection(stack: Stack) -> None:
    query = (
        "query cop { __schema { types { fields { type { fields { type { fields { name } } } } } "
        "} } }"
    )
    response = await stack.post(query)
    assert not executed(response)
    assert codes(response)[0] in ("INTROSPECTION_DISABLED", "GRAPHQL_VALIDATION_FAILED")
    assert not stack.log


async def test_get_mutation_is_refused(stack: Stack) -> None:
    params = {"query": 'mutation cop { rename(id: "1", name: "x") { id } }'}
    response = await stack.client.get("/graphql", params=params, headers=PREFLIGHT)
    assert response.status_code in (400, 405)
    assert not stack.log or "rename" not in str(stack.log[-1]["body"])


async def test_get_mutation_over_event_stream_is_refused(stack: Stack) -> None:
    """GraphQL over SSE (Accept: text/event-stream) never runs a GET mutation either."""
    params = {"query": 'mutation cop { rename(id: "1", name: "sse") { id } }'}
    headers = {**PREFLIGHT, "accept": "text/event-stream"}
    before = len(stack.log)
    response = await stack.client.get("/graphql", params=params, headers=headers)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "event: complete" in response.text
    assert '"code":"BAD_REQUEST"' in response.text
    assert "Only queries can be sent with GET" in response.text
    assert len(stack.log) == before  # no subgraph call
    query = await stack.client.get(
        "/graphql", params={"query": "query cop { hello }"}, headers=headers
    )
    assert '"hello":"world"' in query.text  # a GET query over SSE runs


async def test_get_query_without_preflight_header_is_refused(stack: Stack) -> None:
    response = await stack.client.get("/graphql", params={"query": "query cop { __typename }"})
    assert response.status_code == 400
    assert "CSRF" in response.json()["errors"][0]["message"]


async def test_post_urlencoded_is_refused(stack: Stack) -> None:
    response = await stack.client.post("/graphql", data={"query": "query cop { __typename }"})
    assert response.status_code == 400
    assert "data" not in response.json()


async def test_no_tracing_extension(stack: Stack) -> None:
    response = await stack.post("query cop { __typename }")
    assert response.json() == {"data": {"__typename": "Query"}}
    assert "tracing" not in response.json().get("extensions", {})


async def test_introspection_is_off(stack: Stack) -> None:
    for query in ("{ __schema { types { name } } }", '{ __type(name: "Query") { name } }'):
        response = await stack.post(query)
        assert not executed(response)
        assert codes(response) == ["INTROSPECTION_DISABLED"]
    assert (await stack.post("{ __typename }")).json() == {"data": {"__typename": "Query"}}


async def test_no_ide(stack: Stack) -> None:
    response = await stack.client.get("/graphql", headers={"accept": "text/html", **PREFLIGHT})
    assert "graphiql" not in response.text.lower()
    assert "playground" not in response.text.lower()


async def test_no_field_suggestions(stack: Stack) -> None:
    for query in ("{ __schema { directive } }", "{ helo }", "{ users { nam } }"):
        response = await stack.post(query)
        assert not executed(response)
        assert "Did you mean" not in response.text


async def test_unhandled_errors_leak_no_trace(stack: Stack) -> None:
    response = await stack.post("qwerty cop { abc }")
    body = response.json()
    assert codes(response) == ["GRAPHQL_PARSE_FAILED"]
    assert "exception" not in str(body)
    assert "Traceback" not in str(body)


# ---- bombs and sizes -----------------------------------------------------------------------


@pytest.mark.parametrize("depth", [101, 500, 5_000, 50_000])
async def test_depth_bombs_are_rejected_fast(stack: Stack, depth: int) -> None:
    query = "{ " + "me { friends { " * (depth // 2) + "id" + " } }" * (depth // 2) + " }"
    start = time.perf_counter()
    response = await stack.post(query)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200
    assert codes(response) == ["MAX_DEPTH_LIMIT"]
    assert elapsed < 0.5  # loopback HTTP included


async def test_nested_list_literal_bomb(stack: Stack) -> None:
    query = "{ users(first: " + "[" * 50_000 + "]" * 50_000 + ") { id } }"
    response = await stack.post(query)
    assert codes(response) == ["MAX_DEPTH_LIMIT"]


async def test_circular_fragments(stack: Stack) -> None:
    query = "query { ...A } fragment A on Query { hello ...B } fragment B on Query { ...A }"
    response = await stack.post(query)
    assert not executed(response)
    assert codes(response) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_fragment_fan_out_bomb(stack: Stack) -> None:
    fragments = " ".join(f"fragment F{i} on User {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30))
    query = "{ me { ...F0 } } " + fragments + " fragment F30 on User { id }"
    response = await stack.post(query)
    assert not executed(response)


async def test_large_body_is_413(stack: Stack) -> None:
    body = b'{"query": "{ hello }", "variables": {"x": "' + b"a" * 3_000_000 + b'"}}'
    response = await stack.client.post("/graphql", content=body, headers=JSON)
    assert response.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(30):
            yield b"a" * 100_000

    chunked = await stack.client.post("/graphql", content=chunks(), headers=JSON)
    assert chunked.status_code == 413


async def test_token_limit(stack: Stack) -> None:
    query = "{ hello(" + " ".join(f"a{i}: 1" for i in range(10_000)) + ") }"
    response = await stack.post(query)
    assert not executed(response)


# ---- CSRF matrix (anchors §1 #12) ----------------------------------------------------------


async def test_csrf_matrix(stack: Stack) -> None:
    client = stack.client
    query = "query cop { hello }"
    cases: list[tuple[str, Any, int]] = [
        ("GET query, no header", client.get("/graphql", params={"query": query}), 400),
        (
            "GET query, preflight header",
            client.get("/graphql", params={"query": query}, headers=PREFLIGHT),
            200,
        ),
        (
            "POST text/plain with JSON",
            client.post(
                "/graphql",
                content=b'{"query": "{ hello }"}',
                headers={"content-type": "text/plain"},
            ),
            400,
        ),
        ("POST form", client.post("/graphql", data={"query": query}), 400),
        (
            "POST text/plain; x=application/json",
            client.post(
                "/graphql",
                content=b'{"query": "{ hello }"}',
                headers={"content-type": "text/plain; x=application/json"},
            ),
            400,
        ),
        (
            "GET mutation, preflight header",
            client.get(
                "/graphql",
                params={"query": 'mutation { rename(id: "1", name: "x") { id } }'},
                headers=PREFLIGHT,
            ),
            405,
        ),
        ("POST application/json", client.post("/graphql", json={"query": query}), 200),
    ]
    for name, request, status in cases:
        response = await request
        assert response.status_code == status, name
    assert not any("rename" in str(entry["body"]) for entry in stack.log)


async def test_subgraph_errors_are_masked_in_production(stack: Stack) -> None:
    response = await stack.post("{ hello boom }")
    body = response.json()
    assert body["data"] == {"hello": "world", "boom": None}
    assert "hunter2" not in response.text
    assert body["errors"][0]["message"] == "Subgraph errors redacted"
    assert body["errors"][0]["path"] == ["boom"]
