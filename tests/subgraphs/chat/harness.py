"""Test harness: tenants and people through identity, the chat app over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.chat.app import build_app
from subgraphs.chat.deps import ChatDeps
from subgraphs.chat.presence import MemoryPresence
from subgraphs.kit.pubsub import PubSub
from tests.subgraphs.identity.harness import Harness, Tenant, identity_harness

CONVERSATION_FIELDS = """id status priority subject queued queuePosition messageCount requiredSkills
  assignee { id } ticket { id } ticketState mergedIntoId snoozedUntil
  contact { id name email identified }
  messages { seq kind authorKind body private mentions { id } attachments { name url } }
  readReceipts { participant lastReadSeq }"""
START = f"""mutation($input: StartConversationInput!) {{ startConversation(input: $input) {{
  conversation {{ {CONVERSATION_FIELDS} }} contactToken userErrors {{ field code message }} }} }}"""
SEND = """mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) {
  message { id seq kind body private mentions { id } attachments { name url size } }
  userErrors { field code message } } }"""
UPDATE = f"""mutation($input: UpdateConversationInput!) {{ updateConversation(input: $input) {{
  conversation {{ {CONVERSATION_FIELDS} }} userErrors {{ field code message }} }} }}"""
GET = f"""query($id: ID!, $token: String) {{ conversation(id: $id, contactToken: $token) {{
  {CONVERSATION_FIELDS} }} }}"""
INBOX = """mutation($input: SaveChatInboxInput!) { saveChatInbox(input: $input) {
  inbox { id name channel routing capacity } userErrors { field code message } } }"""
PRESENCE = """mutation($s: AgentPresenceStatus!) { setAgentPresence(status: $s) {
  presence { status capacity } userErrors { code } } }"""
CAPACITY = """mutation($u: ID!, $c: Int!) { setAgentCapacity(input: {userId: $u, capacity: $c}) {
  presence { capacity } userErrors { code } } }"""


@dataclass
class People:
    tenant: Tenant
    owner: str
    owner_id: str
    agent: str
    agent_id: str
    agent2: str
    agent2_id: str
    viewer: str
    customer: str  # an identified contact: signed in, no chat permission
    customer_id: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChatHarness:
    identity: Harness
    client: httpx.AsyncClient
    deps: ChatDeps
    app: Any

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant: Tenant,
        token: str | None = None,
    ) -> dict[str, Any]:
        headers = {"x-tenant-id": tenant.id}
        if token:
            headers["authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def ok(
        self, query: str, variables: dict[str, Any], *, tenant: Tenant, token: str | None
    ) -> dict[str, Any]:
        body = await self.gql(query, variables, tenant=tenant, token=token)
        assert "errors" not in body, body
        (result,) = body["data"].values()
        if isinstance(result, dict) and "userErrors" in result:
            assert result["userErrors"] == [], result
        return result  # type: ignore[no-any-return]

    async def people(self) -> People:
        tenant = await self.identity.owned_tenant()
        body = await self.identity.gql(
            'mutation { createRole(name: "customer", permissions: ["users:read"]) '
            "{ userErrors { code } } }",
            tenant=tenant.id,
            token=tenant.owner_token,
        )
        assert body["data"]["createRole"]["userErrors"] == [], body
        agent = await self.identity.add_user(tenant, f"agent@{tenant.slug}.test", "agent")
        agent2 = await self.identity.add_user(tenant, f"agent2@{tenant.slug}.test", "agent")
        viewer = await self.identity.add_user(tenant, f"viewer@{tenant.slug}.test", "viewer")
        customer = await self.identity.add_user(tenant, f"c@{tenant.slug}.test", "customer")
        return People(
            tenant=tenant,
            owner=tenant.owner_token,
            owner_id=tenant.owner_id,
            agent=agent["accessToken"],
            agent_id=agent["user"]["id"],
            agent2=agent2["accessToken"],
            agent2_id=agent2["user"]["id"],
            viewer=viewer["accessToken"],
            customer=customer["accessToken"],
            customer_id=customer["user"]["id"],
        )

    async def inbox(self, people: People, **fields: Any) -> str:
        data = {"name": "Support", "channel": "WEB_WIDGET", **fields}
        result = await self.ok(INBOX, {"input": data}, tenant=people.tenant, token=people.owner)
        return str(result["inbox"]["id"])

    async def start(
        self, people: People, inbox_id: str, token: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        data = {"inboxId": inbox_id, "body": "Hello, I need help", **fields}
        return await self.ok(START, {"input": data}, tenant=people.tenant, token=token)

    async def presence(self, people: People, token: str, status: str = "ONLINE") -> None:
        await self.ok(PRESENCE, {"s": status}, tenant=people.tenant, token=token)


@asynccontextmanager
async def chat_harness(env: TenancyEnv, pubsub: PubSub | None = None) -> AsyncIterator[ChatHarness]:
    async with identity_harness(env) as identity:
        deps = ChatDeps(pubsub=pubsub or PubSub("memory://"), presence=MemoryPresence())
        await deps.pubsub.connect()
        app = build_app(identity.runtime, deps)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://chat") as client:
                yield ChatHarness(identity, client, deps, app)
        finally:
            await deps.pubsub.disconnect()
