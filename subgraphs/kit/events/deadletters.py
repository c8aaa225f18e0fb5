"""Dead-letter streams (`events:dlq:{group}`): list and replay."""

from __future__ import annotations

from collections.abc import Sequence

from subgraphs.kit.events.keys import dead_letter_stream
from subgraphs.kit.events.streams import StreamEntry, Streams

__all__ = ["list_dead_letters", "replay_dead_letters"]


async def list_dead_letters(streams: Streams, group: str, count: int = 100) -> list[StreamEntry]:
    return await streams.range(dead_letter_stream(group), "-", count)


async def replay_dead_letters(
    streams: Streams, group: str, ids: Sequence[str] | None = None, maxlen: int = 1_000_000
) -> int:
    """Put dead letters back on their source stream (all, or `ids`) and drop them from the DLQ.

    Every group reading that stream sees the entry again; groups that handled it already
    find it in `processed_events` and skip it.
    """
    dlq = dead_letter_stream(group)
    entries = await streams.range(dlq, "-", 10_000)
    chosen = [e for e in entries if ids is None or e.id in set(ids)]
    for entry in chosen:
        original = {k: v for k, v in entry.fields.items() if not k.startswith("dlq_")}
        await streams.add_many([(entry.fields["dlq_source_stream"], original)], maxlen)
        await streams.delete(dlq, [entry.id])
    return len(chosen)
