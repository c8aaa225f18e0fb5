"""Pure parts: the package's exports, header merging at connection_init, frame parsing."""

from __future__ import annotations

import pytest

import router.subscriptions
from router.subscriptions.auth import connection_request_headers, header_authenticator
from router.subscriptions.protocol import (
    CloseCode,
    ProtocolError,
    next_frame,
    parse_client_message,
)
from router.subscriptions.upstream import websocket_url


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
