"""GraphQL shape of the integrations subgraph."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import orjson
import strawberry
from strawberry.types import Info

from subgraphs.integrations import models, repository
from subgraphs.integrations.deps import IntegrationsDeps
from subgraphs.kit.context import SubgraphContext
from subgraphs.kit.events.models import JobRow
from subgraphs.kit.graphql_errors import UserError

Ctx = Info[SubgraphContext[IntegrationsDeps], None]


@strawberry.enum(name="WebhookDeliveryStatus")
class WebhookDeliveryStatus(Enum):
    PENDING = "PENDING"
    RETRYING = "RETRYING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@strawberry.enum(name="BackgroundJobStatus")
class JobStatus(Enum):
    QUEUED = "QUEUED"
    RETRYING = "RETRYING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@strawberry.type(name="WebhookEndpoint")
class WebhookEndpoint:
    id: strawberry.ID
    url: str
    event_types: list[str] = strawberry.field(description="Empty: every event type.")
    enabled: bool
    consecutive_failures: int
    disabled_reason: str | None
    created_at: datetime
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="After a rotation: until when the previous secret also signs (a second "
        "`v1` in X-Webhook-Signature)."
    )

    @classmethod
    def of(cls, row: models.WebhookEndpoint) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(row.id),
            url=row.url,
            event_types=orjson.loads(row.event_types),
            enabled=row.enabled,
            consecutive_failures=row.consecutive_failures,
            disabled_reason=row.disabled_reason,
            created_at=row.created_at,
            previous_secret_expires_at=row.previous_secret_expires_at
            if row.previous_secret
            else None,
        )


@strawberry.type(name="WebhookAttempt")
class WebhookAttempt:
    attempt: int
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int

    @classmethod
    def of(cls, row: models.WebhookAttempt) -> WebhookAttempt:
        return cls(
            attempt=row.attempt,
            attempted_at=row.attempted_at,
            status_code=row.status_code,
            error=row.error,
            duration_ms=row.duration_ms,
        )


@strawberry.type(name="WebhookDelivery")
class WebhookDelivery:
    id: strawberry.ID
    endpoint_id: strawberry.ID
    event_id: strawberry.ID
    event_type: str
    status: WebhookDeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    payload: str = strawberry.field(description="The exact JSON body sent.")

    @strawberry.field
    async def attempts(self, info: Ctx) -> list[WebhookAttempt]:
        async with info.context.sessions.read() as session:
            rows = await repository.list_attempts(session, str(self.id))
        return [WebhookAttempt.of(r) for r in rows]

    @classmethod
    def of(cls, row: models.WebhookDelivery) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(row.id),
            endpoint_id=strawberry.ID(row.endpoint_id),
            event_id=strawberry.ID(row.event_id),
            event_type=row.event_type,
            status=WebhookDeliveryStatus(row.status),
            attempt_count=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            payload=row.body,
        )


@strawberry.type(name="BackgroundJob")
class Job:
    id: strawberry.ID
    kind: str
    status: JobStatus
    attempts: int
    result: str | None = strawberry.field(description="The job's result as JSON text.")
    error: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: JobRow) -> Job:
        return cls(
            id=strawberry.ID(row.id),
            kind=row.kind,
            status=JobStatus(row.status),
            attempts=row.attempts,
            result=row.result,
            error=row.error,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.input
class CreateWebhookEndpointInput:
    url: str
    event_types: list[str] = strawberry.field(default_factory=list)
    secret: str | None = None


@strawberry.input
class UpdateWebhookEndpointInput:
    id: strawberry.ID
    url: str | None = None
    event_types: list[str] | None = None
    enabled: bool | None = None
    rotate_secret: bool = strawberry.field(
        default=False, description="Issue a new secret (returned once in the payload)."
    )
    secret_grace_period_seconds: int = strawberry.field(
        default=86400,
        description="After a rotation the previous secret keeps signing this long "
        "(0 .. 604800; 0 = stop at once).",
    )


@strawberry.input
class DeleteWebhookEndpointInput:
    id: strawberry.ID


@strawberry.input
class RedeliverWebhookInput:
    delivery_id: strawberry.ID


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = None
    secret: str | None = strawberry.field(
        default=None,
        description="Signing secret; returned once, on creation and on rotation.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteWebhookEndpointPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
