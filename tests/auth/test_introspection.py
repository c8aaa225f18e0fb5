"""API keys checked from another process: identity served by uvicorn on a real port, a kit
authenticator in JWKS mode (`authenticator_from_env`) asks its introspection endpoint."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from saas_platform.tenancy.provisioning import Provisioner
from saas_platform.tenancy.runtime import build_runtime
from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.identity.app import build_app, default_deps
from subgraphs.identity.mailer import MemoryMailer
from subgraphs.identity.passwords import HashingService, ScryptHasher
from subgraphs.kit.auth import Authenticator, JwksKeySource, UnauthenticatedError
from subgraphs.kit.auth.authenticator import authenticator_from_env
from subgraphs.kit.auth.introspection import INTROSPECTION_PATH, RemoteApiKeyResolver
from subgraphs.kit.auth.principal import PrincipalKind
from subgraphs.kit.ids import TenantId

SECRET = "introspection-" + uuid.uuid4().hex
PASSWORD = "violet-harbour-lantern-42"
SIGN_UP = """mutation($email: String!) { signUp(email: $email, name: "O",
  password: "violet-harbour-lantern-42") { accessToken userErrors { code } } }"""
CREATE_KEY = """mutation($scopes: [String!]!) { createApiKey(name: "ci", scopes: $scopes) {
  secret apiKey { id } userErrors { code } } }"""
REVOKE_KEY = "mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { revokedAt } } }"


@dataclass
class Served:
    base: str  # http://127.0.0.1:PORT
    http: httpx.AsyncClient
    provisioner: Provisioner

    async def gql(self, query: str, tenant: str, token: str = "", **variables: Any) -> Any:
        headers = {"x-tenant-id": tenant}
        if token:
            headers["authorization"] = f"Bearer {token}"
        response = await self.http.post(
            f"{self.base}/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        return response.json()["data"]

    async def tenant_with_key(self, scopes: list[str]) -> tuple[TenantId, str, str, str]:
        """A tenant, its owner's access token, an API key and the key's id."""
        row = await self.provisioner.create_tenant(f"t{uuid.uuid4().hex[:10]}", "T")
        tid = str(row.id)
        owner = (await self.gql(SIGN_UP, tid, email="o@example.test"))["signUp"]["accessToken"]
        created = (await self.gql(CREATE_KEY, tid, owner, scopes=scopes))["createApiKey"]
        return TenantId(row.id), owner, created["secret"], created["apiKey"]["id"]


@pytest.fixture
async def served(env: TenancyEnv, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Served]:
    monkeypatch.setenv("AUTH_INTROSPECTION_SECRET", SECRET)
    runtime = build_runtime(env.settings)
    deps = default_deps(runtime, hashing=HashingService(ScryptHasher(log_n=10)),
                        mailer=MemoryMailer())  # fmt: skip
    app = build_app(runtime, deps)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        async with httpx.AsyncClient() as http:
            yield Served(f"http://127.0.0.1:{port}", http, Provisioner(env.control, env.settings))
    finally:
        server.should_exit = True
        await task
        sock.close()
        await runtime.aclose()


def remote(served: Served, *, secret: str = SECRET, ttl: float = 30.0,
           clock: Any = None) -> tuple[Authenticator, RemoteApiKeyResolver]:  # fmt: skip
    resolver = RemoteApiKeyResolver(
        served.base + INTROSPECTION_PATH, secret, ttl=ttl,
        **({"clock": clock} if clock is not None else {}),
    )  # fmt: skip
    keys = JwksKeySource(served.base + "/.well-known/jwks.json")
    return Authenticator(keys, api_keys=resolver), resolver


async def test_from_env_verifies_tokens_and_api_keys_of_another_process(served: Served) -> None:
    authenticator = authenticator_from_env(
        {
            "AUTH_JWKS_URL": served.base + "/.well-known/jwks.json",
            "AUTH_INTROSPECTION_SECRET": SECRET,
        }
    )
    assert authenticator is not None
    tenant, owner, key, key_id = await served.tenant_with_key(["users:read"])
    by_token = await authenticator.authenticate(f"Bearer {owner}", tenant)
    assert by_token is not None
    assert by_token.kind == PrincipalKind.USER
    by_key = await authenticator.authenticate(f"Bearer {key}", tenant)
    assert by_key is not None
    assert (by_key.tenant_id, by_key.kind, by_key.credential_id) == (
        tenant, PrincipalKind.API_KEY, key_id,
    )  # fmt: skip
    assert by_key.permissions == frozenset({"users:read"})


async def test_a_key_never_answers_for_another_tenant(served: Served) -> None:
    authenticator, resolver = remote(served)
    tenant_a, _, key_a, _ = await served.tenant_with_key(["users:read"])
    tenant_b, _, _, _ = await served.tenant_with_key(["users:read"])
    assert await authenticator.authenticate(f"Bearer {key_a}", tenant_a) is not None
    # cached for A; asked afresh (and refused) for B, and for B again from B's own cache entry
    for _ in range(2):
        with pytest.raises(UnauthenticatedError):
            await authenticator.authenticate(f"Bearer {key_a}", tenant_b)
    assert resolver.calls == 2
    with pytest.raises(UnauthenticatedError):  # a key means nothing without a tenant
        await authenticator.authenticate(f"Bearer {key_a}", None)


async def test_revocation_is_seen_within_the_cache_ttl(served: Served) -> None:
    now = [1000.0]
    authenticator, resolver = remote(served, ttl=30.0, clock=lambda: now[0])
    tenant, owner, key, key_id = await served.tenant_with_key(["users:read"])
    assert await authenticator.authenticate(f"Bearer {key}", tenant) is not None
    revoked = await served.gql(REVOKE_KEY, str(tenant), owner, id=key_id)
    assert revoked["revokeApiKey"]["apiKey"]["revokedAt"] is not None
    now[0] += 29  # within the TTL the cached answer stands (documented)
    assert await authenticator.authenticate(f"Bearer {key}", tenant) is not None
    now[0] += 2  # past it: identity is asked again and says no
    with pytest.raises(UnauthenticatedError):
        await authenticator.authenticate(f"Bearer {key}", tenant)
    assert resolver.calls == 2


async def test_the_endpoint_demands_the_shared_secret(served: Served) -> None:
    tenant, _, key, _ = await served.tenant_with_key(["users:read"])
    url = served.base + INTROSPECTION_PATH
    body = {"tenant_id": str(tenant), "key": key}
    assert (await served.http.post(url, json=body)).status_code == 401
    wrong = await served.http.post(url, json=body, headers={"x-introspection-secret": "nope"})
    assert wrong.status_code == 401
    bad = await served.http.post(url, json={"key": key}, headers={"x-introspection-secret": SECRET})
    assert bad.status_code == 400
    # the resolver with a wrong secret refuses the key (fail closed) and caches nothing
    authenticator, resolver = remote(served, secret="wrong")
    for _ in range(2):
        with pytest.raises(UnauthenticatedError):
            await authenticator.authenticate(f"Bearer {key}", tenant)
    assert resolver.calls == 2


async def test_identity_unreachable_refuses_keys(served: Served) -> None:
    tenant, _, key, _ = await served.tenant_with_key(["users:read"])
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    closed_port = probe.getsockname()[1]
    probe.close()
    resolver = RemoteApiKeyResolver(f"http://127.0.0.1:{closed_port}{INTROSPECTION_PATH}", SECRET)
    authenticator = Authenticator(JwksKeySource(served.base + "/.well-known/jwks.json"),
                                  api_keys=resolver)  # fmt: skip
    with pytest.raises(UnauthenticatedError):
        await authenticator.authenticate(f"Bearer {key}", tenant)
