"""Pure parts: the package's exports, header merging at connection_init, frame parsing, the
hub's final error result."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import orjson
import pytest

import router.subscriptions
from router.policies.masking import clean_errors
from router.subscriptions import upstream
from router.subscriptions.auth import connection_request_headers, header_authenticator
from router.subscriptions.hub import SubscriptionHub
from router.subscriptions.protocol import (
    CloseCode,
    ProtocolError,
    next_frame,
    parse_client_message,
)
from router.subscriptions.upstream import UpstreamError, websocket_url


def test_exports_exist() -> None:
    for name in router.subscriptions.__all__:
        assert hasattr(router.subscriptions, name), name


def test_payload_headers_win_but_never_connection_headers() -> None:
    merged = connection_request_headers(
        {
            "authorization": "Bearer p",
            "host": "evil.example",
            "sec-websocket-key": "x",
            "headers": {"x-tenant": "acme", "cookie": "c=1"},
            "bad name": "v",
            "x-inject": "a\r\nb: c",
            "number": 5,
        },
        {"authorization": "Bearer h", "host": "router.example", "origin": "https://app"},
    )
    assert merged == {
        "authorization": "Bearer p",
        "host": "router.example",
        "origin": "https://app",
        "x-tenant": "acme",
    }


async def test_default_authenticator_propagates_only_configured_headers() -> None:
    authenticate = header_authenticator(frozenset({"authorization", "x-tenant"}))
    context = await authenticate({"authorization": "Bearer p", "x-other": "1"}, {"x-tenant": "t"})
    assert context.headers == (("authorization", "Bearer p"), ("x-tenant", "t"))
    assert context.request_headers["x-other"] == "1"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"\xff", CloseCode.BAD_REQUEST),
        ('{"type": "subscribe", "id": ""}', CloseCode.BAD_REQUEST),
        ('{"type": "next", "id": "1"}', CloseCode.BAD_REQUEST),  # a server message
    ],
)
def test_parse_rejects(raw: str | bytes, code: CloseCode) -> None:
    with pytest.raises(ProtocolError) as error:
        parse_client_message(raw)
    assert error.value.code == code


def test_frames_and_urls() -> None:
    assert (
        next_frame('"a\\"b"', '{"data":1}') == '{"id":"a\\"b","type":"next","payload":{"data":1}}'
    )
    assert websocket_url("https://x/graphql") == "wss://x/graphql"
    assert websocket_url("http://x/") == "ws://x/"


def test_upstream_operation_errors_name_their_subgraph() -> None:
    message = {"type": "error", "id": "1", "payload": [{"message": "db password=x"}]}
    with pytest.raises(UpstreamError) as caught:
        upstream._handle(message, False, "events")
    assert caught.value.errors == [
        {"message": "db password=x", "extensions": {"service": "events"}}
    ]


async def test_a_failed_stream_result_goes_through_finish() -> None:
    secret = {"message": "db password=x", "extensions": {"service": "events"}}

    async def source() -> AsyncGenerator[dict[str, Any], None]:
        yield {"data": {"n": 1}}
        raise UpstreamError("'events' reported a subscription error", [secret])

    async def resolve(event: dict[str, Any]) -> dict[str, Any]:
        return event

    def finish(result: dict[str, Any]) -> dict[str, Any]:
        errors = clean_errors(
            result["errors"],
            strip_suggestions=True,
            mask_subgraphs=True,
            max_errors=10,
            request_id="r",
        )
        return {**result, "errors": errors}

    class Collect:
        def __init__(self) -> None:
            self.payloads: list[Any] = []
            self.done = asyncio.Event()

        def deliver(self, payload: str) -> None:
            self.payloads.append(orjson.loads(payload))

        def complete(self) -> None:
            self.done.set()

    sink = Collect()
    hub = SubscriptionHub()
    hub.join("k", sink, source, resolve, finish)
    async with asyncio.timeout(5):
        await sink.done.wait()
    first, last = sink.payloads
    assert first == {"data": {"n": 1}}
    assert [e["extensions"]["code"] for e in last["errors"]] == ["SUBSCRIPTION_UPSTREAM_FAILED"] * 2
    assert last["errors"][1]["message"] == "Subgraph errors redacted"
    assert "password" not in orjson.dumps(last).decode()
