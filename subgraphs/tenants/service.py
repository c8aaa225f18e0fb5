"""Use cases of the tenants subgraph (control plane). No strawberry, no starlette here."""

from __future__ import annotations

import hmac
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.throttle import Counter, Rule, Throttle
from subgraphs.tenants.errors import (
    DomainNotFoundError,
    DomainTakenError,
    InvalidDomainError,
    InvalidNameError,
    InvalidPlanError,
    InvalidSlugError,
    InvalidVerificationTokenError,
    TenantDeletedError,
    TenantNotFoundError,
    TenantStateError,
    TenantSuspendedError,
    TooManySignUpsError,
)
from subgraphs.tenants.models import CustomDomain, DomainState, Tenant, TenantStatus
from subgraphs.tenants.repository import CustomDomainRepository, TenantRepository

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{2,39}$")
HOST_PATTERN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
RESERVED_SLUGS = frozenset(
    {
        "admin", "api", "app", "assets", "auth", "billing", "cdn", "dashboard", "docs",
        "graphql", "help", "internal", "login", "mail", "root", "router", "signup", "static",
        "status", "support", "system", "tenants", "www",
    }
)  # fmt: skip
Transition = Callable[[AsyncSession, uuid.UUID], Awaitable[Tenant]]
PLANS = frozenset({"free", "team", "business", "enterprise"})


class TenantProvisioner(Protocol):
    """Port: records a tenant and provisions its database (saas_platform.tenancy)."""

    async def create_tenant(
        self, slug: str, name: str, plan: str = "free", server_name: str | None = None
    ) -> Tenant: ...


@dataclass(frozen=True, slots=True)
class CreateTenant:
    slug: str
    name: str
    plan: str = "free"


@dataclass(frozen=True, slots=True)
class TenantPage:
    tenants: Sequence[Tenant]
    size: int


def validate_slug(slug: str) -> str:
    if not SLUG_PATTERN.match(slug):
        reason = "use 3 to 40 lowercase letters, digits or dashes, starting with a letter"
        raise InvalidSlugError(field="slug", slug=slug, reason=reason)
    if slug in RESERVED_SLUGS or slug.endswith("-"):
        raise InvalidSlugError(field="slug", slug=slug, reason="it is reserved")
    return slug


def validate_name(name: str) -> str:
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= 200:
        raise InvalidNameError(field="name")
    return cleaned


def validate_plan(plan: str) -> str:
    if plan not in PLANS:
        raise InvalidPlanError(field="plan", plan=plan)
    return plan


async def count_sign_up(throttle: Throttle, rule: Rule, ip: str | None) -> None:
    """Count one self-serve sign-up attempt from `ip`; TOO_MANY_ATTEMPTS past the limit."""
    counters = [Counter(f"signup:ip:{ip or 'unknown'}", rule)]
    wait = await throttle.retry_after(counters)
    if wait is not None:
        raise TooManySignUpsError(retry_after=wait)
    await throttle.failure(counters)


async def create_tenant(provisioner: TenantProvisioner, command: CreateTenant) -> Tenant:
    """Self-serve sign-up: validate, then record and provision the tenant's database."""
    slug = validate_slug(command.slug)
    name = validate_name(command.name)
    plan = validate_plan(command.plan)
    return await provisioner.create_tenant(slug, name, plan)


async def get_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant:
    tenant = await TenantRepository(session).find_by_id(tenant_id)
    if tenant is None:
        raise TenantNotFoundError(field="id", tenant=str(tenant_id))
    return tenant


async def find_tenant_by_host(session: AsyncSession, host: str, base_domain: str) -> Tenant | None:
    """`acme.<base domain>` by slug, any other host by verified custom domain."""
    host = host.strip().lower().rstrip(".").split(":", 1)[0]
    tenants = TenantRepository(session)
    suffix = f".{base_domain}"
    if host.endswith(suffix):
        label = host[: -len(suffix)]
        tenant = await tenants.find_by_slug(label) if "." not in label else None
    else:
        tenant = await tenants.find_by_verified_host(host)
    if tenant is None or tenant.status == TenantStatus.DELETED.value:
        return None
    return tenant


async def list_tenants(
    session: AsyncSession, *, after_slug: str | None, size: int, statuses: Sequence[str] = ()
) -> TenantPage:
    rows = await TenantRepository(session).list_page(
        after_slug=after_slug, limit=size + 1, statuses=statuses
    )
    return TenantPage(tenants=rows, size=size)


