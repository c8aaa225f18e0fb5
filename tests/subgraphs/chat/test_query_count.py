"""Lists resolve nested fields through loaders: the query count does not grow with rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.subgraphs.chat.harness import SEND, ChatHarness, People

LIST = """{ conversations(first: 50) { edges { node { id assignee { id }
  inbox { name team { name } } contact { name } messages { body mentions { id } }
  readReceipts { lastReadSeq } queuePosition ticket { id } } } } }"""


@pytest.fixture
def backend() -> str:
    return "sqlite"


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


async def _count(ch: ChatHarness, people: People) -> int:
    await ch.gql(LIST, tenant=people.tenant, token=people.agent)  # warm caches (scope, keys)
    with counting() as statements:
        body = await ch.gql(LIST, tenant=people.tenant, token=people.agent)
    assert "errors" not in body, body
    return len(statements)


async def test_conversation_list_uses_constant_queries(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    for _ in range(2):
        conv = (await ch.start(people, inbox))["conversation"]
    small = await _count(ch, people)
    for _ in range(6):
        conv = (await ch.start(people, inbox))["conversation"]
        sent = {"conversationId": conv["id"], "body": "hi", "mentions": [people.agent2_id]}
        await ch.ok(SEND, {"input": sent}, tenant=people.tenant, token=people.agent)
    assert await _count(ch, people) == small
    assert small <= 14  # one per loader batch (+ the page), whatever the row count
