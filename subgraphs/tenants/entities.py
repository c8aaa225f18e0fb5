"""Federation entity resolution: always through a loader."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from subgraphs.kit.context import SubgraphContext
from subgraphs.tenants.access import caller_or_anonymous
from subgraphs.tenants.loaders import TenantsById, TenantsBySlug

if TYPE_CHECKING:
    from subgraphs.tenants.types import Tenant


async def resolve_tenant_reference(
    context: SubgraphContext[Any], *, id: str | None, slug: str | None
) -> Tenant | None:
    from subgraphs.tenants.types import Tenant, view_for

    if id is not None:
        try:
            key = uuid.UUID(id)
        except ValueError:
            return None
        tenant = await context.loaders.get(TenantsById).load(key)
    elif slug is not None:
        tenant = await context.loaders.get(TenantsBySlug).load(slug)
    else:
        return None
    if tenant is None:
        return None
    caller, error = await caller_or_anonymous(context)
    return Tenant.of(tenant, view_for(caller, error, tenant.id))
