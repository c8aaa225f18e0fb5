"""Wiring of the identity subgraph: `build_schema()` and `build_app(runtime)`.

`build_app` also plugs the identity service into the process's auth kit: access tokens are
verified against this key ring (in process), API keys and sessions through this subgraph's
ports. The JWKS is served at `/.well-known/jwks.json`.
"""

from __future__ import annotations

import hmac
import os
import uuid
from dataclasses import replace
from typing import Any

import strawberry
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from subgraphs.identity.auth_ports import IdentityApiKeys, IdentitySessions
from subgraphs.identity.deps import IdentityDeps
from subgraphs.identity.keyring import load_keyring, load_secret, secret_box
from subgraphs.identity.mailer import LogMailer, Mailer, SmtpMailer
from subgraphs.identity.passwords import HashingService, ScryptHasher, default_hasher
from subgraphs.identity.resolvers import Mutation, Query
from subgraphs.identity.throttle import MemoryThrottle, RedisThrottle
from subgraphs.identity.tokens import TokenIssuer
from subgraphs.identity.types import User
from subgraphs.kit.app import build_subgraph_app
from subgraphs.kit.auth import Authenticator, InProcessKeySource, TokenPolicy
from subgraphs.kit.auth.api_keys import is_well_formed_api_key
from subgraphs.kit.auth.introspection import (
    INTROSPECTION_PATH,
    SECRET_HEADER,
    principal_to_json,
)
from subgraphs.kit.auth.once import MemoryOnce, RedisOnce
from subgraphs.kit.auth.revocations import RevocationPublisher
from subgraphs.kit.auth.tokens import DEFAULT_AUDIENCE, DEFAULT_ISSUER, DEFAULT_OPERATOR_AUDIENCE
from subgraphs.kit.errors import DomainError
from subgraphs.kit.federation import build_federated_schema
from subgraphs.kit.ids import TenantId
from subgraphs.kit.mail import SmtpConfig, SmtpMail
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
        operator_audience=os.environ.get("AUTH_OPERATOR_AUDIENCE", DEFAULT_OPERATOR_AUDIENCE),
    )


def derived_key(secret: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        secret
    )


def default_mailer() -> Mailer:
    """SMTP when `SMTP_HOST` is set, else the log."""
    mail = SmtpMail(SmtpConfig.from_env())
    return SmtpMailer(mail) if mail.enabled else LogMailer()


def default_deps(runtime: Runtime, **overrides: Any) -> IdentityDeps:
    from saas_platform.settings import Settings

    settings = runtime.extras.get("settings")
    if not isinstance(settings, Settings):
        settings = Settings.from_env()
    keyring = load_keyring(settings.data_dir)
    open_tenant = runtime.tenants.session
    secret = load_secret(settings.data_dir)
    redis = runtime.redis
    deps = IdentityDeps(
        keyring=keyring,
        issuer=TokenIssuer(keyring, token_policy()),
        hashing=HashingService(default_hasher(), others=[ScryptHasher()]),
        mailer=default_mailer(),
        throttle=RedisThrottle(redis) if redis is not None else MemoryThrottle(),
        secrets=secret_box(secret, "identity-totp-secrets"),
        open_tenant=open_tenant,
        sessions_cache=IdentitySessions(open_tenant),
        public_url=os.environ.get("PUBLIC_URL", "http://localhost:8000"),
        open_control=runtime.control.session,
        once=RedisOnce(redis, "identity:once:") if redis is not None else MemoryOnce(),
        refresh_key=derived_key(secret, "identity-refresh-successor"),
        refresh_grace_seconds=float(os.environ.get("AUTH_REFRESH_GRACE_SECONDS", "10")),
        revocations=RevocationPublisher(redis) if redis is not None else None,
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
    secret = os.environ.get("AUTH_INTROSPECTION_SECRET", "")
    if secret:
        introspect = introspection_endpoint(runtime, IdentityApiKeys(deps.open_tenant), secret)
        app.router.routes.append(Route(INTROSPECTION_PATH, introspect, methods=["POST"]))
    return app


def introspection_endpoint(runtime: Runtime, api_keys: IdentityApiKeys, secret: str) -> Any:
    """`POST /internal/api-keys/introspect` `{"tenant_id", "key"}` -> `{"active": ...}`, for
    subgraphs in other processes. Service-to-service only: the `x-introspection-secret`
    header must equal `AUTH_INTROSPECTION_SECRET` (constant-time compare); the router never
    routes here (it proxies `/graphql` only), keep the port private."""
    expected = secret.encode()
    inactive = {"active": False}

    async def introspect(request: Request) -> JSONResponse:
        presented = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(presented, expected):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        try:
            body = await request.json()
            tenant_id = TenantId(uuid.UUID(str(body["tenant_id"])))
            key = str(body["key"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "tenant_id and key are required"}, status_code=400)
        if not is_well_formed_api_key(key):
            return JSONResponse(inactive)
        try:
            await runtime.scopes.scope_for(tenant_id)  # unknown or not ACTIVE: inactive
        except DomainError:
            return JSONResponse(inactive)
        principal = await api_keys.resolve(tenant_id, key)
        if principal is None or principal.tenant_id != tenant_id:
            return JSONResponse(inactive)
        return JSONResponse(principal_to_json(principal), headers={"cache-control": "no-store"})

    return introspect
