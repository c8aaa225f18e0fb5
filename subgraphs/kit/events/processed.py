"""`processed_events`: the idempotency record of consumer groups."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.events.models import ProcessedEvent

__all__ = ["mark_processed", "mark_processed_many", "purge_processed"]


async def mark_processed(session: AsyncSession, group: str, event_id: str) -> bool:
    """Insert the (group, event) row; False when it exists (a duplicate delivery).

    On PostgreSQL a concurrent insert of the same key waits for the other transaction and
    then does nothing, so two consumers never both run the handler's effect.
    """
    values = {"consumer_group": group, "event_id": event_id, "processed_at": datetime.now(UTC)}
    dialect = session.get_bind().dialect.name
    insert: Any = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ProcessedEvent).values(**values).on_conflict_do_nothing()
    result: Any = await session.execute(statement)
    return int(result.rowcount or 0) == 1


async def mark_processed_many(session: AsyncSession, group: str, event_ids: list[str]) -> set[str]:
    """Insert every (group, event) row at once; the ids that were new."""
    if not event_ids:
        return set()
    now = datetime.now(UTC)
    rows = [
        {"consumer_group": group, "event_id": event_id, "processed_at": now}
        for event_id in dict.fromkeys(event_ids)
    ]
    dialect = session.get_bind().dialect.name
    insert: Any = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(ProcessedEvent)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(ProcessedEvent.event_id)
    )
    result = await session.execute(statement)
    return {str(value) for value in result.scalars().all()}


async def purge_processed(session: AsyncSession, before: datetime) -> int:
    statement = delete(ProcessedEvent).where(ProcessedEvent.processed_at < before)
    result: Any = await session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount or 0)
