"""All SQL on the control database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, delete, func, select

from subgraphs.kit.repository import Repository
from subgraphs.tenants.models import (
    CustomDomain,
    DatabaseServer,
    DomainState,
    Operator,
    OperatorStatus,
    Tenant,
)


class TenantRepository(Repository[Tenant]):
    model = Tenant

    async def find_by_id(self, tenant_id: uuid.UUID) -> Tenant | None:
        return await self.find_one(self.base().where(Tenant.id == tenant_id))

    async def find_by_slug(self, slug: str) -> Tenant | None:
        return await self.find_one(self.base().where(Tenant.slug == slug))

    async def find_by_verified_host(self, host: str) -> Tenant | None:
        statement = (
            self.base()
            .join(CustomDomain, CustomDomain.tenant_id == Tenant.id)
            .where(CustomDomain.host == host, CustomDomain.state == DomainState.VERIFIED.value)
        )
        return await self.find_one(statement)

    async def list_by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[Tenant]:
        return await self.find_all(self.base().where(Tenant.id.in_(ids)))

    async def list_by_slugs(self, slugs: Sequence[str]) -> Sequence[Tenant]:
        return await self.find_all(self.base().where(Tenant.slug.in_(slugs)))

    async def list_page(
        self, *, after_slug: str | None, limit: int, statuses: Sequence[str] = ()
    ) -> Sequence[Tenant]:
        statement: Select[Tenant] = self.base().order_by(Tenant.slug).limit(limit)
        if after_slug is not None:
            statement = statement.where(Tenant.slug > after_slug)
        if statuses:
            statement = statement.where(Tenant.status.in_(statuses))
        return await self.find_all(statement)

    async def list_with_status(self, statuses: Sequence[str]) -> Sequence[Tenant]:
        statement = self.base().where(Tenant.status.in_(statuses)).order_by(Tenant.slug)
        return await self.find_all(statement)

    async def list_deleted_before(self, cutoff: datetime) -> Sequence[Tenant]:
        statement = self.base().where(
            Tenant.deleted_at.is_not(None), Tenant.deleted_at < cutoff, Tenant.purged_at.is_(None)
        )
        return await self.find_all(statement)

    async def remove(self, tenant: Tenant) -> None:
        await self.session.execute(delete(CustomDomain).where(CustomDomain.tenant_id == tenant.id))
        await self.session.delete(tenant)
        await self.session.flush()


class DatabaseServerRepository(Repository[DatabaseServer]):
    model = DatabaseServer

    async def find_by_id(self, server_id: uuid.UUID) -> DatabaseServer | None:
        return await self.find_one(self.base().where(DatabaseServer.id == server_id))

    async def find_by_name(self, name: str) -> DatabaseServer | None:
        return await self.find_one(self.base().where(DatabaseServer.name == name))

    async def list_all(self) -> Sequence[DatabaseServer]:
        return await self.find_all(self.base().order_by(DatabaseServer.name))

    async def find_least_loaded(self) -> DatabaseServer | None:
        """The active server with the fewest live tenants, among those under capacity."""
        load = (
            select(Tenant.database_server_id, func.count().label("n"))
            .where(Tenant.purged_at.is_(None))
            .group_by(Tenant.database_server_id)
            .subquery()
        )
        used = func.coalesce(load.c.n, 0)
        statement = (
            self.base()
            .outerjoin(load, load.c.database_server_id == DatabaseServer.id)
            .where(DatabaseServer.active.is_(True), used < DatabaseServer.capacity)
            .order_by(used, DatabaseServer.name)
        )
        return await self.find_one(statement)


class CustomDomainRepository(Repository[CustomDomain]):
    model = CustomDomain

    async def find_by_host(self, host: str) -> CustomDomain | None:
        return await self.find_one(self.base().where(CustomDomain.host == host))

    async def list_for_tenants(self, tenant_ids: Sequence[uuid.UUID]) -> Sequence[CustomDomain]:
        statement = (
            self.base().where(CustomDomain.tenant_id.in_(tenant_ids)).order_by(CustomDomain.host)
        )
        return await self.find_all(statement)


class OperatorRepository(Repository[Operator]):
    model = Operator

    async def find_by_id(self, operator_id: uuid.UUID) -> Operator | None:
        return await self.find_one(self.base().where(Operator.id == operator_id))

    async def find_by_email(self, email: str) -> Operator | None:
        return await self.find_one(self.base().where(Operator.email == email))

    async def find_active(self, operator_id: uuid.UUID) -> Operator | None:
        statement = self.base().where(
            Operator.id == operator_id, Operator.status == OperatorStatus.ACTIVE.value
        )
        return await self.find_one(statement)

    async def list_all(self) -> Sequence[Operator]:
        return await self.find_all(self.base().order_by(Operator.email))
