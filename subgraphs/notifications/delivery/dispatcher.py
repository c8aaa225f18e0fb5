"""Sends pending deliveries: realtime (in-app), email, push. Leased, retried, at-least-once.

Per tenant: one short transaction leases due deliveries (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so several dispatchers share the work) by pushing their `due_at` past the lease;
the I/O runs outside any transaction; a second transaction records the outcomes. A
dispatcher that dies mid-way leaves leased rows that become due again when the lease ends.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from subgraphs.kit.db import write_transaction
from subgraphs.kit.events import SessionFactory
from subgraphs.kit.ids import TenantId
from subgraphs.kit.pubsub import PubSub
from subgraphs.notifications import realtime
from subgraphs.notifications.delivery.config import DeliveryConfig
from subgraphs.notifications.delivery.email import SmtpSender
from subgraphs.notifications.delivery.push import PushResult, PushSender, PushTarget
from subgraphs.notifications.models import Channel, DeliveryStatus, Notification
from subgraphs.notifications.repository import (
    DeliveriesRepository,
    NotificationsRepository,
    PushRepository,
    RecipientsRepository,
)
from subgraphs.notifications.templates import render_email

logger = logging.getLogger("subgraphs.notifications.dispatcher")
LEASE = timedelta(seconds=120)


@dataclass(slots=True)
class DispatchStats:
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    removed_push_subscriptions: int = 0


@dataclass(slots=True)
class _Job:
    delivery_id: uuid.UUID
    channel: str
    attempts: int
    notification: Notification
    email: str | None = None
    push: list[PushTarget] = field(default_factory=list)


@dataclass(slots=True)
class _Result:
    status: DeliveryStatus
    error: str | None = None
    gone: list[str] = field(default_factory=list)


class Dispatcher:
    def __init__(
        self,
        sessions: SessionFactory,
        pubsub: PubSub,
        config: DeliveryConfig,
        *,
        smtp: SmtpSender | None = None,
        push: PushSender | None = None,
        batch: int = 50,
        max_attempts: int = 5,
    ) -> None:
        self.sessions = sessions
        self.pubsub = pubsub
        self.config = config
        self.smtp = smtp or SmtpSender(config)
        self.push = push or PushSender(config)
        self.batch = batch
        self.max_attempts = max_attempts

    async def run_tenant(self, tenant_id: TenantId, now: datetime | None = None) -> DispatchStats:
        now = now or datetime.now(UTC)
        stats = DispatchStats()
        jobs = await self._lease(tenant_id, now)
        results = {job.delivery_id: await self._deliver(tenant_id, job) for job in jobs}
        if results:
            await self._record(tenant_id, jobs, results, now, stats)
        return stats

    async def _lease(self, tenant_id: TenantId, now: datetime) -> list[_Job]:
        async with write_transaction(self.sessions(tenant_id)) as session:
            lock = session.get_bind().dialect.name == "postgresql"
            due = await DeliveriesRepository(session).due(now, self.batch, lock=lock)
            if not due:
                return []
            rows = await NotificationsRepository(session).by_ids([d.notification_id for d in due])
            by_id = {row.id: row for row in rows}
            recipients, pushes = RecipientsRepository(session), PushRepository(session)
            jobs: list[_Job] = []
            for delivery in due:
                delivery.due_at, delivery.attempts = now + LEASE, delivery.attempts + 1
                row = by_id.get(delivery.notification_id)
                if row is None:
                    delivery.status = DeliveryStatus.SKIPPED
                    continue
                job = _Job(delivery.id, delivery.channel, delivery.attempts, row)
                if delivery.channel == Channel.EMAIL:
                    recipient = await recipients.find(row.user_id)
                    job.email = recipient.email if recipient else None
                elif delivery.channel == Channel.PUSH:
                    job.push = [
                        PushTarget(s.endpoint, s.p256dh, s.auth)
                        for s in await pushes.for_user(row.user_id)
                    ]
                jobs.append(job)
            return jobs

    async def _deliver(self, tenant_id: TenantId, job: _Job) -> _Result:
        try:
            if job.channel == Channel.IN_APP:
                await realtime.publish(self.pubsub, tenant_id, job.notification)
                return _Result(DeliveryStatus.SENT)
            if job.channel == Channel.EMAIL:
                return await self._email(job)
            if job.channel == Channel.PUSH:
                return await self._push(job)
        except Exception as exc:  # the outcome is recorded; the loop goes on
            logger.warning("notification delivery %s failed: %r", job.delivery_id, exc)
            return _Result(DeliveryStatus.FAILED, f"{type(exc).__name__}: {exc}"[:500])
        return _Result(DeliveryStatus.SKIPPED, f"unknown channel {job.channel}")

    async def _email(self, job: _Job) -> _Result:
        if not self.smtp.enabled or not job.email:
            return _Result(DeliveryStatus.SKIPPED, "no SMTP server or no address")
        row = job.notification
        await self.smtp.send(
            job.email, render_email(row.title, row.body, row.link, self.config.public_url)
        )
        return _Result(DeliveryStatus.SENT)

    async def _push(self, job: _Job) -> _Result:
        if not self.push.enabled or not job.push:
            return _Result(DeliveryStatus.SKIPPED, "no VAPID key or no subscription")
        payload = realtime.to_json(job.notification)
        payload.pop("user_id", None)
        result = _Result(DeliveryStatus.SKIPPED, "every subscription is gone")
        errors: list[str] = []
        for target in job.push:
            outcome = await self.push.send(target, payload)
            if outcome.result is PushResult.GONE:
                result.gone.append(target.endpoint)
            elif outcome.result is PushResult.SENT:
                result.status, result.error = DeliveryStatus.SENT, None
            else:
                errors.append(outcome.error or "push failed")
        if result.status is not DeliveryStatus.SENT and errors:
            result.status, result.error = DeliveryStatus.FAILED, errors[0]
        return result

    async def _record(
        self,
        tenant_id: TenantId,
        jobs: list[_Job],
        results: dict[uuid.UUID, _Result],
        now: datetime,
        stats: DispatchStats,
    ) -> None:
        async with write_transaction(self.sessions(tenant_id)) as session:
            deliveries, pushes = DeliveriesRepository(session), PushRepository(session)
            for job in jobs:
                result, delivery = results[job.delivery_id], await deliveries.get(job.delivery_id)
                for endpoint in result.gone:
                    stats.removed_push_subscriptions += await pushes.remove(endpoint)
                if delivery is None:
                    continue
                delivery.last_error = result.error
                if result.status is DeliveryStatus.FAILED and job.attempts < self.max_attempts:
                    delivery.status = DeliveryStatus.PENDING
                    delivery.due_at = now + timedelta(
                        seconds=min(30 * 2 ** (job.attempts - 1), 3600)
                    )
                    stats.retried += 1
                    continue
                delivery.status = result.status
                if result.status is DeliveryStatus.SENT:
                    delivery.sent_at = now
                    stats.sent += 1
                elif result.status is DeliveryStatus.SKIPPED:
                    stats.skipped += 1
                else:
                    stats.failed += 1
