"""Wiring of the identity subgraph: `build_schema()` and `build_app(runtime)`.

`build_app` also plugs the identity service into the process's auth kit: access tokens are
verified against this key ring (in process), API keys and sessions through this subgraph's
ports. The JWKS is served at `/.well-known/jwks.json`.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from subgraphs.identity.auth_ports import IdentityApiKeys, IdentitySessions
from subgraphs.identity.deps import IdentityDeps
from subgraphs.identity.keyring import load_keyring, load_secret, secret_box
from subgraphs.identity.mailer import LogMailer
from subgraphs.identity.passwords import HashingService, ScryptHasher, default_hasher
from subgraphs.identity.resolvers import Mutation, Query
from subgraphs.identity.throttle import MemoryThrottle, RedisThrottle
from subgraphs.identity.tokens import TokenIssuer
from subgraphs.identity.types import User
from subgraphs.kit.app import build_subgraph_app
from subgraphs.kit.auth import Authenticator, InProcessKeySource, TokenPolicy
from subgraphs.kit.auth.tokens import DEFAULT_AUDIENCE, DEFAULT_ISSUER
from subgraphs.kit.federation import build_federated_schema
from subgraphs.kit.runtime import Runtime

NAME = "identity"
PORT = 8002
JWKS_PATH = "/.well-known/jwks.json"


def build_schema() -> strawberry.federation.Schema:
    return build_federated_schema(query=Query, mutation=Mutation, types=[User])


def token_policy() -> TokenPolicy:
    return TokenPolicy(
        issuer=os.environ.get("AUTH_ISSUER", DEFAULT_ISSUER),
        audience=os.environ.get("AUTH_AUDIENCE", DEFAULT_AUDIENCE),
    )


def default_deps(runtime: Runtime, **overrides: Any) -> IdentityDeps:
    from saas_platform.settings import Settings

    settings = runtime.extras.get("settings")
    if not isinstance(settings, Settings):
        settings = Settings.from_env()
    keyring = load_keyring(settings.data_dir)
    open_tenant = runtime.tenants.session
    deps = IdentityDeps(
        keyring=keyring,
        issuer=TokenIssuer(keyring, token_policy()),
        hashing=HashingService(default_hasher(), others=[ScryptHasher()]),
        mailer=LogMailer(),
        throttle=RedisThrottle(runtime.redis) if runtime.redis is not None else MemoryThrottle(),
        secrets=secret_box(load_secret(settings.data_dir), "identity-totp-secrets"),
        open_tenant=open_tenant,
        sessions_cache=IdentitySessions(open_tenant),
        public_url=os.environ.get("PUBLIC_URL", "http://localhost:8000"),
    )
    return replace(deps, **overrides)


def install_authenticator(runtime: Runtime, deps: IdentityDeps) -> Authenticator:
    """Verify every subgraph's requests in this process against this identity service."""
    sessions = deps.sessions_cache if isinstance(deps.sessions_cache, IdentitySessions) else None
    authenticator = Authenticator(
        InProcessKeySource(deps.keyring.verification_keys),
        deps.issuer.policy,
        api_keys=IdentityApiKeys(deps.open_tenant),
        sessions=sessions,
    )
    runtime.scopes.authenticator = authenticator
    return authenticator


def build_app(runtime: Runtime, deps: IdentityDeps | None = None) -> Starlette:
    if deps is None:
        deps = default_deps(runtime)
    install_authenticator(runtime, deps)
    app = build_subgraph_app(build_schema(), runtime, name=NAME, deps=deps)
    keyring = deps.keyring

    async def jwks(_: Request) -> JSONResponse:
        return JSONResponse(keyring.jwks(), headers={"cache-control": "public, max-age=300"})

    app.router.routes.append(Route(JWKS_PATH, jwks, methods=["GET"]))
    return app
