"""Consumers: one consumer group per subscriber, at-least-once, idempotent by event id.

For each stream entry a consumer:
  1. decodes the envelope; a malformed or forged one (the stream's tenant, the envelope's tenant
     and every `TenantId` payload field must agree) goes to the dead-letter stream untouched;
  2. opens the database of the envelope's tenant, and only that one, and in one transaction
     inserts `processed_events(group, event_id)` and runs the handler: a duplicate delivery
     finds the row and does nothing. A batch is handled in one transaction per tenant; if a
     handler fails, it runs again entry by entry with a savepoint each;
  3. XACKs after the commit.
A failing handler is retried with exponential backoff and jitter (the entry stays pending and
is re-claimed by this consumer when due); after `max_deliveries` it goes to
`events:dlq:{group}`. Entries left pending by a dead consumer are taken over with XAUTOCLAIM
once idle for `claim_idle_ms` (longer than any backoff). NOGROUP (Redis restarted empty)
recreates the group with `XGROUP CREATE ... MKSTREAM` from id 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.db.engines import write_transaction
from subgraphs.kit.events.keys import dead_letter_stream, stream_for
from subgraphs.kit.events.processed import mark_processed, mark_processed_many
from subgraphs.kit.events.relay import SessionFactory
from subgraphs.kit.events.streams import NoGroupError, StreamEntry, Streams
from subgraphs.kit.events.types import Event, EventDecodeError, from_envelope
from subgraphs.kit.ids import TenantId

__all__ = [
    "Consumer",
    "ConsumerOptions",
    "ConsumerStats",
    "HandlerContext",
    "Subscription",
    "decode_entry",
]

logger = logging.getLogger("events.consumer")


@dataclass(frozen=True, slots=True)
class HandlerContext:
    """What a handler gets: a session on the event's tenant database, in its transaction."""

    session: AsyncSession
    tenant_id: TenantId
    group: str
    deliveries: int


