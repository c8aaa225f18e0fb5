"""Tiny federation subgraphs (graphql-core) and a helper serving ASGI apps on loopback ports."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import orjson
import uvicorn
from graphql import GraphQLUnionType, build_schema, graphql
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

USERS = [{"id": "1", "name": "Ada", "email": "ada@x"}, {"id": "2", "name": "Bob", "email": "b@x"}]
REVIEWS = {"1": [{"id": "r1", "body": "great"}], "2": []}

ACCOUNTS_SDL = """
scalar _Any
union _Entity = User
type Query { users: [User] me: User _entities(representations: [_Any!]!): [_Entity]! }
type Mutation { rename(id: ID!, name: String!): User }
type User { id: ID! name: String email: String }
"""
REVIEWS_SDL = """
scalar _Any
union _Entity = User
type Query { _entities(representations: [_Any!]!): [_Entity]! }
type User { id: ID! reviews: [Review] }
type Review { id: ID! body: String! }
"""


def _schema(sdl: str) -> Any:
    schema = build_schema(sdl)
    entity = schema.type_map["_Entity"]
    assert isinstance(entity, GraphQLUnionType)
    entity.resolve_type = lambda value, *_: value["__typename"]
    return schema


def _accounts_root() -> dict[str, Any]:
    def entities(_: Any, representations: list[dict[str, Any]]) -> list[Any]:
        by_id = {u["id"]: u for u in USERS}
        return [{"__typename": "User", **by_id[r["id"]]} for r in representations]

    def rename(_: Any, id: str, name: str) -> dict[str, Any]:
        return {"id": id, "name": name}

    return {"users": USERS, "me": USERS[0], "_entities": entities, "rename": rename}


def _reviews_root() -> dict[str, Any]:
    def entities(_: Any, representations: list[dict[str, Any]]) -> list[Any]:
        return [
            {"__typename": "User", "id": r["id"], "reviews": REVIEWS.get(r["id"], [])}
            for r in representations
        ]

    return {"_entities": entities}


def subgraph_app(sdl: str, root: dict[str, Any], log: list[dict[str, Any]]) -> Starlette:
    """A subgraph answering POST /; `x-slow: SECONDS` delays the answer."""
    schema = _schema(sdl)

    async def endpoint(request: Request) -> Response:
        body = orjson.loads(await request.body())
        log.append({"body": body, "headers": dict(request.headers)})
        delay = float(request.headers.get("x-slow", "0"))
        if delay:
            await asyncio.sleep(delay)
        result = await graphql(
            schema,
            body["query"],
            root_value=root,
            variable_values=body.get("variables"),
            operation_name=body.get("operationName"),
        )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        return Response(orjson.dumps(payload), media_type="application/json")

    return Starlette(routes=[Route("/", endpoint, methods=["POST"])])


def accounts_app(log: list[dict[str, Any]]) -> Starlette:
    return subgraph_app(ACCOUNTS_SDL, _accounts_root(), log)


def reviews_app(log: list[dict[str, Any]]) -> Starlette:
    return subgraph_app(REVIEWS_SDL, _reviews_root(), log)


@contextlib.asynccontextmanager
async def serve(app: ASGIApp) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a free loopback port; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
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
        await asyncio.wait_for(task, 10)
        sock.close()


def free_port_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


JOIN_HEADER = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{ query: Query mutation: Mutation }

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


def supergraph_sdl(accounts: str, reviews: str, with_email: bool = False) -> str:
    email = "email: String @join__field(graph: ACCOUNTS)" if with_email else ""
    return (
        JOIN_HEADER
        + f"""
enum join__Graph {{
  ACCOUNTS @join__graph(name: "accounts", url: "{accounts}")
  REVIEWS @join__graph(name: "reviews", url: "{reviews}")
}}
type Query @join__type(graph: ACCOUNTS) @join__type(graph: REVIEWS) {{
  users: [User] @join__field(graph: ACCOUNTS)
  me: User @join__field(graph: ACCOUNTS)
}}
type Mutation @join__type(graph: ACCOUNTS) {{
  rename(id: ID!, name: String!): User @join__field(graph: ACCOUNTS)
}}
type User @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: REVIEWS, key: "id") {{
  id: ID!
  name: String @join__field(graph: ACCOUNTS)
  {email}
  reviews: [Review] @join__field(graph: REVIEWS)
}}
type Review @join__type(graph: REVIEWS) {{
  id: ID!
  body: String!
}}
"""
    )
