"""The chat upkeep job: expired presence goes offline (and requeues), snoozes wake up."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from subgraphs.chat.jobs import SYSTEM, chat_upkeep_job, upkeep_tenant
from subgraphs.kit.events.scheduler import JobRun
from subgraphs.kit.ids import TenantId
from subgraphs.kit.pubsub import PubSub
from tests.subgraphs.chat.harness import GET, UPDATE, ChatHarness, People


def _tenant(people: People) -> TenantId:
    return TenantId(uuid.UUID(people.tenant.id))


async def test_expired_heartbeat_goes_offline_and_requeues(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    await ch.presence(people, people.agent)
    conv = (await ch.start(people, inbox))["conversation"]
    assert conv["assignee"] == {"id": people.agent_id}
    sessions = ch.identity.runtime.tenants.session
    # within the TTL nothing changes
    assert await upkeep_tenant(sessions, _tenant(people)) == []
    later = datetime.now(UTC) + timedelta(seconds=120)
    signals = await upkeep_tenant(sessions, _tenant(people), now=later)
    kinds = {s.kind for s in signals}
    assert {"presence", "conversation"} <= kinds
    got = await ch.gql(GET, {"id": conv["id"]}, tenant=people.tenant, token=people.owner)
    assert got["data"]["conversation"]["assignee"] is None
    assert got["data"]["conversation"]["queued"] is True


async def test_snoozed_conversation_reopens(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    conv = (await ch.start(people, inbox))["conversation"]
    until = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    change = {"id": conv["id"], "status": "SNOOZED", "snoozedUntil": until}
    await ch.ok(UPDATE, {"input": change}, tenant=people.tenant, token=people.owner)
    sessions = ch.identity.runtime.tenants.session
    await upkeep_tenant(sessions, _tenant(people))
    got = await ch.gql(GET, {"id": conv["id"]}, tenant=people.tenant, token=people.owner)
    assert got["data"]["conversation"]["status"] == "SNOOZED"
    await upkeep_tenant(sessions, _tenant(people), now=datetime.now(UTC) + timedelta(minutes=6))
    got = await ch.gql(GET, {"id": conv["id"]}, tenant=people.tenant, token=people.owner)
    assert got["data"]["conversation"]["status"] == "OPEN"
    assert got["data"]["conversation"]["snoozedUntil"] is None


class _Tenants:
    def __init__(self, ids: list[TenantId]) -> None:
        self.ids = ids

    async def active_tenants(self) -> list[TenantId]:
        return self.ids


async def test_scheduled_job_publishes_after_commit(ch: ChatHarness, people: People) -> None:
    """The job form: every active tenant, signals published on the hub (here: memory)."""
    inbox = await ch.inbox(people)
    conv = (await ch.start(people, inbox))["conversation"]
    until = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    change = {"id": conv["id"], "status": "SNOOZED", "snoozedUntil": until}
    await ch.ok(UPDATE, {"input": change}, tenant=people.tenant, token=people.owner)
    hub = PubSub("memory://")
    await hub.connect()
    try:
        job = chat_upkeep_job(_Tenants([_tenant(people)]), ch.identity.runtime.tenants.session, hub)
        assert job.name == "chat.upkeep"
        got = await ch.gql(GET, {"id": conv["id"]}, tenant=people.tenant, token=people.owner)
        for _ in range(100):  # until the snooze time (1 s) has passed
            if got["data"]["conversation"]["status"] != "SNOOZED":
                break
            await asyncio.sleep(0.05)
            await job.run(JobRun(job.name, datetime.now(UTC), 1))
            got = await ch.gql(GET, {"id": conv["id"]}, tenant=people.tenant, token=people.owner)
        assert got["data"]["conversation"]["status"] == "OPEN"
    finally:
        await hub.disconnect()
    assert SYSTEM.startswith("system:")
