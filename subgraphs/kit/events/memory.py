"""`MemoryStreams`: the `Streams` port in one process (embedded default, no Redis).

Same semantics as Redis Streams for what the relay and consumers use: consumer groups that
start at id 0, a pending entries list with delivery counts and idle times, claims and
approximate trimming. Nothing survives the process, exactly like Redis without persistence;
the outbox stays the durable record.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from subgraphs.kit.events.streams import NoGroupError, PendingInfo, StreamEntry, id_key, trim_point

__all__ = ["MemoryStreams"]


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(slots=True)
class _Pending:
    consumer: str
    delivered_at: int
    deliveries: int


@dataclass(slots=True)
class _Group:
    last_delivered: str = "0-0"
    pending: dict[str, _Pending] = field(default_factory=dict)


@dataclass(slots=True)
class _Stream:
    entries: OrderedDict[str, dict[str, str]] = field(default_factory=OrderedDict)
    groups: dict[str, _Group] = field(default_factory=dict)
    last_id: str = "0-0"


class MemoryStreams:
    def __init__(self) -> None:
        self._streams: dict[str, _Stream] = {}
        self._run_id = uuid.uuid4().hex
        self._changed = asyncio.Event()

    async def run_id(self) -> str:
        return self._run_id

    def _next_id(self, stream: _Stream) -> str:
        ms, seq = id_key(stream.last_id)
        now = _now_ms()
        stream.last_id = f"{now}-0" if now > ms else f"{ms}-{seq + 1}"
        return stream.last_id

    async def add_many(
        self, entries: Sequence[tuple[str, dict[str, str]]], maxlen: int
    ) -> list[str]:
        ids: list[str] = []
        for name, fields in entries:
            stream = self._streams.setdefault(name, _Stream())
            entry_id = self._next_id(stream)
            stream.entries[entry_id] = dict(fields)
            while len(stream.entries) > maxlen:
                stream.entries.popitem(last=False)
            ids.append(entry_id)
        self._changed.set()
        return ids

    async def ensure_group(self, stream: str, group: str) -> None:
        self._streams.setdefault(stream, _Stream()).groups.setdefault(group, _Group())

    def _group(self, stream: str, group: str) -> tuple[_Stream, _Group]:
        found = self._streams.get(stream)
        if found is None or group not in found.groups:
            raise NoGroupError(f"NOGROUP no group {group} on {stream}")
        return found, found.groups[group]

    async def read_group(
        self, group: str, consumer: str, streams: Sequence[str], count: int, block_ms: int
    ) -> list[StreamEntry]:
        deadline = time.monotonic() + block_ms / 1000
        while True:
            found = self._deliver_new(group, consumer, streams, count)
            remaining = deadline - time.monotonic()
            if found or remaining <= 0:
                return found
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return []

    def _deliver_new(
        self, group: str, consumer: str, streams: Sequence[str], count: int
    ) -> list[StreamEntry]:
        delivered: list[StreamEntry] = []
        for name in streams:
            stream, state = self._group(name, group)
            last = id_key(state.last_delivered)
            for entry_id, fields in stream.entries.items():
                if len(delivered) >= count:
                    break
                if id_key(entry_id) <= last:
                    continue
                state.last_delivered = entry_id
                state.pending[entry_id] = _Pending(consumer, _now_ms(), 1)
                delivered.append(StreamEntry(name, entry_id, dict(fields)))
        return delivered

    async def ack(self, stream: str, group: str, ids: Sequence[str]) -> None:
        found = self._streams.get(stream)
        if found is None or group not in found.groups:
            return
        for entry_id in ids:
            found.groups[group].pending.pop(entry_id, None)

    def _take(self, name: str, group: str, consumer: str, ids: Sequence[str]) -> list[StreamEntry]:
        stream, state = self._group(name, group)
        claimed: list[StreamEntry] = []
        for entry_id in ids:
            pending = state.pending.get(entry_id)
            if pending is None:
                continue
            fields = stream.entries.get(entry_id)
            if fields is None:  # trimmed away while pending
                del state.pending[entry_id]
                continue
            pending.consumer, pending.delivered_at = consumer, _now_ms()
            pending.deliveries += 1
            claimed.append(StreamEntry(name, entry_id, dict(fields)))
        return claimed

    async def autoclaim(
        self, stream: str, group: str, consumer: str, min_idle_ms: int, count: int
    ) -> list[StreamEntry]:
        _, state = self._group(stream, group)
        now = _now_ms()
        idle = sorted(
            (i for i, p in state.pending.items() if now - p.delivered_at >= min_idle_ms),
            key=id_key,
        )
        return self._take(stream, group, consumer, idle[:count])

    async def claim(
        self, stream: str, group: str, consumer: str, ids: Sequence[str]
    ) -> list[StreamEntry]:
        return self._take(stream, group, consumer, ids)

    async def pending(self, stream: str, group: str, ids: Sequence[str]) -> list[PendingInfo]:
        found = self._streams.get(stream)
        if found is None or group not in found.groups:
            return []
        now, state = _now_ms(), found.groups[group]
        return [
            PendingInfo(i, p.consumer, now - p.delivered_at, p.deliveries)
            for i in ids
            if (p := state.pending.get(i)) is not None
        ]

    async def trim(self, stream: str, keep_ms: int) -> int:
        found = self._streams.get(stream)
        if found is None or not found.groups:
            return 0
        needed = [g.last_delivered for g in found.groups.values()]
        needed += [min(g.pending, key=id_key) for g in found.groups.values() if g.pending]
        minid = trim_point(needed, keep_ms, _now_ms())
        if minid is None:
            return 0
        doomed = [i for i in found.entries if id_key(i) < id_key(minid)]
        for entry_id in doomed:
            del found.entries[entry_id]
        return len(doomed)

    async def range(self, stream: str, start: str, count: int) -> list[StreamEntry]:
        found = self._streams.get(stream)
        if found is None:
            return []
        low = id_key(start) if start != "-" else (0, 0)
        items = [(i, f) for i, f in found.entries.items() if id_key(i) >= low][:count]
        return [StreamEntry(stream, i, dict(f)) for i, f in items]

    async def revrange(self, stream: str, count: int) -> list[StreamEntry]:
        found = self._streams.get(stream)
        if found is None:
            return []
        items = list(found.entries.items())[-count:][::-1]
        return [StreamEntry(stream, i, dict(f)) for i, f in items]

    async def delete(self, stream: str, ids: Sequence[str]) -> None:
        found = self._streams.get(stream)
        if found is not None:
            for entry_id in ids:
                found.entries.pop(entry_id, None)

    async def length(self, stream: str) -> int:
        found = self._streams.get(stream)
        return 0 if found is None else len(found.entries)
