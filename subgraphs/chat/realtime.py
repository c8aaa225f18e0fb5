"""Realtime: tenant-scoped channels and the signals services emit for subscribers.

Services append `Signal`s to the unit of work; the resolver layer publishes them once the
write transaction committed (`RequestSessions.after_commit`), so a rolled-back change is never
announced. Typing indicators skip the database and are published at once. Every channel name
comes from `chat_channel()` (tenant first, through the kit's `channel()`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from subgraphs.kit.pubsub import PubSub, channel

CONVERSATIONS = "conversations"
PRESENCE = "presence"
QUEUE = "queue"


def chat_channel(tenant_id: uuid.UUID, topic: str, key: uuid.UUID | None = None) -> str:
    """`t:{tenant}:chat:{topic}[:{key}]`: the only place chat channel names are made."""
    parts: list[object] = ["chat", topic] if key is None else ["chat", topic, key]
    return channel(tenant_id, *parts)


def conversation_channel(tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> str:
    return chat_channel(tenant_id, "conversation", conversation_id)


@dataclass(frozen=True, slots=True)
class Signal:
    """One realtime message: `kind` says how subscribers read `data`."""

    channel: str
    kind: str  # message | typing | conversation | presence | queue
    data: dict[str, Any]

    def encode(self) -> str:
        return orjson.dumps({"kind": self.kind, "data": self.data}).decode()

    @staticmethod
    def decode(name: str, raw: str) -> Signal:
        body = orjson.loads(raw)
        return Signal(name, str(body["kind"]), dict(body["data"]))


@dataclass
class Signals:
    """Signals of one unit of work, published after it commits."""

    items: list[Signal] = field(default_factory=list)

    def add(self, name: str, kind: str, data: dict[str, Any]) -> None:
        self.items.append(Signal(name, kind, data))

    def drain(self) -> list[Signal]:
        items, self.items = self.items, []
        return items


async def publish_all(pubsub: PubSub, signals: list[Signal]) -> None:
    for signal in signals:
        await pubsub.publish(signal.channel, signal.encode())


async def listen(pubsub: PubSub, name: str) -> AsyncIterator[Signal]:
    """Signals of one channel; raises PubSubUnavailableError when the backend breaks."""
    async for raw in pubsub.subscribe(name):
        yield Signal.decode(name, raw)
