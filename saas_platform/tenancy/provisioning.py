"""Provisioning: a tenant row, then its database, migrated and stamped with its identity.

States: PROVISIONING -> ACTIVE (-> SUSPENDED -> ACTIVE, -> DELETED), or FAILED with a reason.
Steps, recorded in `tenants.provisioning_step`:

    RECORDED          the control row exists (status PROVISIONING), placement chosen
    DATABASE_CREATED  CREATE DATABASE (checked in pg_database, 42P04 tolerated) / SQLite file
    MIGRATED          tenant alembic branches at `heads`
    IDENTITY_WRITTEN  the tenant_identity row (existing row for another tenant: fail closed)
    ACTIVATED         status ACTIVE

Every step is idempotent, so `provision(tenant_id)` after a crash at any point converges to
one healthy database. A PostgreSQL advisory lock on the control database (an asyncio lock on
the embedded default) keeps two provisioners of one tenant apart. When the placement server
does not answer before the database exists, the row is removed again: nothing half-created.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from saas_platform.settings import Settings
from saas_platform.tenancy import servers
from saas_platform.tenancy.migrations import script_heads, tenant_config, upgrade_tenant
from subgraphs.kit.db import Database, EngineOptions, create_database_engine, is_sqlite_url
from subgraphs.tenants.errors import (
    DatabaseUnreachableError,
    NoDatabaseServerError,
    ProvisioningFailedError,
    SlugTakenError,
    TenantDeletedError,
    TenantNotFoundError,
)
from subgraphs.tenants.models import DatabaseServer, Tenant, TenantStatus
from subgraphs.tenants.repository import DatabaseServerRepository, TenantRepository

# embedded default: one process owns the SQLite files, so a process-wide lock per tenant
_LOCAL_LOCKS: dict[str, asyncio.Lock] = {}


class ProvisioningStep(StrEnum):
    RECORDED = "RECORDED"
    DATABASE_CREATED = "DATABASE_CREATED"
    MIGRATED = "MIGRATED"
    IDENTITY_WRITTEN = "IDENTITY_WRITTEN"
    ACTIVATED = "ACTIVATED"


class StepHook(Protocol):
    """Called after each step completes; tests inject crashes here."""

    async def __call__(self, tenant_id: uuid.UUID, step: ProvisioningStep) -> None: ...


async def _no_hook(tenant_id: uuid.UUID, step: ProvisioningStep) -> None:
    return None


def lock_key(name: str) -> int:
    """A signed 64-bit advisory lock key."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class Provisioner:
    def __init__(
        self,
        control: Database,
        settings: Settings,
        *,
        hook: StepHook = _no_hook,
        extra_locations: Sequence[Path] = (),
    ) -> None:
        self.control = control
        self.settings = settings
        self.hook = hook
        self.extra_locations = tuple(extra_locations)
        self._templates_ready: set[str] = set()
        self._lock_engine: AsyncEngine | None = None

    # -- public operations --------------------------------------------------------------

    async def create_tenant(
        self, slug: str, name: str, plan: str = "free", server_name: str | None = None
    ) -> Tenant:
        """Record then provision; an unreachable server leaves no row and no database."""
        tenant = await self.register(slug, name, plan, server_name)
        try:
            return await self.provision(tenant.id)
        except (DatabaseUnreachableError, ProvisioningFailedError):
            await self._forget(tenant.id)  # only when its database was never created
            raise

    async def register(
        self, slug: str, name: str, plan: str = "free", server_name: str | None = None
    ) -> Tenant:
        async with self.control.transaction() as session:
            tenants = TenantRepository(session)
            if await tenants.find_by_slug(slug) is not None:
                raise SlugTakenError(field="slug", slug=slug)
            server = await self._placement(DatabaseServerRepository(session), server_name)
            tenant_id = uuid.uuid4()
            tenant = Tenant(
                id=tenant_id,
                slug=slug,
                name=name,
                plan=plan,
                status=TenantStatus.PROVISIONING.value,
                database_server_id=server.id,
                database_name=self._database_name(server, tenant_id),
                provisioning_step=ProvisioningStep.RECORDED.value,
            )
            tenants.add(tenant)
            try:
                await session.flush()
            except IntegrityError as exc:
                raise SlugTakenError(field="slug", slug=slug) from exc
        await self.hook(tenant.id, ProvisioningStep.RECORDED)
        return tenant

    async def provision(self, tenant_id: uuid.UUID) -> Tenant:
        """Bring a recorded tenant to ACTIVE; safe to re-run after a crash at any step."""
        async with self._tenant_lock(str(tenant_id)):
            tenant, server = await self._load(tenant_id)
            if tenant.status in {TenantStatus.ACTIVE.value, TenantStatus.SUSPENDED.value}:
                return tenant
            if tenant.status == TenantStatus.DELETED.value:
                raise TenantDeletedError(tenant=tenant.slug)
            url = servers.tenant_database_url(server.url, tenant.database_name)
            step = "create database"
            try:
                fresh_copy = await self._create_database(server, tenant)
                await self._step(tenant_id, ProvisioningStep.DATABASE_CREATED)
                step = "migrate"
                if not fresh_copy:  # a fresh copy of the template is at heads already
                    await upgrade_tenant(url, self.extra_locations)
                await self._step(tenant_id, ProvisioningStep.MIGRATED)
                step = "write identity"
                await write_identity(url, tenant.id, tenant.slug)
                await self._step(tenant_id, ProvisioningStep.IDENTITY_WRITTEN)
            except servers.ServerUnreachableError as exc:
                await self._mark(tenant_id, TenantStatus.FAILED, None, f"unreachable: {exc}")
                raise DatabaseUnreachableError(server=server.name) from exc
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"[:1000]
                await self._mark(tenant_id, TenantStatus.FAILED, None, reason)
                raise ProvisioningFailedError(tenant=tenant.slug, step=step, reason=reason) from exc
            await self._mark(tenant_id, TenantStatus.ACTIVE, ProvisioningStep.ACTIVATED, None)
            await self.hook(tenant_id, ProvisioningStep.ACTIVATED)
            tenant, _ = await self._load(tenant_id)
            return tenant

    async def drop_database(self, tenant: Tenant) -> bool:
        async with self.control.session() as session:
            server = await DatabaseServerRepository(session).find_by_id(tenant.database_server_id)
        if server is None:
            return False
        return await servers.drop_database(
            server.url, tenant.database_name, self.settings.db_connect_timeout
        )

    # -- steps --------------------------------------------------------------------------

    async def _create_database(self, server: DatabaseServer, tenant: Tenant) -> bool:
        """True when this call created the database as a copy of the migrated template."""
        timeout = self.settings.db_connect_timeout
        template = None
        if self.settings.provision_from_template and not is_sqlite_url(server.url):
            template = await self._ensure_template(server)
        created = await servers.create_database(
            server.url, tenant.database_name, template=template, connect_timeout=timeout
        )
        return created and template is not None

    async def _ensure_template(self, server: DatabaseServer) -> str:
        """A migrated template database per (server, migration heads): CREATE DATABASE ...
        TEMPLATE copies it, so a new tenant starts at heads without running migrations."""
        name = self.template_name()
        cache_key = f"{server.id}:{name}"
        if cache_key in self._templates_ready:
            return name
        async with self._tenant_lock(f"template:{cache_key}"):
            timeout = self.settings.db_connect_timeout
            async with servers.admin_connection(server.url, timeout) as admin:
                ready = await admin.fetchval(
                    "SELECT datistemplate FROM pg_database WHERE datname = $1", name
                )
            if not ready:
                await servers.drop_database(server.url, name, timeout)
                await servers.create_database(server.url, name, connect_timeout=timeout)
                await upgrade_tenant(
                    servers.tenant_database_url(server.url, name), self.extra_locations
                )
                await servers.run_admin(
                    server.url, f"ALTER DATABASE {servers.quoted(name)} IS_TEMPLATE true"
                )
            self._templates_ready.add(cache_key)
        return name

    def template_name(self) -> str:
        """`<prefix>tpl_<digest of the migration heads>`: new heads, new template."""
        heads = ",".join(sorted(script_heads(tenant_config(self.extra_locations))))
        digest = hashlib.sha256(heads.encode()).hexdigest()[:12]
        return f"{self.settings.template_prefix}tpl_{digest}"

    async def drop_stale_templates(self) -> list[str]:
        """Drop template databases built for migration heads that are no longer current."""
        current = self.template_name()
        async with self.control.session() as session:
            targets = await DatabaseServerRepository(session).list_all()
        dropped: list[str] = []
        timeout = self.settings.db_connect_timeout
        for server in targets:
            if is_sqlite_url(server.url) or not server.active:
                continue
            prefix = f"{self.settings.template_prefix}tpl_"
            for name in await servers.list_databases(server.url, prefix, timeout):
                if name != current:
                    async with self._tenant_lock(f"template:{server.id}:{name}"):
                        await servers.drop_database(server.url, name, timeout)
                    dropped.append(name)
        return dropped

    async def _step(self, tenant_id: uuid.UUID, step: ProvisioningStep) -> None:
        async with self.control.transaction() as session:
            tenant = await TenantRepository(session).find_by_id(tenant_id)
            if tenant is not None:
                tenant.provisioning_step = step.value
        await self.hook(tenant_id, step)

    async def _mark(
        self,
        tenant_id: uuid.UUID,
        status: TenantStatus,
        step: ProvisioningStep | None,
        reason: str | None,
    ) -> None:
        async with self.control.transaction() as session:
            tenant = await TenantRepository(session).find_by_id(tenant_id)
            if tenant is None:
                return
            tenant.status = status.value
            tenant.failure_reason = reason
            if step is not None:
                tenant.provisioning_step = step.value

    async def _forget(self, tenant_id: uuid.UUID) -> None:
        async with self.control.transaction() as session:
            tenants = TenantRepository(session)
            tenant = await tenants.find_by_id(tenant_id)
            # only a tenant whose database was never created is forgotten
            if tenant is not None and tenant.provisioning_step == ProvisioningStep.RECORDED:
                await tenants.remove(tenant)

    async def _load(self, tenant_id: uuid.UUID) -> tuple[Tenant, DatabaseServer]:
        async with self.control.session() as session:
            tenant = await TenantRepository(session).find_by_id(tenant_id)
            if tenant is None:
                raise TenantNotFoundError(tenant=str(tenant_id))
            server = await DatabaseServerRepository(session).find_by_id(tenant.database_server_id)
        if server is None:
            raise NoDatabaseServerError(detail=f" (server of {tenant.slug} is gone)")
        if tenant.status == TenantStatus.FAILED.value:
            await self._mark(tenant_id, TenantStatus.PROVISIONING, None, None)
            tenant.status = TenantStatus.PROVISIONING.value
        return tenant, server

    async def _placement(
        self, repository: DatabaseServerRepository, server_name: str | None
    ) -> DatabaseServer:
        if server_name is not None:
            server = await repository.find_by_name(server_name)
            if server is None or not server.active:
                raise NoDatabaseServerError(field="server", detail=f" ({server_name} unknown)")
            return server
        server = await repository.find_least_loaded()
        if server is None:
            raise NoDatabaseServerError()
        return server

    def _database_name(self, server: DatabaseServer, tenant_id: uuid.UUID) -> str:
        if is_sqlite_url(server.url):
            return str(tenant_id)
        return f"{self.settings.tenant_db_prefix}{tenant_id.hex}"

    @asynccontextmanager
    async def _tenant_lock(self, name: str) -> AsyncIterator[None]:
        if is_sqlite_url(str(self.control.engine.url)):
            lock = _LOCAL_LOCKS.setdefault(name, asyncio.Lock())
            async with lock:
                yield
            return
        key = lock_key(name)
        # a connection outside the control pool: lock holders must not starve their own steps
        if self._lock_engine is None:
            url = self.control.engine.url.render_as_string(hide_password=False)
            self._lock_engine = create_database_engine(url, EngineOptions(null_pool=True))
        async with self._lock_engine.connect() as connection:
            await connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            await connection.commit()
            try:
                yield
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                await connection.commit()


async def write_identity(url: str, tenant_id: uuid.UUID, slug: str) -> None:
    """Insert the tenant_identity row; a row for another tenant fails closed."""
    engine = create_database_engine(url, EngineOptions(null_pool=True))
    try:
        async with engine.begin() as connection:
            rows = (await connection.execute(text("SELECT tenant_id FROM tenant_identity"))).all()
            found = {str(row[0]) for row in rows}
            if found and found != {str(tenant_id)}:
                raise RuntimeError(f"database already belongs to {sorted(found)}")
            if not found:
                await connection.execute(
                    text(
                        "INSERT INTO tenant_identity (tenant_id, slug, created_at) "
                        "VALUES (:id, :slug, :at)"
                    ),
                    {"id": str(tenant_id), "slug": slug, "at": datetime.now(UTC)},
                )
    finally:
        await engine.dispose()
