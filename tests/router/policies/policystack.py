"""A one-subgraph federation with authorization and cost directives, a JWKS server, and the
router, each served by uvicorn on a loopback port (real HTTP everywhere)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import orjson
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from graphql import GraphQLUnionType, build_schema, graphql
from jwt.algorithms import OKPAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from router.app import build_app
from router.config import load_config
from subgraphs.kit.clientip import client_ip

ISSUER = "https://identity.test"
AUDIENCE = "saas-platform-api"
USERS = [
    {"id": str(i), "name": f"user{i}", "email": f"u{i}@x", "ssn": f"ssn-{i}"} for i in range(1, 6)
]

SUBGRAPH_SDL = """
scalar _Any
union _Entity = User
type Query {
  hello: String
  me: User
  users(first: Int): [User]
  secret: String
  audit: String
  boom: String
  strict: String!
  members: [User!]
  account: Account
  _entities(representations: [_Any!]!): [_Entity]!
}
type Mutation { rename(id: ID!, name: String!): User }
type User { id: ID! name: String email: String friends(first: Int): [User] ssn: String! }
type Account { id: ID! owner: Owner! }
type Owner { name: String pin: String! }
"""

HEADER = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@cost", "@listSize"])
{ query: Query mutation: Mutation }

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @policy(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
scalar join__FieldSet
scalar link__Import
scalar requiresScopes__Scope
scalar policy__Policy
enum link__Purpose { SECURITY EXECUTION }
"""  # noqa: E501


def supergraph_sdl(url: str) -> str:
    return (
        HEADER
        + f"""
enum join__Graph {{ A @join__graph(name: "a", url: "{url}") }}
type Query @join__type(graph: A) {{
  hello: String
  me: User @authenticated
  users(first: Int): [User] @listSize(slicingArguments: ["first"], assumedSize: 50)
  secret: String @requiresScopes(scopes: [["admin"], ["root", "ops"]])
  audit: String @policy(policies: [["auditor"]])
  boom: String
  strict: String! @authenticated
  members: [User!]
  account: Account
}}
type Account @join__type(graph: A) {{ id: ID! owner: Owner! }}
type Owner @join__type(graph: A) {{ name: String pin: String! @authenticated }}
type Mutation @join__type(graph: A) {{
  rename(id: ID!, name: String!): User
}}
type User @join__type(graph: A, key: "id") {{
  id: ID!
  name: String
  email: String @requiresScopes(scopes: [["users:read"]])
  friends(first: Int): [User] @listSize(slicingArguments: ["first"]) @cost(weight: 5)
  ssn: String! @requiresScopes(scopes: [["pii"]])
}}
"""
    )


def _boom(*_: Any) -> None:
    raise ValueError("connection to db failed: password=hunter2")


def subgraph_app(log: list[dict[str, Any]]) -> Starlette:
    schema = build_schema(SUBGRAPH_SDL)
    entity = schema.type_map["_Entity"]
    assert isinstance(entity, GraphQLUnionType)
    entity.resolve_type = lambda value, *_: value["__typename"]

    def users(info: Any, first: int | None = None) -> list[dict[str, Any]]:
        return USERS[: first or len(USERS)]

    root = {
        "hello": "world",
        "me": USERS[0],
        "users": users,
        "secret": "s3cret",
        "audit": "audited",
        "boom": _boom,
        "strict": "strict",
        "members": lambda info: USERS[:2],
        "account": {"id": "acc", "owner": {"name": "o", "pin": "1234"}},
        "_entities": lambda info, representations: [
            {"__typename": "User", **USERS[int(r["id"]) - 1]} for r in representations
        ],
        "rename": lambda info, id, name: {"id": id, "name": name},
    }
    for user in USERS:
        user["friends"] = lambda info, first=None: USERS[: first or 2]  # type: ignore[assignment]

    async def endpoint(request: Request) -> Response:
        body = orjson.loads(await request.body())
        # the client address as a kit subgraph reads it (subgraphs.kit.clientip)
        entry = {"body": body, "headers": dict(request.headers), "client_ip": client_ip(request)}
        log.append(entry)
        result = await graphql(
            schema, body["query"], root_value=root, variable_values=body.get("variables")
        )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        return Response(orjson.dumps(payload), media_type="application/json")

    return Starlette(routes=[Route("/", endpoint, methods=["POST"])])


@dataclass
class Keys:
    """A JWKS server's key ring: sign with `current`; `published` are served."""

    ring: dict[str, Ed25519PrivateKey] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)
    current: str = ""
    hits: int = 0

    def add(self, publish: bool = True) -> str:
        kid = uuid.uuid4().hex[:12]
        self.ring[kid] = Ed25519PrivateKey.generate()
        if publish:
            self.published.append(kid)
        return kid

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in self.published:
            jwk = OKPAlgorithm.to_jwk(self.ring[kid].public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"})
        return {"keys": keys}

    def token(
        self, kid: str | None = None, headers: dict[str, Any] | None = None, **claims: Any
    ) -> str:
        kid = kid or self.current
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "user-1",
            "tid": "acme",
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "scope": "tickets:read",
        }
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        all_headers = {"kid": kid, "typ": "at+jwt", **(headers or {})}
        return jwt.encode(payload, self.ring[kid], algorithm="EdDSA", headers=all_headers)


def jwks_app(keys: Keys) -> Starlette:
    async def endpoint(_: Request) -> Response:
        keys.hits += 1
        return JSONResponse(keys.jwks())

    return Starlette(routes=[Route("/.well-known/jwks.json", endpoint)])


@contextlib.asynccontextmanager
async def serve(app: ASGIApp) -> AsyncIterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", access_log=False, proxy_headers=False
    )
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


@dataclass
class Stack:
    client: httpx.AsyncClient
    url: str
    log: list[dict[str, Any]]
    keys: Keys
    app: Any

    async def post(
        self, query: str, headers: dict[str, str] | None = None, **body: Any
    ) -> httpx.Response:
        return await self.client.post(
            "/graphql", json={"query": query, **body}, headers=headers or {}
        )

    def auth(self, token: str, **extra: str) -> dict[str, str]:
        return {"authorization": f"Bearer {token}", **extra}


@contextlib.asynccontextmanager
async def policy_stack(
    tmp_path: Path, policies: dict[str, Any] | None = None, **settings: Any
) -> AsyncIterator[Stack]:
    """The router with `policies` (the YAML `policies:` section) and JWT against a local JWKS
    (`jwt` section defaults filled in when `policies["jwt"]["enabled"]`)."""
    log: list[dict[str, Any]] = []
    keys = Keys()
    keys.current = keys.add()
    policies = {k: dict(v) for k, v in (policies or {}).items()}
    async with serve(subgraph_app(log)) as sub, serve(jwks_app(keys)) as jwks:
        tmp_path.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (test set-up)
        path = tmp_path / "supergraph.graphql"
        path.write_text(supergraph_sdl(sub + "/"))
        jwt_section = policies.setdefault("jwt", {})
        jwt_section.setdefault("jwks_url", f"{jwks}/.well-known/jwks.json")
        jwt_section.setdefault("issuer", ISSUER)
        jwt_section.setdefault("audience", AUDIENCE)
        settings.setdefault("request_timeout", 5.0)
        config = load_config(
            env={}, supergraph=path, policies=policies, hot_reload=False, **settings
        )
        app = build_app(config)
        async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
            yield Stack(client, url, log, keys, app)
