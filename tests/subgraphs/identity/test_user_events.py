"""identity.user_* events: recorded in the outbox with the change, and consumed by the
notifications group (outbox -> relay -> stream -> consumer) to default each user's
notification email; user-set values win; each tenant only ever gets its own users."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from saas_platform.tenancy.testing import TenancyEnv
from subgraphs.kit.events import Consumer, ConsumerOptions, MemoryStreams, Relay
from subgraphs.kit.events.models import OutboxRow
from subgraphs.kit.ids import TenantId
from subgraphs.notifications.consumers import notifications_subscription
from subgraphs.notifications.repository import RecipientsRepository
from tests.subgraphs.notifications.harness import (
    SETTINGS,
    NotificationsHarness,
    Team,
    notifications_harness,
)

READ_SETTINGS = "{ notificationSettings { email handle } }"
PROFILE = """mutation { updateProfile(name: "Renamed", locale: "fr") {
  user { id } userErrors { code } } }"""
DEACTIVATE = (
    "mutation($id: ID!) { deactivateUser(id: $id) { user { status } userErrors { code } } }"
)


@pytest.fixture
async def nh(env: TenancyEnv) -> AsyncIterator[NotificationsHarness]:
    async with notifications_harness(env) as built:
        yield built


class Tenants:
    def __init__(self, *ids: TenantId) -> None:
        self.ids = list(ids)

    async def active_tenants(self) -> list[TenantId]:
        return self.ids


async def outbox(nh: NotificationsHarness, tenant: TenantId) -> list[dict[str, Any]]:
    async with nh.identity.runtime.tenants.session(tenant) as session:
        rows = (await session.scalars(select(OutboxRow).order_by(OutboxRow.seq))).all()
    return [orjson.loads(row.envelope) for row in rows if row.domain == "identity"]


async def pipeline(nh: NotificationsHarness, *teams: Team) -> int:
    sessions = nh.identity.runtime.tenants.session
    streams = MemoryStreams()
    relay = Relay(streams, Tenants(*(t.tenant_id for t in teams)), sessions)
    while await relay.run_once():
        pass
    consumer = Consumer(
        streams, notifications_subscription(), sessions, options=ConsumerOptions(block_ms=10)
    )
    await consumer.ensure_groups()
    while await consumer.poll_once(block_ms=10):
        pass
    return consumer.stats.handled


async def test_user_events_are_recorded_with_the_change(nh: NotificationsHarness) -> None:
    team = await nh.team()
    created = await outbox(nh, team.tenant_id)
    by_user = {e["data"]["user_id"]: e for e in created}
    owner = by_user[str(team.owner.id)]
    assert owner["type"] == "identity.user_created"
    assert owner["tenantId"] == str(team.tenant_id)
    assert set(owner["data"]) >= {"user_id", "email", "name", "handle", "locale", "timezone"}
    assert owner["data"]["email"]
    assert owner["data"]["email"].endswith(".test")
    assert by_user[str(team.agent.id)]["type"] == "identity.user_created"

    await nh.identity.gql(PROFILE, tenant=team.tenant.id, token=team.agent.token)
    updated = (await outbox(nh, team.tenant_id))[len(created) :]
    assert [(e["type"], e["data"]["name"], e["data"]["locale"]) for e in updated] == [
        ("identity.user_updated", "Renamed", "fr")
    ]
    assert updated[0]["actor"] == str(team.agent.id)

    gone = await nh.identity.gql(
        DEACTIVATE, {"id": str(team.other.id)}, tenant=team.tenant.id, token=team.owner.token
    )
    assert gone["data"]["deactivateUser"]["userErrors"] == []
    last = (await outbox(nh, team.tenant_id))[-1]
    assert (last["type"], last["data"]["user_id"]) == (
        "identity.user_deactivated",
        str(team.other.id),
    )
    # a refused change records nothing (the owner cannot be the last one deactivated)
    count = len(await outbox(nh, team.tenant_id))
    await nh.identity.gql(
        DEACTIVATE, {"id": str(team.owner.id)}, tenant=team.tenant.id, token=team.owner.token
    )
    assert len(await outbox(nh, team.tenant_id)) == count


async def test_notification_email_defaults_from_identity_user_set_wins(
    nh: NotificationsHarness,
) -> None:
    team, other_team = await nh.team(), await nh.team()
    mine = f"own-{uuid.uuid4().hex[:6]}@example.test"
    set_own = await nh.ok(SETTINGS, {"email": mine}, team=team, who=team.agent)
    assert set_own["updateNotificationSettings"]["userErrors"] == []

    assert await pipeline(nh, team, other_team) >= 6  # 3 users created in each tenant

    owner = await nh.ok(READ_SETTINGS, {}, team=team, who=team.owner)
    events = {e["data"]["user_id"]: e["data"] for e in await outbox(nh, team.tenant_id)}
    assert owner["notificationSettings"]["email"] == events[str(team.owner.id)]["email"]
    agent = await nh.ok(READ_SETTINGS, {}, team=team, who=team.agent)
    assert agent["notificationSettings"]["email"] == mine  # the user's own value stands
    their = await nh.ok(READ_SETTINGS, {}, team=other_team, who=other_team.owner)
    their_events = {e["data"]["user_id"]: e["data"] for e in await outbox(nh, other_team.tenant_id)}
    assert their["notificationSettings"]["email"] == their_events[str(other_team.owner.id)]["email"]

    # cross-tenant: neither tenant's database holds the other's users
    sessions = nh.identity.runtime.tenants.session
    for here, there in ((team, other_team), (other_team, team)):
        async with sessions(here.tenant_id) as session:
            repo = RecipientsRepository(session)
            for person in (there.owner, there.agent, there.other):
                assert await repo.find(person.id) is None

    # an update re-delivered later does not overwrite what the user set
    await nh.identity.gql(PROFILE, tenant=team.tenant.id, token=team.agent.token)
    assert await pipeline(nh, team) >= 1
    agent = await nh.ok(READ_SETTINGS, {}, team=team, who=team.agent)
    assert agent["notificationSettings"]["email"] == mine
