"""Test harness: tenants and users through the identity app, the projects app over ASGI on
the same runtime (so it verifies the same tokens)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette

from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.projects.app import build_app
from subgraphs.projects.deps import ProjectsDeps
from subgraphs.projects.realtime import MemoryBoardFeed
from tests.subgraphs.identity.harness import Harness, Tenant, identity_harness

CREATE_PROJECT = """mutation($input: CreateProjectInput!) {
  createProject(input: $input) { project { id key name } userErrors { field code message } }
}"""
CREATE_TASK = """mutation($input: CreateTaskInput!) {
  createTask(input: $input) {
    task { id identifier number title rank state { id name category } }
    userErrors { field code message }
  }
}"""
PROJECT_BOARD = """query($id: ID!) {
  project(id: $id) {
    states { id name category position }
    boards { id columns { id name wipLimit cards { id identifier rank } } }
  }
}"""


@dataclass
class ProjectsHarness:
    identity: Harness
    client: httpx.AsyncClient
    feed: MemoryBoardFeed
    app: Starlette

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant: Tenant,
        token: str | None = None,
    ) -> dict[str, Any]:
        headers = {"x-tenant-id": tenant.id}
        headers["authorization"] = f"Bearer {token or tenant.owner_token}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def ok(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant: Tenant,
        token: str | None = None,
    ) -> dict[str, Any]:
        """The data of a successful operation whose single payload has no userErrors."""
        body = await self.gql(query, variables, tenant=tenant, token=token)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        for value in data.values():
            if isinstance(value, dict) and "userErrors" in value:
                assert value["userErrors"] == [], value
        return data

    async def tenant(self) -> Tenant:
        return await self.identity.owned_tenant()

    async def token_for(self, tenant: Tenant, role: str) -> str:
        email = f"{role}-{uuid.uuid4().hex[:6]}@{tenant.slug}.test"
        result = await self.identity.add_user(tenant, email, role)
        return str(result["accessToken"])

    async def project(self, tenant: Tenant, key: str = "OPS") -> dict[str, Any]:
        data = await self.ok(
            CREATE_PROJECT, {"input": {"key": key, "name": f"Project {key}"}}, tenant=tenant
        )
        project: dict[str, Any] = data["createProject"]["project"]
        board = await self.ok(PROJECT_BOARD, {"id": project["id"]}, tenant=tenant)
        project["states"] = board["project"]["states"]
        project["board"] = board["project"]["boards"][0]
        return project

    async def task(
        self, tenant: Tenant, project_id: str, title: str = "Task", **fields: Any
    ) -> dict[str, Any]:
        data = await self.ok(
            CREATE_TASK,
            {"input": {"projectId": project_id, "title": title, **fields}},
            tenant=tenant,
        )
        task: dict[str, Any] = data["createTask"]["task"]
        return task


@asynccontextmanager
async def projects_harness(env: TenancyEnv) -> AsyncIterator[ProjectsHarness]:
    async with identity_harness(env) as identity:
        feed = MemoryBoardFeed()
        app = build_app(identity.runtime, ProjectsDeps(feed=feed))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://projects") as client:
            yield ProjectsHarness(identity, client, feed, app)
