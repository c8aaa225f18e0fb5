"""`chat.message_posted`: recorded with the message, it reaches the `notifications` consumer
group through the kit pipeline (outbox -> relay -> stream -> group) and an assignee who is
AWAY or OFFLINE (expired heartbeat) gets a CHAT_MESSAGE notification; an ONLINE one does not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update

from subgraphs.chat.events import MessagePosted
from subgraphs.chat.models import ChatAgent
from subgraphs.kit.events import Consumer, ConsumerOptions, MemoryStreams, Relay, stream_for
from subgraphs.kit.events.consumer import decode_entry
from subgraphs.kit.ids import TenantId
from subgraphs.kit.pubsub import PubSub
from subgraphs.notifications.app import build_app
from subgraphs.notifications.consumers import notifications_subscription
from subgraphs.notifications.deps import NotificationsDeps
from tests.subgraphs.chat.harness import SEND, ChatHarness, People

LIST = """{ notifications { edges { node { kind body link subjectId actorId } } }
  unreadNotificationCount }"""


class Tenants:
    def __init__(self, *ids: TenantId) -> None:
        self.ids = list(ids)

    async def active_tenants(self) -> list[TenantId]:
        return self.ids


def tenant_of(people: People) -> TenantId:
    return TenantId(uuid.UUID(people.tenant.id))


async def pump(ch: ChatHarness, streams: MemoryStreams, *tenants: TenantId) -> int:
    """Relay committed outbox rows to the stream, then let the consumer group handle them."""
    sessions = ch.identity.runtime.tenants.session
    while await Relay(streams, Tenants(*tenants), sessions).run_once():
        pass
    consumer = Consumer(
        streams, notifications_subscription(), sessions, options=ConsumerOptions(block_ms=10)
    )
    await consumer.ensure_groups()
    while await consumer.poll_once(block_ms=10):
        pass
    return consumer.stats.handled


async def notifications_of(ch: ChatHarness, people: People, token: str) -> dict[str, Any]:
    deps = NotificationsDeps(pubsub=PubSub("memory://"))
    app = build_app(ch.identity.runtime, deps)
    headers = {"x-tenant-id": people.tenant.id, "authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notif") as client:
        response = await client.post("/graphql", json={"query": LIST}, headers=headers)
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


async def send(ch: ChatHarness, people: People, token: str | None, **fields: Any) -> None:
    await ch.ok(SEND, {"input": fields}, tenant=people.tenant, token=token)


async def test_away_and_offline_assignee_is_notified_of_new_messages(
    ch: ChatHarness, people: People
) -> None:
    other = await ch.people()  # a second tenant on the same stream
    streams = MemoryStreams()
    inbox = await ch.inbox(people)
    await ch.presence(people, people.agent)
    started = await ch.start(people, inbox)
    conv, token = started["conversation"], started["contactToken"]
    assert conv["assignee"] == {"id": people.agent_id}
    await send(ch, people, None, conversationId=conv["id"], body="while online", contactToken=token)
    await pump(ch, streams, tenant_of(people), tenant_of(other))
    seen = await notifications_of(ch, people, people.agent)
    assert [e["node"]["kind"] for e in seen["notifications"]["edges"]] == ["CONVERSATION_ASSIGNED"]

    await ch.presence(people, people.agent, "AWAY")
    await send(
        ch, people, None, conversationId=conv["id"], body="anyone there?", contactToken=token
    )
    # the agent's own note never notifies them; the heartbeat then expires (OFFLINE)
    await send(ch, people, people.agent, conversationId=conv["id"], body="note", private=True)
    async with ch.identity.runtime.tenants.session(tenant_of(people)) as session:
        stale = datetime.now(UTC) - timedelta(hours=1)
        await session.execute(update(ChatAgent).values(last_seen_at=stale))
        await session.commit()
    await send(ch, people, None, conversationId=conv["id"], body="hello??", contactToken=token)
    await pump(ch, streams, tenant_of(people), tenant_of(other))

    seen = await notifications_of(ch, people, people.agent)
    chat = [
        e["node"] for e in seen["notifications"]["edges"] if e["node"]["kind"] == "CHAT_MESSAGE"
    ]
    assert len(chat) == 2
    bodies = " ".join(n["body"] for n in chat)
    assert "anyone there?" in bodies
    assert "hello??" in bodies
    assert "while online" not in bodies
    assert {n["subjectId"] for n in chat} == {conv["id"]}
    # nobody else heard about it: not the other agent, not the other tenant's agent
    assert (await notifications_of(ch, people, people.agent2))["unreadNotificationCount"] == 0
    assert (await notifications_of(ch, other, other.agent))["unreadNotificationCount"] == 0


async def test_message_posted_event_names_assignee_presence(
    ch: ChatHarness, people: People
) -> None:
    """The event's payload as recorded with the message (read back from the stream)."""
    streams = MemoryStreams()
    inbox = await ch.inbox(people)
    started = await ch.start(people, inbox)  # no agent online: queued, unassigned
    conv, token = started["conversation"], started["contactToken"]
    mention = {"conversationId": conv["id"], "body": "@agent2 look", "private": True}
    await send(ch, people, people.agent, **mention, mentions=[people.agent2_id])
    await send(ch, people, None, conversationId=conv["id"], body="x" * 300, contactToken=token)
    await pump(ch, streams, tenant_of(people))
    entries = await streams.range(stream_for("chat"), "-", 100)
    events = [decode_entry(e) for e in entries]
    note, reply = [e for e in events if isinstance(e, MessagePosted)]
    assert note.assignee_id is None
    assert note.assignee_status is None
    assert note.private
    assert [str(m) for m in note.mentions] == [people.agent2_id]
    assert note.author == f"user:{people.agent_id}"
    assert note.conversation_id == reply.conversation_id == uuid.UUID(conv["id"])
    assert reply.seq == note.seq + 1
    assert not reply.private
    assert reply.author.startswith("contact:")
    assert reply.preview == "x" * 140
