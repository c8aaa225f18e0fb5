"""Test harness: tenants and users through identity, the tickets app over ASGI."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.kit.pubsub import PubSub
from subgraphs.tickets.app import build_app
from subgraphs.tickets.deps import TicketsDeps
from tests.subgraphs.identity.harness import Harness, Tenant, identity_harness

CREATE = """mutation($input: CreateTicketInput!) { createTicket(input: $input) {
  ticket { id number subject status { key category } priority { key } tags customFields
           requester { id } assignee { id } }
  userErrors { field code message } } }"""
UPDATE = """mutation($input: UpdateTicketInput!) { updateTicket(input: $input) {
  ticket { id number subject status { key category } priority { key } tags customFields
           assignee { id } group { id } }
  userErrors { field code message } } }"""
COMMENT = """mutation($input: AddTicketCommentInput!) { addTicketComment(input: $input) {
  comment { id public body mentions links { name url } attachments { id } }
  userErrors { field code } } }"""
GET = """query($id: ID!) { ticket(id: $id) { id number subject status { key }
  comments { body public } history { field old new actor { id } }
  sla { metric cycle breached paused remainingSeconds targetAt fulfilledAt } } }"""


@dataclass
class People:
    tenant: Tenant
    owner: str  # token of the owner (every permission)
    agent: str
    agent_id: str
    viewer: str
    requester: str
    requester_id: str
    other_requester: str = ""
    other_requester_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class TicketsHarness:
    identity: Harness
    client: httpx.AsyncClient
    deps: TicketsDeps
    app: Any

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, tenant: Tenant, token: str
    ) -> dict[str, Any]:
        headers = {"x-tenant-id": tenant.id, "authorization": f"Bearer {token}"}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def people(self) -> People:
        tenant = await self.identity.owned_tenant()
        agent = await self.identity.add_user(tenant, f"agent@{tenant.slug}.test", "agent")
        viewer = await self.identity.add_user(tenant, f"viewer@{tenant.slug}.test", "viewer")
        req = await self.identity.add_user(tenant, f"req@{tenant.slug}.test", "requester")
        other = await self.identity.add_user(tenant, f"req2@{tenant.slug}.test", "requester")
        return People(
            tenant=tenant,
            owner=tenant.owner_token,
            agent=agent["accessToken"],
            agent_id=agent["user"]["id"],
            viewer=viewer["accessToken"],
            requester=req["accessToken"],
            requester_id=req["user"]["id"],
            other_requester=other["accessToken"],
            other_requester_id=other["user"]["id"],
        )

    async def create(self, people: People, token: str | None = None, **fields: Any) -> Any:
        data = {"subject": f"Printer on fire {uuid.uuid4().hex[:6]}", **fields}
        body = await self.gql(
            CREATE, {"input": data}, tenant=people.tenant, token=token or people.agent
        )
        result = body["data"]["createTicket"]
        assert result["userErrors"] == [], result
        return result["ticket"]


@asynccontextmanager
async def tickets_harness(env: TenancyEnv) -> AsyncIterator[TicketsHarness]:
    async with identity_harness(env) as identity:
        deps = TicketsDeps(pubsub=PubSub("memory://"))
        await deps.pubsub.connect()
        app = build_app(identity.runtime, deps)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://tickets") as client:
                yield TicketsHarness(identity, client, deps, app)
        finally:
            app.state.tickets_unsubscribe()
            await deps.pubsub.disconnect()


# the database-independent tests run on SQLite only, to keep the suite under three minutes
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
