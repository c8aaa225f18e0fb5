"""The tenants subgraph served over HTTP (httpx on the Starlette app)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from saas_platform.tenancy.runtime import build_runtime
from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.kit.runtime import Runtime
from subgraphs.tenants.app import build_app

GraphQL = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def runtime(env: TenancyEnv) -> AsyncIterator[Runtime]:
    runtime = build_runtime(env.settings)
    yield runtime
    await runtime.aclose()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://tenants") as http:
        yield http


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQL:
    async def execute(query: str, **variables: Any) -> dict[str, Any]:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return execute