def _require_live(tenant: Tenant) -> None:
    if tenant.status == TenantStatus.DELETED.value:
        raise TenantDeletedError(field="id", tenant=tenant.slug)


def _require_active(tenant: Tenant) -> None:
    _require_live(tenant)
    if tenant.status == TenantStatus.SUSPENDED.value:
        raise TenantSuspendedError(field="id", tenant=tenant.slug)
    if tenant.status != TenantStatus.ACTIVE.value:
        raise TenantStateError(
            field="id", tenant=tenant.slug, status=tenant.status.lower(), action="do this"
        )


async def update_tenant(
    session: AsyncSession, tenant_id: uuid.UUID, *, name: str | None, plan: str | None
) -> Tenant:
    tenant = await get_tenant(session, tenant_id)
    _require_live(tenant)
    if name is not None:
        tenant.name = validate_name(name)
    if plan is not None:
        tenant.plan = validate_plan(plan)
    await session.flush()
    return tenant


async def suspend_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant:
    tenant = await get_tenant(session, tenant_id)
    _require_live(tenant)
    if tenant.status == TenantStatus.SUSPENDED.value:
        return tenant
    _require_active(tenant)
    tenant.status = TenantStatus.SUSPENDED.value
    await session.flush()
    return tenant


async def resume_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant:
    tenant = await get_tenant(session, tenant_id)
    _require_live(tenant)
    if tenant.status == TenantStatus.ACTIVE.value:
        return tenant
    if tenant.status != TenantStatus.SUSPENDED.value:
        raise TenantStateError(
            field="id", tenant=tenant.slug, status=tenant.status.lower(), action="resume"
        )
    tenant.status = TenantStatus.ACTIVE.value
    await session.flush()
    return tenant


async def delete_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant:
    """Soft delete: the data stays until `tenants purge` after the retention window."""
    tenant = await get_tenant(session, tenant_id)
    _require_live(tenant)
    tenant.status = TenantStatus.DELETED.value
    tenant.deleted_at = datetime.now(UTC)
    await session.flush()
    return tenant


def normalize_host(host: str, base_domain: str) -> str:
    cleaned = host.strip().lower().rstrip(".")
    if not HOST_PATTERN.match(cleaned):
        raise InvalidDomainError(field="host", host=host, reason="not a host name")
    if cleaned == base_domain or cleaned.endswith(f".{base_domain}"):
        raise InvalidDomainError(field="host", host=host, reason="the platform's own domain")
    return cleaned


async def add_custom_domain(
    session: AsyncSession, tenant_id: uuid.UUID, host: str, base_domain: str
) -> CustomDomain:
    cleaned = normalize_host(host, base_domain)
    tenant = await get_tenant(session, tenant_id)
    _require_active(tenant)
    domains = CustomDomainRepository(session)
    if await domains.find_by_host(cleaned) is not None:
        raise DomainTakenError(field="host", host=cleaned)
    domain = domains.add(
        CustomDomain(
            host=cleaned,
            tenant_id=tenant.id,
            verification_token=secrets.token_urlsafe(24),
            state=DomainState.PENDING.value,
        )
    )
    await domains.flush()
    return domain


async def verify_custom_domain(
    session: AsyncSession, host: str, token: str, *, tenant_id: uuid.UUID | None = None
) -> CustomDomain:
    """Compare the supplied token with the stored one. With `tenant_id` (a tenant's member
    verifies), another tenant's domain is DOMAIN_NOT_FOUND, as if it did not exist.

    Seam: production checks a DNS TXT record `_saas-verify.<host>` holding the token; this
    comparison stands in for that lookup until the DNS checker lands.
    """
    cleaned = host.strip().lower().rstrip(".")
    domain = await CustomDomainRepository(session).find_by_host(cleaned)
    if domain is None or (tenant_id is not None and domain.tenant_id != tenant_id):
        raise DomainNotFoundError(field="host", host=cleaned)
    tenant = await get_tenant(session, domain.tenant_id)
    _require_active(tenant)
    if not hmac.compare_digest(domain.verification_token.encode(), token.encode()):
        raise InvalidVerificationTokenError(field="token", host=cleaned)
    if domain.state != DomainState.VERIFIED.value:
        domain.state = DomainState.VERIFIED.value
        domain.verified_at = datetime.now(UTC)
        await session.flush()
    return domain
