"""Realtime: tenant-scoped channels and the signals services emit for subscribers.

Services append `Signal`s to the unit of work; the resolver layer publishes them once the
write transaction committed (`RequestSessions.after_commit`), so a rolled-back change is never
announced. Typing indicators skip the database and are published at once. Every channel name
comes from `chat_channel()` (tenant first, through the kit's `channel()`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from subgraphs.kit.pubsub import PubSub, PubSubUnavailableError, channel

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


class Fanout:
    """One hub subscription per channel per process, fanned out to local subscribers.

    broadcaster 0.3.1 registers a channel's subscriber set after an `await`, so two
    subscribers arriving together on a new channel race and one of them silently never
    receives anything; here the bookkeeping is synchronous (no await between check and set)
    and identical subscriptions share one upstream stream. When the hub breaks, every
    subscriber of the channel gets the error (never silence).
    """

    def __init__(self, pubsub: PubSub) -> None:
        self.pubsub = pubsub
        self._channels: dict[str, set[asyncio.Queue[Signal | BaseException]]] = {}
        self._pumps: dict[str, asyncio.Task[None]] = {}

    async def listen(self, name: str) -> AsyncIterator[Signal]:
        queue: asyncio.Queue[Signal | BaseException] = asyncio.Queue()
        subscribers = self._channels.get(name)
        if subscribers is None:
            subscribers = self._channels[name] = set()
            self._pumps[name] = asyncio.create_task(self._pump(name, subscribers))
        subscribers.add(queue)
        try:
            while True:
                item = await queue.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            subscribers.discard(queue)
            if not subscribers and self._channels.get(name) is subscribers:
                del self._channels[name]
                self._pumps.pop(name).cancel()

    async def _pump(
        self, name: str, subscribers: set[asyncio.Queue[Signal | BaseException]]
    ) -> None:
        error: BaseException = PubSubUnavailableError()
        try:
            async for raw in self.pubsub.subscribe(name):
                signal = Signal.decode(name, raw)
                for queue in list(subscribers):
                    queue.put_nowait(signal)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = exc
        if self._channels.get(name) is subscribers:  # later subscribers start a new pump
            del self._channels[name]
            self._pumps.pop(name, None)
        for queue in list(subscribers):
            queue.put_nowait(error)
