"""Tenant lifecycle operations that span the control database and the tenant databases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from saas_platform.settings import Settings
from saas_platform.tenancy.provisioning import Provisioner
from subgraphs.kit.db import Database
from subgraphs.tenants.errors import (
    RetentionNotElapsedError,
    TenantNotFoundError,
    TenantStateError,
)
from subgraphs.tenants.models import Tenant, TenantStatus
from subgraphs.tenants.repository import TenantRepository


@dataclass(frozen=True, slots=True)
class Purged:
    slug: str
    database_dropped: bool


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; everything we store is UTC
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def purge_tenants(
    control: Database,
    settings: Settings,
    *,
    slug: str | None = None,
    now: datetime | None = None,
    force: bool = False,
) -> list[Purged]:
    """Drop the data of soft-deleted tenants whose retention window has closed.

    With `slug`, only that tenant (`force` skips the window). The database goes first, then the
    control row: a crash in between leaves a DELETED row whose purge simply runs again.
    """
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=settings.tenant_retention_days)
    async with control.session() as session:
        repository = TenantRepository(session)
        if slug is None:
            candidates = list(await repository.list_deleted_before(cutoff))
        else:
            tenant = await repository.find_by_slug(slug)
            if tenant is None:
                raise TenantNotFoundError(tenant=slug)
            candidates = [_check_purgeable(tenant, cutoff, settings, force)]
    provisioner = Provisioner(control, settings)
    purged: list[Purged] = []
    for tenant in candidates:
        dropped = await provisioner.drop_database(tenant)
        async with control.transaction() as session:
            repository = TenantRepository(session)
            row = await repository.find_by_id(tenant.id)
            if row is not None:
                await repository.remove(row)
        purged.append(Purged(tenant.slug, dropped))
    return purged


def _check_purgeable(tenant: Tenant, cutoff: datetime, settings: Settings, force: bool) -> Tenant:
    if tenant.status != TenantStatus.DELETED.value or tenant.deleted_at is None:
        raise TenantStateError(tenant=tenant.slug, status=tenant.status.lower(), action="purge")
    deleted_at = _aware(tenant.deleted_at)
    if not force and deleted_at > cutoff:
        after = deleted_at + timedelta(days=settings.tenant_retention_days)
        raise RetentionNotElapsedError(tenant=tenant.slug, after=after.isoformat())
    return tenant
