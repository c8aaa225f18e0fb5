"""Use cases of the integrations subgraph: endpoints, deliveries, fan-out of events."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.integrations import repository
from subgraphs.integrations.errors import (
    DeliveryNotFoundError,
    EndpointDisabledError,
    EndpointNotFoundError,
    InvalidGracePeriodError,
    UnknownEventTypeError,
)
from subgraphs.integrations.models import WebhookDelivery, WebhookEndpoint
from subgraphs.kit.events import EVENT_TYPES, Event, HandlerContext, Subscription
from subgraphs.kit.events.public import PRIVATE_DOMAINS, webhook_body
from subgraphs.kit.events.types import dumps
from subgraphs.kit.events.wake import announce
from subgraphs.kit.ids import TenantId
from subgraphs.kit.net import check_url_shape

WEBHOOKS_GROUP = "webhooks"
WEBHOOKS_TOPIC = "webhooks"  # the dispatchers' wake-up topic


def _now() -> datetime:
    return datetime.now(UTC)


def _check_types(event_types: Sequence[str]) -> list[str]:
    for name in event_types:
        if name not in EVENT_TYPES or EVENT_TYPES[name].domain in PRIVATE_DOMAINS:
            raise UnknownEventTypeError(field="eventTypes", event_type=name)
    return sorted(set(event_types))


@dataclass(frozen=True, slots=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str


async def create_endpoint(
    session: AsyncSession,
    url: str,
    event_types: Sequence[str],
    secret: str | None = None,
    created_by: uuid.UUID | None = None,
) -> CreatedEndpoint:
    check_url_shape(url)
    now = _now()
    secret = secret or new_secret()
    endpoint = WebhookEndpoint(
        id=str(uuid.uuid4()),
        url=url,
        secret=secret,
        event_types=orjson.dumps(_check_types(event_types)).decode(),
        enabled=True,
        consecutive_failures=0,
        created_by=str(created_by) if created_by is not None else None,
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    await session.flush()
    return CreatedEndpoint(endpoint, secret)


MAX_GRACE = timedelta(days=7)
DEFAULT_GRACE = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class UpdatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str | None  # the new secret when it was rotated, shown once


def new_secret() -> str:
    return f"whsec_{secrets.token_hex(24)}"


async def update_endpoint(
    session: AsyncSession,
    endpoint_id: str,
    *,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    enabled: bool | None = None,
    rotate_secret: bool = False,
    grace: timedelta = DEFAULT_GRACE,
) -> UpdatedEndpoint:
    """Change url, filters or enabled; `rotate_secret` issues a new secret and keeps the old
    one signing (a second `v1`) for `grace`, so receivers can switch without losing events."""
    endpoint = await require_endpoint(session, endpoint_id)
    if rotate_secret and not timedelta(0) <= grace <= MAX_GRACE:
        raise InvalidGracePeriodError(
            field="secretGracePeriodSeconds", max=int(MAX_GRACE.total_seconds())
        )
    now = _now()
    if url is not None:
        check_url_shape(url)
        endpoint.url = url
    if event_types is not None:
        endpoint.event_types = orjson.dumps(_check_types(event_types)).decode()
    if enabled is not None:
        endpoint.enabled = enabled
        if enabled:
            endpoint.consecutive_failures = 0
            endpoint.disabled_reason = None
    secret: str | None = None
    if rotate_secret:
        secret = new_secret()
        endpoint.previous_secret = endpoint.secret if grace > timedelta(0) else None
        endpoint.previous_secret_expires_at = now + grace if grace > timedelta(0) else None
        endpoint.secret = secret
    endpoint.updated_at = now
    return UpdatedEndpoint(endpoint, secret)


async def delete_endpoint(session: AsyncSession, endpoint_id: str) -> str:
    """Remove an endpoint and its delivery log; pending deliveries are dropped."""
    endpoint = await require_endpoint(session, endpoint_id)
    await repository.delete_endpoint(session, endpoint)
    return endpoint_id


async def purge_delivery_log(session: AsyncSession, retention: timedelta) -> int:
    """Finished deliveries older than `retention` (one batch; call until it returns 0)."""
    return await repository.purge_deliveries(session, _now() - retention)


async def require_endpoint(session: AsyncSession, endpoint_id: str) -> WebhookEndpoint:
    endpoint = await repository.find_endpoint(session, endpoint_id)
    if endpoint is None:
        raise EndpointNotFoundError(field="id", id=endpoint_id)
    return endpoint


async def redeliver(
    session: AsyncSession, delivery_id: str, tenant_id: TenantId | None = None
) -> WebhookDelivery:
    """Send a delivery again (whatever its status), with a fresh attempt budget; `tenant_id`
    wakes the dispatchers after the commit."""
    delivery = await repository.find_delivery(session, delivery_id)
    if delivery is None:
        raise DeliveryNotFoundError(field="deliveryId", id=delivery_id)
    endpoint = await require_endpoint(session, delivery.endpoint_id)
    if not endpoint.enabled:
        raise EndpointDisabledError(field="deliveryId", id=endpoint.id)
    delivery.status = "PENDING"
    delivery.next_attempt_at = _now()
    delivery.lease_until = None
    delivery.updated_at = _now()
    if tenant_id is not None:
        announce(session, WEBHOOKS_TOPIC, tenant_id)
    return delivery


def wants(endpoint: WebhookEndpoint, event_type: str) -> bool:
    types: list[str] = orjson.loads(endpoint.event_types)
    return endpoint.enabled and (not types or event_type in types)


async def fan_out(context: HandlerContext, item: Event) -> None:
    """Consumer handler: one PENDING delivery per matching endpoint, in the event's tenant."""
    session = context.session
    body = dumps(webhook_body(item))
    now = _now()
    for endpoint in await repository.list_endpoints(session):
        if not wants(endpoint, item.event_type):
            continue
        if await repository.find_delivery_for(session, endpoint.id, str(item.event_id)):
            continue
        announce(session, WEBHOOKS_TOPIC, context.tenant_id)  # after commit: wake dispatchers
        session.add(
            WebhookDelivery(
                id=str(uuid.uuid4()),
                endpoint_id=endpoint.id,
                event_id=str(item.event_id),
                event_type=item.event_type,
                body=body,
                status="PENDING",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
        )


def webhooks_subscription() -> Subscription:
    """Every domain with a registered event type (import the subgraphs' events modules first,
    e.g. `kit.events.catalog.load_platform_events`), internal ones excepted."""
    domains = {cls.domain for cls in EVENT_TYPES.values()} - PRIVATE_DOMAINS
    return Subscription(WEBHOOKS_GROUP, tuple(sorted(domains)), fan_out)
