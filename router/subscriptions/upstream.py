"""One subscription to one subgraph over a WebSocket (graphql-transport-ws or legacy graphql-ws).

`upstream_events(request)` is an async iterator of execution results (`{"data", "errors"}`)
from the subgraph. It ends when the subgraph completes the operation and raises
`UpstreamError` when the connection fails, is refused or breaks, or the subgraph reports an
operation error. Closing the iterator (the last subscriber left) closes the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.typing import Subprotocol

from router.subscriptions.protocol import GRAPHQL_TRANSPORT_WS, GRAPHQL_WS
from router.transport import Headers


class UpstreamError(Exception):
    """The subgraph stream failed; `errors` are the subgraph's own errors, when it sent any."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


@dataclass(frozen=True, slots=True)
class UpstreamRequest:
    """What opens one upstream stream. `url` is the subgraph's http(s) URL."""

    service_name: str
    url: str
    payload: dict[str, Any]  # {"query", "variables", "operationName"?}
    headers: Headers = ()
    protocol: str = GRAPHQL_TRANSPORT_WS
    connect_timeout: float = 5.0
    max_size: int = 16 * 1024 * 1024


def websocket_url(url: str) -> str:
    if url.startswith("https://"):
        return "wss://" + url[len("https://") :]
    if url.startswith("http://"):
        return "ws://" + url[len("http://") :]
    return url


async def upstream_events(request: UpstreamRequest) -> AsyncGenerator[dict[str, Any], None]:
    service = request.service_name
    try:
        async with connect(
            websocket_url(request.url),
            subprotocols=[Subprotocol(request.protocol)],
            additional_headers=list(request.headers),
            open_timeout=request.connect_timeout,
            max_size=request.max_size,
            compression=None,
            close_timeout=2,
        ) as ws:
            if ws.subprotocol != request.protocol:
                raise UpstreamError(f"'{service}' does not speak {request.protocol}")
            await _initialise(ws, request)
            legacy = request.protocol == GRAPHQL_WS
            start = "start" if legacy else "subscribe"
            await ws.send(_dumps({"id": "1", "type": start, "payload": request.payload}))
            async for raw in ws:
                message = _loads(raw, service)
                result = _handle(message, legacy, service)
                if result is _DONE:
                    await _finish(ws, legacy)
                    return
                if result is _PING:
                    await ws.send('{"type":"pong"}')
                elif isinstance(result, dict):
                    yield result
            raise UpstreamError(f"'{service}' closed the subscription connection")
    except ConnectionClosed as exc:
        raise UpstreamError(f"Connection to '{service}' closed: {exc}") from exc
    except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
        raise UpstreamError(f"Could not subscribe to '{service}': {exc}") from exc


_DONE = object()
_PING = object()


async def _initialise(ws: ClientConnection, request: UpstreamRequest) -> None:
    """connection_init carries the propagated headers too (subgraphs may read either)."""
    payload = dict(request.headers)
    await ws.send(_dumps({"type": "connection_init", "payload": payload}))
    async with asyncio.timeout(request.connect_timeout):
        while True:
            message = _loads(await ws.recv(), request.service_name)
            kind = message.get("type")
            if kind == "connection_ack":
                return
            if kind == "ping":
                await ws.send('{"type":"pong"}')
            elif kind == "connection_error":
                raise UpstreamError(f"'{request.service_name}' refused the connection")


def _handle(message: dict[str, Any], legacy: bool, service: str) -> object:
    kind = message.get("type")
    if kind in ("next", "data"):
        payload = message.get("payload")
        if not isinstance(payload, dict):
            raise UpstreamError(f"Invalid event from '{service}'")
        return payload
    if kind == "complete":
        return _DONE
    if kind == "error":
        payload = message.get("payload")
        if isinstance(payload, dict):  # legacy: one error object (or {"errors": [...]})
            payload = payload.get("errors", [payload])
        found = payload if isinstance(payload, list) else []
        errors = [_from_service(e, service) for e in found if isinstance(e, dict)]
        raise UpstreamError(f"'{service}' reported a subscription error", errors)
    if kind == "ping":
        return _PING
    if kind == "connection_error":
        raise UpstreamError(f"'{service}' reported a connection error")
    return None  # pong, ka (legacy keep-alive), unknown: ignored


def _from_service(error: dict[str, Any], service: str) -> dict[str, Any]:
    """The subgraph's error naming it (`extensions.service`: masked in production)."""
    extensions = error.get("extensions")
    extensions = dict(extensions) if isinstance(extensions, dict) else {}
    return {**error, "extensions": {**extensions, "service": service}}


async def _finish(ws: ClientConnection, legacy: bool) -> None:
    if legacy:  # tell the legacy server we are leaving; graphql-transport-ws needs nothing
        with contextlib.suppress(ConnectionClosed):
            await ws.send('{"type":"connection_terminate"}')


def _dumps(value: dict[str, Any]) -> str:
    return orjson.dumps(value).decode()


def _loads(raw: str | bytes, service: str) -> dict[str, Any]:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise UpstreamError(f"Invalid message from '{service}'") from exc
    if not isinstance(value, dict):
        raise UpstreamError(f"Invalid message from '{service}'")
    return value
