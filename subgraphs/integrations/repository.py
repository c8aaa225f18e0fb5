"""All SQL of the integrations subgraph."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

DUE_STATUSES = ("PENDING", "RETRYING")


async def list_endpoints(session: AsyncSession) -> Sequence[WebhookEndpoint]:
    statement = select(WebhookEndpoint).order_by(WebhookEndpoint.created_at)
    return (await session.execute(statement)).scalars().all()


async def find_endpoint(session: AsyncSession, endpoint_id: str) -> WebhookEndpoint | None:
    return await session.get(WebhookEndpoint, endpoint_id)


async def find_delivery(session: AsyncSession, delivery_id: str) -> WebhookDelivery | None:
    return await session.get(WebhookDelivery, delivery_id)


async def find_delivery_for(
    session: AsyncSession, endpoint_id: str, event_id: str
) -> WebhookDelivery | None:
    statement = select(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.event_id == event_id
    )
    return (await session.execute(statement)).scalars().first()


async def list_deliveries(
    session: AsyncSession, endpoint_id: str | None, limit: int
) -> Sequence[WebhookDelivery]:
    statement = select(WebhookDelivery).order_by(WebhookDelivery.created_at.desc()).limit(limit)
    if endpoint_id is not None:
        statement = statement.where(WebhookDelivery.endpoint_id == endpoint_id)
    return (await session.execute(statement)).scalars().all()


async def list_attempts(session: AsyncSession, delivery_id: str) -> Sequence[WebhookAttempt]:
    statement = (
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(WebhookAttempt.attempt)
    )
    return (await session.execute(statement)).scalars().all()


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> Sequence[WebhookDelivery]:
    """Due deliveries not leased by another dispatcher, locked (SKIP LOCKED on PostgreSQL)."""
    statement = (
        select(WebhookDelivery)
        .where(WebhookDelivery.status.in_(DUE_STATUSES))
        .where(WebhookDelivery.next_attempt_at <= now)
        .where(or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now))
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(statement)).scalars().all()


FINISHED_STATUSES = ("SUCCEEDED", "FAILED")


async def delete_endpoint(session: AsyncSession, endpoint: WebhookEndpoint) -> None:
    """The endpoint with its delivery log (attempts, then deliveries)."""
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    await session.execute(
        delete(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(deliveries))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .execution_options(synchronize_session=False)
    )
    await session.delete(endpoint)


async def purge_deliveries(session: AsyncSession, before: datetime, limit: int = 1000) -> int:
    """Up to `limit` finished deliveries (and their attempts) last updated before `before`;
    pending and retrying ones stay whatever their age. Rows are locked first, so a concurrent
    redelivery either waits or is not purged."""
    statement = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status.in_(FINISHED_STATUSES))
        .where(WebhookDelivery.updated_at < before)
        .order_by(WebhookDelivery.updated_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list((await session.execute(statement)).scalars())
    if not ids:
        return 0
    await session.execute(
        delete(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    return len(ids)


async def next_due(session: AsyncSession) -> datetime | None:
    """When the next attempt of this tenant is due (a leased row: when its lease ends)."""
    due = case(
        (
            WebhookDelivery.lease_until > WebhookDelivery.next_attempt_at,
            WebhookDelivery.lease_until,
        ),
        else_=WebhookDelivery.next_attempt_at,
    )
    statement = select(func.min(due)).where(WebhookDelivery.status.in_(DUE_STATUSES))
    value: datetime | None = (await session.execute(statement)).scalar_one_or_none()
    return value
