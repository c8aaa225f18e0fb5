"""Helpers of the subscription tests: the router stack (router + two strawberry subgraphs on
loopback ports) and a raw-frame graphql-transport-ws client (websockets)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import websockets
from subscription_servers import Recorder, serve, supergraph_sdl
from websockets.asyncio.client import ClientConnection

from router.app import build_app
from router.config import RouterConfig
from router.pipeline import RequestContext, RouterHook
from router.subscriptions import ConnectionRejected, header_authenticator

PROTOCOL = "graphql-transport-ws"


@dataclass
class Stack:
    url: str  # http://127.0.0.1:port/graphql
    ws_url: str
    events: Recorder
    accounts: Recorder
    app: Any
    sdl: str


def stub_authenticator(propagate: frozenset[str]) -> Any:
    """Refuses `{"token": "bad"}`; otherwise the default header propagation."""
    default = header_authenticator(propagate)

    async def authenticate(payload: Mapping[str, Any], headers: Mapping[str, str]) -> Any:
        bad = "Bearer bad"
        if payload.get("token") == "bad" or bad in (
            payload.get("authorization"),
            headers.get("authorization"),
        ):
            raise ConnectionRejected("Invalid token")
        context: RequestContext = await default(payload, headers)
        return context

    return authenticate


async def start_stack(
    subgraphs: tuple[str, str, Recorder, Recorder],
    hooks: Sequence[RouterHook] = (),
    **settings: Any,
) -> AsyncIterator[Stack]:
    events_url, accounts_url, events, accounts = subgraphs
    sdl = supergraph_sdl(events_url, accounts_url)
    settings.setdefault("propagate_headers", ("authorization", "x-tenant", "x-request-id"))
    config = RouterConfig(hot_reload=False, request_timeout=5.0, **settings)
    app = build_app(config, supergraph_sdl=sdl, hooks=hooks)
    app.state.subscriptions.authenticator = stub_authenticator(frozenset(config.propagate_headers))
    async with serve(app) as url:
        yield Stack(f"{url}/graphql", f"ws{url[4:]}/graphql", events, accounts, app, sdl)


# ---- raw-frame client ----------------------------------------------------------------------


async def connect(
    stack: Stack,
    headers: Mapping[str, str] | None = None,
    subprotocols: tuple[str, ...] = (PROTOCOL,),
    **kwargs: Any,
) -> ClientConnection:
    return await websockets.connect(
        stack.ws_url,
        subprotocols=list(subprotocols),  # type: ignore[arg-type]
        additional_headers=dict(headers or {}),
        open_timeout=5,
        **kwargs,
    )


async def send(ws: ClientConnection, message: Mapping[str, Any]) -> None:
    await ws.send(orjson.dumps(message).decode())


async def receive(ws: ClientConnection, seconds: float = 5.0) -> dict[str, Any]:
    """The next message that is not a server ping (pings are answered)."""
    async with asyncio.timeout(seconds):
        while True:
            message: dict[str, Any] = orjson.loads(await ws.recv())
            if message.get("type") == "ping":
                await send(ws, {"type": "pong"})
                continue
            return message


async def init(ws: ClientConnection, payload: Mapping[str, Any] | None = None) -> None:
    await send(ws, {"type": "connection_init", "payload": dict(payload or {})})
    assert await receive(ws) == {"type": "connection_ack"}


async def subscribe(
    ws: ClientConnection, op_id: str, query: str, variables: Mapping[str, Any] | None = None
) -> None:
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = dict(variables)
    await send(ws, {"id": op_id, "type": "subscribe", "payload": payload})


async def collect(ws: ClientConnection, op_id: str, seconds: float = 5.0) -> list[Any]:
    """Payloads of `next` messages for `op_id` until its `complete` (or `error`)."""
    results: list[Any] = []
    async with asyncio.timeout(seconds):
        while True:
            message = await receive(ws, seconds)
            if message.get("id") != op_id:
                continue
            if message["type"] == "next":
                results.append(message["payload"])
            elif message["type"] == "complete":
                return results
            else:
                results.append(message)
                return results


async def close_code(ws: ClientConnection, seconds: float = 5.0) -> int | None:
    """Read until the server closes; the close code it sent."""
    try:
        async with asyncio.timeout(seconds):
            while True:
                await ws.recv()
    except websockets.ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd is not None else None
    raise AssertionError("unreachable")
