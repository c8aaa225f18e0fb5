"""Two strawberry subgraphs with federation keys, served by uvicorn on loopback ports.

`events` owns the `Subscription` root (graphql-transport-ws and legacy graphql-ws, as strawberry
serves them) and `Review`; `accounts` owns `User.name`, so every `reviewAdded` event needs an
entity fetch. `Recorder` wraps a subgraph app to count its WebSocket connections (with their
headers and subprotocol) and to break them on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import strawberry
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.types import Info

NAMES = {"1": "Ada", "2": "Grace"}


# ---- events subgraph -----------------------------------------------------------------------


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID


SECRETS_READ: list[str] = []  # Review.secret resolutions: the router must not ask for denied ones


@strawberry.federation.type(keys=["id"])
class Review:
    id: strawberry.ID
    body: str
    author: User

    @strawberry.field
    def secret(self) -> str:
        SECRETS_READ.append(str(self.id))
        return f"secret of {self.id}"


def _tenant(info: Info) -> str:
    """The verified tenant the router forwards (`x-tenant-id`), else the raw `x-tenant`."""
    headers = info.context["request"].headers
    return str(headers.get("x-tenant-id") or headers.get("x-tenant", "none"))


@strawberry.type
class EventsQuery:
    @strawberry.field
    def review(self, id: strawberry.ID) -> Review | None:
        return Review(id=id, body="hello", author=User(id=strawberry.ID("1")))


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def ticker(self, count: int = 3, interval_ms: int = 20) -> AsyncGenerator[int, None]:
        for i in range(1, count + 1):
            await asyncio.sleep(interval_ms / 1000)
            yield i

    @strawberry.subscription
    async def review_added(
        self, count: int = 3, interval_ms: int = 20
    ) -> AsyncGenerator[Review, None]:
        for i in range(1, count + 1):
            await asyncio.sleep(interval_ms / 1000)
            author = User(id=strawberry.ID(str(i % 2 + 1)))
            yield Review(id=strawberry.ID(f"r{i}"), body=f"review {i}", author=author)

    @strawberry.subscription
    async def tenant_ticker(
        self, info: Info, count: int = 3, interval_ms: int = 20
    ) -> AsyncGenerator[str, None]:
        tenant = _tenant(info)
        for i in range(1, count + 1):
            await asyncio.sleep(interval_ms / 1000)
            yield f"{tenant}:{i}"

    @strawberry.subscription
    async def forever(self, interval_ms: int = 20, size: int = 8) -> AsyncGenerator[str, None]:
        i = 0
        while True:
            await asyncio.sleep(interval_ms / 1000)
            i += 1
            yield f"{i}:" + os.urandom(size // 2).hex()  # incompressible

    @strawberry.subscription
    async def failing(self) -> AsyncGenerator[int, None]:
        yield 1
        await asyncio.sleep(0.02)
        raise ValueError("the event source failed")


# ---- accounts subgraph ---------------------------------------------------------------------


@strawberry.federation.type(keys=["id"], name="User")
class Account:
    id: strawberry.ID
    name: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Account:
        return Account(id=id, name=NAMES.get(str(id), "?"))


@strawberry.type
class AccountsQuery:
    @strawberry.field
    def me(self) -> Account:
        return Account(id=strawberry.ID("1"), name=NAMES["1"])


def events_app() -> GraphQL[Any, Any]:
    schema = strawberry.federation.Schema(query=EventsQuery, subscription=Subscription)
    return GraphQL(schema, graphql_ide=None)


def accounts_app() -> GraphQL[Any, Any]:
    schema = strawberry.federation.Schema(query=AccountsQuery, types=[Account])
    return GraphQL(schema, graphql_ide=None)


# ---- recording and breaking connections ----------------------------------------------------


@dataclass
class Connection:
    headers: dict[str, str]
    subprotocols: list[str]
    killed: asyncio.Event = field(default_factory=asyncio.Event)
    open: bool = True


class Recorder:
    """Pure ASGI wrapper: logs WebSocket connections and HTTP request headers; `kill()` drops
    every open WebSocket (the wrapped app sees a disconnect, the peer a 1011 close)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.connections: list[Connection] = []
        self.http_headers: list[dict[str, str]] = []

    @property
    def open_connections(self) -> int:
        return sum(1 for c in self.connections if c.open)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode(): v.decode() for k, v in scope.get("headers", [])}
        if scope["type"] == "http":
            self.http_headers.append(headers)
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        connection = Connection(headers, list(scope.get("subprotocols") or []))
        self.connections.append(connection)

        async def wrapped_receive() -> Message:
            if connection.killed.is_set():
                return {"type": "websocket.disconnect", "code": 1011}
            received = asyncio.ensure_future(receive())
            killed = asyncio.ensure_future(connection.killed.wait())
            done, _ = await asyncio.wait([received, killed], return_when=asyncio.FIRST_COMPLETED)
            if received in done:
                killed.cancel()
                return received.result()
            received.cancel()
            return {"type": "websocket.disconnect", "code": 1011}

        async def wrapped_send(message: Message) -> None:
            if not connection.killed.is_set():
                await send(message)

        try:
            await self.app(scope, wrapped_receive, wrapped_send)
        finally:
            connection.open = False

        if connection.killed.is_set():
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": 1011})

    def kill(self) -> None:
        for connection in self.connections:
            if connection.open:
                connection.killed.set()


# ---- serving -------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def serve(app: ASGIApp) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a free loopback port; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="auto", access_log=False)
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:  # noqa: ASYNC110 (uvicorn exposes a flag, not an event)
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)
        sock.close()


JOIN_HEADER = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
{ query: Query subscription: Subscription }

directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
"""  # noqa: E501


def supergraph_sdl(events: str, accounts: str) -> str:
    return (
        JOIN_HEADER
        + f"""
enum join__Graph {{
  ACCOUNTS @join__graph(name: "accounts", url: "{accounts}")
  EVENTS @join__graph(name: "events", url: "{events}")
}}
type Query @join__type(graph: ACCOUNTS) @join__type(graph: EVENTS) {{
  me: User! @join__field(graph: ACCOUNTS, type: "User!")
  review(id: ID!): Review @join__field(graph: EVENTS)
}}
type Subscription @join__type(graph: EVENTS) {{
  ticker(count: Int! = 3, intervalMs: Int! = 20): Int!
  reviewAdded(count: Int! = 3, intervalMs: Int! = 20): Review!
  tenantTicker(count: Int! = 3, intervalMs: Int! = 20): String!
  forever(intervalMs: Int! = 20, size: Int! = 8): String!
  failing: Int!
}}
type Review @join__type(graph: EVENTS, key: "id") {{
  id: ID!
  body: String!
  author: User!
  secret: String @authenticated
}}
type User @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: EVENTS, key: "id") {{
  id: ID!
  name: String! @join__field(graph: ACCOUNTS)
}}
"""
    )
