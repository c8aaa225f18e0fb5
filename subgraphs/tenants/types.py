"""GraphQL shape of the tenants subgraph."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from subgraphs.kit.context import SubgraphContext
from subgraphs.kit.errors import DomainError
from subgraphs.kit.graphql_errors import UserError
from subgraphs.tenants import models
from subgraphs.tenants.access import OPERATOR, TENANT_MANAGE, Caller, sees_details, sees_domains
from subgraphs.tenants.deps import TenantsDeps
from subgraphs.tenants.loaders import DomainsByTenant

Ctx = Info[SubgraphContext[TenantsDeps], None]


@strawberry.enum(name="TenantStatus")
class TenantStatus(Enum):
    PROVISIONING = "PROVISIONING"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    DELETED = "DELETED"
    FAILED = "FAILED"


@strawberry.enum(name="DomainState")
class DomainState(Enum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"


@strawberry.type(name="CustomDomain")
class CustomDomain:
    host: str
    state: DomainState
    verification_token: str = strawberry.field(
        description="Put it in a DNS TXT record `_saas-verify.<host>`, then verify."
    )
    created_at: datetime
    verified_at: datetime | None

    @classmethod
    def of(cls, domain: models.CustomDomain) -> CustomDomain:
        return cls(
            host=domain.host,
            state=DomainState(domain.state),
            verification_token=domain.verification_token,
            created_at=domain.created_at,
            verified_at=domain.verified_at,
        )


@dataclass(frozen=True, slots=True)
class TenantView:
    """What the caller may see of one tenant: None allows, an error refuses (and is raised by
    the field). Anonymous callers see `id`, `slug`, `name`, `status` only."""

    details: DomainError | None = None  # plan, failureReason, timestamps
    domains: DomainError | None = None  # custom domains and their verification tokens


FULL_VIEW = TenantView()


def view_for(caller: Caller, error: DomainError | None, tenant_id: uuid.UUID) -> TenantView:
    if error is not None:
        return TenantView(error, error)
    details = None if sees_details(caller, tenant_id) else caller.denial(OPERATOR)
    domains = None if sees_domains(caller, tenant_id) else caller.denial(TENANT_MANAGE)
    return TenantView(details, domains)


@strawberry.federation.type(name="Tenant", keys=["id", "slug"])
class Tenant:
    id: strawberry.ID
    slug: str
    name: str
    status: TenantStatus
    row: strawberry.Private[models.Tenant]
    view: strawberry.Private[TenantView]

    def _details(self) -> models.Tenant:
        if self.view.details is not None:
            raise self.view.details
        return self.row

    @strawberry.field
    def plan(self) -> str:
        return self._details().plan

    @strawberry.field
    def failure_reason(self) -> str | None:
        return self._details().failure_reason

    @strawberry.field
    def created_at(self) -> datetime:
        return self._details().created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self._details().updated_at

    @strawberry.field
    def deleted_at(self) -> datetime | None:
        return self._details().deleted_at

    @strawberry.field
    async def domains(self, info: Ctx) -> list[CustomDomain]:
        if self.view.domains is not None:
            raise self.view.domains
        loaded = await info.context.loaders.get(DomainsByTenant).load(uuid.UUID(self.id))
        return [CustomDomain.of(d) for d in loaded or []]

    @classmethod
    async def resolve_reference(
        cls, info: Ctx, id: strawberry.ID | None = None, slug: str | None = None
    ) -> Tenant | None:
        from subgraphs.tenants.entities import resolve_tenant_reference

        return await resolve_tenant_reference(info.context, id=id, slug=slug)

    @classmethod
    def of(cls, tenant: models.Tenant, view: TenantView = FULL_VIEW) -> Tenant:
        return cls(
            id=strawberry.ID(str(tenant.id)),
            slug=tenant.slug,
            name=tenant.name,
            status=TenantStatus(tenant.status),
            row=tenant,
            view=view,
        )


@strawberry.input
class CreateTenantInput:
    slug: str
    name: str
    plan: str = "free"


@strawberry.input
class UpdateTenantInput:
    id: strawberry.ID
    name: str | None = None
    plan: str | None = None


@strawberry.input
class TenantIdInput:
    id: strawberry.ID


@strawberry.input
class AddCustomDomainInput:
    tenant_id: strawberry.ID
    host: str


@strawberry.input
class VerifyCustomDomainInput:
    host: str
    token: str


@strawberry.type
class TenantPayload:
    tenant: Tenant | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: models.Tenant | list[UserError]) -> TenantPayload:
        """Only for callers already authorised on this tenant (or its creator)."""
        if isinstance(result, list):
            return cls(user_errors=result)
        return cls(tenant=Tenant.of(result))


@strawberry.type
class CustomDomainPayload:
    domain: CustomDomain | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, result: models.CustomDomain | list[UserError]) -> CustomDomainPayload:
        if isinstance(result, list):
            return cls(user_errors=result)
        return cls(domain=CustomDomain.of(result))


TenantStatusArg = Annotated[
    list[TenantStatus] | None, strawberry.argument(description="Only these statuses.")
]
