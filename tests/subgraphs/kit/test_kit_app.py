"""The kit end to end: a tenant-bound subgraph, scope from the header, health and readiness."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import strawberry
from sqlalchemy import text
from strawberry.types import Info

from saas_platform.tenancy.provisioning import Provisioner
from saas_platform.tenancy.runtime import build_runtime
from saas_platform.tenancy.testing import DEAD_SERVER_URL, TenancyEnv
from subgraphs.kit import TENANT_HEADER, SubgraphContext, build_federated_schema, build_subgraph_app
from subgraphs.kit.db import Database
from subgraphs.kit.runtime import Runtime


@strawberry.type
class Query:
    @strawberry.field
    async def whoami(self, info: Info[SubgraphContext[None], None]) -> str:
        scope = info.context.require_scope()
        async with info.context.sessions.read() as session:
            slug = (await session.execute(text("SELECT slug FROM tenant_identity"))).scalar_one()
        assert slug == scope.slug
        return str(slug)

    @strawberry.field
    def boom(self) -> str:
        raise RuntimeError("secret internals")


@pytest.fixture
async def runtime(env: TenancyEnv) -> AsyncIterator[Runtime]:
    runtime = build_runtime(env.settings)
    yield runtime
    await runtime.aclose()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = build_subgraph_app(build_federated_schema(query=Query), runtime, name="demo", deps=None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as http:
        yield http


async def whoami(client: httpx.AsyncClient, tenant: str | None) -> dict[str, object]:
    headers = {TENANT_HEADER: tenant} if tenant else {}
    response = await client.post("/graphql", json={"query": "{ whoami }"}, headers=headers)
    body: dict[str, object] = response.json()
    return body


async def test_requests_reach_their_own_tenant_database(
    env: TenancyEnv, client: httpx.AsyncClient
) -> None:
    provisioner = Provisioner(env.control, env.settings)
    acme = await provisioner.create_tenant("acme", "Acme")
    beta = await provisioner.create_tenant("beta", "Beta")
    assert (await whoami(client, str(acme.id)))["data"] == {"whoami": "acme"}
    assert (await whoami(client, str(beta.id)))["data"] == {"whoami": "beta"}


async def test_missing_unknown_or_suspended_tenant_is_refused(
    env: TenancyEnv, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    def code(body: dict[str, object]) -> object:
        errors = body["errors"]
        assert isinstance(errors, list)
        return errors[0]["extensions"]["code"]

    assert code(await whoami(client, None)) == "TENANT_REQUIRED"
    assert code(await whoami(client, "not-a-uuid")) == "TENANT_NOT_FOUND"
    assert code(await whoami(client, "00000000-0000-0000-0000-000000000000")) == "TENANT_NOT_FOUND"
    acme = await Provisioner(env.control, env.settings).create_tenant("acme", "Acme")
    async with env.control.transaction() as session:
        await session.execute(text("UPDATE tenants SET status = 'SUSPENDED'"))
    runtime.scopes.forget(acme.id)  # type: ignore[arg-type]
    assert code(await whoami(client, str(acme.id))) == "TENANT_UNAVAILABLE"


async def test_unexpected_errors_are_masked(client: httpx.AsyncClient) -> None:
    body = (await client.post("/graphql", json={"query": "{ boom }"})).json()
    assert body["errors"][0]["message"] == "Internal server error."
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert "secret" not in str(body)


async def test_health_and_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json()["status"] == "alive"
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"control_database": "ok"}


async def test_ready_is_503_when_the_control_database_does_not_answer(
    runtime: Runtime,
) -> None:
    broken = Runtime(
        control=Database.connect(DEAD_SERVER_URL),
        tenants=runtime.tenants,
        scopes=runtime.scopes,
    )
    app = build_subgraph_app(build_federated_schema(query=Query), broken, name="demo", deps=None)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://demo"
    ) as http:
        response = await http.get("/ready")
    await broken.control.dispose()
    assert response.status_code == 503
    assert response.json()["checks"]["control_database"].startswith("failed")


@pytest.mark.redis
async def test_ready_checks_redis_when_configured(runtime: Runtime, redis_url: str) -> None:
    from redis.asyncio import Redis

    with_redis = Runtime(
        control=runtime.control, tenants=runtime.tenants, scopes=runtime.scopes,
        redis=Redis.from_url(redis_url),
    )  # fmt: skip
    app = build_subgraph_app(
        build_federated_schema(query=Query), with_redis, name="demo", deps=None
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://demo"
    ) as http:
        response = await http.get("/ready")
    await with_redis.redis.aclose()
    assert response.status_code == 200
    assert response.json()["checks"] == {"control_database": "ok", "redis": "ok"}
