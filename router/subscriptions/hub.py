"""Fan-out: identical subscriptions share one upstream stream.

Streams are keyed by (schema state, operation text and name, coerced variables, the headers
sent upstream). Each event is resolved once per stream, serialized once, and handed to every
subscriber's `Sink`, which must never block (it queues, or drops its client). The stream is
reference-counted: the last subscriber to leave cancels it, which closes the upstream socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable
from typing import Any, Protocol

import orjson

from router.subscriptions.protocol import SUBSCRIPTION_UPSTREAM_FAILED, error_result
from router.subscriptions.upstream import UpstreamError

logger = logging.getLogger("router.subscriptions")

EventSource = Callable[[], AsyncGenerator[dict[str, Any], None]]
EventResolver = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
# applied to the final error result of a failed stream (the router hooks: masking, metrics)
ResultFinisher = Callable[[dict[str, Any]], dict[str, Any]]


class Sink(Protocol):
    """One subscriber. Both methods are synchronous and must not block."""

    def deliver(self, payload: str) -> None:
        """`payload` is a serialized execution result."""

    def complete(self) -> None: ...


class SharedStream:
    """One upstream subscription and the sinks it feeds."""

    def __init__(
        self,
        hub: SubscriptionHub,
        key: Hashable,
        source: EventSource,
        resolve: EventResolver,
        finish: ResultFinisher | None = None,
    ) -> None:
        self.hub = hub
        self.key = key
        self.source = source
        self.resolve = resolve
        self.finish = finish
        self.sinks: dict[int, Sink] = {}
        self.events = 0
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name=f"subscription-upstream-{id(self)}")

    async def _run(self) -> None:
        try:
            async with contextlib.aclosing(self.source()) as events:
                async for event in events:
                    result = await self.resolve(event)
                    payload = orjson.dumps(result).decode()
                    self.events += 1
                    for sink in list(self.sinks.values()):
                        sink.deliver(payload)
        except UpstreamError as exc:
            self._fail(exc.message, exc.errors)
            return
        except Exception:  # a router bug must not leave subscribers waiting forever
            logger.exception("subscription stream failed")
            self._fail("Internal router error in the subscription stream.", [])
            return
        self._end(None)

    def _fail(self, message: str, errors: list[dict[str, Any]]) -> None:
        result = error_result(message, SUBSCRIPTION_UPSTREAM_FAILED)
        for error in errors:
            result["errors"].append(
                {
                    "message": str(error.get("message", "Subgraph error")),
                    "extensions": {
                        **(error.get("extensions") or {}),
                        "code": SUBSCRIPTION_UPSTREAM_FAILED,
                    },
                }
            )
        if self.finish is not None:
            try:
                result = self.finish(result)
            except Exception:  # never leave subscribers waiting; send no subgraph message
                logger.exception("finishing the error result failed")
                result = error_result(message, SUBSCRIPTION_UPSTREAM_FAILED)
        self._end(orjson.dumps(result).decode())

    def _end(self, last: str | None) -> None:
        """Leave the hub first (a new subscriber gets a new stream), then finish every sink."""
        self.hub.forget(self)
        sinks = list(self.sinks.values())
        self.sinks.clear()
        for sink in sinks:
            if last is not None:
                sink.deliver(last)
            sink.complete()


class SubscriptionHub:
    """The live shared streams of one router."""

    def __init__(self) -> None:
        self.streams: dict[Hashable, SharedStream] = {}

    def join(
        self,
        key: Hashable,
        sink: Sink,
        source: EventSource,
        resolve: EventResolver,
        finish: ResultFinisher | None = None,
    ) -> SharedStream:
        """Add `sink` to the stream for `key`, opening it when there is none."""
        stream = self.streams.get(key)
        if stream is None:
            stream = SharedStream(self, key, source, resolve, finish)
            self.streams[key] = stream
            stream.start()
        stream.sinks[id(sink)] = sink
        return stream

    def leave(self, stream: SharedStream, sink: Sink) -> None:
        """Remove `sink`; the last one out cancels the upstream."""
        if stream.sinks.pop(id(sink), None) is None or stream.sinks:
            return
        self.forget(stream)
        if stream.task is not None:
            stream.task.cancel()

    def forget(self, stream: SharedStream) -> None:
        if self.streams.get(stream.key) is stream:
            del self.streams[stream.key]

    @property
    def subscriber_count(self) -> int:
        return sum(len(s.sinks) for s in self.streams.values())

    async def aclose(self) -> None:
        tasks = [s.task for s in self.streams.values() if s.task is not None]
        self.streams.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
