"""The control database as the kit's `TenantDirectory`."""

from __future__ import annotations

from sqlalchemy import select

from saas_platform.tenancy.servers import tenant_database_url
from subgraphs.kit.db import Database, TenantLocation
from subgraphs.kit.ids import TenantId
from subgraphs.tenants.models import DatabaseServer, Tenant


class ControlTenantDirectory:
    def __init__(self, control: Database) -> None:
        self.control = control

    async def locate(self, tenant_id: TenantId) -> TenantLocation | None:
        statement = (
            select(Tenant.slug, Tenant.status, Tenant.database_name, DatabaseServer.url)
            .join(DatabaseServer, DatabaseServer.id == Tenant.database_server_id)
            .where(Tenant.id == tenant_id)
        )
        async with self.control.session() as session:
            row = (await session.execute(statement)).first()
        if row is None:
            return None
        slug, status, database_name, server_url = row
        return TenantLocation(
            tenant_id=tenant_id,
            slug=slug,
            status=status,
            database_url=tenant_database_url(server_url, database_name),
        )
