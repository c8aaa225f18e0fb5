"""`PubSub`: broadcaster with a watchdog on its listener tasks.

broadcaster's listener task (and the Redis backend's reader task) end silently when the Redis
connection breaks, and after a server-side disconnect the Redis backend's reader can also just
wait forever without ending; its subscribers would then wait forever. The hub therefore
watches both tasks and also sends itself a heartbeat through the backend every `heartbeat`
seconds: a task that ends, or a heartbeat not back within `heartbeat_timeout`, marks the hub
failed. Every open subscription then raises `PubSubUnavailableError` (a GraphQL subscription
ends with an error instead of going silent), and the next `subscribe` or `publish` reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

from broadcaster import Broadcast

from subgraphs.kit.errors import DomainError, KitErrorCode
from subgraphs.kit.pubsub.backend import make_broadcast

__all__ = ["PubSub", "PubSubUnavailableError"]

logger = logging.getLogger("subgraphs.pubsub")


class PubSubUnavailableError(DomainError):
    code = KitErrorCode.INTERNAL
    message = "Realtime updates are unavailable; subscribe again."


class PubSub:
    def __init__(
        self, url: str = "memory://", *, heartbeat: float = 5.0, heartbeat_timeout: float = 3.0
    ) -> None:
        self.url = url
        self.heartbeat = heartbeat
        self.heartbeat_timeout = heartbeat_timeout
        self._broadcast: Broadcast | None = None
        self._failed = asyncio.Event()
        self._closing = False
        self._lock = asyncio.Lock()
        self._watch: asyncio.Task[None] | None = None
        self._beat_channel = f"pubsub:heartbeat:{uuid.uuid4().hex}"

    @classmethod
    def from_env(cls) -> PubSub:
        return cls(os.environ.get("REDIS_URL") or "memory://")

    @property
    def healthy(self) -> bool:
        return self._broadcast is not None and not self._failed.is_set()

    async def connect(self) -> None:
        async with self._lock:
            if self._broadcast is not None and not self._failed.is_set():
                return
            if self._broadcast is not None:
                await self._drop()
            broadcast = make_broadcast(self.url)
            await broadcast.connect()
            self._failed = asyncio.Event()
            self._closing = False
            self._broadcast = broadcast
            for task in self._tasks(broadcast):
                task.add_done_callback(self._on_listener_done)
            self._watch = asyncio.create_task(self._heartbeats(broadcast, self._failed))

    async def _heartbeats(self, broadcast: Broadcast, failed: asyncio.Event) -> None:
        try:
            async with broadcast.subscribe(self._beat_channel) as beats:
                while not failed.is_set():
                    token = uuid.uuid4().hex
                    await broadcast.publish(self._beat_channel, token)
                    async with asyncio.timeout(self.heartbeat_timeout):
                        while (await beats.get()).message != token:
                            continue
                    await asyncio.sleep(self.heartbeat)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a lost heartbeat, or the backend refusing to publish
            if not self._closing:
                logger.error("pub/sub heartbeat failed (%r); subscribers are told", exc)
                failed.set()

    @staticmethod
    def _tasks(broadcast: Broadcast) -> list[asyncio.Task[Any]]:
        found = [getattr(broadcast, "_listener_task", None),
                 getattr(broadcast._backend, "_listener", None)]  # fmt: skip
        return [t for t in found if isinstance(t, asyncio.Task)]

    def _on_listener_done(self, task: asyncio.Task[Any]) -> None:
        if self._closing:
            return
        error = None if task.cancelled() else task.exception()
        logger.error("pub/sub listener ended (%r); subscribers are told", error)
        self.fail()

    def fail(self) -> None:
        """Mark the hub broken: subscribers get PubSubUnavailableError (also for tests)."""
        self._failed.set()

    async def _drop(self) -> None:
        broadcast, self._broadcast = self._broadcast, None
        self._closing = True
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._watch
            self._watch = None
        if broadcast is not None:
            # a dead listener re-raises its end (CancelledError included) from disconnect()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await broadcast.disconnect()

    async def disconnect(self) -> None:
        async with self._lock:
            await self._drop()

    async def publish(self, name: str, message: str) -> None:
        if not self.healthy:
            await self.connect()
        assert self._broadcast is not None
        await self._broadcast.publish(name, message)

    async def subscribe(self, name: str) -> AsyncIterator[str]:
        """Messages of channel `name`; raises PubSubUnavailableError when the backend dies."""
        if not self.healthy:
            await self.connect()
        broadcast, failed = self._broadcast, self._failed
        assert broadcast is not None
        subscription = broadcast.subscribe(name)
        subscriber = await subscription.__aenter__()
        broken = asyncio.ensure_future(failed.wait())
        nxt: asyncio.Future[Any] | None = None
        try:
            while True:
                nxt = asyncio.ensure_future(subscriber.get())
                done, _ = await asyncio.wait({nxt, broken}, return_when=asyncio.FIRST_COMPLETED)
                if nxt not in done:
                    nxt.cancel()
                    raise PubSubUnavailableError()
                yield nxt.result().message
        finally:
            broken.cancel()
            if nxt is not None:
                nxt.cancel()  # else it ends in Unsubscribed that nobody retrieves
            try:
                await subscription.__aexit__(None, None, None)
            except Exception:
                # unsubscribing on a broken connection fails; the subscriber is told anyway
                if not failed.is_set():
                    raise
