"""Embedded default: concurrent chat writes on SQLite wait for the write lock instead of
failing with "database is locked" (every chat write transaction claims it first)."""

from __future__ import annotations

import asyncio

import pytest

from tests.subgraphs.chat.harness import SEND, ChatHarness, People


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
