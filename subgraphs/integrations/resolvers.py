"""Thin resolvers: parse arguments, call one service function, map the result."""

from __future__ import annotations

import uuid
from datetime import timedelta

import strawberry

from subgraphs.integrations import repository, service
from subgraphs.integrations.types import (
    CreateWebhookEndpointInput,
    Ctx,
    DeleteWebhookEndpointInput,
    DeleteWebhookEndpointPayload,
    Job,
    RedeliverWebhookInput,
    UpdateWebhookEndpointInput,
    WebhookDelivery,
    WebhookDeliveryPayload,
    WebhookEndpoint,
    WebhookEndpointPayload,
)
from subgraphs.kit.auth.principal import PrincipalKind
from subgraphs.kit.events.jobs import find_job
from subgraphs.kit.payloads import guard

MAX_DELIVERIES = 100
# webhooks export every event of the tenant: owner and admin (or a custom role granting it)
MANAGE = "webhooks:manage"


def person(info: Ctx) -> uuid.UUID | None:
    """The calling person (told when the endpoint is auto-disabled); None for services."""
    principal = info.context.principal
    if principal is None or principal.kind == PrincipalKind.SERVICE:
        return None
    return principal.user_id


@strawberry.type
class Query:
    @strawberry.field
    async def webhook_endpoints(self, info: Ctx) -> list[WebhookEndpoint]:
        info.context.require_permission(MANAGE)
        async with info.context.sessions.read() as session:
            rows = await repository.list_endpoints(session)
        return [WebhookEndpoint.of(r) for r in rows]

    @strawberry.field
    async def webhook_deliveries(
        self, info: Ctx, endpoint_id: strawberry.ID | None = None, first: int = 20
    ) -> list[WebhookDelivery]:
        info.context.require_permission(MANAGE)
        limit = max(1, min(first, MAX_DELIVERIES))
        key = str(endpoint_id) if endpoint_id is not None else None
        async with info.context.sessions.read() as session:
            rows = await repository.list_deliveries(session, key, limit)
        return [WebhookDelivery.of(r) for r in rows]

    @strawberry.field
    async def job(self, info: Ctx, id: strawberry.ID) -> Job | None:
        info.context.require_principal()
        try:
            job_id = uuid.UUID(str(id))
        except ValueError:
            return None
        async with info.context.sessions.read() as session:
            row = await find_job(session, job_id)
        return Job.of(row) if row is not None else None


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def create_webhook_endpoint(
        self, info: Ctx, input: CreateWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        info.context.require_permission(MANAGE)

        async def run() -> service.CreatedEndpoint:
            session = await info.context.sessions.write()
            return await service.create_endpoint(
                session, input.url, input.event_types, input.secret, person(info)
            )

        result = await guard(info.context, run())
        if isinstance(result, list):
            return WebhookEndpointPayload(user_errors=result)
        return WebhookEndpointPayload(
            endpoint=WebhookEndpoint.of(result.endpoint), secret=result.secret
        )

    @strawberry.mutation
    async def update_webhook_endpoint(
        self, info: Ctx, input: UpdateWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        info.context.require_permission(MANAGE)

        async def run() -> service.UpdatedEndpoint:
            session = await info.context.sessions.write()
            return await service.update_endpoint(
                session,
                str(input.id),
                url=input.url,
                event_types=input.event_types,
                enabled=input.enabled,
                rotate_secret=input.rotate_secret,
                grace=timedelta(seconds=input.secret_grace_period_seconds),
            )

        result = await guard(info.context, run())
        if isinstance(result, list):
            return WebhookEndpointPayload(user_errors=result)
        return WebhookEndpointPayload(
            endpoint=WebhookEndpoint.of(result.endpoint), secret=result.secret
        )

    @strawberry.mutation
    async def delete_webhook_endpoint(
        self, info: Ctx, input: DeleteWebhookEndpointInput
    ) -> DeleteWebhookEndpointPayload:
        info.context.require_permission(MANAGE)

        async def run() -> str:
            session = await info.context.sessions.write()
            return await service.delete_endpoint(session, str(input.id))

        result = await guard(info.context, run())
        if isinstance(result, list):
            return DeleteWebhookEndpointPayload(user_errors=result)
        return DeleteWebhookEndpointPayload(deleted_id=strawberry.ID(result))

    @strawberry.mutation
    async def redeliver_webhook(
        self, info: Ctx, input: RedeliverWebhookInput
    ) -> WebhookDeliveryPayload:
        info.context.require_permission(MANAGE)
        scope = info.context.require_scope()

        async def run() -> WebhookDelivery:
            session = await info.context.sessions.write()
            row = await service.redeliver(session, str(input.delivery_id), scope.tenant_id)
            return WebhookDelivery.of(row)

        result = await guard(info.context, run())
        if isinstance(result, list):
            return WebhookDeliveryPayload(user_errors=result)
        return WebhookDeliveryPayload(delivery=result)
