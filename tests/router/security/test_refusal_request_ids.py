"""Every refusal names the request: `x-request-id` on the response and the same id in each
error's `extensions.requestId`, with an `extensions.code`, whether the HTTP layer refused
(413, 415, CSRF 400, bad JSON, 405 method) or a policy or stage did (401, 429, GET mutation,
validation)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from policystack import Stack, policy_stack

JSON = {"content-type": "application/json"}
PREFLIGHT = {"apollo-require-preflight": "true"}
HOST = {"host": "acme.example.test"}
POLICIES = {
    "tenant": {"enabled": True, "base_domain": "example.test"},
    "jwt": {"enabled": True},
    "rate_limit": {
        "enabled": True,
        "capacity": 1000,
        "refill_per_second": 0.01,
        "per_tenant": {"tiny": 1},
    },
}


@pytest.fixture(scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    path = tmp_path_factory.mktemp("refusals")
    async with policy_stack(path, POLICIES, profile="production", max_body_bytes=20_000) as s:
        yield s


def assert_named(response: httpx.Response, status: int, code: str, rid: str | None) -> None:
    assert response.status_code == status, response.text
    header = response.headers["x-request-id"]
    if rid is not None:
        assert header == rid
    else:
        assert len(header) == 32  # generated
    errors: list[dict[str, Any]] = response.json()["errors"]
    assert errors
    assert "data" not in response.json()
    assert {e["extensions"]["requestId"] for e in errors} == {header}
    assert errors[0]["extensions"]["code"] == code


async def test_http_layer_refusals(stack: Stack) -> None:
    c = stack.client
    big = b'{"query": "{ hello }", "variables": {"x": "' + b"a" * 30_000 + b'"}}'
    cases: list[tuple[str, Any, int, str]] = [
        ("413", c.post("/graphql", content=big, headers=JSON), 413, "PAYLOAD_TOO_LARGE"),
        (
            "415",
            c.post("/graphql", content=b"<q/>", headers={"content-type": "application/xml"}),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "csrf",
            c.post(
                "/graphql", content=b'{"query":"{ hello }"}', headers={"content-type": "text/plain"}
            ),
            400,
            "CSRF_PREVENTED",
        ),
        ("bad json", c.post("/graphql", content=b'{"query": ', headers=JSON), 400, "BAD_REQUEST"),
        ("not an object", c.post("/graphql", content=b"[1]", headers=JSON), 400, "BAD_REQUEST"),
        ("405", c.put("/graphql", content=b"{}", headers=JSON), 405, "METHOD_NOT_ALLOWED"),
        (
            "406",
            c.post("/graphql", json={"query": "{ hello }"}, headers={"accept": "text/csv"}),
            406,
            "NOT_ACCEPTABLE",
        ),
        (
            "bad variables in GET",
            c.get("/graphql", params={"query": "{ hello }", "variables": "{"}, headers=PREFLIGHT),
            400,
            "BAD_REQUEST",
        ),
    ]
    for name, request, status, code in cases:
        response = await request
        assert response.status_code == status, name
        assert_named(response, status, code, None)
    # an id sent by the caller is the one used
    own = await c.post("/graphql", content=b"{", headers={**JSON, "x-request-id": "mine-1"})
    assert_named(own, 400, "BAD_REQUEST", "mine-1")
    assert not stack.log  # nothing reached the subgraph


async def test_policy_and_stage_refusals(stack: Stack) -> None:
    c = stack.client
    bad_token = {**HOST, "authorization": "Bearer not.a.jwt", "x-request-id": "r-401"}
    assert_named(await stack.post("{ hello }", headers=bad_token), 401, "UNAUTHENTICATED", "r-401")

    tiny = {"host": "tiny.example.test"}
    first = await stack.post("{ hello }", headers=tiny)
    assert first.status_code == 200
    assert "requestId" not in first.text  # successful answers are unchanged
    limited = await stack.post("{ hello }", headers={**tiny, "x-request-id": "r-429"})
    assert_named(limited, 429, "RATE_LIMITED", "r-429")

    mutation = 'mutation { rename(id: "1", name: "x") { id } }'
    get = await c.get(
        "/graphql",
        params={"query": mutation},
        headers={**HOST, **PREFLIGHT, "x-request-id": "r-405"},
    )
    assert_named(get, 405, "BAD_REQUEST", "r-405")

    invalid = await stack.post("{ nope }", headers={**HOST, "x-request-id": "r-val"})
    assert_named(invalid, 200, "GRAPHQL_VALIDATION_FAILED", "r-val")
    again = await stack.post("{ nope }", headers={**HOST, "x-request-id": "r-val-2"})
    assert_named(again, 200, "GRAPHQL_VALIDATION_FAILED", "r-val-2")  # cached error, own id


async def test_event_stream_refusals(stack: Stack) -> None:
    """GraphQL over SSE (Accept: text/event-stream) refuses the same way."""
    c = stack.client
    sse = {"accept": "text/event-stream"}
    csrf = await c.post(
        "/graphql",
        content=b'{"query": "subscription { x }"}',
        headers={**sse, "content-type": "text/plain", "x-request-id": "sse-1"},
    )
    assert_named(csrf, 400, "CSRF_PREVENTED", "sse-1")
    bad = await c.post("/graphql", content=b"{", headers={**sse, **JSON})
    assert_named(bad, 400, "BAD_REQUEST", None)
