"""`WakeSchedule`, the cycle of the relay and the webhook dispatcher: a sweep when due, else
the hinted and announced tenants; in-process hints survive a Redis failure."""

from __future__ import annotations

import asyncio
import socket
import uuid

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from subgraphs.kit.events.wake import RedisWakeSignal, WakeSchedule
from subgraphs.kit.ids import TenantId


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tenant() -> TenantId:
    return TenantId(uuid.uuid4())


async def test_sweeps_first_then_only_when_due_or_asked() -> None:
    clock = Clock()
    schedule = WakeSchedule(30.0, clock)
    assert await schedule.next(None) is None  # the first call sweeps
    assert await schedule.next(None) == set()
    a, b = tenant(), tenant()
    schedule.hint({a})
    schedule.on_wake({b})
    assert await schedule.next(None) == {a, b}
    assert await schedule.next(None) == set()  # taken once
    clock.now += 30.0
    assert await schedule.next(None) is None
    schedule.on_wake(None)  # re-subscribed: announcements may have been missed
    assert await schedule.next(None) is None
    assert schedule.next_sweep == clock.now + 30.0


@pytest.mark.redis
async def test_announced_tenants_are_popped_and_a_sweep_drops_them(redis: Redis) -> None:
    signal = RedisWakeSignal(redis, "schedule-test")
    schedule = WakeSchedule(30.0, Clock())
    a, b = tenant(), tenant()
    await signal.notify([a])
    assert await schedule.next(signal) is None  # the sweep covers `a`
    assert await signal.take_dirty() == set()
    await signal.notify([a])
    schedule.hint({b})
    assert await schedule.next(signal) == {a, b}
    assert await signal.take_dirty() == set()


async def test_hints_survive_a_redis_failure() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
    schedule = WakeSchedule(30.0, Clock())
    schedule.next_sweep = 2000.0  # not due
    a = tenant()
    schedule.hint({a})
    with pytest.raises((RedisError, OSError)):
        await schedule.next(RedisWakeSignal(down))
    assert await schedule.next(None) == {a}
    await down.aclose()


async def test_wait_returns_on_a_hint_and_at_once_with_pending_hints() -> None:
    schedule = WakeSchedule(3600.0, Clock())
    schedule.next_sweep = 1000.0 + 3600.0
    stop = asyncio.Event()
    waiting = asyncio.ensure_future(schedule.wait(stop))
    await asyncio.sleep(0)
    assert not waiting.done()
    schedule.hint({tenant()})
    await asyncio.wait_for(waiting, 5)  # a safety bound, not asserted
    await asyncio.wait_for(schedule.wait(stop), 5)  # hints pending: no sleep
