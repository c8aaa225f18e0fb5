"""Streams stay bounded (XADD MAXLEN ~, XTRIM MINID) without dropping what a group still needs;
webhook retry delays grow exponentially with jitter inside their documented bounds."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from subgraphs.integrations.dispatcher import WebhookOptions, backoff
from subgraphs.kit.events import RedisStreams
from subgraphs.kit.events.streams import id_key, trim_point

STREAM = "events:bounds"


def fields(n: int) -> dict[str, str]:
    return {"event_id": str(n), "tenant_id": "t", "event_type": "sample.happened"}


@pytest.mark.redis
async def test_maxlen_caps_a_stream(redis: Redis) -> None:
    streams = RedisStreams(redis)
    for start in range(0, 1000, 100):
        await streams.add_many([(STREAM, fields(n)) for n in range(start, start + 100)], 100)
    length = await streams.length(STREAM)
    assert 100 <= length < 300  # approximate: whole radix-tree nodes (100 entries) are dropped


@pytest.mark.redis
async def test_minid_trim_keeps_pending_and_unread_entries(redis: Redis) -> None:
    streams = RedisStreams(redis)
    ids = await streams.add_many([(STREAM, fields(n)) for n in range(300)], 1_000_000)
    await streams.ensure_group(STREAM, "fast")
    read = await streams.read_group("fast", "c1", [STREAM], 300, 10)
    assert len(read) == 300
    await streams.ack(STREAM, "fast", ids[:250])  # 250 done, 50 still pending

    assert await streams.trim(STREAM, keep_ms=0) > 0
    kept = [e.id for e in await streams.range(STREAM, "-", 1000)]
    assert set(ids[250:]) <= set(kept)  # every pending entry survives
    assert len(kept) < 300

    await streams.ensure_group(STREAM, "slow")  # a group that has read nothing yet
    before = await streams.length(STREAM)
    assert await streams.trim(STREAM, keep_ms=0) == 0
    assert await streams.length(STREAM) == before


def test_trim_point_is_the_oldest_need_or_the_age_floor() -> None:
    assert trim_point([], 0, 5_000) is None
    assert trim_point(["4000-1", "3000-0"], 0, 5_000) == "3000-0"
    assert trim_point(["4000-1"], 2_000, 5_000) == "3000-0"  # younger than keep_ms stays
    assert id_key("3000-2") < id_key("3000-10")


def test_webhook_backoff_is_exponential_with_bounded_jitter() -> None:
    options = WebhookOptions(retry_base=30.0, retry_cap=3600.0)
    for attempt in range(1, 12):
        nominal = min(3600.0, 30.0 * 2 ** (attempt - 1))
        delays = {backoff(options, attempt) for _ in range(50)}
        assert all(0.75 * nominal <= d <= 1.25 * nominal for d in delays)
        assert len(delays) > 1  # jittered, not a fixed schedule
