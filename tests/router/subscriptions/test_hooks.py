"""Router hooks on the WebSocket path: a hook's 401 at `connection_init` closes with 4403, a
hook refusing one operation answers an `error` message, and hooks see every operation."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from subscription_client import (
    Stack,
    close_code,
    collect,
    connect,
    init,
    receive,
    send,
    start_stack,
    subscribe,
)
from subscription_servers import Recorder

from router.pipeline import (
    GraphQLRequest,
    PreparedOperation,
    RequestContext,
    RequestError,
    RouterHook,
)
from router.policies.context import EdgeContext, Principal


class TokenHook(RouterHook):
    """Refuses `Bearer expired` (401) and operations named `Forbidden` (403 on one op)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []
        self.responses: list[tuple[str, dict[str, Any]]] = []

    def on_response(
        self,
        response: dict[str, Any],
        prepared: PreparedOperation | None,
        context: RequestContext,
    ) -> None:
        self.responses.append((context.method, response))
        if context.method == "SUBSCRIPTION_EVENT":
            response.setdefault("extensions", {})["seenByHook"] = True

    async def on_request(
        self, request: GraphQLRequest, context: RequestContext
    ) -> GraphQLRequest | None:
        auth = context.request_headers.get("authorization")
        self.seen.append((context.method, auth))
        if auth == "Bearer expired":
            raise RequestError("Invalid or expired token.", "UNAUTHENTICATED", 401, 401)
        if "Forbidden" in request.query:
            raise RequestError("Not allowed.", "FORBIDDEN", 403, 403)
        if auth == "Bearer short-lived":  # what PolicyHook records for a verified token
            claims = {"exp": time.time() + 0.5}
            principal = Principal("alice", None, frozenset(), claims, "short-lived")
            context.edge = EdgeContext(request_id="r", principal=principal)
        return None


@pytest.fixture(scope="module")
def hook() -> TokenHook:
    return TokenHook()


@pytest.fixture(scope="module")
async def hooked(
    subgraphs: tuple[str, str, Recorder, Recorder], hook: TokenHook
) -> AsyncIterator[Stack]:
    async for value in start_stack(subgraphs, hooks=[hook]):
        yield value


async def test_hook_refusal_at_init_closes_4403(hooked: Stack) -> None:
    async with await connect(hooked) as ws:
        await send(ws, {"type": "connection_init", "payload": {"authorization": "Bearer expired"}})
        assert await close_code(ws) == 4403


async def test_hook_runs_per_operation(hooked: Stack, hook: TokenHook) -> None:
    async with await connect(hooked) as ws:
        await init(ws, {"authorization": "Bearer fine"})
        await subscribe(ws, "1", "subscription { ticker(count: 1, intervalMs: 5) }")
        assert await collect(ws, "1") == [
            {"data": {"ticker": 1}, "extensions": {"seenByHook": True}}
        ]
        await subscribe(ws, "2", "subscription Forbidden { ticker(count: 1) }")
        message = await receive(ws)
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"
    assert ("WEBSOCKET", "Bearer fine") in hook.seen


async def test_token_expiry_closes_4403(hooked: Stack) -> None:
    async with await connect(hooked) as ws:
        await init(ws, {"authorization": "Bearer short-lived"})
        await subscribe(ws, "1", "subscription { forever(intervalMs: 20) }")
        started = time.monotonic()
        assert await close_code(ws) == 4403
        assert time.monotonic() - started < 3
