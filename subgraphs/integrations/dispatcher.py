"""Sends due webhook deliveries: signed, retried with backoff and jitter, endpoints disabled
after too many consecutive failures (with a `WebhookEndpointDisabled` event)."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.integrations import repository
from subgraphs.integrations.errors import UrlNotAllowedError
from subgraphs.integrations.events import WebhookEndpointDisabled
from subgraphs.integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from subgraphs.integrations.signing import SIGNATURE_HEADER, sign
from subgraphs.integrations.ssrf import Resolver, resolve_target, system_resolver
from subgraphs.kit.events import SessionFactory, TenantSource, record
from subgraphs.kit.ids import TenantId

logger = logging.getLogger("integrations.webhooks")
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class WebhookOptions:
    allow_private: bool = False
    timeout: float = 10.0
    max_attempts: int = 8
    retry_base: float = 30.0
    retry_cap: float = 6 * 3600.0
    disable_after: int = 20
    batch: int = 20

    @classmethod
    def from_env(cls) -> WebhookOptions:
        env = os.environ
        return cls(
            allow_private=env.get("WEBHOOK_ALLOW_PRIVATE", "false").lower() in _TRUE,
            timeout=float(env.get("WEBHOOK_TIMEOUT", "10")),
            max_attempts=int(env.get("WEBHOOK_MAX_ATTEMPTS", "8")),
            retry_base=float(env.get("WEBHOOK_RETRY_BASE", "30")),
            disable_after=int(env.get("WEBHOOK_DISABLE_AFTER", "20")),
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


class WebhookDispatcher:
    def __init__(
        self,
        tenants: TenantSource,
        sessions: SessionFactory,
        options: WebhookOptions | None = None,
        *,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.tenants = tenants
        self.sessions = sessions
        self.options = options or WebhookOptions.from_env()
        self.resolver = resolver
        self.client = httpx.AsyncClient(timeout=self.options.timeout, follow_redirects=False)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def run(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        try:
            while not stop.is_set():
                try:
                    await self.run_once()
                except Exception:
                    logger.exception("webhook dispatch cycle failed")
                try:
                    await asyncio.wait_for(stop.wait(), interval)
                except TimeoutError:
                    continue
        finally:
            await self.aclose()

    async def run_once(self) -> int:
        sent = 0
        for tenant_id in await self.tenants.active_tenants():
            sent += await self.dispatch_tenant(tenant_id)
        return sent

    async def dispatch_tenant(self, tenant_id: TenantId) -> int:
        leased = await self._lease(tenant_id)
        await asyncio.gather(*(self._deliver(tenant_id, d, e) for d, e in leased))
        return len(leased)

    async def _lease(self, tenant_id: TenantId) -> list[tuple[WebhookDelivery, WebhookEndpoint]]:
        now = datetime.now(UTC)
        lease = now + timedelta(seconds=self.options.timeout * 3)
        leased: list[tuple[WebhookDelivery, WebhookEndpoint]] = []
        async with self.sessions(tenant_id) as session, session.begin():
            for delivery in await repository.claim_due(session, now, self.options.batch):
                endpoint = await repository.find_endpoint(session, delivery.endpoint_id)
                if endpoint is None or not endpoint.enabled:
                    delivery.status, delivery.last_error = "FAILED", "endpoint disabled"
                    continue
                delivery.lease_until = lease
                leased.append((delivery, endpoint))
        return leased

    async def send(self, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> Outcome:
        started = time.monotonic()
        try:
            target = await resolve_target(
                endpoint.url, allow_private=self.options.allow_private, resolver=self.resolver
            )
            headers = {
                "Content-Type": "application/json",
                "Host": target.host_header,
                "User-Agent": "saas-platform-webhooks/1",
                "X-Webhook-Id": delivery.id,
                "X-Webhook-Event": delivery.event_type,
                SIGNATURE_HEADER: sign(endpoint.signing_secrets(datetime.now(UTC)), delivery.body),
            }
            extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else {}
            response = await self.client.post(
                target.url, content=delivery.body.encode(), headers=headers, extensions=extensions
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
        async with self.sessions(tenant_id) as session, session.begin():
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
                ),
            )
