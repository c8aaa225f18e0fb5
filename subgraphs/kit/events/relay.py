"""The relay: tenant outboxes -> one stream per domain (`events:{domain}`).

Each cycle takes up to `batch` unpublished rows of a tenant with `FOR UPDATE SKIP LOCKED`
(concurrent relays take disjoint rows), XADDs them in one pipeline, and marks them published
with the stream id and the Redis `run_id`, all in the tenant transaction: a relay killed
between XADD and commit republishes the batch (consumers deduplicate by event id); in normal
operation nothing is published twice. When `INFO server` shows a new `run_id` (Redis restarted
and, with no persistence, lost its streams), rows published to the old instance within
`republish_window` become unpublished again and go out once more.

Streams are bounded two ways: `XADD ... MAXLEN ~ maxlen` as a hard cap, and a periodic
`XTRIM MINID ~` to the oldest entry any consumer group still needs.

Wake-ups: without a `WakeSignal` the relay sweeps every tenant each `scan_interval`. With one
(`wake.RedisWakeSignal`), it drains only the tenants announced after their commits and sweeps
every tenant each `sweep_interval` as a safety net, so an idle platform costs one sweep per
interval whatever the number of tenants. Events committed in the relay's own process wake it
through `local_hub` either way.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.db.engines import write_transaction
from subgraphs.kit.events.keys import stream_for
from subgraphs.kit.events.outbox import (
    OutboxEntry,
    claim_unpublished,
    local_hub,
    mark_published,
    reset_lost,
)
from subgraphs.kit.events.streams import Streams
from subgraphs.kit.events.types import Event
from subgraphs.kit.events.wake import WakeSchedule, WakeSignal
from subgraphs.kit.ids import TenantId

__all__ = ["Relay", "RelayOptions", "RelayStats", "SessionFactory", "TenantSource"]

logger = logging.getLogger("events.relay")

SessionFactory = Callable[[TenantId], AbstractAsyncContextManager[AsyncSession]]


class TenantSource(Protocol):
    """The tenants whose databases the worker serves (ACTIVE ones, from the control DB)."""

    async def active_tenants(self) -> list[TenantId]: ...


@dataclass(frozen=True, slots=True)
class RelayOptions:
    batch: int = 200
    maxlen: int = 1_000_000
    scan_interval: float = 1.0  # sweep interval without a wake signal
    sweep_interval: float = 30.0  # sweep interval with one (the safety net)
    republish_window: timedelta = timedelta(hours=1)
    trim_interval: float = 10.0
    keep_ms: int = 60_000


@dataclass(slots=True)
class RelayStats:
    published: int = 0
    reset_after_restart: int = 0
    restarts_seen: int = 0
    errors: int = 0
    cycles: int = 0
    sweeps: int = 0
    woken: int = 0
    tenants_drained: int = 0
    domains: set[str] = field(default_factory=set)


def stream_fields(entry: OutboxEntry) -> dict[str, str]:
    return {
        "event_id": entry.event_id,
        "tenant_id": entry.tenant_id,
        "event_type": entry.event_type,
        "envelope": entry.envelope,
    }


class Relay:
    def __init__(
        self,
        streams: Streams,
        tenants: TenantSource,
        sessions: SessionFactory,
        options: RelayOptions | None = None,
        *,
        wake: WakeSignal | None = None,
        in_process_hints: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.streams = streams
        self.tenants = tenants
        self.sessions = sessions
        self.options = options or RelayOptions()
        self.stats = RelayStats()
        self.wake = wake
        self.in_process_hints = in_process_hints
        self.clock = clock
        self.listening = asyncio.Event()  # set once subscribed to the wake-up channel
        self._run_id: str | None = None
        self._last_trim = time.monotonic()
        self._schedule = WakeSchedule(self.sweep_interval, clock)

    @property
    def sweep_interval(self) -> float:
        return self.options.scan_interval if self.wake is None else self.options.sweep_interval

    def nudge(self, item: Event) -> None:
        """In-process hint that a tenant committed events (the sweep is the backstop)."""
        self._schedule.hint({item.tenant_id})

    def on_wake(self, tenants: set[TenantId] | None) -> None:
        """A wake-up from another process; None (after a (re)subscription) asks for a sweep,
        since announcements made meanwhile were missed."""
        self.stats.woken += 1
        self._schedule.on_wake(tenants)

    async def run(self, stop: asyncio.Event) -> None:
        unsubscribe = local_hub.subscribe(self.nudge) if self.in_process_hints else None
        listener = None
        if self.wake is not None:
            listener = asyncio.ensure_future(self.wake.listen(self.on_wake, stop, self.listening))
        try:
            while not stop.is_set():
                try:
                    await self.cycle()
                except Exception:
                    self.stats.errors += 1
                    logger.exception("relay cycle failed")
                    await _sleep_or_stop(stop, 1.0)
                    continue
                await self._schedule.wait(stop)
        finally:
            if unsubscribe is not None:
                unsubscribe()
            if listener is not None:
                listener.cancel()
                await asyncio.gather(listener, return_exceptions=True)

    async def cycle(self) -> int:
        """Sweep every tenant when the sweep is due, else drain the announced ones only."""
        self.stats.cycles += 1
        dirty = await self._schedule.next(self.wake)
        if dirty is None:
            published = await self.run_once()
            self.stats.sweeps += 1  # completed sweeps
            return published
        if not dirty:
            return 0
        return await self.run_once(sorted(dirty))

    async def run_once(self, tenants: list[TenantId] | None = None) -> int:
        """One pass: detect a Redis restart, then drain every (or the given) tenant."""
        all_tenants = await self.tenants.active_tenants()
        await self.check_restart(all_tenants)
        if tenants is None:
            targets = all_tenants
        else:  # only ACTIVE tenants are relayed, whatever a wake-up named
            active = set(all_tenants)
            targets = [t for t in tenants if t in active]
        self._schedule.dirty.difference_update(targets)
        total = 0
        for tenant_id in targets:
            self.stats.tenants_drained += 1
            try:
                total += await self.drain_tenant(tenant_id)
            except Exception:
                self.stats.errors += 1
                logger.exception("relay failed for tenant %s", tenant_id)
        await self._maybe_trim()
        return total

    async def check_restart(self, tenants: list[TenantId]) -> None:
        current = await self.streams.run_id()
        if current == self._run_id:
            return
        since = datetime.now(UTC) - self.options.republish_window
        reset = 0
        for tenant_id in tenants:
            async with write_transaction(self.sessions(tenant_id)) as session:
                reset += await reset_lost(session, current, since)
        if self._run_id is not None:
            self.stats.restarts_seen += 1
            logger.warning("redis run_id changed; %d events will be republished", reset)
        self.stats.reset_after_restart += reset
        self._run_id = current

    async def drain_tenant(self, tenant_id: TenantId) -> int:
        total = 0
        while True:
            published = await self.publish_batch(tenant_id)
            total += published
            if published < self.options.batch:
                return total

    async def publish_batch(self, tenant_id: TenantId) -> int:
        run_id = self._run_id or await self.streams.run_id()
        async with write_transaction(self.sessions(tenant_id)) as session:
            entries = await claim_unpublished(session, self.options.batch)
            if not entries:
                return 0
            fields = [(stream_for(e.domain), stream_fields(e)) for e in entries]
            ids = await self.streams.add_many(fields, self.options.maxlen)
            now = datetime.now(UTC)
            await mark_published(session, list(zip(entries, ids, strict=True)), run_id, now)
        self.stats.published += len(entries)
        self.stats.domains.update(e.domain for e in entries)
        return len(entries)

    async def _maybe_trim(self) -> None:
        if time.monotonic() - self._last_trim < self.options.trim_interval:
            return
        self._last_trim = time.monotonic()
        for domain in sorted(self.stats.domains):
            await self.streams.trim(stream_for(domain), self.options.keep_ms)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return
