"""`boardUpdated`: committed card changes fanned out on tenant-scoped channels.

`BoardFeed` is the port (a tiny publish/subscribe protocol). `PubSubBoardFeed` runs it on the
platform's pub/sub (`subgraphs.kit.pubsub`: memory:// or redis://, shared with the other
subgraphs of the process); `MemoryBoardFeed` is the in-process fake the tests use. Channels
are `t:{tenant}:projects:board:{project}`: every board of a project shows the same cards, so
one channel per project serves all of its boards. `attach_feed` hands committed
`TaskMoved`/`TaskCreated`/`TaskUpdated` events of the kit's in-process hub to the feed: a move
that was rolled back is never announced.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import orjson

from subgraphs.kit.events import Event, EventHub
from subgraphs.kit.pubsub import PubSub
from subgraphs.kit.pubsub import channel as pubsub_channel
from subgraphs.projects.events import TaskCreated, TaskMoved, TaskUpdated


@dataclass(frozen=True, slots=True)
class BoardMessage:
    kind: str  # CARD_MOVED | CARD_CREATED | CARD_UPDATED
    project_id: str
    task_id: str
    actor_id: str | None
    state_id: str | None = None
    rank: str | None = None

    def dumps(self) -> str:
        return orjson.dumps(asdict(self)).decode()

    @classmethod
    def loads(cls, raw: str) -> BoardMessage:
        return cls(**orjson.loads(raw))


def channel(tenant_id: uuid.UUID, project_id: uuid.UUID) -> str:
    return pubsub_channel(tenant_id, "projects", "board", project_id)


class BoardFeed(Protocol):
    async def publish(self, channel: str, message: BoardMessage) -> None: ...

    def subscribe(self, channel: str) -> AsyncIterator[BoardMessage]: ...


class MemoryBoardFeed:
    """In-process fan-out with one bounded queue per subscriber."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._queues: dict[str, set[asyncio.Queue[BoardMessage]]] = {}
        self._size = queue_size

    async def publish(self, channel: str, message: BoardMessage) -> None:
        for queue in list(self._queues.get(channel, ())):
            if not queue.full():  # a stalled subscriber loses messages, never blocks others
                queue.put_nowait(message)

    async def subscribe(self, channel: str) -> AsyncIterator[BoardMessage]:
        queue: asyncio.Queue[BoardMessage] = asyncio.Queue(self._size)
        self._queues.setdefault(channel, set()).add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues[channel].discard(queue)

    def subscribers(self, channel: str) -> int:
        return len(self._queues.get(channel, ()))


class PubSubBoardFeed:
    """The platform's tenant-scoped pub/sub (`subgraphs.kit.pubsub`: memory:// or redis://)."""

    def __init__(self, pubsub: PubSub) -> None:
        self.pubsub = pubsub

    async def publish(self, channel: str, message: BoardMessage) -> None:
        await self.pubsub.publish(channel, message.dumps())

    async def subscribe(self, channel: str) -> AsyncIterator[BoardMessage]:
        async for raw in self.pubsub.subscribe(channel):
            yield BoardMessage.loads(raw)


def _message(event: Event) -> BoardMessage | None:
    if isinstance(event, TaskMoved):
        return BoardMessage(
            "CARD_MOVED",
            str(event.project_id),
            str(event.task_id),
            event.actor,
            str(event.state_id),
            event.rank,
        )
    if isinstance(event, TaskCreated):
        return BoardMessage("CARD_CREATED", str(event.project_id), str(event.task_id), event.actor)
    if isinstance(event, TaskUpdated):
        return BoardMessage("CARD_UPDATED", str(event.project_id), str(event.task_id), event.actor)
    return None


def attach_feed(feed: BoardFeed, hub: EventHub) -> Callable[[], None]:
    """Publish committed card events of this process; returns the detach function."""

    async def forward(event: Event) -> None:
        message = _message(event)
        if message is not None:
            await feed.publish(channel(event.tenant_id, uuid.UUID(message.project_id)), message)

    def on_event(event: Event) -> Any:
        return forward(event) if _message(event) is not None else None

    return hub.subscribe(on_event)