Handler = Callable[[HandlerContext, Event], Awaitable[None]]
FailureHook = Callable[[TenantId, Event, BaseException, bool], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Subscription:
    """A consumer group: its name, the domains it reads, its handler."""

    group: str
    domains: tuple[str, ...]
    handler: Handler
    event_types: frozenset[str] | None = None
    on_failure: FailureHook | None = None


@dataclass(frozen=True, slots=True)
class ConsumerOptions:
    count: int = 50
    block_ms: int = 1000
    max_deliveries: int = 5
    retry_base: float = 0.5
    retry_cap: float = 15.0
    claim_idle_ms: int = 30_000
    sweep_interval: float = 1.0


@dataclass(slots=True)
class ConsumerStats:
    handled: int = 0
    duplicates: int = 0
    failures: int = 0
    dead_lettered: int = 0
    reclaimed: int = 0
    group_recreated: int = 0


@dataclass(slots=True)
class _Retry:
    due: float
    stream: str
    deliveries: int


def decode_entry(entry: StreamEntry) -> Event:
    """The typed event of a stream entry; the entry's own tenant must match the envelope's."""
    try:
        envelope = orjson.loads(entry.fields["envelope"])
    except (KeyError, orjson.JSONDecodeError) as exc:
        raise EventDecodeError("entry has no JSON envelope") from exc
    item = from_envelope(envelope)
    if entry.fields.get("tenant_id") != str(item.tenant_id):
        raise EventDecodeError("stream tenant_id and envelope tenant disagree")
    return item


class Consumer:
    def __init__(
        self,
        streams: Streams,
        subscription: Subscription,
        sessions: SessionFactory,
        *,
        name: str | None = None,
        options: ConsumerOptions | None = None,
    ) -> None:
        self.streams = streams
        self.subscription = subscription
        self.sessions = sessions
        self.name = name or f"consumer-{uuid.uuid4().hex[:8]}"
        self.options = options or ConsumerOptions()
        self.stats = ConsumerStats()
        self._retries: dict[str, _Retry] = {}
        self._last_sweep = 0.0
        self._ready = False

    @property
    def group(self) -> str:
        return self.subscription.group

    @property
    def stream_names(self) -> list[str]:
        return [stream_for(d) for d in self.subscription.domains]

    async def ensure_groups(self) -> None:
        for stream in self.stream_names:
            await self.streams.ensure_group(stream, self.group)
        self._ready = True

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.poll_once()
            except Exception:
                logger.exception("consumer %s/%s cycle failed", self.group, self.name)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)

    async def poll_once(self, block_ms: int | None = None) -> int:
        """Due retries, then (every sweep interval) XAUTOCLAIM, then new entries."""
        try:
            if not self._ready:
                await self.ensure_groups()
            done = await self._run_due_retries()
            if time.monotonic() - self._last_sweep >= self.options.sweep_interval:
                self._last_sweep = time.monotonic()
                done += await self._reclaim()
            block = self.options.block_ms if block_ms is None else block_ms
            if self._retries:
                block = min(block, 100)
            entries = await self.streams.read_group(
                self.group, self.name, self.stream_names, self.options.count, block
            )
        except NoGroupError:
            self.stats.group_recreated += 1
            self._ready = False
            self._retries.clear()
            return 0
        await self.process_batch([(entry, 1) for entry in entries])
        return done + len(entries)

    async def _run_due_retries(self) -> int:
        now = time.monotonic()
        due = [(i, r) for i, r in self._retries.items() if r.due <= now]
        for entry_id, retry in due:
            del self._retries[entry_id]
            claimed = await self.streams.claim(retry.stream, self.group, self.name, [entry_id])
            await self.process_batch([(entry, retry.deliveries + 1) for entry in claimed])
        return len(due)

    async def _reclaim(self) -> int:
        count = 0
        for stream in self.stream_names:
            claimed = await self.streams.autoclaim(
                stream, self.group, self.name, self.options.claim_idle_ms, self.options.count
            )
            if not claimed:
                continue
            pending = await self.streams.pending(stream, self.group, [e.id for e in claimed])
            deliveries = {p.id: p.deliveries for p in pending}
            for entry in claimed:
                self._retries.pop(entry.id, None)
            self.stats.reclaimed += len(claimed)
            await self.process_batch([(e, deliveries.get(e.id, 1)) for e in claimed])
            count += len(claimed)
        return count

    async def process(self, entry: StreamEntry, deliveries: int) -> None:
        await self.process_batch([(entry, deliveries)])

    async def process_batch(self, batch: list[tuple[StreamEntry, int]]) -> None:
        """Handle entries grouped by tenant: one transaction per tenant, one savepoint per
        entry (a failing handler rolls back only its own effect), XACK after the commit."""
        by_tenant: dict[TenantId, list[tuple[StreamEntry, Event, int]]] = {}
        for entry, deliveries in batch:
            try:
                item = decode_entry(entry)
            except EventDecodeError as exc:
                await self.dead_letter(entry, f"undecodable: {exc}", deliveries)
                continue
            types = self.subscription.event_types
            if types is not None and item.event_type not in types:
                await self.streams.ack(entry.stream, self.group, [entry.id])
                continue
            by_tenant.setdefault(item.tenant_id, []).append((entry, item, deliveries))
        for tenant_id, group in by_tenant.items():
            try:
                outcomes = await self._handle_group(tenant_id, [(i, d) for _, i, d in group])
            except Exception as exc:  # the commit itself failed: nothing of the group stuck
                outcomes = [exc] * len(group)
            acked: dict[str, list[str]] = {}
            for (entry, item, deliveries), outcome in zip(group, outcomes, strict=True):
                if isinstance(outcome, Exception):
                    await self._failed(entry, item, outcome, deliveries)
                    continue
                if outcome:
                    self.stats.handled += 1
                else:
                    self.stats.duplicates += 1
                    self.on_duplicate(item)
                acked.setdefault(entry.stream, []).append(entry.id)
            for stream, ids in acked.items():
                await self.streams.ack(stream, self.group, ids)

    def on_duplicate(self, item: Event) -> None:
        """Called for a delivery whose event this group had already handled (a redelivery)."""

    async def _handle_group(
        self, tenant_id: TenantId, items: list[tuple[Event, int]]
    ) -> list[bool | Exception]:
        """Fast path: one multi-row idempotency insert, handlers in one transaction. If any
        handler fails, everything rolls back and the group runs again entry by entry."""
        try:
            return await self._handle_together(tenant_id, items)
        except Exception as exc:
            if len(items) == 1:
                return [exc]
        return await self._handle_isolated(tenant_id, items)

    async def _handle_together(
        self, tenant_id: TenantId, items: list[tuple[Event, int]]
    ) -> list[bool | Exception]:
        outcomes: list[bool | Exception] = []
        async with write_transaction(self.sessions(tenant_id)) as session:
            ids = [str(item.event_id) for item, _ in items]
            fresh = await mark_processed_many(session, self.group, ids)
            for item, deliveries in items:
                key = str(item.event_id)
                if key not in fresh:
                    outcomes.append(False)
                    continue
                fresh.discard(key)  # the same event twice in one batch runs once
                context = HandlerContext(session, tenant_id, self.group, deliveries)
                await self.subscription.handler(context, item)
                outcomes.append(True)
        return outcomes

    async def _handle_isolated(
        self, tenant_id: TenantId, items: list[tuple[Event, int]]
    ) -> list[bool | Exception]:
        outcomes: list[bool | Exception] = []
        async with write_transaction(self.sessions(tenant_id)) as session:
            for item, deliveries in items:
                try:
                    async with session.begin_nested():
                        fresh = await mark_processed(session, self.group, str(item.event_id))
                        if fresh:
                            context = HandlerContext(session, tenant_id, self.group, deliveries)
                            await self.subscription.handler(context, item)
                    outcomes.append(fresh)
                except Exception as exc:
                    outcomes.append(exc)
        return outcomes

    async def _handle(self, item: Event, deliveries: int) -> bool:
        """One event in its own transaction: True when handled, False for a duplicate."""
        [outcome] = await self._handle_group(item.tenant_id, [(item, deliveries)])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def _failed(
        self, entry: StreamEntry, item: Event, exc: Exception, deliveries: int
    ) -> None:
        self.stats.failures += 1
        final = deliveries >= self.options.max_deliveries
        logger.warning(
            "%s failed on %s (delivery %d): %r", self.group, item.event_id, deliveries, exc
        )
        if self.subscription.on_failure is not None:
            try:
                await self.subscription.on_failure(item.tenant_id, item, exc, final)
            except Exception:
                logger.exception("failure hook of %s failed", self.group)
        if final:
            await self.dead_letter(entry, repr(exc), deliveries)
            return
        delay = min(self.options.retry_cap, self.options.retry_base * 2 ** (deliveries - 1))
        delay *= random.uniform(0.5, 1.0)  # jitter: retries of a burst spread out
        self._retries[entry.id] = _Retry(time.monotonic() + delay, entry.stream, deliveries)

    async def dead_letter(self, entry: StreamEntry, reason: str, deliveries: int) -> None:
        fields = {
            **entry.fields,
            "dlq_source_stream": entry.stream,
            "dlq_source_id": entry.id,
            "dlq_group": self.group,
            "dlq_error": reason[:2000],
            "dlq_deliveries": str(deliveries),
            "dlq_at": datetime.now(UTC).isoformat(),
        }
        await self.streams.add_many([(dead_letter_stream(self.group), fields)], 100_000)
        await self.streams.ack(entry.stream, self.group, [entry.id])
        self.stats.dead_lettered += 1
        logger.error("%s dead-lettered %s: %s", self.group, entry.id, reason)
