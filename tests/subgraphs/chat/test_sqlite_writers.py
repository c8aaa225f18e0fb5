"""Embedded default: concurrent chat writes on SQLite wait for the write lock instead of
failing with "database is locked" (every chat write transaction begins `BEGIN IMMEDIATE`:
`RequestSessions.write()` for requests, `write_transaction` for the upkeep job)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from subgraphs.chat.jobs import upkeep_tenant
from subgraphs.kit.ids import TenantId
from tests.subgraphs.chat.harness import GET, SEND, ChatHarness, People


@pytest.fixture
def backend() -> str:
    return "sqlite"


async def test_concurrent_writers(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    convs = [(await ch.start(people, inbox))["conversation"]["id"] for _ in range(3)]

    async def post(n: int) -> None:
        sent = {"conversationId": convs[n % 3], "body": f"m{n}"}
        await ch.ok(SEND, {"input": sent}, tenant=people.tenant, token=people.agent)

    await asyncio.gather(*(post(n) for n in range(12)), ch.start(people, inbox))
    listed = await ch.gql(
        "{ conversations { edges { node { messageCount } } } }",
        tenant=people.tenant,
        token=people.agent,
    )
    counts = sorted(e["node"]["messageCount"] for e in listed["data"]["conversations"]["edges"])
    assert counts == [1, 5, 5, 5]


async def test_upkeep_job_writes_alongside_requests(ch: ChatHarness, people: People) -> None:
    """The job reads the queue, then writes (the agent's expired presence goes offline, the
    conversation is requeued) while requests post: both queue for the write lock."""
    inbox = await ch.inbox(people)
    await ch.presence(people, people.agent)
    conv = (await ch.start(people, inbox))["conversation"]
    assert conv["assignee"] == {"id": people.agent_id}
    tenant_id = TenantId(uuid.UUID(people.tenant.id))
    later = datetime.now(UTC) + timedelta(seconds=120)

    async def post(n: int) -> None:
        sent = {"conversationId": conv["id"], "body": f"m{n}"}
        await ch.ok(SEND, {"input": sent}, tenant=people.tenant, token=people.owner)

    sessions = ch.identity.runtime.tenants.session
    posting = asyncio.gather(*(post(n) for n in range(8)))
    while not posting.done():  # the job runs again and again while the requests write
        await upkeep_tenant(sessions, tenant_id, now=later)
    await posting
    got = await ch.gql(GET, {"id": conv["id"]}, tenant=people.tenant, token=people.owner)
    assert got["data"]["conversation"]["assignee"] is None
    assert got["data"]["conversation"]["queued"] is True
    listed = await ch.gql(
        "{ conversations { edges { node { messageCount } } } }",
        tenant=people.tenant,
        token=people.owner,
    )
    counts = [e["node"]["messageCount"] for e in listed["data"]["conversations"]["edges"]]
    assert counts == [9]  # the contact's opening message and the 8 replies
