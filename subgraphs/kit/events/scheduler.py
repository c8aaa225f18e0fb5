"""The scheduler: cron-style jobs run by the one leader among all worker processes.

Every `tick` each scheduler tries to acquire (or renew) leadership. The leader computes each
job's current slot and runs it when `claim_run(job, slot, token)` succeeds: once per slot, and
never with a fencing token older than one already used. Losing the lock (a missed renewal)
makes a scheduler a follower at once; a follower takes over when the leader's TTL expires.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from subgraphs.kit.events.leader import LeaderLock
from subgraphs.kit.events.schedule import Schedule

__all__ = ["JobRun", "ScheduledJob", "Scheduler", "SchedulerOptions"]

logger = logging.getLogger("events.scheduler")


@dataclass(frozen=True, slots=True)
class JobRun:
    """What a scheduled job gets: its slot and the fencing token to pass to what it writes."""

    job: str
    slot: datetime
    token: int


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    name: str
    schedule: Schedule
    run: Callable[[JobRun], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SchedulerOptions:
    ttl_ms: int = 10_000
    tick: float = 1.0
    run_record_ms: int = 7 * 24 * 3600 * 1000


@dataclass(slots=True)
class SchedulerState:
    token: int | None = None
    runs: list[JobRun] = field(default_factory=list)
    refused: int = 0


class Scheduler:
    def __init__(
        self,
        lock: LeaderLock,
        jobs: list[ScheduledJob],
        *,
        owner: str | None = None,
        options: SchedulerOptions | None = None,
    ) -> None:
        self.lock = lock
        self.jobs = jobs
        self.owner = owner or f"scheduler-{uuid.uuid4().hex[:8]}"
        self.options = options or SchedulerOptions()
        self.state = SchedulerState()

    @property
    def is_leader(self) -> bool:
        return self.state.token is not None

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    await self.tick()
                except Exception:
                    logger.exception("scheduler tick failed")
                    self.state.token = None
                try:
                    await asyncio.wait_for(stop.wait(), self.options.tick)
                except TimeoutError:
                    continue
        finally:
            if self.state.token is not None:
                await self.lock.release(self.owner, self.state.token)

    async def tick(self, now: datetime | None = None) -> None:
        await self.elect()
        if self.state.token is not None:
            await self.run_due(self.state.token, now or datetime.now(UTC))

    async def elect(self) -> None:
        ttl = self.options.ttl_ms
        if self.state.token is not None:
            if await self.lock.renew(self.owner, self.state.token, ttl):
                return
            logger.warning("%s lost leadership (token %s)", self.owner, self.state.token)
            self.state.token = None
        self.state.token = await self.lock.acquire(self.owner, ttl)

    async def run_due(self, token: int, now: datetime) -> None:
        for job in self.jobs:
            slot = job.schedule.slot(now)
            if slot is None:
                continue
            stamp = slot.strftime("%Y%m%dT%H%M%S")
            if not await self.lock.claim_run(job.name, stamp, token, self.options.run_record_ms):
                continue
            run = JobRun(job.name, slot, token)
            self.state.runs.append(run)
            try:
                await job.run(run)
            except Exception:
                logger.exception("scheduled job %s failed (slot %s)", job.name, stamp)
