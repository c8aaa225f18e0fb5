"""The stream port (`Streams`) and its Redis implementation.

Relay and consumers speak only this protocol; `RedisStreams` maps it onto Redis Streams
commands and `MemoryStreams` (memory.py) keeps the same semantics in one process for the
embedded default. Entry ids are Redis ids (`<ms>-<seq>`) in both.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from redis.exceptions import ResponseError

__all__ = [
    "NoGroupError",
    "PendingInfo",
    "RedisStreams",
    "StreamEntry",
    "Streams",
    "id_key",
    "trim_point",
]


@dataclass(frozen=True, slots=True)
class StreamEntry:
    stream: str
    id: str
    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class PendingInfo:
    id: str
    consumer: str
    idle_ms: int
    deliveries: int


class NoGroupError(Exception):
    """The stream or its consumer group does not exist (e.g. Redis restarted empty)."""


def id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def trim_point(oldest_needed: Sequence[str], keep_ms: int, now_ms: int) -> str | None:
    """MINID for XTRIM: nothing a group still needs, nothing younger than `keep_ms`."""
    if not oldest_needed:
        return None
    needed = min(oldest_needed, key=id_key)
    floor = f"{max(now_ms - keep_ms, 0)}-0"
    return min(needed, floor, key=id_key)


class Streams(Protocol):
    async def run_id(self) -> str: ...

    async def add_many(
        self, entries: Sequence[tuple[str, dict[str, str]]], maxlen: int
    ) -> list[str]: ...

    async def ensure_group(self, stream: str, group: str) -> None: ...

    async def read_group(
        self, group: str, consumer: str, streams: Sequence[str], count: int, block_ms: int
    ) -> list[StreamEntry]: ...

    async def ack(self, stream: str, group: str, ids: Sequence[str]) -> None: ...

    async def autoclaim(
        self, stream: str, group: str, consumer: str, min_idle_ms: int, count: int
    ) -> list[StreamEntry]: ...

    async def claim(
        self, stream: str, group: str, consumer: str, ids: Sequence[str]
    ) -> list[StreamEntry]: ...

    async def pending(self, stream: str, group: str, ids: Sequence[str]) -> list[PendingInfo]: ...

    async def trim(self, stream: str, keep_ms: int) -> int: ...

    async def range(self, stream: str, start: str, count: int) -> list[StreamEntry]: ...

    async def revrange(self, stream: str, count: int) -> list[StreamEntry]: ...

    async def delete(self, stream: str, ids: Sequence[str]) -> None: ...

    async def length(self, stream: str) -> int: ...


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _fields(raw: Any) -> dict[str, str]:
    return {_s(k): _s(v) for k, v in (raw or {}).items()}


def _nogroup(exc: ResponseError) -> bool:
    return str(exc).startswith("NOGROUP")


class RedisStreams:
    """Streams on a `redis.asyncio.Redis` client (bytes or decoded responses)."""

    def __init__(self, redis: Any) -> None:
        self.redis = redis

    async def run_id(self) -> str:
        info = await self.redis.info("server")
        return _s(info["run_id"])

    async def add_many(
        self, entries: Sequence[tuple[str, dict[str, str]]], maxlen: int
    ) -> list[str]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for stream, fields in entries:
                pipe.xadd(stream, fields, maxlen=maxlen, approximate=True)
            ids = await pipe.execute()
        return [_s(i) for i in ids]

    async def ensure_group(self, stream: str, group: str) -> None:
        try:
            # from 0: after a Redis restart the relay may republish before the group exists
            await self.redis.xgroup_create(stream, group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def read_group(
        self, group: str, consumer: str, streams: Sequence[str], count: int, block_ms: int
    ) -> list[StreamEntry]:
        try:
            reply = await self.redis.xreadgroup(
                group, consumer, dict.fromkeys(streams, ">"), count=count, block=block_ms
            )
        except ResponseError as exc:
            if _nogroup(exc):
                raise NoGroupError(str(exc)) from exc
            raise
        return [
            StreamEntry(_s(name), _s(entry_id), _fields(fields))
            for name, items in (reply or [])
            for entry_id, fields in items
            if fields
        ]

    async def ack(self, stream: str, group: str, ids: Sequence[str]) -> None:
        if not ids:
            return
        try:
            await self.redis.xack(stream, group, *ids)
        except ResponseError as exc:
            if not _nogroup(exc):
                raise

    async def autoclaim(
        self, stream: str, group: str, consumer: str, min_idle_ms: int, count: int
    ) -> list[StreamEntry]:
        try:
            reply = await self.redis.xautoclaim(
                stream, group, consumer, min_idle_ms, start_id="0-0", count=count
            )
        except ResponseError as exc:
            if _nogroup(exc):
                raise NoGroupError(str(exc)) from exc
            raise
        claimed = reply[1] if len(reply) > 1 else []
        return [
            StreamEntry(stream, _s(entry_id), _fields(fields))
            for entry_id, fields in claimed
            if fields
        ]

    async def claim(
        self, stream: str, group: str, consumer: str, ids: Sequence[str]
    ) -> list[StreamEntry]:
        if not ids:
            return []
        try:
            reply = await self.redis.xclaim(stream, group, consumer, 0, list(ids))
        except ResponseError as exc:
            if _nogroup(exc):
                raise NoGroupError(str(exc)) from exc
            raise
        return [
            StreamEntry(stream, _s(entry_id), _fields(fields))
            for entry_id, fields in reply
            if fields
        ]

    async def pending(self, stream: str, group: str, ids: Sequence[str]) -> list[PendingInfo]:
        if not ids:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for entry_id in ids:
                pipe.xpending_range(stream, group, min=entry_id, max=entry_id, count=1)
            replies = await pipe.execute(raise_on_error=False)
        found: list[PendingInfo] = []
        for reply in replies:
            if isinstance(reply, Exception):
                continue
            for item in reply:
                found.append(
                    PendingInfo(
                        id=_s(item["message_id"]),
                        consumer=_s(item["consumer"]),
                        idle_ms=int(item["time_since_delivered"]),
                        deliveries=int(item["times_delivered"]),
                    )
                )
        return found

    async def trim(self, stream: str, keep_ms: int) -> int:
        try:
            groups = await self.redis.xinfo_groups(stream)
        except ResponseError:
            return 0
        needed: list[str] = []
        for info in groups:
            name = _s(info["name"])
            needed.append(_s(info["last-delivered-id"]))
            if int(info["pending"]):
                summary = await self.redis.xpending(stream, name)
                if summary.get("min"):
                    needed.append(_s(summary["min"]))
        minid = trim_point(needed, keep_ms, int(time.time() * 1000))
        if minid is None:
            return 0
        return int(await self.redis.xtrim(stream, minid=minid, approximate=True))

    async def range(self, stream: str, start: str, count: int) -> list[StreamEntry]:
        reply = await self.redis.xrange(stream, min=start, max="+", count=count)
        return [StreamEntry(stream, _s(i), _fields(f)) for i, f in reply or []]

    async def revrange(self, stream: str, count: int) -> list[StreamEntry]:
        reply = await self.redis.xrevrange(stream, count=count)
        return [StreamEntry(stream, _s(i), _fields(f)) for i, f in reply or []]

    async def delete(self, stream: str, ids: Sequence[str]) -> None:
        if ids:
            await self.redis.xdel(stream, *ids)

    async def length(self, stream: str) -> int:
        return int(await self.redis.xlen(stream))
