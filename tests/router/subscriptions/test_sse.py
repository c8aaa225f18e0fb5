"""GraphQL over Server-Sent Events (distinct connections mode) through the router."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from subscription_client import Stack, start_stack
from subscription_servers import Recorder

STREAM = {"accept": "text/event-stream"}


async def events(response: httpx.Response) -> list[tuple[str, Any]]:
    """(event, data) pairs until `complete`; comments (keep-alives) are skipped."""
    found: list[tuple[str, Any]] = []
    kind, data = "", ""
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data = line[5:].strip()
        elif line == "" and kind:
            found.append((kind, orjson.loads(data) if data else None))
            if kind == "complete":
                return found
            kind, data = "", ""
    return found


async def test_subscription_over_sse(stack: Stack) -> None:
    query = "subscription { reviewAdded(count: 2, intervalMs: 5) { id author { name } } }"
    async with (
        httpx.AsyncClient(timeout=10) as client,
        client.stream("POST", stack.url, json={"query": query}, headers=STREAM) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        got = await events(response)
    assert got == [
        ("next", {"data": {"reviewAdded": {"id": "r1", "author": {"name": "Grace"}}}}),
        ("next", {"data": {"reviewAdded": {"id": "r2", "author": {"name": "Ada"}}}}),
        ("complete", None),
    ]


async def test_sse_get_with_variables_and_tenant(stack: Stack) -> None:
    params = {
        "query": "subscription ($n: Int!) { tenantTicker(count: $n, intervalMs: 5) }",
        "variables": '{"n": 2}',
    }
    headers = {**STREAM, "x-tenant": "acme"}
    async with (
        httpx.AsyncClient(timeout=10) as client,
        client.stream("GET", stack.url, params=params, headers=headers) as response,
    ):
        got = await events(response)
    assert [d["data"]["tenantTicker"] for k, d in got if k == "next"] == ["acme:1", "acme:2"]


async def test_query_over_sse(stack: Stack) -> None:
    async with (
        httpx.AsyncClient(timeout=10) as client,
        client.stream(
            "POST", stack.url, json={"query": "{ me { name } }"}, headers=STREAM
        ) as response,
    ):
        got = await events(response)
    assert got == [("next", {"data": {"me": {"name": "Ada"}}}), ("complete", None)]


async def test_sse_errors(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        invalid = await client.post(
            stack.url, json={"query": "subscription { nope }"}, headers=STREAM
        )
        refused = await client.post(
            stack.url,
            json={"query": "subscription { ticker }"},
            headers={**STREAM, "authorization": "Bearer bad"},
        )
        simple = await client.post(
            stack.url,
            content=b'{"query": "subscription { ticker }"}',
            headers={**STREAM, "content-type": "text/plain"},
        )
    assert "GRAPHQL_VALIDATION_FAILED" in invalid.text
    assert "event: complete" in invalid.text
    assert refused.status_code == 403
    assert simple.status_code == 400  # never a CORS "simple" request


@pytest.fixture(scope="module")
async def csrf_stack(
    subgraphs: tuple[str, str, Recorder, Recorder],
) -> AsyncIterator[Stack]:
    async for value in start_stack(subgraphs, csrf=True):
        yield value


async def test_sse_follows_the_csrf_rule(csrf_stack: Stack) -> None:
    params = {"query": "subscription { ticker(count: 1, intervalMs: 5) }"}
    async with httpx.AsyncClient(timeout=10) as client:
        simple = await client.get(csrf_stack.url, params=params, headers=STREAM)
        preflighted = await client.get(
            csrf_stack.url, params=params, headers={**STREAM, "apollo-require-preflight": "1"}
        )
    assert simple.status_code == 400
    assert preflighted.status_code == 200
    assert '"ticker":1' in preflighted.text
