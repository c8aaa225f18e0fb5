"""Revoked sessions across processes: identity served by uvicorn on a real port publishes
revocations to a real Redis; a kit authenticator in JWKS mode (`authenticator_from_env` with
its own Redis client, as in another process) refuses the session's access tokens."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
from redis.asyncio import Redis

from saas_platform.tenancy.provisioning import Provisioner
from saas_platform.tenancy.runtime import build_runtime
from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.identity.app import build_app, default_deps
from subgraphs.identity.mailer import MemoryMailer
from subgraphs.identity.passwords import HashingService, ScryptHasher
from subgraphs.kit.auth import Authenticator, UnauthenticatedError
from subgraphs.kit.auth.authenticator import authenticator_from_env
from subgraphs.kit.auth.revocations import RedisSessionChecker, RevocationPublisher
from subgraphs.kit.ids import TenantId

pytestmark = pytest.mark.redis

PASSWORD = "violet-harbour-lantern-42"
SIGN_UP = """mutation($email: String!) { signUp(email: $email, name: "O",
  password: "violet-harbour-lantern-42") { accessToken refreshToken userErrors { code } } }"""
LOGOUT = "mutation($t: String!) { logout(refreshToken: $t) { ok userErrors { code } } }"
REFRESH = """mutation($t: String!) { refreshToken(refreshToken: $t) {
  accessToken refreshToken userErrors { code } } }"""
CHANGE_PASSWORD = """mutation { changePassword(currentPassword: "violet-harbour-lantern-42",
  newPassword: "amber-meadow-compass-77") { ok userErrors { code } } }"""


@dataclass
class Login:
    tenant: TenantId
    access: str
    refresh: str

    @property
    def sid(self) -> str:
        return str(jwt.decode(self.access, options={"verify_signature": False})["sid"])

    @property
    def bearer(self) -> str:
        return f"Bearer {self.access}"


@dataclass
class Served:
    base: str
    http: httpx.AsyncClient
    provisioner: Provisioner
    redis_url: str

    async def gql(self, query: str, tenant: TenantId, token: str = "", **variables: Any) -> Any:
        headers = {"x-tenant-id": str(tenant)}
        if token:
            headers["authorization"] = f"Bearer {token}"
        response = await self.http.post(
            f"{self.base}/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    async def sign_up(self) -> Login:
        row = await self.provisioner.create_tenant(f"t{uuid.uuid4().hex[:10]}", "T")
        tenant = TenantId(row.id)
        payload = (await self.gql(SIGN_UP, tenant, email="o@example.test"))["signUp"]
        assert payload["userErrors"] == []
        return Login(tenant, payload["accessToken"], payload["refreshToken"])

    def other_process(self, redis: Any, **env: str) -> tuple[Authenticator, RedisSessionChecker]:
        authenticator = authenticator_from_env(
            {"AUTH_JWKS_URL": self.base + "/.well-known/jwks.json", **env}, redis=redis
        )
        assert authenticator is not None
        assert isinstance(authenticator.sessions, RedisSessionChecker)
        return authenticator, authenticator.sessions


@pytest.fixture
async def served(env: TenancyEnv, redis_url: str) -> AsyncIterator[Served]:
    runtime = build_runtime(env.settings, redis=Redis.from_url(redis_url))
    deps = default_deps(runtime, hashing=HashingService(ScryptHasher(log_n=10)),
                        mailer=MemoryMailer(), refresh_grace_seconds=0)  # fmt: skip
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
            yield Served(f"http://127.0.0.1:{port}", http,
                         Provisioner(env.control, env.settings), redis_url)  # fmt: skip
    finally:
        server.should_exit = True
        await task
        sock.close()
        await runtime.aclose()


@pytest.fixture
async def other_redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


async def refused(authenticator: Authenticator, login: Login) -> bool:
    try:
        await authenticator.authenticate(login.bearer, login.tenant)
    except UnauthenticatedError:
        return True
    return False


async def test_logout_is_refused_by_another_process_at_once(
    served: Served, other_redis: Redis
) -> None:
    authenticator, checker = served.other_process(other_redis)
    try:
        login, bystander = await served.sign_up(), await served.sign_up()
        assert not await refused(authenticator, login)  # live, and cached as live
        assert not await refused(authenticator, bystander)
        async with asyncio.timeout(5):
            await checker.subscribed.wait()
        lookups = checker.lookups
        out = await served.gql(LOGOUT, login.tenant, t=login.refresh)
        assert out["logout"] == {"ok": True, "userErrors": []}
        async with asyncio.timeout(5):  # the pub/sub message, well within the 5 s cache
            await checker.wait_revoked(login.tenant, login.sid)
        assert await refused(authenticator, login)
        assert checker.lookups == lookups  # refused from the invalidated cache, not a read
        assert not await refused(authenticator, bystander)  # only that session
    finally:
        await checker.aclose()


async def test_a_process_that_missed_the_message_reads_the_revocation(
    served: Served, other_redis: Redis
) -> None:
    login = await served.sign_up()
    await served.gql(LOGOUT, login.tenant, t=login.refresh)
    authenticator, checker = served.other_process(other_redis)  # started after the logout
    try:
        assert await refused(authenticator, login)
        assert checker.lookups == 1
    finally:
        await checker.aclose()


async def test_password_change_and_refresh_reuse_revoke_everywhere(
    served: Served, other_redis: Redis
) -> None:
    authenticator, checker = served.other_process(other_redis)
    try:
        changed, reused = await served.sign_up(), await served.sign_up()
        assert not await refused(authenticator, changed)
        out = await served.gql(CHANGE_PASSWORD, changed.tenant, changed.access)
        assert out["changePassword"] == {"ok": True, "userErrors": []}
        async with asyncio.timeout(5):
            await checker.wait_revoked(changed.tenant, changed.sid)
        assert await refused(authenticator, changed)

        rotated = (await served.gql(REFRESH, reused.tenant, t=reused.refresh))["refreshToken"]
        fresh = Login(reused.tenant, rotated["accessToken"], rotated["refreshToken"])
        assert not await refused(authenticator, fresh)
        again = (await served.gql(REFRESH, reused.tenant, t=reused.refresh))["refreshToken"]
        assert again["userErrors"] == [{"code": "TOKEN_REUSED"}]
        async with asyncio.timeout(5):
            await checker.wait_revoked(fresh.tenant, fresh.sid)
        assert await refused(authenticator, fresh)
    finally:
        await checker.aclose()


async def test_a_revocation_applies_to_its_own_tenant_only(
    served: Served, other_redis: Redis
) -> None:
    a, b = await served.sign_up(), await served.sign_up()
    # B's session id revoked under A's tenant: B's token is unaffected
    assert await RevocationPublisher(other_redis).publish(a.tenant, [b.sid])
    authenticator, checker = served.other_process(other_redis)
    try:
        assert not await refused(authenticator, b)
        assert await checker.is_active(a.tenant, "ignored", b.sid) is False
    finally:
        await checker.aclose()


def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


async def test_redis_down_fails_open_or_closed_as_configured(served: Served) -> None:
    login = await served.sign_up()
    dead = Redis.from_url(f"redis://127.0.0.1:{closed_port()}/0", socket_connect_timeout=1)
    try:
        open_auth, open_checker = served.other_process(dead)
        closed_auth, closed_checker = served.other_process(dead, AUTH_REVOCATION_FAIL="closed")
        try:
            assert not await refused(open_auth, login)
            assert await refused(closed_auth, login)
            assert await refused(closed_auth, login)  # nothing cached while Redis is down
        finally:
            await open_checker.aclose()
            await closed_checker.aclose()
    finally:
        await dead.aclose()
    with pytest.raises(ValueError, match="AUTH_REVOCATION_FAIL"):
        served.other_process(dead, AUTH_REVOCATION_FAIL="maybe")


async def test_without_redis_jwks_mode_checks_no_session(served: Served) -> None:
    authenticator = authenticator_from_env(
        {"AUTH_JWKS_URL": served.base + "/.well-known/jwks.json"}
    )
    assert authenticator is not None
    assert authenticator.sessions is None
