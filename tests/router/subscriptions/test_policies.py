"""The edge policies on WebSocket and SSE operations, as over HTTP: they run before an operation
is parsed (a safelist with `require_id` serves subscriptions sent by manifest id, nothing sent
as text; the limits refuse a bomb before it is parsed, validated or planned); the production
profile (introspection off, no suggestions, subgraph messages masked in events); and
`@authenticated` fields null with an error in every event for an anonymous subscriber, never
asked from the subgraph."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from subscription_client import Stack, collect, connect, init, send, start_stack
from subscription_servers import SECRETS_READ, Recorder, serve
from test_jwt import AUDIENCE, ISSUER, jwks, token
from test_sse import STREAM, events

from router.policies.config import (
    JwtSettings,
    LimitSettings,
    PersistedQuerySettings,
    PoliciesConfig,
)

TICKER = "subscription Tick { ticker(count: 2, intervalMs: 5) }"
REVIEWS = "subscription Reviews($n: Int!) { reviewAdded(count: $n, intervalMs: 5) { id author { name } } }"  # noqa: E501
ME = "query Me { me { name } }"


def op_id(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def by_id(body: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": op_id(body)}}
    }
    if variables is not None:
        payload["variables"] = variables
    return payload


def write_manifest(path: Path) -> None:
    operations = [
        {"id": op_id(body), "name": name, "type": kind, "body": body}
        for name, kind, body in (
            ("Tick", "subscription", TICKER),
            ("Reviews", "subscription", REVIEWS),
            ("Me", "query", ME),
        )
    ]
    document = {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}
    path.write_bytes(orjson.dumps(document))


@pytest.fixture(scope="module")
async def safelist_stack(
    subgraphs: tuple[str, str, Recorder, Recorder], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    manifest = tmp_path_factory.mktemp("safelist") / "manifest.json"
    write_manifest(manifest)
    policies = PoliciesConfig(
        persisted_queries=PersistedQuerySettings(safelist=str(manifest), require_id=True),
        limits=LimitSettings(max_depth=5, max_aliases=3),
    )
    async for value in start_stack(subgraphs, policies=policies):
        yield value


async def _operation(stack: Stack, payload: dict[str, Any]) -> list[Any]:
    async with await connect(stack) as ws:
        await init(ws)
        await send(ws, {"id": "1", "type": "subscribe", "payload": payload})
        return await collect(ws, "1")


async def test_subscription_by_manifest_id_over_websocket(safelist_stack: Stack) -> None:
    ticks = await _operation(safelist_stack, by_id(TICKER))
    assert [r["data"]["ticker"] for r in ticks] == [1, 2]
    reviews = await _operation(safelist_stack, by_id(REVIEWS, {"n": 2}))
    assert [r["data"]["reviewAdded"]["author"]["name"] for r in reviews] == ["Grace", "Ada"]
    query = await _operation(safelist_stack, by_id(ME))
    assert query == [{"data": {"me": {"name": "Ada"}}}]


async def test_subscription_by_manifest_id_over_sse(safelist_stack: Stack) -> None:
    async with (
        httpx.AsyncClient(timeout=10) as client,
        client.stream("POST", safelist_stack.url, json=by_id(TICKER), headers=STREAM) as response,
    ):
        found = await events(response)
    assert found == [
        ("next", {"data": {"ticker": 1}}),
        ("next", {"data": {"ticker": 2}}),
        ("complete", None),
    ]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"query": TICKER}, "PERSISTED_QUERY_ID_REQUIRED"),
        (by_id("subscription { ticker }"), "PERSISTED_QUERY_NOT_FOUND"),
    ],
)
async def test_text_and_unknown_ids_are_refused(
    safelist_stack: Stack, payload: dict[str, Any], code: str
) -> None:
    before = safelist_stack.events.connections[:]
    [message] = await _operation(safelist_stack, payload)
    assert message["type"] == "error"
    assert [e["extensions"]["code"] for e in message["payload"]] == [code]
    assert safelist_stack.events.connections == before  # no upstream stream was opened


@pytest.fixture(scope="module")
async def limits_stack(subgraphs: tuple[str, str, Recorder, Recorder]) -> AsyncIterator[Stack]:
    policies = PoliciesConfig(limits=LimitSettings(max_depth=5, max_aliases=3))
    async for value in start_stack(subgraphs, policies=policies):
        yield value


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("subscription { reviewAdded { author { id } } }", None),
        ("subscription { a: ticker b: ticker c: ticker d: ticker e: ticker }", "MAX_ALIASES_LIMIT"),
        ("subscription { reviewAdded " + "{ author " * 60 + "{ id }" + "}" * 61, "MAX_DEPTH_LIMIT"),
    ],
)
async def test_limits_refuse_before_the_document_is_prepared(
    limits_stack: Stack, query: str, code: str | None
) -> None:
    async with await connect(limits_stack) as ws:
        await init(ws)
        await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": query}})
        got = await collect(ws, "1")
    cached = limits_stack.app.state.router.state.cache.get((query, None))
    if code is None:
        assert [r["data"]["reviewAdded"]["author"]["id"] for r in got] == ["2", "1", "2"]
        assert cached is not None
    else:
        assert got[0]["type"] == "error"
        assert [e["extensions"]["code"] for e in got[0]["payload"]] == [code]
        assert cached is None  # never parsed, validated nor planned


@pytest.fixture(scope="module")
async def production_stack(subgraphs: tuple[str, str, Recorder, Recorder]) -> AsyncIterator[Stack]:
    settings = {"profile": "production", "introspection": False, "csrf": True}
    async for value in start_stack(subgraphs, policies=PoliciesConfig(), **settings):
        yield value


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ __schema { queryType { name } } }", "INTROSPECTION_DISABLED"),
        ('{ __type(name: "Review") { name } }', "INTROSPECTION_DISABLED"),
        ("subscription { tickr }", "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_production_profile_over_websocket_and_sse(
    production_stack: Stack, query: str, code: str
) -> None:
    [message] = await _operation(production_stack, {"query": query})
    assert message["type"] == "error"
    assert [e["extensions"]["code"] for e in message["payload"]] == [code]
    assert "Did you mean" not in orjson.dumps(message).decode()
    async with (
        httpx.AsyncClient(timeout=10) as client,
        client.stream("POST", production_stack.url, json={"query": query}, headers=STREAM) as sse,
    ):
        found = await events(sse)
    assert found[-1] == ("complete", None)
    assert [e["extensions"]["code"] for e in found[0][1]["errors"]] == [code]
    assert "Did you mean" not in orjson.dumps(found).decode()


async def test_production_profile_masks_upstream_event_errors(production_stack: Stack) -> None:
    got = await _operation(production_stack, {"query": "subscription { failing }"})
    assert got[0] == {"data": {"failing": 1}}
    errors = [e for r in got[1:] for e in r["errors"]]
    assert errors
    for error in errors:  # the event with no data went through the hooks too
        assert error["message"] == "Subgraph errors redacted"
        assert error["extensions"]["service"] == "events"
    assert "the event source failed" not in orjson.dumps(got).decode()


@pytest.fixture(scope="module")
async def authz_stack(subgraphs: tuple[str, str, Recorder, Recorder]) -> AsyncIterator[Stack]:
    async with serve(Starlette(routes=[Route("/jwks.json", jwks)])) as url:
        jwt = JwtSettings(
            enabled=True, jwks_url=f"{url}/jwks.json", issuer=ISSUER, audience=AUDIENCE
        )
        async for value in start_stack(subgraphs, policies=PoliciesConfig(jwt=jwt)):
            yield value


SECRET = "subscription { reviewAdded(count: 2, intervalMs: 5) { id secret } }"


async def test_authenticated_field_is_null_per_event_for_anonymous(authz_stack: Stack) -> None:
    before = len(SECRETS_READ)
    got = await _operation(authz_stack, {"query": SECRET})
    assert [r["data"] for r in got] == [
        {"reviewAdded": {"id": "r1", "secret": None}},
        {"reviewAdded": {"id": "r2", "secret": None}},
    ]
    for result in got:
        [error] = result["errors"]
        assert error["path"] == ["reviewAdded", "secret"]
        assert error["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE"
    assert len(SECRETS_READ) == before  # the subgraph was never asked for it


async def test_authenticated_field_streams_with_a_token(authz_stack: Stack) -> None:
    async with await connect(authz_stack) as ws:
        await init(ws, {"authorization": f"Bearer {token()}"})
        await send(ws, {"id": "1", "type": "subscribe", "payload": {"query": SECRET}})
        got = await collect(ws, "1")
    assert [r["data"]["reviewAdded"]["secret"] for r in got] == ["secret of r1", "secret of r2"]
    assert all("errors" not in r for r in got)
