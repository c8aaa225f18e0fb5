"""Sends due webhook deliveries: signed, retried with backoff and jitter, endpoints disabled
after too many consecutive failures (with a `WebhookEndpointDisabled` event).

Which tenants to visit: with a wake signal (Redis), the tenants announced on the `webhooks`
topic after a commit that created or re-queued deliveries (fan-out, redelivery), plus those
whose next attempt this dispatcher knows is due (it reads each visited tenant's next due time),
plus a sweep of every tenant each `sweep_interval` (the safety net: lost announcements, another
dispatcher's expired lease, a restart). Without one it sweeps every `interval` (1 s)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.integrations import repository
from subgraphs.integrations.events import WebhookEndpointDisabled
from subgraphs.integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from subgraphs.integrations.service import WEBHOOKS_TOPIC
from subgraphs.integrations.signing import SIGNATURE_HEADER, sign
from subgraphs.kit.db import write_transaction
from subgraphs.kit.events import SessionFactory, TenantSource, record
from subgraphs.kit.events.wake import WakeSchedule, WakeSignal, announcements
from subgraphs.kit.ids import TenantId
from subgraphs.kit.net import Resolver, UrlNotAllowedError, pinned_post, system_resolver

logger = logging.getLogger("integrations.webhooks")
_TRUE = {"1", "true", "yes", "on"}
MIN_WAIT = 0.1  # floor of a wait for a known due time (rows leased elsewhere stay "due")


@dataclass(frozen=True, slots=True)
class WebhookOptions:
    allow_private: bool = False
    timeout: float = 10.0
    max_attempts: int = 8
    retry_base: float = 30.0
    retry_cap: float = 6 * 3600.0
    disable_after: int = 20
    batch: int = 20
    sweep_interval: float = 60.0  # with a wake signal

    @classmethod
    def from_env(cls) -> WebhookOptions:
        env = os.environ
        return cls(
            allow_private=env.get("WEBHOOK_ALLOW_PRIVATE", "false").lower() in _TRUE,
            timeout=float(env.get("WEBHOOK_TIMEOUT", "10")),
            max_attempts=int(env.get("WEBHOOK_MAX_ATTEMPTS", "8")),
            retry_base=float(env.get("WEBHOOK_RETRY_BASE", "30")),
            disable_after=int(env.get("WEBHOOK_DISABLE_AFTER", "20")),
            sweep_interval=float(env.get("WEBHOOK_SWEEP_INTERVAL", "60")),
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def backoff(options: WebhookOptions, attempt: int) -> float:
    delay = min(options.retry_cap, options.retry_base * 2 ** (attempt - 1))
    return float(delay * random.uniform(0.75, 1.25))


@dataclass(slots=True)
class DispatchStats:
    cycles: int = 0
    sweeps: int = 0
    tenants_visited: int = 0
    sent: int = 0


class WebhookDispatcher:
    def __init__(
        self,
        tenants: TenantSource,
        sessions: SessionFactory,
        options: WebhookOptions | None = None,
        *,
        resolver: Resolver = system_resolver,
        wake: WakeSignal | None = None,
        in_process_hints: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tenants = tenants
        self.sessions = sessions
        self.options = options or WebhookOptions.from_env()
        self.resolver = resolver
        self.wake = wake
        self.in_process_hints = in_process_hints
        self.clock = clock
        self.client = httpx.AsyncClient(timeout=self.options.timeout, follow_redirects=False)
        self.stats = DispatchStats()
        self.listening = asyncio.Event()  # set once subscribed to the wake-up channel
        self._due: dict[TenantId, datetime] = {}  # known next attempt per visited tenant
        self._schedule = WakeSchedule(self.options.sweep_interval, clock)

    async def aclose(self) -> None:
        await self.client.aclose()

    def on_wake(self, tenants: set[TenantId] | None) -> None:
        self._schedule.on_wake(tenants)  # None: re-subscribed, announcements may be missed

    def _on_announce(self, topic: str, tenants: set[TenantId]) -> None:
        if topic == WEBHOOKS_TOPIC:
            self.on_wake(tenants)

    async def run(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        """`interval`: the sweep interval without a wake signal."""
        sweep = interval if self.wake is None else self.options.sweep_interval
        hints = announcements.subscribe(self._on_announce) if self.in_process_hints else None
        listener = None
        if self.wake is not None:
            listener = asyncio.ensure_future(self.wake.listen(self.on_wake, stop, self.listening))
        try:
            while not stop.is_set():
                try:
                    await self.cycle(sweep)
                except Exception:
                    logger.exception("webhook dispatch cycle failed")
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), 1.0)
                    continue
                await self._wait(stop)
        finally:
            if hints is not None:
                hints()
            if listener is not None:
                listener.cancel()
                await asyncio.gather(listener, return_exceptions=True)
            await self.aclose()

    async def cycle(self, sweep_interval: float) -> int:
        """Sweep every tenant when due, else visit the announced and the known-due ones."""
        self.stats.cycles += 1
        self._schedule.sweep_interval = sweep_interval
        targets = await self._schedule.next(self.wake)
        if targets is None:
            sent = await self.run_once()
            self.stats.sweeps += 1
            return sent
        wall = datetime.now(UTC)
        targets |= {t for t, due in self._due.items() if due <= wall}
        if not targets:
            return 0
        active = set(await self.tenants.active_tenants())
        sent = 0
        for tenant_id in sorted(targets & active):
            sent += await self.dispatch_tenant(tenant_id)
        return sent

    async def _wait(self, stop: asyncio.Event) -> None:
        until = None
        if self._due:
            until_due = (min(self._due.values()) - datetime.now(UTC)).total_seconds()
            until = max(MIN_WAIT, until_due)
        await self._schedule.wait(stop, until)

    async def run_once(self) -> int:
        sent = 0
        for tenant_id in await self.tenants.active_tenants():
            sent += await self.dispatch_tenant(tenant_id)
        return sent

    async def dispatch_tenant(self, tenant_id: TenantId) -> int:
        self.stats.tenants_visited += 1
        leased, next_due = await self._lease(tenant_id)
        if leased:
            await asyncio.gather(*(self._deliver(tenant_id, d, e) for d, e in leased))
            async with self.sessions(tenant_id) as session:
                next_due = await repository.next_due(session)
        self._remember(tenant_id, next_due)
        self.stats.sent += len(leased)
        return len(leased)

    def _remember(self, tenant_id: TenantId, due: datetime | None) -> None:
        if due is None:
            self._due.pop(tenant_id, None)
        else:
            self._due[tenant_id] = due if due.tzinfo is not None else due.replace(tzinfo=UTC)

    async def _lease(
        self, tenant_id: TenantId
    ) -> tuple[list[tuple[WebhookDelivery, WebhookEndpoint]], datetime | None]:
        now = datetime.now(UTC)
        lease = now + timedelta(seconds=self.options.timeout * 3)
        leased: list[tuple[WebhookDelivery, WebhookEndpoint]] = []
        async with write_transaction(self.sessions(tenant_id)) as session:
            for delivery in await repository.claim_due(session, now, self.options.batch):
                endpoint = await repository.find_endpoint(session, delivery.endpoint_id)
                if endpoint is None or not endpoint.enabled:
                    delivery.status, delivery.last_error = "FAILED", "endpoint disabled"
                    continue
                delivery.lease_until = lease
                leased.append((delivery, endpoint))
            next_due = None if leased else await repository.next_due(session)
        return leased, next_due

    async def send(self, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> Outcome:
        started = time.monotonic()
        try:
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "saas-platform-webhooks/1",
                "X-Webhook-Id": delivery.id,
                "X-Webhook-Event": delivery.event_type,
                SIGNATURE_HEADER: sign(endpoint.signing_secrets(datetime.now(UTC)), delivery.body),
            }
            response = await pinned_post(
                self.client,
                endpoint.url,
                content=delivery.body.encode(),
                headers=headers,
                allow_private=self.options.allow_private,
                resolver=self.resolver,
            )
            code: int | None = response.status_code
            error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        except UrlNotAllowedError as exc:
            code, error = None, str(exc)
        except httpx.HTTPError as exc:
            code, error = None, f"{type(exc).__name__}: {exc}"[:500]
        return Outcome(code, error, int((time.monotonic() - started) * 1000))

    async def _deliver(
        self, tenant_id: TenantId, delivery: WebhookDelivery, endpoint: WebhookEndpoint
    ) -> None:
        outcome = await self.send(endpoint, delivery)
        async with write_transaction(self.sessions(tenant_id)) as session:
            row = await repository.find_delivery(session, delivery.id)
            current = await repository.find_endpoint(session, endpoint.id)
            if row is None or current is None:
                return
            self._record(session, tenant_id, row, current, outcome)

    def _record(
        self,
        session: AsyncSession,
        tenant_id: TenantId,
        row: WebhookDelivery,
        endpoint: WebhookEndpoint,
        outcome: Outcome,
    ) -> None:
        now = datetime.now(UTC)
        row.attempts += 1
        session.add(
            WebhookAttempt(
                delivery_id=row.id,
                attempt=row.attempts,
                attempted_at=now,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            )
        )
        row.last_status_code, row.last_error = outcome.status_code, outcome.error
        row.lease_until, row.updated_at = None, now
        if outcome.ok:
            row.status, row.delivered_at, row.next_attempt_at = "SUCCEEDED", now, None
            endpoint.consecutive_failures = 0
            return
        endpoint.consecutive_failures += 1
        if row.attempts >= self.options.max_attempts:
            row.status, row.next_attempt_at = "FAILED", None
        else:
            row.status = "RETRYING"
            row.next_attempt_at = now + timedelta(seconds=backoff(self.options, row.attempts))
        if endpoint.enabled and endpoint.consecutive_failures >= self.options.disable_after:
            endpoint.enabled = False
            endpoint.disabled_reason = f"{endpoint.consecutive_failures} consecutive failures"
            endpoint.updated_at = now
            record(
                session,
                WebhookEndpointDisabled(
                    tenant_id=tenant_id,
                    endpoint_id=uuid.UUID(endpoint.id),
                    url=endpoint.url,
                    consecutive_failures=endpoint.consecutive_failures,
                    notify=tuple(uuid.UUID(u) for u in [endpoint.created_by] if u),
                ),
            )
