"""Embedded `dev` (in-memory pub/sub): the worker's scheduled jobs publish on the runtime's
hub, so a subscriber connected to the chat app served in the same process hears them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from saas_platform.worker.runner import embedded_worker, runtime_pubsub
from subgraphs.chat.app import build_app
from subgraphs.chat.models import ChatAgent
from subgraphs.kit.events.scheduler import JobRun
from subgraphs.kit.ids import TenantId
from subgraphs.kit.pubsub import PubSub
from tests.subgraphs.chat.harness import ChatHarness, People
from tests.subgraphs.chat.servers import serve
from tests.subgraphs.chat.test_realtime import data, receive, subscribe, subscriber

PRESENCE = "subscription { presenceChanged { user { id } status } }"


@pytest.fixture
def backend() -> str:
    return "sqlite"


async def test_worker_job_reaches_a_subscriber_of_the_served_app(
    ch: ChatHarness, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)  # embedded: memory:// hubs only
    runtime = ch.identity.runtime
    runtime.extras["pubsub"] = hub = PubSub("memory://")
    app = build_app(runtime)  # default deps: the runtime's hub, as `saas-platform dev` builds it
    worker = embedded_worker(runtime)
    assert runtime_pubsub(runtime) is hub
    assert worker.scheduler is not None
    (upkeep,) = [job for job in worker.scheduler.jobs if job.name == "chat.upkeep"]

    await ch.presence(people, people.agent)  # ONLINE, then the heartbeat goes stale
    tenant = TenantId(uuid.UUID(people.tenant.id))
    async with runtime.tenants.session(tenant) as session:
        stale = datetime.now(UTC) - timedelta(hours=1)
        await session.execute(update(ChatAgent).values(last_seen_at=stale))
        await session.commit()
    try:
        async with serve(app) as host, subscriber(host, people, people.owner) as ws:
            await subscribe(ws, "p", PRESENCE, {})
            await upkeep.run(JobRun(upkeep.name, datetime.now(UTC), 1))
            got = data(await receive(ws))
            assert got == {"user": {"id": people.agent_id}, "status": "OFFLINE"}
    finally:
        await hub.disconnect()
