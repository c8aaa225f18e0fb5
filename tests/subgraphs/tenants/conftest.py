"""The tenants subgraph served over HTTP (httpx on the Starlette app), with identity in the
same process (its authenticator verifies operator and tenant tokens, as in `saas-platform dev`).

`gql` acts as a platform operator (the administrative tests); `gql_as(token)` as anyone else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from saas_platform.tenancy.runtime import build_runtime
from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.identity.app import build_app as build_identity_app
from subgraphs.identity.app import default_deps as identity_deps
from subgraphs.identity.mailer import MemoryMailer
from subgraphs.identity.passwords import HashingService, ScryptHasher
from subgraphs.identity.service.operators import create_operator
from subgraphs.kit.runtime import Runtime
from subgraphs.tenants.app import build_app
from tests.subgraphs.tenants.platform import (
    OPERATOR_EMAIL,
    OPERATOR_LOGIN,
    OPERATOR_PASSWORD,
    GraphQL,
    GraphQLAs,
    Platform,
)


@pytest.fixture
async def runtime(env: TenancyEnv) -> AsyncIterator[Runtime]:
    runtime = build_runtime(env.settings)
    yield runtime
    await runtime.aclose()


@pytest.fixture
async def platform(runtime: Runtime) -> AsyncIterator[Platform]:
    deps = identity_deps(
        runtime, hashing=HashingService(ScryptHasher(log_n=10)), mailer=MemoryMailer()
    )
    identity_app = build_identity_app(runtime, deps)  # installs the process's authenticator
    async with runtime.control.session() as session:
        await create_operator(session, deps.hashing, OPERATOR_EMAIL, OPERATOR_PASSWORD)
        await session.commit()
    peer = ("10.1.2.3", 4000)
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=identity_app, client=peer), base_url="http://id"
        ) as identity,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=build_app(runtime), client=peer),
            base_url="http://tenants",
        ) as tenants,
    ):
        built = Platform(runtime, identity, tenants, deps)
        response = await identity.post(
            "/graphql",
            json={
                "query": OPERATOR_LOGIN,
                "variables": {"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD},
            },
        )
        result = response.json()["data"]["operatorLogin"]
        assert result["userErrors"] == [], result
        built.operator_token = result["accessToken"]
        yield built


@pytest.fixture
def client(platform: Platform) -> httpx.AsyncClient:
    return platform.tenants


@pytest.fixture
def gql_as(platform: Platform) -> GraphQLAs:
    async def execute(
        query: str,
        bearer: str | None = None,
        *,
        with_headers: dict[str, str] | None = None,
        **variables: Any,
    ) -> dict[str, Any]:
        sent = dict(with_headers or {})
        if bearer:
            sent["authorization"] = f"Bearer {bearer}"
        response = await platform.tenants.post(
            "/graphql", json={"query": query, "variables": variables}, headers=sent
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return execute


@pytest.fixture
def gql(platform: Platform, gql_as: GraphQLAs) -> GraphQL:
    async def execute(query: str, **variables: Any) -> dict[str, Any]:
        return await gql_as(query, platform.operator_token, **variables)

    return execute
