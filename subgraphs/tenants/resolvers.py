"""Thin resolvers: parse arguments, call one service function, map the result."""

from __future__ import annotations

import uuid

import strawberry

from subgraphs.kit.auth.errors import ForbiddenError, UnauthenticatedError
from subgraphs.kit.clientip import client_ip as kit_client_ip
from subgraphs.kit.payloads import guard
from subgraphs.kit.relay import Connection, connection_from_rows, decode_cursor, page_size
from subgraphs.tenants import models, service
from subgraphs.tenants.access import (
    BILLING_MANAGE,
    OPERATOR,
    caller_or_anonymous,
    require_operator,
    require_tenant_manager,
    resolve_caller,
    sees_details,
)
from subgraphs.tenants.errors import TenantNotFoundError
from subgraphs.tenants.loaders import TenantsById, TenantsBySlug
from subgraphs.tenants.types import (
    AddCustomDomainInput,
    CreateTenantInput,
    Ctx,
    CustomDomainPayload,
    Tenant,
    TenantIdInput,
    TenantPayload,
    TenantStatusArg,
    UpdateTenantInput,
    VerifyCustomDomainInput,
    view_for,
)


def client_ip(info: Ctx) -> str | None:
    """The trusted router's `x-client-ip`, else the peer address (subgraphs.kit.clientip)."""
    return kit_client_ip(info.context.request)


def _maybe_id(raw: str) -> uuid.UUID | None:
    """For access checks: a malformed id names no tenant (the service then says not found)."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _tenant_id(raw: str, field: str = "id") -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise TenantNotFoundError(field=field, tenant=raw) from exc


async def _public(info: Ctx, found: models.Tenant | None) -> Tenant | None:
    """A tenant for a public lookup: private fields only for operators and its members."""
    if found is None:
        return None
    caller, error = await caller_or_anonymous(info.context)
    return Tenant.of(found, view_for(caller, error, found.id))


@strawberry.type
class Query:
    @strawberry.field
    async def tenant(self, info: Ctx, id: strawberry.ID) -> Tenant | None:
        caller = await resolve_caller(info.context)
        if caller.anonymous:
            raise UnauthenticatedError()
        try:
            key = uuid.UUID(id)
        except ValueError:
            return None
        if not sees_details(caller, key):
            raise ForbiddenError(permission=OPERATOR)
        found = await info.context.loaders.get(TenantsById).load(key)
        return Tenant.of(found, view_for(caller, None, key)) if found is not None else None

    @strawberry.field
    async def tenant_by_slug(self, info: Ctx, slug: str) -> Tenant | None:
        return await _public(info, await info.context.loaders.get(TenantsBySlug).load(slug))

    @strawberry.field
    async def tenant_by_domain(self, info: Ctx, host: str) -> Tenant | None:
        async with info.context.sessions.read() as session:
            found = await service.find_tenant_by_host(session, host, info.context.deps.base_domain)
        return await _public(info, found)

    @strawberry.field
    async def tenants(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        status: TenantStatusArg = None,
    ) -> Connection[Tenant]:
        await require_operator(info.context)
        size, after_slug = page_size(first), decode_cursor(after)
        statuses = [s.value for s in status or []]
        async with info.context.sessions.read() as session:
            page = await service.list_tenants(
                session, after_slug=after_slug, size=size, statuses=statuses
            )
        nodes = [Tenant.of(t) for t in page.tenants]
        return connection_from_rows(
            nodes, size=size, key=lambda t: t.slug, had_cursor=after is not None
        )


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def create_tenant(self, info: Ctx, input: CreateTenantInput) -> TenantPayload:
        command = service.CreateTenant(slug=input.slug, name=input.name, plan=input.plan)
        deps = info.context.deps
        caller, _ = await caller_or_anonymous(info.context)

        async def run() -> models.Tenant:
            if caller.operator is None:  # operators are not throttled
                await service.count_sign_up(deps.throttle, deps.signup_rule, client_ip(info))
            return await service.create_tenant(deps.provisioner, command)

        return TenantPayload.of(await guard(info.context, run()))

    @strawberry.mutation
    async def update_tenant(self, info: Ctx, input: UpdateTenantInput) -> TenantPayload:
        extra = (BILLING_MANAGE,) if input.plan is not None else ()
        await require_tenant_manager(info.context, _maybe_id(input.id), *extra)

        async def run() -> models.Tenant:
            session, tenant_id = await info.context.sessions.write(), _tenant_id(input.id)
            return await service.update_tenant(session, tenant_id, name=input.name, plan=input.plan)

        return TenantPayload.of(await guard(info.context, run()))

    @strawberry.mutation
    async def suspend_tenant(self, info: Ctx, input: TenantIdInput) -> TenantPayload:
        return await _transition(info, input.id, service.suspend_tenant)

    @strawberry.mutation
    async def resume_tenant(self, info: Ctx, input: TenantIdInput) -> TenantPayload:
        return await _transition(info, input.id, service.resume_tenant)

    @strawberry.mutation
    async def delete_tenant(self, info: Ctx, input: TenantIdInput) -> TenantPayload:
        return await _transition(info, input.id, service.delete_tenant)

    @strawberry.mutation
    async def add_custom_domain(
        self, info: Ctx, input: AddCustomDomainInput
    ) -> CustomDomainPayload:
        await require_tenant_manager(info.context, _maybe_id(input.tenant_id))

        async def run() -> models.CustomDomain:
            session = await info.context.sessions.write()
            tenant_id = _tenant_id(input.tenant_id, "tenantId")
            base = info.context.deps.base_domain
            return await service.add_custom_domain(session, tenant_id, input.host, base)

        return CustomDomainPayload.of(await guard(info.context, run()))

    @strawberry.mutation
    async def verify_custom_domain(
        self, info: Ctx, input: VerifyCustomDomainInput
    ) -> CustomDomainPayload:
        caller = await require_tenant_manager(info.context, None)
        only = caller.principal.tenant_id if caller.principal is not None else None

        async def run() -> models.CustomDomain:
            session = await info.context.sessions.write()
            return await service.verify_custom_domain(
                session, input.host, input.token, tenant_id=only
            )

        return CustomDomainPayload.of(await guard(info.context, run()))


async def _transition(info: Ctx, raw_id: str, action: service.Transition) -> TenantPayload:
    await require_operator(info.context)

    async def run() -> models.Tenant:
        session = await info.context.sessions.write()
        tenant = await action(session, _tenant_id(raw_id))
        tenant_id, deps = tenant.id, info.context.deps
        info.context.sessions.after_commit(lambda: deps.on_status_change(tenant_id))
        return tenant

    return TenantPayload.of(await guard(info.context, run()))
