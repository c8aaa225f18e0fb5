"""Test harness: tenants and people through identity, the notifications app over ASGI."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx

from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.kit.events import Event, HandlerContext
from subgraphs.kit.ids import TenantId
from subgraphs.kit.pubsub import PubSub
from subgraphs.notifications.app import build_app
from subgraphs.notifications.consumers import handle
from subgraphs.notifications.delivery import DeliveryConfig, Dispatcher, DispatchStats
from subgraphs.notifications.deps import NotificationsDeps
from tests.subgraphs.identity.harness import Harness, Tenant, identity_harness

LIST = """query($first: Int, $after: String, $unread: Boolean! = false) {
  notifications(first: $first, after: $after, unreadOnly: $unread) {
    edges { cursor node { id kind title body link subjectType subjectId actorId readAt } }
    pageInfo { hasNextPage endCursor } }
  unreadNotificationCount }"""
MARK = """mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) {
  marked unreadCount userErrors { field code message } } }"""
PREFS = "{ notificationPreferences { kind inApp email push } }"
SET_PREFS = """mutation($p: [NotificationPreferenceInput!]!) {
  updateNotificationPreferences(input: {preferences: $p}) {
    preferences { kind inApp email push } userErrors { field code } } }"""
SETTINGS = """mutation($email: String, $handle: String) {
  updateNotificationSettings(input: {email: $email, handle: $handle}) {
    settings { email handle } userErrors { field code message } } }"""
REGISTER = """mutation($e: String!, $k: String!, $a: String!) {
  registerPushSubscription(input: {endpoint: $e, p256dh: $k, auth: $a}) {
    subscription { id endpoint } userErrors { field code message } } }"""
UNREGISTER = """mutation($e: String!) { unregisterPushSubscription(input: {endpoint: $e}) {
  removed userErrors { code } } }"""


@dataclass
class Person:
    token: str
    id: uuid.UUID


@dataclass
class Team:
    tenant: Tenant
    owner: Person
    agent: Person
    other: Person

    @property
    def tenant_id(self) -> TenantId:
        return TenantId(uuid.UUID(self.tenant.id))


@dataclass
class NotificationsHarness:
    identity: Harness
    client: httpx.AsyncClient
    deps: NotificationsDeps
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

    async def ok(self, query: str, variables: dict[str, Any], *, team: Team, who: Person) -> Any:
        body = await self.gql(query, variables, tenant=team.tenant, token=who.token)
        assert "errors" not in body, body
        return body["data"]

    async def team(self) -> Team:
        tenant = await self.identity.owned_tenant()
        agent = await self.identity.add_user(tenant, f"agent@{tenant.slug}.test", "agent")
        other = await self.identity.add_user(tenant, f"other@{tenant.slug}.test", "agent")
        return Team(
            tenant,
            Person(tenant.owner_token, uuid.UUID(tenant.owner_id)),
            Person(agent["accessToken"], uuid.UUID(agent["user"]["id"])),
            Person(other["accessToken"], uuid.UUID(other["user"]["id"])),
        )

    async def deliver(self, team: Team, event: Event, deliveries: int = 1) -> None:
        """What the consumer kit does: the handler in a transaction on the tenant's DB."""
        async with self.identity.runtime.tenants.session(team.tenant_id) as session:
            context = HandlerContext(session, team.tenant_id, "notifications", deliveries)
            await handle(context, event)
            await session.commit()

    def dispatcher(self, config: DeliveryConfig | None = None, **kwargs: Any) -> Dispatcher:
        chosen = config or self.deps.config
        return Dispatcher(self.identity.runtime.tenants.session, self.deps.pubsub, chosen, **kwargs)

    async def dispatch(self, team: Team, dispatcher: Dispatcher | None = None) -> DispatchStats:
        return await (dispatcher or self.dispatcher()).run_tenant(team.tenant_id)


@asynccontextmanager
async def notifications_harness(
    env: TenancyEnv, config: DeliveryConfig | None = None
) -> AsyncIterator[NotificationsHarness]:
    async with identity_harness(env) as identity:
        base = config or DeliveryConfig(push_allow_private=True)
        deps = NotificationsDeps(pubsub=PubSub("memory://"), config=replace(base))
        await deps.pubsub.connect()
        app = build_app(identity.runtime, deps)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://notif") as client:
                yield NotificationsHarness(identity, client, deps, app)
        finally:
            await deps.pubsub.disconnect()
