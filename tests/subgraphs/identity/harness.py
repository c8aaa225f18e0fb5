"""Test harness: tenants provisioned through the real path, the identity app over ASGI."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from saas_platform.tenancy.provisioning import Provisioner
from saas_platform.tenancy.runtime import build_runtime
from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.identity.app import build_app, default_deps
from subgraphs.identity.deps import IdentityDeps, Throttle
from subgraphs.identity.mailer import MemoryMailer
from subgraphs.identity.models import RefreshToken
from subgraphs.identity.passwords import HashingService, ScryptHasher
from subgraphs.identity.throttle import MemoryThrottle
from subgraphs.kit.auth.once import MemoryOnce, OnceCache
from subgraphs.kit.ids import TenantId
from subgraphs.kit.runtime import Runtime

PASSWORD = "violet-harbour-lantern-42"
FAST_HASHER = ScryptHasher(log_n=10)  # tests: OWASP parameters are exercised separately

SIGN_UP = """mutation($email: String!, $name: String!, $password: String!) {
  signUp(email: $email, name: $name, password: $password) {
    accessToken refreshToken mfaRequired user { id role } userErrors { code message }
  }
}"""
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    accessToken refreshToken mfaRequired mfaToken mfaEnrollmentRequired
    user { id role } userErrors { code message }
  }
}"""
REFRESH = """mutation($t: String!) {
  refreshToken(refreshToken: $t) { accessToken refreshToken userErrors { code message } }
}"""
INVITE = """mutation($email: String!, $role: String!) {
  inviteUser(email: $email, role: $role) { invitation { id email role } userErrors { code } }
}"""
ACCEPT = """mutation($token: String!, $name: String!, $password: String!) {
  acceptInvitation(token: $token, name: $name, password: $password) {
    accessToken refreshToken user { id role } userErrors { code message }
  }
}"""
ME = "{ me { id email role } }"


@dataclass
class Tenant:
    id: str
    slug: str
    owner_token: str = ""
    owner_refresh: str = ""
    owner_id: str = ""
    users: dict[str, str] = field(default_factory=dict)  # email -> user id


@dataclass
class Harness:
    runtime: Runtime
    deps: IdentityDeps
    mailer: MemoryMailer
    client: httpx.AsyncClient
    provisioner: Provisioner

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant: str | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        sent = dict(headers or {})
        if tenant is not None:
            sent["x-tenant-id"] = tenant
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def tenant(self, slug: str | None = None) -> Tenant:
        slug = slug or f"t{uuid.uuid4().hex[:10]}"
        row = await self.provisioner.create_tenant(slug, slug.title())
        return Tenant(str(row.id), slug)

    async def owned_tenant(self, slug: str | None = None) -> Tenant:
        tenant = await self.tenant(slug)
        email = f"owner@{tenant.slug}.test"
        body = await self.gql(
            SIGN_UP, {"email": email, "name": "Owner", "password": PASSWORD}, tenant=tenant.id
        )
        result = body["data"]["signUp"]
        assert result["userErrors"] == [], result
        tenant.owner_token, tenant.owner_refresh = result["accessToken"], result["refreshToken"]
        tenant.owner_id = result["user"]["id"]
        tenant.users[email] = tenant.owner_id
        return tenant

    async def add_user(self, tenant: Tenant, email: str, role: str = "member") -> dict[str, Any]:
        """Invite and accept: returns the acceptInvitation result (tokens, user)."""
        body = await self.gql(
            INVITE, {"email": email, "role": role}, tenant=tenant.id, token=tenant.owner_token
        )
        assert body["data"]["inviteUser"]["userErrors"] == [], body
        token = self.mailer.last(email, "invitation").token
        body = await self.gql(
            ACCEPT, {"token": token, "name": email.split("@")[0], "password": PASSWORD},
            tenant=tenant.id,
        )  # fmt: skip
        result: dict[str, Any] = body["data"]["acceptInvitation"]
        assert result["userErrors"] == [], result
        tenant.users[email] = result["user"]["id"]
        return result


@asynccontextmanager
async def identity_harness(
    env: TenancyEnv,
    *,
    throttle: Throttle | None = None,
    redis: Any = None,
    once: OnceCache | None = None,
) -> AsyncIterator[Harness]:
    runtime = build_runtime(env.settings, redis=redis)
    mailer = MemoryMailer()
    deps = default_deps(
        runtime,
        mailer=mailer,
        hashing=HashingService(FAST_HASHER),
        throttle=throttle or MemoryThrottle(),
        once=once or MemoryOnce(),
    )
    app = build_app(runtime, deps)
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 1234))
    provisioner = Provisioner(env.control, env.settings)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://identity") as client:
            yield Harness(runtime, deps, mailer, client, provisioner)
    finally:
        runtime.redis = None  # owned by the caller
        await runtime.aclose()


async def age_rotations(harness: Harness, tenant_id: str, *, seconds: float) -> None:
    """Move every refresh-token rotation of a tenant `seconds` into the past (instead of
    sleeping past the grace window)."""
    async with harness.runtime.tenants.session(TenantId(uuid.UUID(tenant_id))) as session:
        rows = await session.scalars(
            select(RefreshToken).where(RefreshToken.superseded_at.is_not(None))
        )
        for row in rows:
            assert row.superseded_at is not None
            row.superseded_at = row.superseded_at - timedelta(seconds=seconds)
        await session.commit()


def with_deps(harness: Harness, **changes: Any) -> IdentityDeps:
    return replace(harness.deps, **changes)
