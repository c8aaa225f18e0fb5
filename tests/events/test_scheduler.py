"""Scheduler: one leader among two, takeover on expiry, fencing against a stale leader."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from subgraphs.kit.events.leader import MemoryLeaderLock, RedisLeaderLock
from subgraphs.kit.events.schedule import Cron, Every
from subgraphs.kit.events.scheduler import JobRun, ScheduledJob, Scheduler, SchedulerOptions

pytestmark = pytest.mark.redis


def job(runs: list[tuple[str, JobRun]], owner: str) -> ScheduledJob:
    async def run(r: JobRun) -> None:
        runs.append((owner, r))

    return ScheduledJob("tick", Every(1), run)


async def test_one_leader_takeover_on_expiry_and_fencing(redis: Redis) -> None:
    runs: list[tuple[str, JobRun]] = []
    options = SchedulerOptions(ttl_ms=300)
    a = Scheduler(RedisLeaderLock(redis), [job(runs, "a")], owner="a", options=options)
    b = Scheduler(RedisLeaderLock(redis), [job(runs, "b")], owner="b", options=options)
    now = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)

    await a.tick(now)
    await b.tick(now)
    assert (a.is_leader, b.is_leader) == (True, False)
    assert [o for o, _ in runs] == ["a"]  # one run for the slot, by the leader
    stale = a.state.token
    assert stale is not None

    await asyncio.sleep(0.4)  # a is paused (no renewal): its lease expires
    later = now + timedelta(seconds=1)
    await b.tick(later)
    assert b.is_leader
    assert b.state.token is not None
    assert b.state.token > stale
    await a.lock.claim_run("other", "x", b.state.token, 1000)  # b's token reaches the resource
    await a.run_due(stale, later + timedelta(seconds=1))  # a wakes up, still thinks it leads
    assert [o for o, _ in runs] == ["a", "b"]  # the stale token was refused
    await a.tick(later + timedelta(seconds=1))
    assert not a.is_leader


async def test_same_slot_runs_once_across_leaders(redis: Redis) -> None:
    runs: list[tuple[str, JobRun]] = []
    options = SchedulerOptions(ttl_ms=200)
    a = Scheduler(RedisLeaderLock(redis), [job(runs, "a")], owner="a", options=options)
    b = Scheduler(RedisLeaderLock(redis), [job(runs, "b")], owner="b", options=options)
    now = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)
    await a.tick(now)
    await asyncio.sleep(0.25)
    await b.tick(now + timedelta(milliseconds=500))  # same one-second slot
    assert b.is_leader
    assert len(runs) == 1


async def test_run_loop_and_memory_lock() -> None:
    runs: list[tuple[str, JobRun]] = []
    two_runs = asyncio.Event()

    async def run(r: JobRun) -> None:
        runs.append(("m", r))
        if len(runs) >= 2:
            two_runs.set()

    every_second = ScheduledJob("tick", Every(1), run)
    scheduler = Scheduler(MemoryLeaderLock(), [every_second], options=SchedulerOptions(tick=0.05))
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stop))
    # the loop ticks every 50 ms; a one-second job must still run once per slot, however busy
    # the machine is: wait for two runs (bounded), then check no slot ran twice
    await asyncio.wait_for(two_runs.wait(), timeout=10)
    stop.set()
    await task
    slots = [r.slot for _, r in runs]
    assert len(slots) == len(set(slots)), slots
    assert all(b > a for a, b in itertools.pairwise(slots))


def test_cron_parsing() -> None:
    cron = Cron("*/15 9-17 * * 1-5")
    monday = datetime(2026, 11, 30, 9, 30, 12, tzinfo=UTC)
    assert cron.slot(monday) == monday.replace(second=0)
    assert cron.slot(monday.replace(minute=31)) is None
    assert cron.next_after(datetime(2026, 11, 28, 12, 0, tzinfo=UTC)) == datetime(
        2026, 11, 30, 9, 0, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="5 fields"):
        Cron("* * *")
