"""Per-request loaders of the tenants subgraph."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.loaders import Loader
from subgraphs.tenants.models import CustomDomain, Tenant
from subgraphs.tenants.repository import CustomDomainRepository, TenantRepository


class TenantsById(Loader[uuid.UUID, Tenant]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, Tenant]:
        return {t.id: t for t in await TenantRepository(session).list_by_ids(keys)}


class TenantsBySlug(Loader[str, Tenant]):
    async def batch(self, session: AsyncSession, keys: Sequence[str]) -> Mapping[str, Tenant]:
        return {t.slug: t for t in await TenantRepository(session).list_by_slugs(keys)}


class DomainsByTenant(Loader[uuid.UUID, list[CustomDomain]]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, list[CustomDomain]]:
        found: dict[uuid.UUID, list[CustomDomain]] = defaultdict(list)
        for domain in await CustomDomainRepository(session).list_for_tenants(keys):
            found[domain.tenant_id].append(domain)
        return {key: found.get(key, []) for key in keys}
