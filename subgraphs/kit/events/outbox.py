"""The transactional outbox: `record(session, event)` and the relay's SQL.

`record` adds the event row to the caller's session, so it commits or rolls back with the
change it describes. After the commit, the events go to in-process subscribers (`local_hub`):
an embedded relay is woken at once, and tests can observe what was committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, event, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from subgraphs.kit.events.models import OutboxRow
from subgraphs.kit.events.types import Event, dumps, to_envelope

__all__ = [
    "EventHub",
    "OutboxEntry",
    "claim_unpublished",
    "local_hub",
    "mark_published",
    "purge_published",
    "record",
    "reset_lost",
    "unpublish_since",
]

logger = logging.getLogger("events.outbox")
_PENDING = "saas_pending_events"
Subscriber = Callable[[Event], Awaitable[None] | None]


class EventHub:
    """In-process fan-out of committed events (Zulip's `send_event_on_commit`)."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    def publish(self, events: Sequence[Event]) -> None:
        for item in events:
            for subscriber in list(self._subscribers):
                try:
                    result = subscriber(item)
                except Exception:
                    logger.exception("event subscriber failed on %s", item.event_type)
                    continue
                if result is not None:
                    task = asyncio.ensure_future(self._guarded(result, item))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)

    async def _guarded(self, result: Awaitable[None], item: Event) -> None:
        try:
            await result
        except Exception:
            logger.exception("event subscriber failed on %s", item.event_type)


local_hub = EventHub()


def record(session: AsyncSession, item: Event) -> Event:
    """Write `item` to the outbox in the session's transaction; published after commit."""
    envelope = to_envelope(item)
    session.add(
        OutboxRow(
            event_id=envelope["id"],
            tenant_id=envelope["tenantId"],
            event_type=item.event_type,
            domain=item.domain,
            version=item.version,
            envelope=dumps(envelope),
            occurred_at=item.occurred_at,
        )
    )
    session.sync_session.info.setdefault(_PENDING, []).append(item)
    return item


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending: list[Event] = session.info.pop(_PENDING, [])
    if not pending:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    loop.call_soon(local_hub.publish, pending)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:
        session.info.pop(_PENDING, None)


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    seq: int
    event_id: str
    tenant_id: str
    event_type: str
    domain: str
    envelope: str


async def claim_unpublished(session: AsyncSession, limit: int) -> list[OutboxEntry]:
    """Unpublished rows in order, locked (`FOR UPDATE SKIP LOCKED` on PostgreSQL) so that
    concurrent relays take disjoint batches; call inside a transaction."""
    statement = (
        select(OutboxRow)
        .where(OutboxRow.published_at.is_(None))
        .order_by(OutboxRow.seq)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = (await session.execute(statement)).scalars().all()
    return [
        OutboxEntry(r.seq, r.event_id, r.tenant_id, r.event_type, r.domain, r.envelope)
        for r in rows
    ]


async def mark_published(
    session: AsyncSession,
    published: Sequence[tuple[OutboxEntry, str]],
    run_id: str,
    at: datetime,
) -> None:
    if not published:
        return
    values: list[dict[str, Any]] = [
        {"seq": entry.seq, "published_at": at, "stream_id": sid, "redis_run_id": run_id}
        for entry, sid in published
    ]
    await session.execute(update(OutboxRow), values)


async def reset_lost(session: AsyncSession, run_id: str, since: datetime) -> int:
    """Rows published since `since` to another Redis instance become unpublished again."""
    statement = (
        update(OutboxRow)
        .where(OutboxRow.published_at >= since)
        .where(or_(OutboxRow.redis_run_id.is_(None), OutboxRow.redis_run_id != run_id))
        .values(published_at=None, stream_id=None, redis_run_id=None)
        .execution_options(synchronize_session=False)
    )
    result: Any = await session.execute(statement)
    return int(result.rowcount or 0)


async def unpublish_since(session: AsyncSession, since: datetime) -> int:
    """Operator replay: every row that occurred since `since` is published again."""
    statement = (
        update(OutboxRow)
        .where(OutboxRow.occurred_at >= since)
        .where(OutboxRow.published_at.is_not(None))
        .values(published_at=None, stream_id=None, redis_run_id=None)
        .execution_options(synchronize_session=False)
    )
    result: Any = await session.execute(statement)
    return int(result.rowcount or 0)


async def purge_published(session: AsyncSession, before: datetime) -> int:
    statement = delete(OutboxRow).where(OutboxRow.published_at < before)
    result: Any = await session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount or 0)
