"""Tables of the events backbone in every tenant database (migration branch `events`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["EventsBase", "JobRow", "OutboxRow", "ProcessedEvent"]

BigId = BigInteger().with_variant(Integer(), "sqlite")


class EventsBase(DeclarativeBase):
    pass


class OutboxRow(EventsBase):
    """One event, written in the transaction of the change it describes.

    `published_at` is set by the relay; `redis_run_id` names the Redis instance that received
    it, so after a Redis restart the relay republishes what that instance lost.
    """

    __tablename__ = "event_outbox"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    tenant_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(120))
    domain: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    envelope: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    stream_id: Mapped[str | None] = mapped_column(String(40), default=None)
    redis_run_id: Mapped[str | None] = mapped_column(String(64), default=None)

    __table_args__ = (Index("ix_event_outbox_published_at", "published_at"),)


class ProcessedEvent(EventsBase):
    """An event a consumer group has handled, committed with the handler's effect."""

    __tablename__ = "processed_events"

    consumer_group: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class JobRow(EventsBase):
    """A one-off background job; status QUEUED -> RUNNING -> SUCCEEDED | FAILED."""

    __tablename__ = "background_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))
    payload: Mapped[str] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
